# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` (its own boot: the TDX module is
# initialized once per boot): the kselftest init_at_load.sh alone. Like the
# selftests boot, the emulator and VMX (tdx_rs_kvm_virt, kvm_intel's
# stand-in) are loaded first; the test takes VMX away and brings it back.
set -u
. /guest-lib.sh
load tdx_emu
load tdx_rs_kvm_virt
cd /kselftest/tdx_host_rs || echo "guest: FAIL no installed kselftests"
TDX_EMU_ARGS=$(cat /emu-args) TDX_RS_MODULES=$M ./init_at_load.sh
echo "guest: INIT AT LOAD DONE"
