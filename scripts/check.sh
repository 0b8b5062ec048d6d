#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test, each stage timed, one summary at the end.
# Stages that need a build are skipped (and counted as failed) when it failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

out=$TDX_RS_ROOT/build/check
mkdir -p "$out"
cd "$TDX_RS_ROOT"

declare -a summary
failed=0 tests_passed=0 tests_failed=0

# run_stage NAME CMD...: run, time, record; output goes to the terminal.
run_stage() {
	local name=$1 start rc
	shift
	stage "$name"
	start=$(date +%s)
	"$@"
	rc=$?
	local secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		summary+=("$(printf '  %-28s ok    %4ds' "$name" "$secs")")
	else
		summary+=("$(printf '  %-28s FAIL  %4ds' "$name" "$secs")")
		failed=$((failed + 1))
	fi
	return $rc
}

# count_tests LOG REGEX: add up "N passed ... M failed" over matching lines.
count_tests() {
	local line p f
	while read -r line; do
		p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")
		f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
		tests_passed=$((tests_passed + ${p:-0}))
		tests_failed=$((tests_failed + ${f:-0}))
	done < <(grep -E "$2" "$1")
}

host_tests() {
	(cd rust && CARGO_TARGET_DIR=$TDX_RS_ROOT/build/cargo cargo test --offline 2>&1) |
		tee "$out/cargo.log"
	local rc=${PIPESTATUS[0]}
	count_tests "$out/cargo.log" '^test result:.*passed.*failed'
	return "$rc"
}

lint() {
	local rc=0 rs c
	rs=$(git ls-files -co --exclude-standard -- '*.rs' | grep -v '_generated\.rs$')
	c=$(git ls-files -co --exclude-standard -- '*.c' '*.h' '*.S')
	/usr/bin/rustfmt --check --edition 2021 --config-path "$KDIR_TEST/.rustfmt.toml" $rs ||
		{ echo "lint: rustfmt wants changes"; rc=1; }
	perl "$KDIR_TEST/scripts/checkpatch.pl" --no-tree --terse -f $c $rs \
		>"$out/checkpatch.log" 2>&1
	if grep -vE 'total: 0 errors, 0 warnings' "$out/checkpatch.log" | grep -q .; then
		cat "$out/checkpatch.log"; echo "lint: checkpatch is not clean"; rc=1
	else
		echo "lint: rustfmt clean, checkpatch clean ($(wc -w <<<"$c $rs") files)"
	fi
	return $rc
}

# A full rebuild under clippy: any compiler, clippy or objtool warning fails.
build() {
	"$here/modules.sh" clean >/dev/null 2>&1
	"$here/modules.sh" CLIPPY=1 2>&1 | tee "$out/build.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	if grep -nE -i 'warning|error|objtool' "$out/build.log"; then
		echo "build: not silent"; return 1
	fi
	# The production module carries no emulator and no test code.
	if nm tdx_host_rs.ko | grep -iE 'tdx_emu|die_notifier|kunit'; then
		echo "build: tdx_host_rs.ko contains emulator or test symbols"; return 1
	fi
	echo "build: silent under clippy and objtool; tdx_host_rs.ko has no emulator symbols"
	exports_and_sections
}

# Every export is GPL and namespaced, none collides with the kernel's own
# symbols (a 6.12 kernel with CONFIG_INTEL_TDX_HOST=y), and the saved-register
# trampoline sits in .noinstr.text.
exports_and_sections() {
	local rc=0 sym kind ns n=0
	while read -r _ sym _ kind ns; do
		n=$((n + 1))
		case "$kind:$ns" in
		EXPORT_SYMBOL_GPL:TDX_HOST_RS | EXPORT_SYMBOL_GPL:TDX_EMU) ;;
		*) echo "exports: $sym is $kind in namespace '$ns'"; rc=1 ;;
		esac
		if nm "$KDIR_TEST/vmlinux" | grep -qw -- "$sym"; then
			echo "exports: $sym collides with a vmlinux symbol"; rc=1
		fi
	done < Module.symvers
	[ "$n" -gt 0 ] || { echo "exports: Module.symvers lists nothing"; rc=1; }
	local shndx secname
	shndx=$(readelf -sW tdx_host_rs.ko | awk '$8 == "tdx_rs_seamcall_saved_ret" { print $7 }')
	secname=$(readelf -SW tdx_host_rs.ko | sed -nE "s/^ *\[ *$shndx\] ([^ ]+).*/\1/p")
	if [ "$secname" != .noinstr.text ]; then
		echo "sections: tdx_rs_seamcall_saved_ret is in '$secname', not .noinstr.text"; rc=1
	fi
	[ $rc -ne 0 ] || echo "exports: $n, all GPL, namespaced, no collision with vmlinux; saved_ret in .noinstr.text"
	return $rc
}

abi_guard() {
	"$here/abi_guard.sh" | tee "$out/abi-guard.log"
	local rc=${PIPESTATUS[0]}
	count_tests "$out/abi-guard.log" '^abi-guard: [0-9]+ passed'
	return "$rc"
}

qemu_kunit() {
	local suites=(tdx_rs_no_emulator tdx_rs_rust_api tdx_rs_wrappers tdx_rs_upstream_diff)
	"$here/initramfs.sh" "$out/initramfs.cpio.gz" "$here/guest/check.sh" \
		tdx_host_rs.ko tdx_emu.ko tdx_rs_noemu_kunit.ko \
		tdx_rs_wrappers_kunit.ko tdx_rs_upstream_diff_kunit.ko || return 1
	"$here/qemu.sh" "$out/initramfs.cpio.gz" "$out/console.log"
	echo "console log: $out/console.log"
	local rc=0
	grep -E '^guest: (step|FAIL)|# .*agree with upstream' "$out/console.log"
	grep -q '^guest: CHECK DONE' "$out/console.log" || { echo "qemu: the guest did not finish"; rc=1; }
	! grep -q '^guest: FAIL' "$out/console.log" || rc=1
	python3 "$here/ktap.py" "$KDIR_TEST" "$out/console.log" "${suites[@]}" |
		tee "$out/kunit.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/kunit.log" '^kunit: [0-9]+ passed'
	"$here/splats.sh" "$out/console.log" || rc=1
	return $rc
}

run_stage "bootstrap" "$here/bootstrap.sh" || { echo "check: cannot go on without the toolchain"; exit 1; }
run_stage "test kernel" "$here/kernel.sh" || { echo "check: cannot go on without the kernel"; exit 1; }
run_stage "host cargo test" host_tests
run_stage "lint (rustfmt, checkpatch)" lint
if run_stage "build (clippy, objtool)" build; then
	run_stage "ABI guards" abi_guard
	run_stage "in-tree build" "$here/intree.sh"
	run_stage "KUnit in QEMU" qemu_kunit
else
	summary+=("  (ABI guards, in-tree build and QEMU skipped: the build failed)")
	failed=$((failed + 1))
fi

stage "summary"
printf '%s\n' "${summary[@]}"
echo "check: $tests_passed passed, $tests_failed failed"
[ $failed -eq 0 ] && [ $tests_failed -eq 0 ]
