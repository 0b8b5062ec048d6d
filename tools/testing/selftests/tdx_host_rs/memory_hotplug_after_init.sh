#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory hotplug once the TDX module is initialized. TDX memory is fixed at
# initialization: a DIMM onlined before it (memory_hotplug_before_init.sh)
# is TDX memory, a TDMR covers it and it may go offline and online again;
# a DIMM hot-added after it must stay offline (a TD could be handed memory
# the TDX module does not protect): the write to its block's state fails,
# and tdx_host_rs says which range and why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/memory_lib.sh"

ktap_print_header
ktap_set_plan 5

if [ "$(state)" != initialized ]; then
	skip 5 "needs an initialized tdx_host_rs"
	ktap_finished
fi

early=$(dimm_blocks | tr '\n' ' ')
ktap_print_msg "DIMM memory blocks from before initialization: ${early:-none}"

in_tdmrs() {
	[ -n "$early" ] || return 1
	for n in $early; do
		covered_by_tdmr $(block_range "$n") || return 1
	done
}
offline_online() {
	[ -n "$early" ] || return 1
	for n in $early; do
		[ "$(block_state "$n")" = online ] && set_block "$n" offline &&
			[ "$(block_state "$n")" = offline ] || return 1
		set_block "$n" online_movable && [ "$(block_state "$n")" = online ] || return 1
	done
}
if [ -z "$early" ]; then
	skip 2 "no DIMM was hot-added before initialization (memory_hotplug_before_init.sh)"
else
	if emulated; then
		check "the DIMM onlined before initialization is in the TDMRs" in_tdmrs
	else
		skip 1 "needs the emulator's report of the TDMRs"
	fi
	check "it goes offline and online again" offline_online
fi

if ! hotplug_driver; then
	skip 3 "nobody hot-adds DIMMs here (QEMU_HOTPLUG=1 scripts/qemu.sh runs scripts/hotplug.py)"
	ktap_finished
fi
late=$(add_dimm dimm2 "$(last_node)")
ktap_print_msg "dimm2: memory blocks ${late:-none}"

# shellcheck disable=SC2086 # one argument per block
check "a DIMM hot-added after initialization: its memory blocks, offline" all_offline $late

refused() {
	[ -n "$late" ] || return 1
	for n in $late; do
		! set_block "$n" online_movable && [ "$(block_state "$n")" = offline ] ||
			return 1
	done
}
check "they cannot come online: the state write fails, they stay offline" refused

says_why() {
	[ -n "$late" ] || return 1
	for n in $late; do
		set -- $(block_range "$n")
		dmesg | grep -qF "tdx_host_rs: memory [$1, $2) stays offline: not TDX memory" ||
			{ ktap_print_msg "no refusal line for [$1, $2)"; return 1; }
	done
}
check "tdx_host_rs names each refused range and says why" says_why

ktap_finished
