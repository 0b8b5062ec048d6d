#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: bootstrap if needed, build the kernel and the modules, boot QEMU,
# load tdx_host_rs and the emulated TDX module, make one SEAMCALL through each
# trampoline, initialize the emulated module, build, run and tear down two TDs
# the way KVM does and print what happened, phase by phase.
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"

out=$TDX_RS_ROOT/build/run
mkdir -p "$out"
stage "bootstrap"; "$here/bootstrap.sh"
kernel_dirs
stage "test kernel"; "$here/kernel.sh"
stage "modules"; "$here/modules.sh" >"$out/modules.log" 2>&1 ||
	{ cat "$out/modules.log"; exit 1; }
stage "boot QEMU"
cd "$TDX_RS_ROOT"
# The emulated platform: QEMU's own q35 machine (tools/testing/tdx_emu/platforms/).
platform_boot qemu-q35 2 "$out/emu-args"
INITRAMFS_FILES="$out/emu-args:/emu-args" \
	"$here/initramfs.sh" "$out/initramfs.cpio.gz" "$here/guest/run.sh" \
	tdx_host_rs.ko tdx_emu.ko tdx_rs_demo.ko tdx_rs_enable_once.ko \
	tdx_rs_kvm_consumer.ko tdx_rs_td_demo.ko tdx_rs_kvm_virt.ko
QEMU_EXTRA=$PLATFORM_QEMU "$here/qemu.sh" "$out/initramfs.cpio.gz" "$out/console.log" \
	2 "$PLATFORM_APPEND"

stage "what happened (full console: $out/console.log)"
grep -E "^(tdx_host_rs|tdx_emu|tdx_rs_kvm_virt|tdx_rs_demo|tdx_rs_kvm_consumer|tdx_rs_td_demo): |^guest: " \
	"$out/console.log" | sed 's/^/  /'
grep -q '^guest: RUN DONE' "$out/console.log" || { echo "run: the guest did not finish"; exit 1; }
! grep -q '^guest: FAIL' "$out/console.log" || { echo "run: a step in the guest failed"; exit 1; }
grep -q '^guest: the TDs ran their program' "$out/console.log" ||
	{ echo "run: the TDs did not run their program"; exit 1; }
"$here/splats.sh" "$out/console.log"
echo "run: ok: the emulated TDX module initialized; two TDs were built, measured, run and torn down through tdx_host_rs"
