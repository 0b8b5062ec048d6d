# SPDX-License-Identifier: GPL-2.0
# Sourced by every guest script: module loads and unloads that say so when
# they fail. The host fails the boot on any "guest: FAIL" line.
M=/modules
E=/sys/kernel/debug/tdx_emu

# load NAME [ARGS...]: insmod /modules/NAME.ko. tdx_emu gets its platform
# first: the parameters the host wrote to /emu-args (scripts/platform.py);
# the caller's ARGS come after them and win.
load() {
	local name=$1
	shift
	if [ "$name" = tdx_emu ] && [ -r /emu-args ]; then
		# shellcheck disable=SC2046 # one parameter per word
		set -- $(cat /emu-args) "$@"
	fi
	insmod "$M/$name.ko" "$@" || { echo "guest: FAIL insmod $name"; return 1; }
}

# Where a real host has kvm_intel, which turns VMX on at load (6.12:
# kvm.enable_virt_at_load=1) on every CPU, these scripts load
# tdx_rs_kvm_virt (tools/testing/tdx_host_rs/kvm_virt.c) right after the
# emulated TDX module: SEAMCALL outside VMX operation raises #UD.

# unload NAME: rmmod NAME.
unload() {
	rmmod "$1" || { echo "guest: FAIL rmmod $1"; return 1; }
}

# suite NAME: load a KUnit module, which prints its KTAP, and unload it.
suite() {
	load "$1" && unload "$1"
}
