#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KVM-shaped consumer enters the emulated TD with tdx_rs_vp_enter() on
# its own register array and the emulated guest checks every reply; after
# the consumer is unloaded and loaded again, the same holds. Needs the
# emulator: on a TDX host only KVM can build a TD.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 2

run_td() {
	mod_load tdx_rs_kvm_consumer && mod_load tdx_rs_td_demo || return 1
	line=$(dmesg | grep "emulated guest:" | tail -n 1)
	ktap_print_msg "${line#*] }"
	mod_unload tdx_rs_td_demo && mod_unload tdx_rs_kvm_consumer || return 1
	case "$line" in
	*" 8 of 8 "*"finished 1, fatal 0"*"vcpu->arch.regs itself"*) return 0 ;;
	esac
	return 1
}

if emulated && [ "$(state)" = initialized ]; then
	check "the consumer's TD runs its script to the end" run_td
	check "after the consumer left and came back, it runs again" run_td
else
	skip 2 "needs the emulator and an initialized tdx_host_rs"
fi

ktap_finished
