#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: TDH.VP.ENTER's path from the built objects, side by side with
# upstream's in the same kernel build. Counts, not timings: QEMU has no
# SEAMCALL, and the emulator's #UD round trip would swamp any time.
# Then TDMR planning at scale (scripts/bench_scale.sh, cargo only) and
# TDH.SYS.TDMR.INIT's critical path in two QEMU boots (scripts/bench_tdmr.sh).
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"

stage "bootstrap"; "$here/bootstrap.sh"
kernel_dirs
stage "test kernel"; "$here/kernel.sh"
stage "modules"
mkdir -p "$TDX_RS_ROOT/build"
"$here/modules.sh" >"$TDX_RS_ROOT/build/bench-modules.log" 2>&1 ||
	{ cat "$TDX_RS_ROOT/build/bench-modules.log"; exit 1; }

# TDH.VP.ENTER, per exit type, three paths (bench_vp_*.c, bench_copy_path.c):
#   - ours: tdx_rs_vp_enter() on KVM's regs[] in place;
#   - upstream: Linux 6.16's tdh_vp_enter() and tdx_vcpu_enter_exit() over the
#     13-field struct tdx_module_args and __seamcall_saved_ret();
#   - upstream's __seamcall_saved_ret() alone, for scale;
# and the copy-based design that was never merged, labelled as such.
# Fails unless ours <= upstream on every column of every exit type. The
# table also goes to build/bench/vp_enter.txt.
vp_enter_bench() {
	local exits=("GHCI TDVMCALL:exit" "KVM hypercall:hypercall" "async exit:exit")
	local args=() goals=() e name fn
	for e in "${exits[@]}"; do
		name=${e%%:*} fn=${e#*:}
		args+=(--path "$name, ours on regs[]=tdx_rs_bench_ours_$fn"
		       --path "$name, upstream 6.16=tdx_rs_bench_ref_$fn"
		       --path "$name, bare __seamcall_saved_ret()=__seamcall_saved_ret")
		goals+=(--goal "$name, ours on regs[]<=$name, upstream 6.16")
	done
	args+=(--path "pre-merge design (never upstream): 200 B copy=tdx_rs_bench_copy_vp_enter")
	mkdir -p "$TDX_RS_ROOT/build/bench"
	python3 "$here/bench_path.py" "${args[@]}" "${goals[@]}" \
		tdx_host_rs.ko tdx_rs_bench_copy_path.ko "$KDIR_TEST/vmlinux" |
		tee "$TDX_RS_ROOT/build/bench/vp_enter.txt"
}

stage "TDH.VP.ENTER, entry point to SEAMCALL and back (Linux $(make -s -C "$KDIR_TEST" kernelversion))"
cd "$TDX_RS_ROOT"
vp_enter_bench

# TDMR planning at scale: host-side, cargo only (scripts/bench_scale.sh).
stage "TDMR planning at scale, ours beside upstream 6.12's planner"
"$here/bench_scale.sh"

# TDH.SYS.TDMR.INIT's critical path, ours against upstream's serial loop.
stage "TDH.SYS.TDMR.INIT, the most calls one CPU made (2 and 4 CPUs, QEMU)"
"$here/bench_tdmr.sh"
