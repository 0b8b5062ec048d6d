# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check`: every KUnit suite, in the order
# their preconditions need. Each insmod prints its suites' KTAP on the console.
set -u
M=/modules
step() { echo "guest: step: $*"; }

echo clear > /sys/kernel/debug/kmemleak

step "tdx_host_rs without any SEAM: #UD must come back as an error"
insmod $M/tdx_host_rs.ko || echo "guest: FAIL insmod tdx_host_rs"
insmod $M/tdx_rs_noemu_kunit.ko
rmmod tdx_rs_noemu_kunit

step "emulator (its Rust API suite runs at load)"
insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"

step "trampolines against the emulator"
insmod $M/tdx_rs_wrappers_kunit.ko
rmmod tdx_rs_wrappers_kunit

step "trampolines against upstream's, same emulator"
insmod $M/tdx_rs_upstream_diff_kunit.ko
rmmod tdx_rs_upstream_diff_kunit

step "unload in reverse order"
rmmod tdx_emu || echo "guest: FAIL rmmod tdx_emu"
rmmod tdx_host_rs || echo "guest: FAIL rmmod tdx_host_rs"
lsmod

step "kmemleak scan"
# kmemleak does not report objects younger than 5 seconds.
sleep 6
echo scan > /sys/kernel/debug/kmemleak
echo scan > /sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak
echo "guest: kmemleak scan done"
echo "guest: CHECK DONE"
