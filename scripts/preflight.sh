#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The administrator's pre-flight check (tools/tdx_preflight/).
#
#   preflight.sh build   build build/tdx-preflight (make preflight)
#   preflight.sh check   its cargo tests and clippy, then the built program
#                        over every fixture: the verdicts that are not ok
#                        must be the fixture's expect file, the exit status
#                        1 when one is MISSING and 0 otherwise; ends with
#                        "preflight: N passed, M failed"
#   preflight.sh qemu    one QEMU boot (modules built, scripts/modules.sh):
#                        the program live in the guest after tdx_host_rs
#                        initialized the emulated TDX module, and on a
#                        recording of that guest; both must give the
#                        verdicts a QEMU guest has (below)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
crate=$root/tools/tdx_preflight
export CARGO_TARGET_DIR=$root/build/cargo-preflight
bin=$root/build/tdx-preflight

build() {
	(cd "$crate" && cargo build --release --offline) || return 1
	mkdir -p "$root/build"
	install -m 755 "$CARGO_TARGET_DIR/release/tdx-preflight" "$bin"
	echo "preflight: built $bin"
}

# The verdicts of one run that are not ok, sorted: "MISSING NAME".
verdicts() {
	grep -oE '^(MISSING|unknown) [a-z0-9-]+' | sort
}

# Every line is a verdict or the fix line after a MISSING or unknown one.
well_formed() {
	awk 'BEGIN { want_fix = 0; bad = 0 }
	     want_fix { if ($0 !~ /^        fix: ./) bad = 1; want_fix = 0; next }
	     /^ok      [a-z0-9-]+: ./ { next }
	     /^(MISSING|unknown) [a-z0-9-]+: ./ { want_fix = 1; next }
	     { bad = 1 }
	     END { exit bad || want_fix }'
}

check() {
	local passed=0 failed=0 rc=0 dir name got want status want_status
	(cd "$crate" && cargo test --offline 2>&1) || rc=1
	(cd "$crate" && cargo clippy --offline --all-targets -- -D warnings 2>&1) ||
		{ echo "preflight: clippy is not clean"; rc=1; }
	build || return 1
	for dir in "$crate"/fixtures/*/; do
		name=$(basename "$dir")
		got=$("$bin" --root "$dir")
		status=$?
		want=$(sed 's/#.*//' "$dir/expect" | grep -v '^[[:space:]]*$' | sort)
		want_status=0
		grep -q '^MISSING ' <<<"$want" && want_status=1
		if [ "$(verdicts <<<"$got")" = "$want" ] && [ "$status" = "$want_status" ] &&
			well_formed <<<"$got"; then
			echo "preflight: $name: as expected (exit $status)"
			passed=$((passed + 1))
		else
			echo "preflight: $name: FAILED (exit $status, expected $want_status)"
			diff <(echo "$want") <(verdicts <<<"$got")
			echo "$got"
			failed=$((failed + 1))
		fi
	done
	# Bad usage exits 2.
	for args in "--bogus" "--root" "--root /nonexistent/dir"; do
		# shellcheck disable=SC2086
		"$bin" $args >/dev/null 2>&1
		status=$?
		if [ "$status" = 2 ]; then
			passed=$((passed + 1))
		else
			echo "preflight: '$args' exited $status, not 2"
			failed=$((failed + 1))
		fi
	done
	echo "preflight: $passed passed, $failed failed"
	[ "$failed" = 0 ] && return "$rc"
	return 1
}

# What a QEMU TCG guest with the emulator is: not a TDX host (AMD's vendor
# string, a hypervisor; no kvm_intel, whose stand-in tdx_rs_kvm_virt has no
# enable_virt_at_load), without the msr driver or a kernel config; but the
# TDX module (emulated), its version, the memory and the statuses as
# tdx_host_rs logged them.
QEMU_VERDICTS="MISSING cpu
unknown tme
unknown keyid-split
unknown seamrr
unknown kernel-config
MISSING kvm-vmx
ok tdx-module
ok module-version
ok memory
ok init-status"

qemu() {
	local out=$root/build/preflight-qemu emu static log rc=0 live rec
	. "$here/env.sh"
	mkdir -p "$out"
	(cd "$crate" && RUSTFLAGS='-C target-feature=+crt-static' \
		CARGO_TARGET_DIR=$root/build/cargo-preflight-static \
		cargo build --release --offline --target x86_64-unknown-linux-gnu) || return 1
	static=$root/build/cargo-preflight-static/x86_64-unknown-linux-gnu/release/tdx-preflight
	emu=$out/emu-args log=$out/console.log
	platform_boot qemu-q35 2 "$emu" || return 1
	INITRAMFS_FILES="$emu:/emu-args $static:/tdx-preflight" \
		"$here/initramfs.sh" "$out/initramfs.cpio.gz" "$here/guest/preflight.sh" \
		"$root"/tdx_host_rs.ko "$root"/tdx_emu.ko "$root"/tdx_rs_kvm_virt.ko || return 1
	QEMU_EXTRA=$PLATFORM_QEMU "$here/qemu.sh" "$out/initramfs.cpio.gz" "$log" 2 \
		"$PLATFORM_APPEND" || rc=1
	tr -d '\r' <"$log" | grep -E '^(guest: preflight|preflight-)' || true
	live=$(tr -d '\r' <"$log" | sed -n 's/^preflight-live: //p' |
		grep -oE '^(ok|MISSING|unknown) +[a-z0-9-]+' | tr -s ' ')
	rec=$(tr -d '\r' <"$log" | sed -n 's/^preflight-recorded: //p' |
		grep -oE '^(ok|MISSING|unknown) +[a-z0-9-]+' | tr -s ' ')
	if [ "$live" = "$QEMU_VERDICTS" ] && [ "$rec" = "$QEMU_VERDICTS" ] &&
		tr -d '\r' <"$log" | grep -q "^preflight-live: ok      memory: System RAM above 1 MiB in the log's CMRs" &&
		tr -d '\r' <"$log" | grep -q '^guest: PREFLIGHT DONE' &&
		! tr -d '\r' <"$log" | grep -q '^guest: FAIL'; then
		echo "preflight qemu: live and recorded verdicts as expected"
	else
		echo "preflight qemu: FAILED"; diff <(echo "$QEMU_VERDICTS") <(echo "$live")
		diff <(echo "$QEMU_VERDICTS") <(echo "$rec"); rc=1
	fi
	return $rc
}

case "${1:-}" in
build) build ;;
check) check ;;
qemu) qemu ;;
*) echo "usage: $0 build|check|qemu" >&2; exit 2 ;;
esac
