#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters. tdx_host_rs has none: an unknown one is ignored with a
# warning, as the module loader does for every module. Malformed values of
# the test modules' and the emulator's parameters fail the load with a clear
# error, leaving nothing loaded or changed. The emulator has no platform but
# the one its parameters describe: without them it does not load.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 5

unknown_param() {
	mod_load tdx_host_rs no_such_param=1 || return 1
	dmesg | tail -n 20 | grep -q "unknown parameter 'no_such_param' ignored" &&
		[ "$(state)" = uninitialized ] && mod_unload tdx_host_rs
}
if [ "$(state)" = absent ]; then
	check "tdx_host_rs ignores an unknown parameter, with a warning" unknown_param
else
	skip 1 "tdx_host_rs is loaded already"
fi

bad_emu_params() {
	mod_unload tdx_emu || return 1
	ok=1
	for p in tdx_keyids=abc tdx_keyids=-1 mktme_keyids=0x1x \
		 mktme_keyids=32767 "mktme_keyids=100 tdx_keyids=32700"; do
		# shellcheck disable=SC2086 # one or two parameters
		if mod_load tdx_emu $p 2>/dev/null || mod_loaded tdx_emu; then
			echo "# tdx_emu took $p"
			ok=0
			mod_unload tdx_emu
		fi
	done
	mod_load tdx_emu || ok=0
	[ $ok = 1 ]
}
if emulated && ! mod_loaded tdx_host_rs; then
	check "tdx_emu refuses malformed and impossible KeyID counts" bad_emu_params
else
	skip 1 "needs the emulator and no tdx_host_rs"
fi

# emu_says TEXT ARGS...: tdx_emu with exactly ARGS fails to load and its
# last kernel message holds TEXT.
emu_says() {
	want=$1
	shift
	saved=$TDX_EMU_ARGS
	TDX_EMU_ARGS=
	if mod_load tdx_emu "$@" 2>/dev/null || mod_loaded tdx_emu; then
		echo "# tdx_emu loaded with: $*"
		mod_unload tdx_emu
		TDX_EMU_ARGS=$saved
		return 1
	fi
	TDX_EMU_ARGS=$saved
	dmesg | tail -n 5 | grep -qF "tdx_emu: $want" && return 0
	echo "# wanted 'tdx_emu: $want' in:"
	dmesg | tail -n 5 | sed 's/^/# /'
	return 1
}

no_platform() {
	mod_unload tdx_emu || return 1
	ok=1
	emu_says "no platform: missing cmrs= lps= packages= (scripts/platform.py" || ok=0
	# The platform but one parameter: that one is named.
	rest=
	for p in $TDX_EMU_ARGS; do
		case $p in lps=*) ;; *) rest="$rest $p" ;; esac
	done
	# shellcheck disable=SC2086 # one parameter per word
	emu_says "no platform: missing lps= (" $rest || ok=0
	# shellcheck disable=SC2086
	emu_says "cmrs=: range 2: starts below the previous range's END" $TDX_EMU_ARGS \
		cmrs=0x100000-0x200000,0x1ff000-0x300000 || ok=0
	mod_load tdx_emu || ok=0
	[ $ok = 1 ]
}
if emulated && ! mod_loaded tdx_host_rs && [ -n "${TDX_EMU_ARGS:-}" ]; then
	check "tdx_emu refuses to load without its platform, naming what is missing" no_platform
else
	skip 1 "needs the emulator, its platform in TDX_EMU_ARGS and no tdx_host_rs"
fi

loaded_here=0
if ! mod_loaded tdx_host_rs; then
	mod_load tdx_host_rs && loaded_here=1
fi

bad_probe_params() {
	ok=1
	for p in cpu=-2 cpu=4096 cpu=x hold_keyid=maybe; do
		if mod_load tdx_rs_cpu_probe $p 2>/dev/null; then
			echo "# tdx_rs_cpu_probe took $p"
			mod_unload tdx_rs_cpu_probe
			ok=0
		fi
	done
	[ $ok = 1 ]
}
check "tdx_rs_cpu_probe refuses impossible CPUs" bad_probe_params

bad_storm_params() {
	before=$(state)
	ok=1
	for p in threads=0 threads=65 threads=many; do
		if mod_load tdx_rs_enable_storm $p 2>/dev/null; then
			echo "# tdx_rs_enable_storm took $p"
			mod_unload tdx_rs_enable_storm
			ok=0
		fi
	done
	[ $ok = 1 ] && [ "$(state)" = "$before" ]
}
check "tdx_rs_enable_storm refuses bad thread counts, enabling nothing" bad_storm_params

[ $loaded_here = 1 ] && mod_unload tdx_host_rs
ktap_finished
