#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the memory hotplug selftests (after lib.sh): memory blocks, the
# DIMMs behind them, and DIMM hot-add on request.
#
# A DIMM is hot-added by whoever watches the console: under QEMU that is
# scripts/hotplug.py, which scripts/qemu.sh starts with QEMU_HOTPLUG=1 and
# announces with tdx_rs_hotplug=qmp on the kernel command line. Without it
# nobody answers, and the tests that need a new DIMM skip.

MEMSYS=/sys/devices/system/memory
# How long a hot-added DIMM may take to show up, in half seconds.
DIMM_WAIT=60

hotplug_driver() {
	grep -q 'tdx_rs_hotplug=' /proc/cmdline
}

block_bytes() {
	echo $((0x$(cat $MEMSYS/block_size_bytes)))
}

# block_range N: "START END" of memory block N, as the kernel prints them.
block_range() {
	b=$(block_bytes)
	printf '%#x %#x\n' $(($1 * b)) $((($1 + 1) * b))
}

block_state() {
	cat "$MEMSYS/memory$1/state"
}

# all_offline BLOCKS...: at least one block, and every one offline.
all_offline() {
	[ $# -gt 0 ] || return 1
	for n in "$@"; do
		[ "$(block_state "$n")" = offline ] || return 1
	done
}

# set_block N online_movable|offline: the write's own success.
set_block() {
	echo "$2" > "$MEMSYS/memory$1/state" 2>/dev/null
}

# The memory blocks of hot-added DIMMs (ACPI memory devices, PNP0C80, bind
# their blocks as firmware nodes; boot memory has none), ascending.
dimm_blocks() {
	for d in "$MEMSYS"/memory[0-9]*; do
		case "$(readlink "$d/firmware_node" 2>/dev/null)" in
		*PNP0C80*) echo "${d##*/memory}" ;;
		esac
	done | sort -n
}

# The highest online NUMA node (QEMU's SRAT gives the hotplug region to the
# last node).
last_node() {
	n=$(cat /sys/devices/system/node/online)
	echo "${n##*[-,]}"
}

# add_dimm NAME NODE: asks for a 128 MiB DIMM on NODE and prints the memory
# blocks it brought, once they are all bound; prints nothing if none came.
add_dimm() {
	before=$(dimm_blocks | tr '\n' ' ')
	req="tdx_rs_hotplug: add $1 node $2 size 128"
	i=0
	while [ $i -lt $DIMM_WAIT ]; do
		# Again every 10 s: the driver ignores a name it has seen, and a
		# repeat helps only if a console line got mangled.
		if [ $((i % 20)) = 0 ]; then
			echo "$req" > /dev/kmsg 2>/dev/null
			ktap_print_msg "$req" >&2
		fi
		sleep 0.5
		i=$((i + 1))
		now=$(dimm_blocks | tr '\n' ' ')
		if [ "$now" != "$before" ]; then
			# All blocks of one DIMM are bound in one go; let it end.
			sleep 1
			now=$(dimm_blocks | tr '\n' ' ')
			for n in $now; do
				case " $before " in *" $n "*) ;; *) echo "$n" ;; esac
			done
			return
		fi
	done
}

# covered_by_tdmr START END: a TDMR the emulated TDX module configured
# covers [START, END) (its report's "tdmr" lines).
covered_by_tdmr() {
	sed -n 's/^tdmr [0-9]* \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/p' "$EMU/report" |
		while read -r base end; do
			if [ $((base)) -le $(($1)) ] && [ $(($2)) -le $((end)) ]; then
				echo yes
			fi
		done | grep -q yes
}
