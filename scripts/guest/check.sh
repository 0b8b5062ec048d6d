# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (first boot): every KUnit suite in
# the order their preconditions need, then our initialization of the
# emulated TDX module. Each insmod of a suite prints its KTAP on the console.
set -u
. /guest-lib.sh
step() { echo "guest: step: $*"; }

step "tdx_host_rs without any SEAM: #UD must come back as an error"
load tdx_host_rs
echo "guest: sysfs state $(cat /sys/kernel/tdx_host_rs/state)"
suite tdx_rs_noemu_kunit
unload tdx_host_rs

step "the emulated TDX module, VMX on (kvm_intel's stand-in), then tdx_host_rs on it"
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
echo "guest: sysfs state $(cat /sys/kernel/tdx_host_rs/state)"

step "the Rust SEAMCALL API against the emulator"
suite tdx_rs_rust_api_kunit

step "trampolines against the emulator"
suite tdx_rs_wrappers_kunit

step "trampolines against upstream's, same emulator"
suite tdx_rs_upstream_diff_kunit

step "bad input to every export, before initialization"
suite tdx_rs_bad_input_kunit

step "initialization of the emulated TDX module"
echo 1 > $E/reset
load tdx_rs_enable_once && echo "guest: enable ok"
sed 's/^/emu-report: /' $E/report
for f in state module_version keyid_range nr_tdmrs nr_reserved_areas pamt_kib; do
	echo "guest: sysfs $f $(cat /sys/kernel/tdx_host_rs/$f)"
done
suite tdx_rs_init_kunit
unload tdx_rs_enable_once

step "TDH.VP.ENTER: a KVM-shaped vCPU runs the emulated TD's program"
load tdx_rs_kvm_consumer
suite tdx_rs_vp_enter_kunit

step "TDs built, run and torn down as KVM does: a life, misuse, a fault at every call"
suite tdx_rs_td_kunit
unload tdx_rs_kvm_consumer

step "bad input to every export, once initialized"
suite tdx_rs_bad_input_kunit

step "the TDX module holds our memory: tdx_host_rs must stay"
rmmod tdx_host_rs 2>/dev/null && echo "guest: FAIL tdx_host_rs unloaded" || echo "guest: pinned ok"

echo "guest: CHECK DONE"
