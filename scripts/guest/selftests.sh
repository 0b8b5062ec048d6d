# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check`: the installed kselftests of
# tools/testing/selftests/tdx_host_rs, through the kernel's run_kselftest.sh,
# on 4 CPUs in 2 packages with CPU 3 offline from boot (maxcpus=3). Loading
# the emulator, and turning VMX on as kvm_intel would (tdx_rs_kvm_virt), is
# the harness's job; the tests take the modules in /modules,
# and the emulator's platform, when they load it again, in TDX_EMU_ARGS.
set -u
. /guest-lib.sh
load tdx_emu
load tdx_rs_kvm_virt
echo "guest: CPUs online $(cat /sys/devices/system/cpu/online) of $(cat /sys/devices/system/cpu/present)"
TDX_EMU_ARGS=$(cat /emu-args) TDX_RS_MODULES=$M /kselftest/run_kselftest.sh
echo "guest: SELFTESTS DONE"
