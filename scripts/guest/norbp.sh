# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot, since a successful
# initialization cannot be undone): a TDX module without NO_RBP_MOD, which
# tdx_rs_vp_enter() must refuse to enter.
set -u
M=/modules
insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"
insmod $M/tdx_host_rs.ko || echo "guest: FAIL insmod tdx_host_rs"
insmod $M/tdx_rs_kvm_consumer.ko || echo "guest: FAIL insmod tdx_rs_kvm_consumer"
insmod $M/tdx_rs_vp_enter_norbp_kunit.ko
rmmod tdx_rs_vp_enter_norbp_kunit
rmmod tdx_rs_kvm_consumer
echo "guest: NORBP DONE"
