#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Many kernel threads on every CPU call tdx_rs_enable() at once: exactly one
# TDH.SYS.CONFIG reaches the TDX module and every caller gets the same
# answer, whether that is a failure or success. Lockdep, on in the test
# kernel, reports any lock order problem on the console.
. "$(dirname "$0")/lib.sh"

THREADS=32

ktap_print_header
ktap_set_plan 4

storm_fails() {
	host_absent && emu_reset && mod_load tdx_host_rs || return 1
	emu_inject "$TDH_SYS_CONFIG 1 status 0xC0000A0000000000" || return 1
	fails_with "Input/output error" mod_load tdx_rs_enable_storm threads=$THREADS
}
one_failed_config() {
	[ "$(emu_calls_of $TDH_SYS_CONFIG)" = 1 ] && [ "$(state)" = failed ]
}
if emulated && [ "$(state)" != initialized ]; then
	check "$THREADS callers, TDH.SYS.CONFIG fails: every one gets -EIO" storm_fails
	check "one TDH.SYS.CONFIG reached the TDX module; state failed" one_failed_config
else
	skip 2 "needs the emulator and an uninitialized tdx_host_rs"
fi

storm_succeeds() {
	if [ "$(state)" != initialized ]; then
		host_absent || return 1
		emulated && emu_reset
		mod_load tdx_host_rs || return 1
	fi
	mod_load tdx_rs_enable_storm threads=$THREADS && mod_unload tdx_rs_enable_storm
}
check "$THREADS callers on a fresh tdx_host_rs: every one gets 0" storm_succeeds

one_config() {
	[ "$(state)" = initialized ] || return 1
	! emulated || [ "$(emu_calls_of $TDH_SYS_CONFIG)" = 1 ]
}
check "one TDH.SYS.CONFIG reached the TDX module; state initialized" one_config

ktap_finished
