#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A user task's XMM registers survive TD entries the kernel makes in its own
# context through the KVM-shaped consumer (tdx_rs_fpu_probe, fpu_keep.c):
# the TDX module initializes the extended state at every TD exit, and only
# the consumer's FPU save keeps the task's. Needs the emulator (the probe arms
# an external interrupt so that every entry exits at once).
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 1

keeps_fpu() {
	mod_load tdx_rs_kvm_consumer && mod_load tdx_rs_fpu_probe || return 1
	"$(dirname "$0")/fpu_keep"
	rc=$?
	mod_unload tdx_rs_fpu_probe && mod_unload tdx_rs_kvm_consumer || return 1
	return $rc
}

if emulated && [ "$(state)" = initialized ]; then
	check "a task's XMM0-15 survive TD entries made in its context" keeps_fpu
else
	skip 1 "needs the emulator and an initialized tdx_host_rs"
fi

ktap_finished
