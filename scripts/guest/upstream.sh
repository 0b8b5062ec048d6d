# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (third boot): upstream's own
# tdx_enable() on the same emulated TDX module, then the emulator's report.
set -u
. /guest-lib.sh
load tdx_emu
# Upstream's tdx_enable() also requires its caller to have done VMXON.
load tdx_rs_kvm_virt
load tdx_rs_upstream_enable && echo "guest: upstream enable ok"
sed 's/^/emu-report: /' $E/report
echo "guest: UPSTREAM DONE"
