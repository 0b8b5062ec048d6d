# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (third boot): upstream's own
# tdx_enable() on the same emulated TDX module, then the emulator's report.
set -u
M=/modules
insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"
insmod $M/tdx_rs_upstream_enable.ko && echo "guest: upstream enable ok" ||
	echo "guest: FAIL upstream enable"
sed 's/^/emu-report: /' /sys/kernel/debug/tdx_emu/report
echo "guest: UPSTREAM DONE"
