# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` ("LP count in QEMU"): QEMU runs
# 4 CPUs, the emulated TDX module counts all 4 as BIOS-enabled LPs, but the
# kernel boots with nr_cpus=2 and knows 2. Every CPU the kernel knows does
# TDH.SYS.LP.INIT, yet the TDX module refuses TDH.SYS.CONFIG: tdx_rs_enable()
# must fail and say what to do. The host checks the console.
set -u
. /guest-lib.sh
echo "guest: lps CPUs present $(cat /sys/devices/system/cpu/present), online $(cat /sys/devices/system/cpu/online)"
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
out=$(insmod $M/tdx_rs_enable_once.ko 2>&1) && out=ok
echo "guest: lps enable: $out"
echo "guest: lps state: $(cat /sys/kernel/tdx_host_rs/state)"
sed 's/^/lps-report: /' $E/report
echo "guest: LPS DONE"
