#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /sys/kernel/tdx_host_rs/state through every transition before success:
# absent, uninitialized, unavailable, failed (kept, with its errno), and
# back to absent. init.sh takes it to "initialized".
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 5

if [ "$(state)" = initialized ]; then
	skip 5 "tdx_host_rs is initialized: it stays so"
	ktap_finished
fi
host_absent

check "absent before the module loads" [ "$(state)" = absent ]

loads_uninitialized() {
	mod_load tdx_host_rs && [ "$(state)" = uninitialized ]
}
check "uninitialized once loaded" loads_uninitialized

too_few_keyids() {
	mod_unload tdx_host_rs && mod_unload tdx_emu || return 1
	mod_load tdx_emu tdx_keyids=1 && mod_load tdx_host_rs || return 1
	ok=1
	[ "$(state)" = unavailable ] || ok=0
	[ "$(cat $SYSFS/keyid_range)" = none ] || ok=0
	fails_with "Operation not supported" mod_load tdx_rs_enable_once || ok=0
	mod_unload tdx_host_rs && mod_unload tdx_emu && mod_load tdx_emu || ok=0
	mod_load tdx_host_rs || ok=0
	[ $ok = 1 ]
}
if emulated; then
	check "unavailable on a platform with one TDX KeyID" too_few_keyids
else
	skip 1 "needs the emulator"
fi

failed_and_kept() {
	emu_inject "$TDH_SYS_CONFIG 1 status 0xC000050C00000000" || return 1
	fails_with "Input/output error" mod_load tdx_rs_enable_once || return 1
	[ "$(state)" = failed ] || return 1
	calls=$(sed -n 's/^calls: //p' "$EMU/report")
	# The same answer again, without a SEAMCALL.
	fails_with "Input/output error" mod_load tdx_rs_enable_once &&
		[ "$(state)" = failed ] &&
		[ "$(sed -n 's/^calls: //p' "$EMU/report")" = "$calls" ]
}
if emulated; then
	emu_reset
	check "failed after a TDH.SYS.CONFIG error; the errno is kept" failed_and_kept
else
	skip 1 "needs the emulator"
fi

back_to_absent() {
	mod_unload tdx_host_rs && [ "$(state)" = absent ]
}
check "unloads from any state but initialized" back_to_absent

ktap_finished
