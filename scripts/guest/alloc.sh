# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot: a successful
# initialization cannot be undone): every slab allocation of the task that
# initializes the emulated TDX module fails from the SEAMCALL that completes
# the last TDH.SYS.TDMR.INIT on (the emulator arms the kernel's failslab
# task filter there). The module owns the PAMTs from then on: the state must
# read "initialized" (or "failed" with the PAMTs kept), and no PAMT page may
# be back in the page allocator.
set -u
. /guest-lib.sh
F=/sys/kernel/debug/failslab
echo 100 > $F/probability
echo -1 > $F/times
echo 0 > $F/interval
echo 0 > $F/verbose
echo Y > $F/task-filter
echo N > $F/ignore-gfp-wait
load tdx_emu
load tdx_host_rs
echo 1 > $E/fail_alloc_after_init
out=$(insmod $M/tdx_rs_enable_once.ko 2>&1) && out=ok
echo "guest: alloc enable: $out"
echo "guest: alloc armed after: $(cat $E/fail_alloc_after_init)"
echo "guest: alloc state: $(cat /sys/kernel/tdx_host_rs/state)"
echo "guest: alloc pamt pages free: $(cat $E/pamt_free_pages)"
echo "guest: alloc nr_tdmrs: $(cat /sys/kernel/tdx_host_rs/nr_tdmrs)"
echo "guest: ALLOC DONE"
