#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the tdx_host_rs selftests: KTAP output, module loading and the
# state the module and the emulated TDX module show.
#
# Modules come from $TDX_RS_MODULES (a directory of .ko files) when it is
# set, from modprobe otherwise. Tests that need fault injection skip unless
# the emulator (tdx_emu.ko) is loaded; they never load it first, but some
# unload it and load it again: with the platform in $TDX_EMU_ARGS (its
# cmrs=, lps=, ... parameters, as the harness loaded it), then their own.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

SYSFS=/sys/kernel/tdx_host_rs
EMU=/sys/kernel/debug/tdx_emu

# Leaf numbers of the TDX module ABI.
TDH_SYS_INIT=33
TDH_SYS_LP_INIT=35
TDH_SYS_CONFIG=45

# The emulator's VMX: tdx_rs_kvm_virt stands in for kvm_intel, which turns
# VMX on at load on every CPU (SEAMCALL raises #UD outside VMX operation).
# It uses the emulator: unloading tdx_emu unloads it first, and loading
# tdx_emu again brings it back.
VMX=tdx_rs_kvm_virt
vmx_with_emu=0

mod_load() {
	name=$1
	shift
	if [ "$name" = tdx_emu ]; then
		# shellcheck disable=SC2086 # one parameter per word
		set -- ${TDX_EMU_ARGS:-} "$@"
	fi
	if [ -n "${TDX_RS_MODULES:-}" ]; then
		insmod "$TDX_RS_MODULES/$name.ko" "$@"
	else
		modprobe "$name" "$@"
	fi || return
	if [ "$name" = tdx_emu ] && [ $vmx_with_emu = 1 ]; then
		vmx_with_emu=0
		mod_load $VMX
	fi
}

mod_unload() {
	if [ "$1" = tdx_emu ] && mod_loaded $VMX; then
		rmmod $VMX || return
		vmx_with_emu=1
	fi
	rmmod "$1"
}

mod_loaded() {
	[ -d "/sys/module/$1" ]
}

have_module() {
	if [ -n "${TDX_RS_MODULES:-}" ]; then
		[ -f "$TDX_RS_MODULES/$1.ko" ]
	else
		modinfo "$1" >/dev/null 2>&1
	fi
}

emulated() {
	[ -d "$EMU" ]
}

# What /sys/kernel/tdx_host_rs/state says, or "absent".
state() {
	if [ -r "$SYSFS/state" ]; then
		cat "$SYSFS/state"
	else
		echo absent
	fi
}

# SEAMCALLs of one leaf the emulated TDX module saw since load or reset.
emu_calls_of() {
	n=$(sed -n "s/^leaf $1 [^ ]* \([0-9]*\)$/\1/p" "$EMU/report")
	echo "${n:-0}"
}

# SEAMCALLs that raised #UD outside VMX operation (never in emu_calls_of).
emu_ud_outside_vmx() {
	sed -n 's/^ud_outside_vmx: //p' "$EMU/report"
}

# Whether the emulator has CPU $1 in VMX operation ("vmx: 0-2,5").
emu_in_vmx() {
	for r in $(sed -n 's/^vmx: //p' "$EMU/report" | tr , ' '); do
		[ "$r" = none ] && return 1
		lo=${r%-*} hi=${r#*-}
		[ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] && return 0
	done
	return 1
}

emu_reset() {
	echo 1 > "$EMU/reset"
}

emu_inject() {
	echo "$*" > "$EMU/inject"
}

# skip N REASON: the next N tests are skipped for REASON.
skip() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		ktap_test_skip "$*"
		n=$((n - 1))
	done
}

# check DESCRIPTION COMMAND...: one KTAP result.
check() {
	desc=$1
	shift
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

# fails_with TEXT COMMAND...: the command fails and says TEXT.
fails_with() {
	want=$1
	shift
	out=$("$@" 2>&1) && return 1
	case "$out" in
	*"$want"*) return 0 ;;
	*) echo "# wanted '$want', got: $out"; return 1 ;;
	esac
}

# The tdx_host_rs of a fresh start: not loaded, or loaded and unloadable.
host_absent() {
	! mod_loaded tdx_host_rs || mod_unload tdx_host_rs 2>/dev/null
}

# The highest-numbered CPU that can go offline, or nothing.
hotplug_cpu() {
	for f in $(ls -d /sys/devices/system/cpu/cpu[0-9]* | sort -t u -k 3 -n -r); do
		if [ -w "$f/online" ]; then
			echo "${f##*/cpu}"
			return
		fi
	done
}

cpu_online() {
	[ "$(cat /sys/devices/system/cpu/cpu$1/online)" = 1 ]
}

# set_online CPU 0|1: the write's own success.
set_online() {
	echo "$2" > "/sys/devices/system/cpu/cpu$1/online" 2>/dev/null
}

package_of() {
	cat "/sys/devices/system/cpu/cpu$1/topology/physical_package_id"
}
