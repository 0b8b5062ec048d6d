#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU hotplug once the TDX module is initialized. A logical processor keeps
# its TDH.SYS.LP.INIT across offline and online. While a guest KeyID is
# allocated the last online CPU of a package stays online: TD keys are
# programmed, and TD memory written back, on every package.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 3

cpu=$(hotplug_cpu)
if [ "$(state)" != initialized ] || [ -z "$cpu" ]; then
	skip 3 "needs an initialized tdx_host_rs and a CPU that can go offline"
	ktap_finished
fi

back_online() {
	before=$(emulated && emu_calls_of $TDH_SYS_LP_INIT)
	set_online "$cpu" 0 || return 1
	# kvm_intel's stand-in turned VMX off there, and on again as it came back.
	! emulated || ! emu_in_vmx "$cpu" || return 1
	set_online "$cpu" 1 || return 1
	! emulated || emu_in_vmx "$cpu" || return 1
	mod_load tdx_rs_cpu_probe cpu="$cpu" && mod_unload tdx_rs_cpu_probe || return 1
	! emulated || [ "$(emu_calls_of $TDH_SYS_LP_INIT)" = "$before" ]
}
check "CPU $cpu goes offline and back: VMX off and on, TDH.SYS.RD works, no second LP.INIT" \
	back_online

# The other online CPUs of $cpu's package.
pkg=$(package_of "$cpu")
siblings=
for f in /sys/devices/system/cpu/cpu[0-9]*; do
	c=${f##*/cpu}
	[ "$c" != "$cpu" ] && [ -w "$f/online" ] && cpu_online "$c" &&
		[ "$(package_of "$c")" = "$pkg" ] && siblings="$siblings $c"
done

last_stays() {
	mod_load tdx_rs_cpu_probe hold_keyid=1 || return 1
	ok=1
	for c in $siblings; do
		set_online "$c" 0 || ok=0
	done
	set_online "$cpu" 0 && ok=0
	cpu_online "$cpu" || ok=0
	mod_unload tdx_rs_cpu_probe || ok=0
	[ $ok = 1 ]
}
last_may_go() {
	ok=1
	set_online "$cpu" 0 || ok=0
	set_online "$cpu" 1 || ok=0
	for c in $siblings; do
		set_online "$c" 1 || ok=0
	done
	[ $ok = 1 ]
}
if [ -n "$siblings" ]; then
	ktap_print_msg "package $pkg: CPU $cpu and CPUs$siblings"
	check "with a guest KeyID held, CPU $cpu (last of package $pkg) stays online" last_stays
	check "with none held it may go offline" last_may_go
else
	skip 2 "every other CPU of package $pkg must go offline first: none can"
fi

ktap_finished
