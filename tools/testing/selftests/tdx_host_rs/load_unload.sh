#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tdx_host_rs loads and unloads in every order that can happen before the
# TDX module is initialized; afterwards it stays (the TDX module holds its
# memory, see init.sh).
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 5

if [ "$(state)" = initialized ]; then
	skip 5 "tdx_host_rs is initialized: it stays loaded"
	ktap_finished
fi
host_absent

dependent_first() {
	! mod_load tdx_rs_cpu_probe 2>/dev/null && ! mod_loaded tdx_rs_cpu_probe
}
check "a dependent module cannot load before tdx_host_rs" dependent_first

alone() {
	mod_load tdx_host_rs && [ "$(state)" != absent ] &&
		mod_unload tdx_host_rs && [ "$(state)" = absent ]
}
check "tdx_host_rs loads, shows a state, unloads" alone

twice() {
	mod_load tdx_host_rs || return 1
	before=$(state)
	! mod_load tdx_host_rs 2>/dev/null && [ "$(state)" = "$before" ] &&
		mod_unload tdx_host_rs
}
check "a second load fails and changes nothing" twice

held() {
	mod_load tdx_host_rs && mod_load tdx_rs_cpu_probe || return 1
	! mod_unload tdx_host_rs 2>/dev/null && mod_loaded tdx_host_rs &&
		mod_unload tdx_rs_cpu_probe && mod_unload tdx_host_rs
}
check "tdx_host_rs stays while a dependent module is loaded" held

# Without the emulator QEMU's KeyID partitioning MSR reads no TDX KeyIDs:
# "unavailable", and tdx_rs_enable() answers -EOPNOTSUPP without a SEAMCALL.
without_emulator() {
	mod_unload tdx_emu || return 1
	mod_load tdx_host_rs || return 1
	ok=1
	[ "$(state)" = unavailable ] || ok=0
	fails_with "Operation not supported" mod_load tdx_rs_enable_once || ok=0
	[ "$(state)" = unavailable ] || ok=0
	mod_unload tdx_host_rs || ok=0
	mod_load tdx_emu || ok=0
	[ $ok = 1 ]
}
if emulated; then
	check "the emulator may go and come back before tdx_host_rs loads" without_emulator
else
	skip 1 "needs the emulator"
fi

ktap_finished
