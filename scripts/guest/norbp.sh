# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot, since a successful
# initialization cannot be undone): an emulated TDX module 1.5.01, whose
# asynchronous TD exits zero the host's RBP, reporting no NO_RBP_MOD either.
# tdx_rs_vp_enter() enters it and gives the caller its RBP back.
set -u
. /guest-lib.sh
load tdx_emu version=1.5.01
load tdx_rs_kvm_virt
load tdx_host_rs
load tdx_rs_kvm_consumer
suite tdx_rs_vp_enter_norbp_kunit
unload tdx_rs_kvm_consumer
echo "guest: NORBP DONE"
