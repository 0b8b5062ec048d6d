# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot, since a successful
# initialization cannot be undone): a TDX module without NO_RBP_MOD, which
# tdx_rs_vp_enter() must refuse to enter.
set -u
. /guest-lib.sh
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
load tdx_rs_kvm_consumer
suite tdx_rs_vp_enter_norbp_kunit
unload tdx_rs_kvm_consumer
echo "guest: NORBP DONE"
