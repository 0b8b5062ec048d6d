#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU hotplug before the TDX module is initialized. The TDX module refuses
# TDH.SYS.RD on a logical processor that did not do TDH.SYS.LP.INIT, and
# TDH.SYS.CONFIG until every logical processor did. So tdx_rs_enable()
# refuses (-EBUSY, changing nothing) while a CPU is offline that never did
# it, and a CPU that comes online once TDH.SYS.INIT is done gets its
# TDH.SYS.LP.INIT before anything else runs there. That needs VMX operation,
# which kvm_intel's CPU hotplug callback (CPUHP_AP_KVM_ONLINE, here its
# stand-in tdx_rs_kvm_virt) turns on before ours runs: with the emulator the
# CPU must be in VMX operation and no SEAMCALL may have raised #UD.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 5

cpu=$(hotplug_cpu)
if [ "$(state)" = initialized ] || [ -z "$cpu" ]; then
	skip 5 "needs an uninitialized tdx_host_rs and a CPU that can go offline"
	ktap_finished
fi
ktap_print_msg "CPU $cpu is the one that goes offline"
host_absent
emulated && emu_reset
cpu_online "$cpu" && set_online "$cpu" 0
# kvm_intel may load after tdx_host_rs and its CPU hotplug callback still
# runs first (a fixed state): here it registers after ours.
reload_vmx=0
if emulated && mod_loaded $VMX; then
	mod_unload $VMX && reload_vmx=1
fi
mod_load tdx_host_rs
[ $reload_vmx = 0 ] || mod_load $VMX

check "a CPU without TDH.SYS.LP.INIT is refused TDH.SYS.RD" \
	fails_with "Input/output error" mod_load tdx_rs_cpu_probe cpu=0

refused() {
	fails_with "Device or resource busy" mod_load tdx_rs_enable_once &&
		dmesg | tail -n 20 | grep -q "CPU $cpu is offline and never did TDH.SYS.LP.INIT"
}
check "tdx_rs_enable() refuses while CPU $cpu is offline: -EBUSY" refused

nothing_changed() {
	[ "$(state)" = uninitialized ] || return 1
	! emulated || [ "$(emu_calls_of $TDH_SYS_CONFIG)" = 0 ]
}
check "the refusal configured nothing: uninitialized, no TDH.SYS.CONFIG" nothing_changed

online_gets_lp_init() {
	before=$(emulated && emu_calls_of $TDH_SYS_LP_INIT)
	ud=$(emulated && emu_ud_outside_vmx)
	! emulated || ! emu_in_vmx "$cpu" || return 1
	set_online "$cpu" 1 || return 1
	if emulated; then
		[ "$(emu_calls_of $TDH_SYS_LP_INIT)" = $((before + 1)) ] || return 1
		emu_in_vmx "$cpu" && [ "$(emu_ud_outside_vmx)" = "$ud" ] || return 1
	fi
	mod_load tdx_rs_cpu_probe cpu="$cpu" && mod_unload tdx_rs_cpu_probe
}
check "CPU $cpu comes online, VMX on then TDH.SYS.LP.INIT: TDH.SYS.RD works there" \
	online_gets_lp_init

other_cpus_ready() {
	mod_load tdx_rs_cpu_probe cpu=0 && mod_unload tdx_rs_cpu_probe
}
check "the CPUs online at the refusal did TDH.SYS.LP.INIT too" other_cpus_ready

ktap_finished
