# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM on 4 CPUs: the initialization against stray
# TDH.SYS.CONFIGs on the other CPUs, no injection (tdx_rs_busy_storm.ko).
# The emulator's try-locks make both sides meet TDX_SYS_BUSY; the module
# loads only if tdx_rs_enable() succeeded through its retries and every
# stray call got busy or its own refusal. The host checks the console for
# "guest: busy storm: ok" and the busy counts.
set -u
. /guest-lib.sh
echo "guest: busy CPUs online $(cat /sys/devices/system/cpu/online)"
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
out=$(insmod $M/tdx_rs_busy_storm.ko gap_us=${GAP_US:-100} 2>&1) && out=ok
echo "guest: busy storm: $out"
echo "guest: busy state: $(cat /sys/kernel/tdx_host_rs/state)"
sed 's/^/busy-report: /' $E/report
echo "guest: BUSY DONE"
