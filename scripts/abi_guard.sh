#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# abi_guard.sh: the build must refuse what would break the ABI. Each case
# builds a scratch copy of the project with one deliberate defect and passes
# only if the build fails with the message that names that defect.
set -euo pipefail
. "$(dirname "$0")/env.sh"
kernel_dirs

kdir=${KDIR:-$KDIR_TEST}
scratch=$TDX_RS_ROOT/build/abi-guard
pass=0 fail=0

# case NAME EXPECTED-MESSAGE: build $dir (prepared by the caller), expect failure.
expect_build_failure() {
	local name=$1 want=$2 log=$dir.log
	if make -C "$kdir" M="$dir" "${KMAKE_VARS[@]}" -j"$JOBS" \
		CONFIG_TDX_HOST_RS=m CONFIG_TDX_HOST_RS_TEST=m modules >"$log" 2>&1; then
		echo "abi-guard: FAIL $name: the build succeeded"; fail=$((fail + 1))
	elif grep -qF -- "$want" "$log"; then
		echo "abi-guard: ok   $name: refused with \"$want\""; pass=$((pass + 1))
	else
		echo "abi-guard: FAIL $name: failed without \"$want\" (see $log)"; fail=$((fail + 1))
	fi
}

fresh_copy() {
	dir=$scratch/$1
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$TDX_RS_ROOT" && "$TDX_RS_ROOT"/scripts/project_files.sh | cpio -pdm --quiet "$dir")
}

# 1. Upstream's struct tdx_module_args and ours in one translation unit.
fresh_copy upstream-in-scope
sed -i '0,/#include <linux\/module.h>/s//#include <linux\/module.h>\n#include <asm\/tdx.h>/' \
	"$dir/tools/testing/tdx_host_rs/demo.c"
expect_build_failure upstream-in-scope "upstream's asm/shared/tdx.h is also in scope"

# 1b. The same the other way round: upstream's header after ours.
fresh_copy upstream-after-ours
sed -i '0,/#include <linux\/tdx_host_rs.h>/s//#include <linux\/tdx_host_rs.h>\n#include <asm\/tdx.h>/' \
	"$dir/tools/testing/tdx_host_rs/demo.c"
expect_build_failure upstream-after-ours "redefinition of 'tdx_module_args'"

# 2. A field out of register-index order.
fresh_copy field-order
python3 - "$dir/include/linux/tdx_host_rs.h" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("\tu64 rcx;\n\tu64 rdx;\n", "\tu64 rdx;\n\tu64 rcx;\n", 1)
open(p, "w").write(s)
PY
expect_build_failure field-order "tdx_module_args.rcx is not at register index"

# 3. An unused slot named in the trampolines: it has no assembler offset.
fresh_copy unused-slot-in-asm
sed -i '0,/movq	%rdi, %rax/s//movq	TDX_RS_ARGS_rax_unused(%rsi), %rax/' \
	"$dir/rust/seamcall/trampolines.S"
expect_build_failure unused-slot-in-asm '"TDX_RS_ARGS_rax_unused"'

# 4. The Rust type follows the header: rename a field and Rust users break.
fresh_copy rust-follows-header
sed -i 's/\tu64 rdx;/\tu64 rdx_renamed;/; s/TDX_RS_ASSERT_REG(rdx,/TDX_RS_ASSERT_REG(rdx_renamed,/' \
	"$dir/include/linux/tdx_host_rs.h"
sed -i 's/TDX_RS_ARGS_rdx, tdx_module_args, rdx)/TDX_RS_ARGS_rdx, tdx_module_args, rdx_renamed)/' \
	"$dir/rust/seamcall/asm_offsets.c"
# Only the Rust crates may fail: keep the C users building.
sed -i 's/\.rdx = 0x2d, //' "$dir/tools/testing/tdx_host_rs/demo.c"
sed -i "s/\.rdx = field/.rdx_renamed = field/" "$dir/tools/testing/tdx_host_rs/init_kunit.c"
sed -i "s/\.rdx = SYS_FIELD/.rdx_renamed = SYS_FIELD/" "$dir/tools/testing/tdx_host_rs/cpu_probe.c"
sed -i 's/a->rdx,/a->rdx_renamed,/' "$dir/tools/testing/tdx_host_rs/demo.c"
sed -i 's/tdx_rs_upstream_diff_kunit\.o //' "$dir/Kbuild"
expect_build_failure rust-follows-header "tdx_module_args\` has no field named \`rdx\`"

echo "abi-guard: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
