#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init_at_load=1: tdx_host_rs initializes the TDX module at insmod, with no
# other caller. SEAMCALL needs VMX operation, which kvm_intel turns on at
# load (its stand-in here: tdx_rs_kvm_virt). Without it the load succeeds,
# one line names the CPU not in VMX operation and what to do, nothing
# reaches the TDX module and the state stays "uninitialized", so a later
# tdx_rs_enable() with VMX on reaches the TDX module. With VMX on first,
# insmod alone initializes it. Not in TEST_PROGS: it needs a fresh TDX
# module, initialized once per boot, which the programs there need too; make
# check gives it a boot of its own (scripts/guest/init_at_load.sh).
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 4

if ! emulated || ! have_module $VMX || [ "$(state)" = initialized ]; then
	skip 4 "needs the emulator, $VMX and an uninitialized tdx_host_rs"
	ktap_finished
fi

without_vmx() {
	host_absent || return 1
	! mod_loaded $VMX || mod_unload $VMX || return 1
	emu_reset
	mod_load tdx_host_rs init_at_load=1 || return 1
	line=$(dmesg | tail -n 30 | grep "is not in VMX operation (SEAMCALL raised #UD)")
	ktap_print_msg "${line#*] }"
	case "$line" in
	*"tdx_host_rs: CPU "[0-9]*" is not in VMX operation (SEAMCALL raised #UD): load kvm_intel first; it enables VMX at load on 6.12 (enable_virt_at_load=1)") ;;
	*) return 1 ;;
	esac
	[ "$(state)" = uninitialized ]
}
check "init_at_load=1 without VMX: loads, names the CPU and VMX operation, stays uninitialized" \
	without_vmx

untouched() {
	calls=$(sed -n 's/^calls: //p' "$EMU/report")
	ktap_print_msg "emulator: $calls calls, $(emu_ud_outside_vmx) #UD outside VMX operation"
	[ "$calls" = 0 ] && [ "$(emu_ud_outside_vmx)" -gt 0 ]
}
check "the TDX module saw no call: every SEAMCALL raised #UD outside VMX operation" untouched

# The retry must reach the TDX module again: TDH.SYS.INIT once, TDH.SYS.LP.INIT
# on every online CPU. TDH.SYS.CONFIG is made to fail there, so that the
# initialization, once per boot, is left for the last test.
later_enable() {
	mod_load $VMX || return 1
	emu_inject "$TDH_SYS_CONFIG 1 status 0xC000050C00000000" || return 1
	fails_with "Input/output error" mod_load tdx_rs_enable_once || return 1
	online=$(grep -c '^processor' /proc/cpuinfo)
	[ "$(emu_calls_of $TDH_SYS_INIT)" = 1 ] &&
		[ "$(emu_calls_of $TDH_SYS_LP_INIT)" = "$online" ] &&
		[ "$(emu_calls_of $TDH_SYS_CONFIG)" = 1 ] || return 1
	mod_unload tdx_host_rs
}
check "with VMX on, a later tdx_rs_enable() reaches the TDX module" later_enable

with_vmx() {
	emu_reset
	mod_load tdx_host_rs init_at_load=1 || return 1
	[ "$(state)" = initialized ] &&
		dmesg | tail -n 30 | grep -q "tdx_host_rs: init_at_load: TDX module initialized"
}
check "VMX on first (kvm_intel's stand-in): insmod init_at_load=1 initializes" with_vmx

ktap_finished
