#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The TDX module initialized: what sysfs shows, a later tdx_rs_enable()
# answered without a SEAMCALL, and tdx_host_rs pinned.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 4

initialized() {
	if [ "$(state)" != initialized ]; then
		mod_loaded tdx_host_rs || mod_load tdx_host_rs || return 1
		mod_load tdx_rs_enable_once && mod_unload tdx_rs_enable_once
	fi
	[ "$(state)" = initialized ]
}
check "tdx_rs_enable() succeeds: state initialized" initialized

attributes() {
	v=$(cat $SYSFS/module_version) k=$(cat $SYSFS/keyid_range)
	t=$(cat $SYSFS/nr_tdmrs) p=$(cat $SYSFS/pamt_kib)
	ktap_print_msg "module $v, KeyIDs $k, $t TDMRs, $p KiB of PAMT"
	echo "$v" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' &&
		[ "${k%-*}" -lt "${k#*-}" ] && [ "$t" -ge 1 ] && [ "$p" -gt 0 ]
}
check "sysfs shows the version, the KeyIDs, the TDMRs and the PAMT" attributes

answer_kept() {
	before=$(emulated && sed -n 's/^calls: //p' "$EMU/report")
	mod_load tdx_rs_enable_once && mod_unload tdx_rs_enable_once || return 1
	! emulated || [ "$(sed -n 's/^calls: //p' "$EMU/report")" = "$before" ]
}
check "tdx_rs_enable() again: 0, with no SEAMCALL" answer_kept

pinned() {
	! mod_unload tdx_host_rs 2>/dev/null && mod_loaded tdx_host_rs
}
check "tdx_host_rs cannot be unloaded any more" pinned

ktap_finished
