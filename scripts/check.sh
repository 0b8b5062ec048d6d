#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test, each stage timed, one summary at the end.
# A stage that fails counts as a failure; a stage that cannot run because
# one it needs failed is reported as not run and counts as a failure too.
# The last line is "check: P passed, F failed": F holds the failed test
# cases, the failed and not-run stages, the leak reports and the splats.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

out=$TDX_RS_ROOT/build/check
mkdir -p "$out"
# A summary table only from this run's stages.
rm -f "$out/compare.log" "$out/platforms.log"
cd "$TDX_RS_ROOT"

summary=() boots=() boot_times=()
stages_ok=0 stages_failed=0 stages_not_run=0
tests_passed=0 tests_failed=0 scenarios_run=0

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
		summary+=("$(printf '  %-28s ok       %4ds' "$name" "$secs")")
		stages_ok=$((stages_ok + 1))
	else
		summary+=("$(printf '  %-28s FAIL     %4ds' "$name" "$secs")")
		stages_failed=$((stages_failed + 1))
	fi
	return $rc
}

# not_run NAME WHY: a stage that cannot run; it counts as a failure.
not_run() {
	stage "$1: not run ($2)"
	summary+=("$(printf '  %-28s not run  (%s)' "$1" "$2")")
	stages_not_run=$((stages_not_run + 1))
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

# The production crate's tests, then the emulator's, then td_image.py's,
# platform.py's and platforms.py's self-tests and the platform profiles'
# check: all go to one log.
host_tests() {
	local rc=0
	: >"$out/cargo.log"
	rm -f build/plan-table.txt
	(cd rust && CARGO_TARGET_DIR=$TDX_RS_ROOT/build/cargo cargo test --offline 2>&1) |
		tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	(cd tools/testing/tdx_emu &&
		CARGO_TARGET_DIR=$TDX_RS_ROOT/build/cargo-emu cargo test --offline 2>&1) |
		tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	python3 scripts/td_image.py selftest 2>&1 | tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	python3 scripts/platform.py selftest 2>&1 | tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	python3 scripts/platform.py check tools/testing/tdx_emu/platforms/*.profile 2>&1 |
		tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	python3 scripts/platforms.py selftest 2>&1 | tee -a "$out/cargo.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/cargo.log" '^test result:.*passed.*failed'
	# The planners side by side on every profile and generated map
	# (rust/init/tdmr/compare_tests.rs).
	if [ -s build/plan-table.txt ]; then
		cat build/plan-table.txt
	else
		echo "host tests: no build/plan-table.txt"; rc=1
	fi
	return "$rc"
}

# The project's files of these patterns that exist in the work tree.
tracked() {
	git ls-files -co --exclude-standard -- "$@" | while read -r f; do
		[ -f "$f" ] && echo "$f"
	done
}

lint() {
	local rc=0 rs c
	rs=$(tracked '*.rs' | grep -v '_generated\.rs$')
	c=$(tracked '*.c' '*.h' '*.S')
	/usr/bin/rustfmt --check --edition 2021 --config-path "$KDIR_TEST/.rustfmt.toml" $rs ||
		{ echo "lint: rustfmt wants changes"; rc=1; }
	perl "$KDIR_TEST/scripts/checkpatch.pl" --no-tree --terse -f $c $rs \
		>"$out/checkpatch.log" 2>&1
	if grep -vE 'total: 0 errors, 0 warnings' "$out/checkpatch.log" | grep -c . >/dev/null; then
		cat "$out/checkpatch.log"; echo "lint: checkpatch is not clean"; rc=1
	else
		echo "lint: rustfmt clean, checkpatch clean ($(wc -w <<<"$c $rs") files)"
	fi
	return $rc
}

# Documentation/ as make htmldocs builds it (scripts/htmldocs.sh): Sphinx,
# every warning an error, every cross-reference resolved; and the kernel's
# own log lines the admin guide quotes are the test kernel's.
docs_build() {
	local rc=0
	"$here/htmldocs.sh" 2>&1 | tee "$out/htmldocs.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	python3 "$here/doc_kernel_lines.py" "$KDIR_TEST" Documentation/admin-guide.rst |
		tee "$out/doc-lines.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/doc-lines.log" '^doc-kernel-lines: [0-9]+ passed'
	return $rc
}

# The administrator's pre-flight check (tools/tdx_preflight/): its cargo
# tests and clippy, then the built program over every fixture against its
# expect file (scripts/preflight.sh).
preflight_fixtures() {
	"$here/preflight.sh" check 2>&1 | tee "$out/preflight.log"
	local rc=${PIPESTATUS[0]}
	count_tests "$out/preflight.log" '^(test result:|preflight: [0-9]+ passed).*failed'
	return "$rc"
}

# A full rebuild under clippy: any compiler, clippy or objtool warning fails.
build() {
	"$here/modules.sh" clean >/dev/null 2>&1
	"$here/modules.sh" CLIPPY=1 2>&1 | tee "$out/build.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	if grep -nE -i 'warning|error|objtool' "$out/build.log"; then
		echo "build: not silent"; return 1
	fi
	echo "build: silent under clippy and objtool"
	exports_and_sections && noinstr_validation && zero_copy_path
}

# make bench's path walk as a check: tdx_rs_vp_enter() copies nothing, and
# the walk does see the copies of the copy-based path (it is not blind).
zero_copy_path() {
	local report ours copy
	report=$(python3 "$here/bench_path.py" --path "ours=tdx_rs_vp_enter" \
		--path "copy=tdx_rs_bench_copy_vp_enter" \
		tdx_host_rs.ko tdx_rs_bench_copy_path.ko "$KDIR_TEST/vmlinux") || return 1
	ours=$(awk '$1 == "ours" { print $4 }' <<<"$report")
	copy=$(awk '$1 == "copy" { print $4 }' <<<"$report")
	if [ "$ours" != 0B ] || [ "${copy%B}" -le 0 ]; then
		echo "$report"; echo "zero-copy: ours copies $ours, the copy-based path $copy"; return 1
	fi
	echo "zero-copy: tdx_rs_vp_enter() copies 0 bytes (the copy-based path: $copy)"
}

# objtool's noinstr rules (which 6.12 applies to vmlinux only) on the
# module's objects linked as one: nothing in .noinstr.text may call out of it,
# so KVM may call tdx_rs_vp_enter() between guest state enter and exit.
noinstr_validation() {
	local linked=$out/tdx_host_rs-noinstr.o report
	# shellcheck disable=SC2046
	ld.lld -m elf_x86_64 -r -o "$linked" $(cat tdx_host_rs.mod) || return 1
	report=$("$KDIR_TEST/tools/objtool/objtool" --hacks=jump_label --hacks=noinstr \
		--noinstr --link --module "$linked" 2>&1)
	if [ -n "$report" ]; then
		echo "$report"; echo "noinstr: objtool is not silent"; return 1
	fi
	echo "noinstr: objtool --noinstr silent on the linked module"
}

# The module as a production kernel gets it: built against a 6.12 kernel
# without upstream's TDX host code or debug options (kernel.sh production),
# CONFIG_TDX_HOST_RS_TEST off. Silent, objtool too, and not one emulator or
# test symbol or string in the object.
production_build() {
	local dir=$TDX_RS_ROOT/build/production kib
	production_config || return 1
	rm -rf "$dir"; mkdir -p "$dir"
	"$here/project_files.sh" | cpio -pdm --quiet "$dir"
	make -C "$KDIR_PROD" M="$dir" "${KMAKE_VARS[@]}" -j"$JOBS" \
		CONFIG_TDX_HOST_RS=m modules > "$out/production.log" 2>&1 ||
		{ cat "$out/production.log"; return 1; }
	if grep -nE -i 'warning|error|objtool' "$out/production.log"; then
		echo "production build: not silent"; return 1
	fi
	if ls "$dir"/*.ko | grep -v '/tdx_host_rs.ko$'; then
		echo "production build: test modules were built"; return 1
	fi
	# grep -c reads to the end: no SIGPIPE for readelf under pipefail.
	if ! readelf -SW "$dir/tdx_host_rs.ko" | grep -c '\.orc_unwind_ip' >/dev/null; then
		echo "production build: no ORC data, objtool did not run"; return 1
	fi
	if { nm "$dir/tdx_host_rs.ko"; strings "$dir/tdx_host_rs.ko"; } |
		grep -iE 'tdx_emu|TDX_EMU|kunit|die_notifier'; then
		echo "production build: tdx_host_rs.ko has an emulator or test trace"; return 1
	fi
	kib=$((($(stat -c %s "$dir/tdx_host_rs.ko") + 1023) / 1024))
	echo "production build: tdx_host_rs.ko ($kib KiB) against 6.12 without INTEL_TDX_HOST or debug options: silent (objtool too), no emulator or test trace"
}

# The production kernel is what the production build claims it is: the
# check fails if its configuration drifts.
production_config() {
	local config=$KDIR_PROD/.config sym rc=0
	[ -f "$config" ] || { echo "production build: no $config"; return 1; }
	for sym in INTEL_TDX_HOST KASAN DEBUG_KMEMLEAK PROVE_LOCKING UBSAN KUNIT; do
		if grep -q "^CONFIG_$sym=" "$config"; then
			echo "production build: CONFIG_$sym is set in the production kernel"; rc=1
		fi
	done
	return $rc
}

# Every export is GPL and namespaced, none collides with the kernel's own
# symbols (a 6.12 kernel with CONFIG_INTEL_TDX_HOST=y), and the saved-register
# trampoline sits in .noinstr.text.
exports_and_sections() {
	local rc=0 sym kind ns n=0
	while read -r _ sym _ kind ns; do
		n=$((n + 1))
		case "$kind:$ns" in
		EXPORT_SYMBOL_GPL:TDX_HOST_RS | EXPORT_SYMBOL_GPL:TDX_EMU | \
		EXPORT_SYMBOL_GPL:TDX_RS_TEST) ;;
		*) echo "exports: $sym is $kind in namespace '$ns'"; rc=1 ;;
		esac
		if nm "$KDIR_TEST/vmlinux" | grep -cw -- "$sym" >/dev/null; then
			echo "exports: $sym collides with a vmlinux symbol"; rc=1
		fi
	done < Module.symvers
	[ "$n" -gt 0 ] || { echo "exports: Module.symvers lists nothing"; rc=1; }
	local shndx secname
	for sym in tdx_rs_seamcall_saved_ret tdx_rs_vp_enter; do
		shndx=$(readelf -sW tdx_host_rs.ko | awk -v s=$sym '$8 == s { print $7 }')
		secname=$(readelf -SW tdx_host_rs.ko | sed -nE "s/^ *\[ *$shndx\] ([^ ]+).*/\1/p")
		if [ "$secname" != .noinstr.text ]; then
			echo "sections: $sym is in '$secname', not .noinstr.text"; rc=1
		fi
	done
	[ $rc -ne 0 ] || echo "exports: $n, all GPL, namespaced, no collision with vmlinux; saved_ret and vp_enter in .noinstr.text"
	return $rc
}

abi_guard() {
	"$here/abi_guard.sh" | tee "$out/abi-guard.log"
	local rc=${PIPESTATUS[0]}
	count_tests "$out/abi-guard.log" '^abi-guard: [0-9]+ passed'
	return "$rc"
}

TEST_MODULES=(tdx_host_rs.ko tdx_emu.ko tdx_rs_noemu_kunit.ko tdx_rs_wrappers_kunit.ko
	      tdx_rs_upstream_diff_kunit.ko tdx_rs_init_kunit.ko tdx_rs_enable_once.ko
	      tdx_rs_upstream_enable.ko tdx_rs_rust_api_kunit.ko
	      tdx_rs_kvm_consumer.ko tdx_rs_vp_enter_kunit.ko
	      tdx_rs_vp_enter_norbp_kunit.ko tdx_rs_td_demo.ko tdx_rs_cpu_probe.ko
	      tdx_rs_enable_storm.ko tdx_rs_bad_input_kunit.ko tdx_rs_td_kunit.ko
	      tdx_rs_busy_storm.ko tdx_rs_kvm_virt.ko tdx_rs_fpu_probe.ko)

# boot NAME GUEST_SCRIPT [SMP [APPEND]]: one QEMU boot; its console goes to
# $out/NAME.log. The emulated platform is the profile $TDX_RS_PLATFORM (default
# qemu-q35, QEMU's own machine) under this -smp: scripts/platform.py gives
# tdx_emu's parameters (the initramfs's /emu-args), QEMU's memory arguments
# and kernel command line. Fails if the boot did not reach its closing leak
# scan. Every boot's leak reports and bug-detector splats go into the summary.
boot() {
	local smp=${3:-2} emu=$out/$1.emu-args append=${4:-} start
	start=$(date +%s)
	rm -f "$out/$1.log"
	platform_boot "${TDX_RS_PLATFORM:-qemu-q35}" "$smp" "$emu" || return 1
	append+=${PLATFORM_APPEND:+${append:+ }$PLATFORM_APPEND}
	INITRAMFS_FILES="${INITRAMFS_FILES:-} $emu:/emu-args" \
		"$here/initramfs.sh" "$out/$1.cpio.gz" "$here/guest/$2" "${TEST_MODULES[@]}" &&
		QEMU_EXTRA=$PLATFORM_QEMU "$here/qemu.sh" "$out/$1.cpio.gz" "$out/$1.log" \
			"$smp" "$append"
	echo "console log: $out/$1.log ($(($(date +%s) - start))s)"
	boots+=("$1")
	boot_times+=("$1 $(($(date +%s) - start))s")
	grep -q '^guest: kmemleak scan done' "$out/$1.log" ||
		{ echo "qemu: $1 did not reach its leak scan"; return 1; }
}

# guest_steps LOG: no load, unload or step the guest script checked
# (scripts/guest/lib.sh) failed.
guest_steps() {
	! grep '^guest: FAIL' "$1" || { echo "qemu: a step in the guest failed"; return 1; }
}

qemu_kunit() {
	# Every run of a suite, in the guest's order: bad input runs twice,
	# before and after the initialization.
	local suites=(tdx_rs_no_emulator tdx_rs_rust_api tdx_rs_wrappers
		      tdx_rs_upstream_diff tdx_rs_bad_input tdx_rs_init tdx_rs_vp_enter
		      tdx_rs_td_life tdx_rs_td_misuse tdx_rs_td_sweep tdx_rs_bad_input)
	local log=$out/ours.log rc=0
	boot ours check.sh || return 1
	grep -E '^guest: (step|FAIL|enable|pinned|sysfs)|# .*agree with upstream' "$log"
	grep -q '^guest: CHECK DONE' "$log" || { echo "qemu: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	grep -q '^guest: sysfs state initialized' "$log" || { echo "qemu: not initialized"; rc=1; }
	python3 "$here/ktap.py" "$KDIR_TEST" "$log" "${suites[@]}" |
		tee "$out/kunit.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/kunit.log" '^kunit: [0-9]+ passed'
	td_figures "$log" || rc=1
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# The TD suites' figures: SEAMCALLs of one life, the fault sweep's counts,
# and the MRTD the TD reported against scripts/td_image.py's, computed with
# hashlib from the image alone (a test case of its own).
td_figures() {
	local log=$1 got want
	tr -d '\r' < "$log" | grep -E '# [a-z_]+: (SEAMCALLs of one life|.*scenarios:|TD A )' |
		sed 's/^[[:space:]]*# /  /'
	got=$(tr -d '\r' < "$log" | sed -nE 's/.*# one_life_counted: MRTD ([0-9a-f]{96}).*/\1/p' | head -n 1)
	want=$(python3 "$here/td_image.py" mrtd)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		echo "mrtd: the TD's MRTD (TDH.MNG.RD) is td_image.py's: $got"
		tests_passed=$((tests_passed + 1))
	else
		echo "mrtd: the TD reported '$got', td_image.py computes '$want'"
		tests_failed=$((tests_failed + 1))
		return 1
	fi
}

fault_sweep() {
	local log=$out/sweep.log rc=0 ok bad planned
	python3 "$here/sweep_plan.py" "$out/ours.log" rust/seamcall/retry.rs > "$out/sweep.txt" ||
		return 1
	planned=$(grep -cv '^[+=]' "$out/sweep.txt")
	INITRAMFS_FILES="$out/sweep.txt:/sweep.txt" boot sweep sweep.sh || return 1
	grep -E '^sweep: (FAIL|[0-9]+ scenarios)|recover' "$log"
	grep -q '^guest: SWEEP DONE' "$log" || { echo "sweep: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	ok=$(grep -c '^sweep: ok' "$log")
	bad=$(grep -c '^sweep: FAIL' "$log")
	echo "sweep: $ok passed, $bad failed, of $planned planned"
	[ "$ok" -eq "$planned" ] || rc=1
	scenarios_run=$((scenarios_run + ok + bad))
	tests_passed=$((tests_passed + ok))
	tests_failed=$((tests_failed + bad))
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# The kselftests, installed the kernel's way (make install of
# tools/testing/selftests) and run by its run_kselftest.sh, on 4 CPUs in
# 2 packages with one CPU offline from boot, on the 2-node qemu-q35-numa
# platform with DIMM slots: scripts/hotplug.py hot-adds the DIMMs the
# memory hotplug tests ask for.
# kselftest_install DIR: the kselftests installed the kernel's way in DIR.
kselftest_install() {
	local ksrc=$KDIR_TEST/tools/testing/selftests rc=0
	rm -rf "$1" "$ksrc/tdx_host_rs"
	cp -r tools/testing/selftests/tdx_host_rs "$ksrc/"
	make -s -C "$ksrc" TARGETS=tdx_host_rs INSTALL_PATH="$1" install >/dev/null || rc=1
	rm -rf "$ksrc/tdx_host_rs"
	[ $rc -eq 0 ] || echo "selftests: make install failed"
	return $rc
}

selftests() {
	local kst=$out/kselftest log=$out/selftests.log rc=0
	kselftest_install "$kst" || return 1
	QEMU_HOTPLUG=1 TDX_RS_PLATFORM=qemu-q35-numa INITRAMFS_FILES="$kst:/kselftest" \
		boot selftests selftests.sh 4,sockets=2,cores=2 maxcpus=3 || return 1
	grep -E '^(ok|not ok) [0-9]+ selftests:|# (# )?(not ok|ok [0-9]+ .*SKIP)|Totals' "$log"
	grep -q '^guest: SELFTESTS DONE' "$log" || { echo "selftests: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	python3 "$here/selftests.py" "$log" | tee "$out/selftests-sum.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/selftests-sum.log" '^selftests: [0-9]+ passed'
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# init_at_load=1, in a boot of its own (the TDX module is initialized once
# per boot): the kselftest init_at_load.sh, run alone on a fresh emulator.
init_at_load() {
	local kst=$out/kselftest-init-at-load log=$out/init_at_load.log rc=0 totals
	kselftest_install "$kst" || return 1
	INITRAMFS_FILES="$kst:/kselftest" boot init_at_load init_at_load.sh || return 1
	grep -E '^(not )?ok [0-9]+ |^# Totals' "$log"
	grep -q '^guest: INIT AT LOAD DONE' "$log" || { echo "init at load: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	totals=$(tr -d '\r' < "$log" | sed -nE 's/^# Totals: pass:([0-9]+) fail:([0-9]+) .*skip:([0-9]+).*/\1 \2 \3/p')
	set -- $totals
	[ "${1:-0}" = 4 ] && [ "${2:-1}" = 0 ] && [ "${3:-1}" = 0 ] ||
		{ echo "init at load: wanted 4 passed, 0 failed, 0 skipped; got '${totals}'"; rc=1; }
	echo "init at load: ${1:-0} passed, $((${2:-0} + ${3:-0})) failed or skipped"
	tests_passed=$((tests_passed + ${1:-0}))
	tests_failed=$((tests_failed + ${2:-0} + ${3:-0}))
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# A TDX module 1.5.01 without NO_RBP_MOD, whose TD exits zero RBP: entered,
# and the caller's RBP kept.
no_rbp_mod() {
	local log=$out/norbp.log rc=0
	boot norbp norbp.sh || return 1
	grep -q '^guest: NORBP DONE' "$log" || { echo "norbp: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	grep -q 'the TDX module lacks NO_RBP_MOD: TD exits may zero RBP' "$log" ||
		{ echo "norbp: no line that the module lacks NO_RBP_MOD"; rc=1; }
	python3 "$here/ktap.py" "$KDIR_TEST" "$log" tdx_rs_vp_enter_norbp | tee "$out/norbp-kunit.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	count_tests "$out/norbp-kunit.log" '^kunit: [0-9]+ passed'
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# Every slab allocation fails after the last TDH.SYS.TDMR.INIT: the
# module owns the PAMTs by then, and nothing may need an allocation after
# that point, so the initialization must succeed and no PAMT page may be
# free (the emulator counts PAMT pages back in the page allocator).
alloc_after_init() {
	local log=$out/alloc.log rc=0 enable fired state free failing
	boot alloc alloc.sh || return 1
	grep -E '^guest: (FAIL|alloc)' "$log"
	grep -q '^guest: ALLOC DONE' "$log" || { echo "alloc: the guest did not finish"; rc=1; }
	guest_steps "$log" || rc=1
	# The serial console ends its lines with CR LF.
	enable=$(tr -d '\r' < "$log" | sed -n 's/^guest: alloc enable: //p')
	fired=$(tr -d '\r' < "$log" | sed -n 's/^guest: alloc failure (0 off, 1 armed, 2 fired): //p')
	state=$(tr -d '\r' < "$log" | sed -n 's/^guest: alloc state: //p')
	free=$(tr -d '\r' < "$log" | sed -n 's/^guest: alloc pamt pages free: //p')
	failing=$(tr -d '\r' < "$log" | sed -n 's/^guest: alloc tasks left failing: //p')
	[ "$failing" = none ] || { echo "alloc: tasks left failing allocations: '$failing'"; rc=1; }
	[ "$fired" = 2 ] || { echo "alloc: the allocation failure did not fire ($fired)"; rc=1; }
	[ "$enable" = ok ] || { echo "alloc: tdx_rs_enable() failed: $enable"; rc=1; }
	[ "$state" = initialized ] || { echo "alloc: state '$state', not initialized"; rc=1; }
	[ "$free" = 0 ] || { echo "alloc: '$free' PAMT pages the TDX module owns are free"; rc=1; }
	tests_passed=$((tests_passed + (rc == 0)))
	tests_failed=$((tests_failed + (rc != 0)))
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

upstream_referee() {
	local log=$out/upstream.log rc=0
	boot upstream upstream.sh || return 1
	grep -E '^guest: (FAIL|upstream)' "$log"
	grep -q '^guest: upstream enable ok' "$log" || { echo "upstream: tdx_enable() failed"; rc=1; }
	guest_steps "$log" || rc=1
	python3 "$here/compare.py" "$out/ours.log" "$log" | tee "$out/compare.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	"$here/splats.sh" "$log" || rc=1
	return $rc
}

# The real platforms and the LP count: platforms(), lp_count().
. "$here/check_platforms.sh"
# Contention between CPUs: contention().
. "$here/check_busy.sh"
# The host kernel, the production module on it, the builds against kernel
# headers: host_stages().
. "$here/check_host.sh"

run_stage "bootstrap" "$here/bootstrap.sh" || { echo "check: cannot go on without the toolchain"; exit 1; }
# Only now do the compilers and the kernel source exist to key the trees by.
kernel_dirs || exit 1
run_stage "test kernel" "$here/kernel.sh" || { echo "check: cannot go on without the kernel"; exit 1; }
run_stage "host cargo test" host_tests
run_stage "lint (rustfmt, checkpatch)" lint
run_stage "docs build (Sphinx)" docs_build
run_stage "pre-flight on fixtures" preflight_fixtures
if run_stage "production kernel" "$here/kernel.sh" production; then
	run_stage "production build" production_build
else
	not_run "production build" "no production kernel"
fi
host_stages
qemu_stages=("KUnit in QEMU" "fault sweep in QEMU" "kselftests in QEMU (4 CPUs)"
	     "init at load in QEMU"
	     "no NO_RBP_MOD in QEMU" "alloc failure after init" "upstream referee in QEMU"
	     "platforms in QEMU" "LP count in QEMU" "contention in QEMU (4 CPUs)")
if run_stage "build (clippy, objtool)" build; then
	run_stage "ABI guards" abi_guard
	run_stage "in-tree build" "$here/intree.sh"
	if run_stage "KUnit in QEMU" qemu_kunit; then
		run_stage "fault sweep in QEMU" fault_sweep
	else
		not_run "fault sweep in QEMU" "it is planned from the KUnit boot"
	fi
	run_stage "kselftests in QEMU (4 CPUs)" selftests
	run_stage "init at load in QEMU" init_at_load
	run_stage "no NO_RBP_MOD in QEMU" no_rbp_mod
	run_stage "alloc failure after init" alloc_after_init
	run_stage "upstream referee in QEMU" upstream_referee
	run_stage "platforms in QEMU" platforms
	run_stage "LP count in QEMU" lp_count
	run_stage "contention in QEMU (4 CPUs)" contention
else
	for s in "ABI guards" "in-tree build" "${qemu_stages[@]}"; do
		not_run "$s" "the build failed"
	done
fi

# Leak reports and bug-detector splats over every boot's console. A boot
# whose log is missing proves nothing: it counts as a failure, not as clean.
leaks=0 splats=0 lost_logs=0
for b in ${boots[@]+"${boots[@]}"}; do
	if [ ! -s "$out/$b.log" ]; then
		echo "check: the console log of the $b boot is missing"
		lost_logs=$((lost_logs + 1))
		continue
	fi
	leaks=$((leaks + $(grep -c 'unreferenced object' "$out/$b.log")))
	splats=$((splats + $("$here/splats.sh" "$out/$b.log" 2>/dev/null |
			      sed -n 's/^splats: //p')))
done

stage "summary"
printf '%s\n' "${summary[@]}"
[ -s build/plan-table.txt ] && { echo "  TDMR plans on the real profiles (host model of upstream 6.12 | ours):"
	sed -n '1,/^synthetic/p' build/plan-table.txt | grep -v '^synthetic' | sed 's/^/    /'; }
[ -f "$out/compare.log" ] && { echo "  initialization, as the emulated TDX module saw it:"; cat "$out/compare.log"; }
[ -f "$out/platforms.log" ] && { echo "  real platforms, upstream's and ours (emulator's view):"; cat "$out/platforms.log"; }
echo "  QEMU boot times: ${boot_times[*]:-none}"
echo "  fault-sweep scenarios run: $scenarios_run"
echo "  QEMU boots: ${#boots[@]}, logs missing: $lost_logs; kmemleak reports: $leaks; splats (KASAN, UBSAN, lockdep, WARN, oops): $splats"
echo "  stages: $stages_ok ok, $stages_failed failed, $stages_not_run not run; test cases: $tests_passed passed, $tests_failed failed"
failures=$((tests_failed + stages_failed + stages_not_run + lost_logs + leaks + splats))
echo "check: $tests_passed passed, $failures failed"
[ $failures -eq 0 ]
