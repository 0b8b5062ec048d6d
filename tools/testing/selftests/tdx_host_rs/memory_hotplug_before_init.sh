#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory hot-added before the TDX module is initialized. Until then any
# memory may come online: the initialization takes the System RAM it finds,
# hot-added DIMMs included, as TDX memory. This test hot-adds a DIMM and
# onlines it (movable, so it can go offline again); it leaves tdx_host_rs
# uninitialized, and memory_hotplug_after_init.sh checks, once initialized,
# that the DIMM is TDX memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/memory_lib.sh"

ktap_print_header
ktap_set_plan 2

if [ "$(state)" = initialized ]; then
	skip 2 "needs an uninitialized tdx_host_rs"
	ktap_finished
fi
if ! hotplug_driver; then
	skip 2 "nobody hot-adds DIMMs here (QEMU_HOTPLUG=1 scripts/qemu.sh runs scripts/hotplug.py)"
	ktap_finished
fi
# The module's memory notifier is there, and lets the DIMM online.
mod_loaded tdx_host_rs || mod_load tdx_host_rs

# On node 0: the DIMM lands above node 1's memory, so node 0's span then
# holds node 1's memory as well, and the initialization must still give
# every range its own node (a walk by node spans reports node 1's memory
# twice and fails).
blocks=$(add_dimm dimm1 0)
ktap_print_msg "dimm1: memory blocks ${blocks:-none}"

# shellcheck disable=SC2086 # one argument per block
check "a DIMM hot-added before initialization: its memory blocks, offline" all_offline $blocks

online_before_init() {
	[ -n "$blocks" ] && [ "$(state)" = uninitialized ] || return 1
	for n in $blocks; do
		set_block "$n" online_movable && [ "$(block_state "$n")" = online ] || return 1
	done
}
check "they come online while tdx_host_rs is uninitialized" online_before_init

ktap_finished
