# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM on the host kernel (scripts/config/host.config) for
# make check's "host kernel in QEMU": the production tdx_host_rs, built
# against that kernel, after the emulated TDX module and the VMX stand-in
# as in the test boots. QEMU has no IA32_MKTME_KEYID_PARTITIONING, and a
# production build never asks the emulator for one: the module must load,
# refuse to initialize the TDX module with the reason and the fix, make no
# SEAMCALL, and unload.
set -u
. /guest-lib.sh
echo "guest: host uts: $(uname -v)"
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs init_at_load=1
echo "guest: host state: $(cat /sys/kernel/tdx_host_rs/state)"
echo "guest: host keyid_range: $(cat /sys/kernel/tdx_host_rs/keyid_range)"
sed 's/^/guest: host emulator: /' $E/report
unload tdx_host_rs
unload tdx_rs_kvm_virt
unload tdx_emu
echo "guest: HOST DONE"
