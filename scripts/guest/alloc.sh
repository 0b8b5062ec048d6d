# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot: a successful
# initialization cannot be undone): every slab allocation of the task that
# initializes the emulated TDX module fails from the SEAMCALL that completes
# the last TDH.SYS.TDMR.INIT on (the emulator arms the kernel's failslab
# task filter there). The module owns the PAMTs from then on: the
# initialization must succeed, and no PAMT page may be back in the page
# allocator.
set -u
. /guest-lib.sh
F=/sys/kernel/debug/failslab
# set FILE VALUE: a fault-injection knob, or the boot fails.
set_knob() {
	echo "$2" > "$1" || echo "guest: FAIL cannot set $1 to $2"
}
[ -d $F ] || echo "guest: FAIL no $F (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
set_knob $F/probability 100
set_knob $F/times -1
set_knob $F/interval 0
set_knob $F/verbose 0
set_knob $F/task-filter Y
set_knob $F/ignore-gfp-wait N
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
set_knob $E/fail_alloc_after_init 1
out=$(insmod $M/tdx_rs_enable_once.ko 2>&1) && out=ok
echo "guest: alloc enable: $out"
echo "guest: alloc failure (0 off, 1 armed, 2 fired): $(cat $E/fail_alloc_after_init)"
echo "guest: alloc state: $(cat /sys/kernel/tdx_host_rs/state)"
echo "guest: alloc pamt pages free: $(cat $E/pamt_free_pages)"
# The task that initialized the module (insmod) has exited: no task left
# alive may still fail its allocations (a CPU's worker, say).
failing=none
for f in /proc/[0-9]*/make-it-fail; do
	[ "$(cat "$f" 2>/dev/null)" = 1 ] || continue
	pid=${f#/proc/}
	pid=${pid%/make-it-fail}
	failing="$failing $(cat /proc/$pid/comm 2>/dev/null)"
done
echo "guest: alloc tasks left failing: ${failing#none }"
echo "guest: ALLOC DONE"
