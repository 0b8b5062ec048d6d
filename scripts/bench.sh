#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: TDH.VP.ENTER's path from the built objects, side by side with
# upstream's C in the same kernel build. Counts, not timings: QEMU has no
# SEAMCALL, and the emulator's #UD round trip would swamp any time.
#   - tdx_rs_vp_enter(): KVM's regs[] handed to the saved-register trampoline;
#   - a copy-based KVM: regs[] marshalled into upstream's struct
#     tdx_module_args, upstream's __seamcall_saved_ret(), and back;
#   - upstream's __seamcall_saved_ret() alone, for scale.
# Then TDH.SYS.TDMR.INIT's critical path in two QEMU boots
# (scripts/bench_tdmr.sh).
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"

stage "bootstrap"; "$here/bootstrap.sh"
kernel_dirs
stage "test kernel"; "$here/kernel.sh"
stage "modules"
"$here/modules.sh" >"$TDX_RS_ROOT/build/bench-modules.log" 2>&1 ||
	{ cat "$TDX_RS_ROOT/build/bench-modules.log"; exit 1; }
stage "TDH.VP.ENTER, entry point to SEAMCALL and back (Linux $(make -s -C "$KDIR_TEST" kernelversion))"
cd "$TDX_RS_ROOT"
python3 "$here/bench_path.py" \
	--path "tdx_rs_vp_enter(): ours, on regs[] in place=tdx_rs_vp_enter" \
	--path "copy-based: marshal + __seamcall_saved_ret()=tdx_rs_bench_copy_vp_enter" \
	--path "upstream __seamcall_saved_ret() alone=__seamcall_saved_ret" \
	tdx_host_rs.ko tdx_rs_bench_copy_path.ko "$KDIR_TEST/vmlinux"

# TDH.SYS.TDMR.INIT's critical path, ours against upstream's serial loop.
stage "TDH.SYS.TDMR.INIT, the most calls one CPU made (2 and 4 CPUs, QEMU)"
"$here/bench_tdmr.sh"
