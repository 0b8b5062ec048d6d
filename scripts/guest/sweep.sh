# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (second boot): a fault at every
# SEAMCALL of the initialization that matters, one at a time, from a fresh
# tdx_host_rs and a reset emulator each time. /sweep.txt lists the scenarios:
#   LEAF NTH KIND [STATUS] EXPECTED-ERROR-TEXT...
# After each failure the state must read "failed" and the module must unload.
# Last, one clean initialization shows nothing stuck.
set -u
M=/modules
E=/sys/kernel/debug/tdx_emu

insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"
n=0
while read -r leaf nth kind rest; do
	case "$kind" in
	status) status=${rest%% *}; want=${rest#* } ;;
	*) status=; want=$rest ;;
	esac
	n=$((n + 1))
	echo 1 > $E/reset
	insmod $M/tdx_host_rs.ko
	echo "$leaf $nth $kind $status" > $E/inject
	out=$(insmod $M/tdx_rs_enable_once.ko 2>&1)
	state=$(cat /sys/kernel/tdx_host_rs/state)
	case "$out" in
	*"$want"*) ok=1 ;;
	*) ok=0 ;;
	esac
	[ "$state" = failed ] || ok=0
	rmmod tdx_host_rs || ok=0
	if [ $ok = 1 ]; then
		echo "sweep: ok   leaf $leaf call $nth $kind: $want, state $state"
	else
		echo "sweep: FAIL leaf $leaf call $nth $kind: wanted '$want', got '$out', state $state"
	fi
done < /sweep.txt
echo "sweep: $n scenarios"

echo 1 > $E/reset
insmod $M/tdx_host_rs.ko
insmod $M/tdx_rs_enable_once.ko && echo "sweep: ok   clean initialization after the sweep" ||
	echo "sweep: FAIL clean initialization after the sweep"

echo "guest: SWEEP DONE"
