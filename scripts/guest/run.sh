# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for `make run`: the emulated TDX module, VMX turned on
# as kvm_intel does at load (tdx_rs_kvm_virt), tdx_host_rs,
# one SEAMCALL through each trampoline, the initialization of the emulated
# module and what it left behind, then two TDs built, run and torn down by
# the KVM-shaped library (tdx_rs_td_demo), each phase logged.
set -u
. /guest-lib.sh
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
load tdx_rs_demo && unload tdx_rs_demo
echo "guest: state before: $(cat /sys/kernel/tdx_host_rs/state)"
load tdx_rs_enable_once && echo "guest: tdx_rs_enable() = 0"
for f in state module_version keyid_range nr_tdmrs nr_reserved_areas pamt_kib; do
	echo "guest: /sys/kernel/tdx_host_rs/$f: $(cat /sys/kernel/tdx_host_rs/$f)"
done
sed 's/^/guest: emulator: /' $E/report
load tdx_rs_kvm_consumer
load tdx_rs_td_demo && echo "guest: the TDs ran their program and gave every page back"
echo "guest: RUN DONE"
