#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KVM-shaped consumer builds two TDs through tdx_host_rs as KVM does,
# enters them with tdx_rs_vp_enter() on its own register arrays (the emulated
# guests check every reply) and tears them down; after the consumer is
# unloaded and loaded again, the same holds. Needs the emulator: on a TDX
# host only KVM builds TDs.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 2

# The demo's load fails unless every vCPU finished and every page came back.
run_td() {
	mod_load tdx_rs_kvm_consumer && mod_load tdx_rs_td_demo || return 1
	good=$(dmesg | grep "emulated guest:" | tail -n 3 | grep -c "finished 1, fatal 0")
	line=$(dmesg | grep "torn down:" | tail -n 1)
	ktap_print_msg "${line#*] }"
	mod_unload tdx_rs_td_demo && mod_unload tdx_rs_kvm_consumer || return 1
	[ "$good" = 3 ] && case "$line" in *"holds 0 pages"*) ;; *) false ;; esac
}

if emulated && [ "$(state)" = initialized ]; then
	check "the consumer's two TDs run their program and give every page back" run_td
	check "after the consumer left and came back, it runs again" run_td
else
	skip 2 "needs the emulator and an initialized tdx_host_rs"
fi

ktap_finished
