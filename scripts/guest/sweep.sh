# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check`: a fault at every SEAMCALL of the
# initialization that matters, one scenario at a time, from a fresh
# tdx_host_rs and a reset emulator each time. /sweep.txt is the plan
# (scripts/sweep_plan.py). After each failure the errno must be the
# documented one, the state must read "failed", a second tdx_rs_enable() must
# give the same answer without a SEAMCALL, and the module must unload (after a
# #UD of TDH.SYS.INIT or TDH.SYS.LP.INIT, "retry": nothing reached the TDX
# module, the state must read "uninitialized" and the module unload). The
# last scenario recovers from every transient run and must initialize.
set -u
. /guest-lib.sh

calls() { sed -n 's/^calls: //p' $E/report; }
calls_of() { n=$(sed -n "s/^leaf $1 [^ ]* //p" $E/report); echo "${n:-0}"; }

# finish: the scenario read from $line, injections done; checks the outcome.
finish() {
	out=$(insmod $M/tdx_rs_enable_once.ko 2>&1) && out=ok
	state=$(cat /sys/kernel/tdx_host_rs/state)
	ok=$loaded
	[ "$loaded" = 1 ] || out="$out; insmod tdx_host_rs had failed"
	case "$out" in *"$want"*) ;; *) ok=0 ;; esac
	if [ "$want" = ok ]; then
		[ "$state" = initialized ] || ok=0
		for lc in $expect; do
			case "$lc" in
			*'>'*)	[ "$(calls_of "${lc%>*}")" -gt "${lc#*>}" ] ||
					{ ok=0; out="$out; leaf ${lc%>*}: $(calls_of "${lc%>*}") calls"; } ;;
			*)	[ "$(calls_of "${lc%=*}")" = "${lc#*=}" ] ||
					{ ok=0; out="$out; leaf ${lc%=*}: $(calls_of "${lc%=*}") calls"; } ;;
			esac
		done
	elif [ "$retry" = 1 ]; then
		# Nothing reached the TDX module: a later call could initialize.
		[ "$state" = uninitialized ] || ok=0
		rmmod tdx_host_rs || ok=0
	else
		[ "$state" = failed ] || ok=0
		if [ -n "$want_calls" ] && [ "$(calls_of "$leaf")" != "$want_calls" ]; then
			ok=0; out="$out; $(calls_of "$leaf") calls of leaf $leaf"
		fi
		before=$(calls)
		again=$(insmod $M/tdx_rs_enable_once.ko 2>&1)
		case "$again" in *"$want"*) ;; *) ok=0; out="$out; again: $again" ;; esac
		[ "$(calls)" = "$before" ] || { ok=0; out="$out; again made SEAMCALLs"; }
		rmmod tdx_host_rs || ok=0
	fi
	if [ $ok = 1 ]; then
		echo "sweep: ok   $scenario: $want, state $state"
	else
		echo "sweep: FAIL $scenario: wanted '$want', got '$out', state $state"
	fi
}

load tdx_emu
load tdx_rs_kvm_virt
n=0 pending=0
while read -r first second rest; do
	case "$first" in
	+)	echo "$second $rest" | {
			read -r leaf nth times kind status _
			echo "$leaf $nth $kind $status x$times" > $E/inject
		}
		scenario="$scenario + $second $rest"
		continue ;;
	=)	expect="$second $rest"
		continue ;;
	esac
	[ $pending = 1 ] && finish
	leaf=$first nth=$second
	set -- $rest
	times=$1 kind=$2
	shift 2
	status= want_calls= expect= retry=0
	if [ "$kind" = ud ] && [ "${1:-}" = retry ]; then
		retry=1
		shift
	fi
	if [ "$kind" = status ]; then
		status=$1
		shift
	fi
	case "${1:-}" in calls=*) want_calls=${1#calls=}; shift ;; esac
	want="$*"
	scenario="leaf $leaf call $nth x$times $kind $status"
	n=$((n + 1))
	echo 1 > $E/reset
	loaded=1
	insmod $M/tdx_host_rs.ko || loaded=0
	echo "$leaf $nth $kind $status x$times" > $E/inject
	pending=1
done < /sweep.txt
[ $pending = 1 ] && finish
echo "sweep: $n scenarios"
echo "guest: SWEEP DONE"
