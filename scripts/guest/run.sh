# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for `make run`: the emulated TDX module, tdx_host_rs,
# one SEAMCALL through each trampoline, the initialization of the emulated
# module and what it left behind, then a TD entered with TDH.VP.ENTER.
set -u
M=/modules
E=/sys/kernel/debug/tdx_emu
insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"
insmod $M/tdx_host_rs.ko || echo "guest: FAIL insmod tdx_host_rs"
insmod $M/tdx_rs_demo.ko || echo "guest: FAIL insmod tdx_rs_demo"
rmmod tdx_rs_demo
echo "guest: state before: $(cat /sys/kernel/tdx_host_rs/state)"
insmod $M/tdx_rs_enable_once.ko && echo "guest: tdx_rs_enable() = 0" ||
	echo "guest: FAIL tdx_rs_enable()"
for f in state module_version keyid_range nr_tdmrs nr_reserved_areas pamt_kib; do
	echo "guest: /sys/kernel/tdx_host_rs/$f: $(cat /sys/kernel/tdx_host_rs/$f)"
done
sed 's/^/guest: emulator: /' $E/report
insmod $M/tdx_rs_kvm_consumer.ko || echo "guest: FAIL insmod tdx_rs_kvm_consumer"
insmod $M/tdx_rs_td_demo.ko && echo "guest: the TD ran its script" ||
	echo "guest: FAIL the TD did not run its script"
echo "guest: RUN DONE"
