#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's host kernel stages (Documentation/tdx_host_rs.rst, "The host
# kernel"), sourced by check.sh, which calls host_stages:
#   host kernel                  scripts/kernel.sh host (tinyconfig,
#                                qemu-boot.config, host.config)
#   host kernel in QEMU          the production module on it (host_qemu)
#   make run on the host kernel  the test build runs TDs on it (host_run)
#   Kbuild guards                the build's one-line refusals (kbuild_guards)
#   host-deb config              host.config on Debian's config (host_deb_config)
#   host headers deb, DKMS       bindeb-pkg's headers package serves the
#                                module's build and DKMS (host_headers_deb)
# Run alone (a developer's shortcut, the same functions):
#   scripts/check_host.sh [FUNCTION...]   (default: host_stages)

# host_modules DIR SWITCH: modules built out of tree against the host
# kernel into DIR, silently, tdx_host_rs.ko's stack frames within
# scripts/frame_guard.py's limit: SWITCH is CONFIG_TDX_HOST_RS_EMU=m (the
# production tdx_host_rs with the emulator and the VMX stand-in) or
# CONFIG_TDX_HOST_RS_DEMO=m (make run's modules, test build): the host
# kernel has no KUnit and none of the test kernel's exports.
host_modules() {
	local dir=$1 log=$out/host-modules.log
	rm -rf "$dir"; mkdir -p "$dir"
	"$here/project_files.sh" | cpio -pdm --quiet "$dir"
	make -C "$KDIR_HOST" M="$dir" "${KMAKE_VARS[@]}" -j"$JOBS" "$2" modules > "$log" 2>&1 ||
		{ cat "$log"; return 1; }
	if grep -nE -i 'warning|error|objtool' "$log"; then
		echo "host modules: the build is not silent"; return 1
	fi
	echo "host modules ($2): $(cd "$dir" && echo *.ko) against $(basename "$KDIR_HOST")"
	# 16 KiB task stacks here (no KASAN): no frame of the module over
	# the kernel's 64-bit FRAME_WARN.
	python3 "$here/frame_guard.py" 2048 "$dir/tdx_host_rs.ko"
}

# host_boot NAME GUEST_SCRIPT MODULE...: one boot of the host kernel, its
# console in $out/NAME.log, on QEMU's q35 platform as the test boots.
host_boot() {
	local name=$1 script=$2 log=$out/$1.log emu=$out/$1.emu-args start
	shift 2
	start=$(date +%s)
	rm -f "$log"
	platform_boot qemu-q35 2 "$emu" || return 1
	INITRAMFS_FILES="$emu:/emu-args" "$here/initramfs.sh" "$out/$name.cpio.gz" \
		"$here/guest/$script" "$@" &&
		QEMU_KERNEL=$KDIR_HOST/arch/x86/boot/bzImage QEMU_EXTRA=$PLATFORM_QEMU \
			"$here/qemu.sh" "$out/$name.cpio.gz" "$log" 2 "$PLATFORM_APPEND"
	echo "console log: $log ($(($(date +%s) - start))s)"
	boots+=("$name")
	boot_times+=("$name $(($(date +%s) - start))s")
	[ -s "$log" ] || { echo "$name: no console log"; return 1; }
}

# want_lines LOG NAME REGEX...: every REGEX matches a line of LOG.
want_lines() {
	local log=$1 name=$2 want rc=0
	shift 2
	for want in "$@"; do
		tr -d '\r' < "$log" | grep -qE "$want" || { echo "$name: no line /$want/"; rc=1; }
	done
	return $rc
}

# The host kernel's version string (uname -v): the guest's must be it.
host_uts() {
	sed -nE 's/^#define UTS_VERSION "(.*)"$/\1/p' \
		"$KDIR_HOST/include/generated/utsversion.h" | sed 's/[][().*^$+?{}|\\]/\\&/g'
}

host_qemu() {
	local dir=$TDX_RS_ROOT/build/host-modules log=$out/host.log rc=0
	host_modules "$dir" CONFIG_TDX_HOST_RS_EMU=m || return 1
	if { nm "$dir/tdx_host_rs.ko"; strings "$dir/tdx_host_rs.ko"; } |
		grep -iE 'tdx_emu|TDX_EMU|kunit|die_notifier'; then
		echo "host modules: tdx_host_rs.ko is not the production build"; return 1
	fi
	host_boot host host.sh "$dir/tdx_emu.ko" "$dir/tdx_rs_kvm_virt.ko" \
		"$dir/tdx_host_rs.ko" || return 1
	tr -d '\r' < "$log" | grep -E '^guest: (FAIL|host)|tdx_host_rs: '
	# QEMU's MSR 0x87 reads 0: no TDX KeyIDs.
	want_lines "$log" "host qemu" '^guest: HOST DONE$' \
		"^guest: host uts: $(host_uts)\$" \
		'^guest: host state: unavailable$' \
		'^guest: host keyid_range: none$' \
		'tdx_host_rs: 0 TDX KeyIDs: at least 2 are needed$' \
		'tdx_host_rs: cause: the BIOS gives TDX fewer than 2 private KeyIDs.*; fix: raise the TDX KeyID split' \
		'tdx_host_rs: init_at_load: TDX module not initialized \(-95\)' \
		'^guest: host emulator: calls: 0$' || rc=1
	guest_steps "$log" || rc=1
	"$here/splats.sh" "$log" || rc=1
	[ $rc -ne 0 ] || echo "host qemu: on the host kernel the production module loaded, refused to initialize (0 TDX KeyIDs: QEMU reads MSR 0x87 as 0) with the reason and fix, made no SEAMCALL, unloaded"
	return $rc
}

# make run's guest on the host kernel, with the test build of the module:
# the emulated TDX module initialized, two TDs built, run and torn down.
# The host configuration serves the whole module.
host_run() {
	local dir=$TDX_RS_ROOT/build/host-demo log=$out/host-run.log rc=0 m mods=()
	host_modules "$dir" CONFIG_TDX_HOST_RS_DEMO=m || return 1
	for m in tdx_host_rs tdx_emu tdx_rs_demo tdx_rs_enable_once tdx_rs_kvm_consumer \
		tdx_rs_td_demo tdx_rs_kvm_virt; do
		mods+=("$dir/$m.ko")
	done
	host_boot host-run run.sh "${mods[@]}" || return 1
	tr -d '\r' < "$log" | grep -E '^guest: (FAIL|RUN|the TDs|/sys/kernel/tdx_host_rs/state)'
	want_lines "$log" "host run" '^guest: RUN DONE$' \
		"^Linux version .* $(host_uts)\$" \
		'^guest: /sys/kernel/tdx_host_rs/state: initialized$' \
		'^guest: the TDs ran their program and gave every page back$' || rc=1
	guest_steps "$log" || rc=1
	"$here/splats.sh" "$log" || rc=1
	[ $rc -ne 0 ] || echo "host run: on the host kernel the test build initialized the emulated TDX module and ran two TDs"
	return $rc
}

# guard_case NAME WANT MAKE-ARGS...: one Kbuild guard: the build must stop
# with exactly one $(error) line, and its text must be WANT.
guard_case() {
	local name=$1 want=$2 got n
	shift 2
	make "$@" modules > "$out/guard.log" 2>&1 && { echo "guard: $name: the build went on"; return 1; }
	n=$(grep -c '^[^ ]*Kbuild:[0-9]*: \*\*\* ' "$out/guard.log")
	got=$(sed -nE 's/^[^ ]*Kbuild:[0-9]+: \*\*\* (.*)\.  Stop\.$/\1/p' "$out/guard.log")
	if [ "$n" != 1 ] || [ "$got" != "$want" ]; then
		cat "$out/guard.log"
		echo "guard: $name: wanted one line '$want'"
		return 1
	fi
	echo "guard: $name: $got"
}

# Kbuild's refusals, each a test case: Debian's own 6.12 kernel (gcc, no
# CONFIG_RUST) as a user builds against it, plain and with LLVM=1; and on the
# host kernel, a build without LLVM=1, another rustc, another 6.x.
kbuild_guards() {
	local dir=$TDX_RS_ROOT/build/kbuild-guards h rel rc=0 ok=0 bad=0 c
	h=$(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$h" ] || { echo "guard: no Debian linux-headers-6.12.*-amd64 (make bootstrap installs it)"; return 1; }
	rel=${h#/usr/src/linux-headers-}
	rm -rf "$dir"; mkdir -p "$dir"
	"$here/project_files.sh" | cpio -pdm --quiet "$dir"
	local debian="tdx_host_rs: kernel $rel lacks CONFIG_RUST CONFIG_CC_IS_CLANG (its rustc version is 0): the module needs a Rust-enabled kernel built with LLVM=1 (scripts/config/host.config); see $dir/Documentation/admin-guide.rst"
	local host_rel
	host_rel=$(cat "$KDIR_HOST/include/config/kernel.release")
	for c in debian debian-llvm no-llvm rustc version; do
		case $c in
		debian) guard_case "Debian $rel" "$debian" -C "$h" M="$dir" ;;
		debian-llvm) guard_case "Debian $rel, LLVM=1" "$debian" -C "$h" M="$dir" \
			"${KMAKE_VARS[@]}" ;;
		no-llvm) guard_case "host kernel without LLVM=1" \
			"tdx_host_rs: kernel $host_rel was built with clang and CC is gcc: add LLVM=1 to the make command line" \
			-C "$KDIR_HOST" M="$dir" RUSTC=/usr/bin/rustc ;;
		rustc) guard_case "host kernel, another rustc" \
			"tdx_host_rs: kernel $host_rel was built with $(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$KDIR_HOST/.config"), and RUSTC=/nonexistent/rustc is 'not found': pass RUSTC= (and RUSTDOC=, BINDGEN=) for the kernel's" \
			-C "$KDIR_HOST" M="$dir" "${KMAKE_VARS[@]}" RUSTC=/nonexistent/rustc ;;
		version) guard_case "host kernel as 6.13 (PATCHLEVEL=13)" \
			"tdx_host_rs: written against Linux 6.12's kernel crate, and kernel $host_rel is 6.13: build it against a 6.12 kernel" \
			-C "$KDIR_HOST" M="$dir" "${KMAKE_VARS[@]}" PATCHLEVEL=13 ;;
		esac && ok=$((ok + 1)) || { bad=$((bad + 1)); rc=1; }
	done
	echo "kbuild-guards: $ok passed, $bad failed"
	tests_passed=$((tests_passed + ok))
	tests_failed=$((tests_failed + bad))
	return $rc
}

# host.config onto Debian's own amd64 configuration (the linux-config-6.12
# package): every line must read back after olddefconfig with LLVM=1
# (configuration only: make host-deb's steps 1-2).
host_deb_config() {
	local base=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
	[ -r "$base" ] || { echo "host-deb config: no $base (make bootstrap installs linux-config-6.12)"; return 1; }
	BASE_CONFIG=$base HOST_DEB_OBJ=$TDX_RS_ROOT/build/host-deb/check-config \
		"$here/host_deb.sh" --config-only
}

# one_case NAME CMD...: a test case of its own.
one_case() {
	local name=$1
	shift
	if "$@"; then
		echo "$name: ok"; tests_passed=$((tests_passed + 1))
	else
		echo "$name: FAIL"; tests_failed=$((tests_failed + 1)); return 1
	fi
}

# extmod_build HEADERS DIR LOG: the production module built against HEADERS
# (an extracted linux-headers package) in a copy of the project in DIR.
extmod_build() {
	rm -rf "$2"; mkdir -p "$2"
	"$here/project_files.sh" | cpio -pdm --quiet "$2"
	make -C "$1" M="$2" "${KMAKE_VARS[@]}" -j"$JOBS" modules > "$3" 2>&1
}

# The headers package as an administrator gets it: bindeb-pkg on the host
# kernel's tree (its .debs moved from beside the tree to
# build/host-deb/qemu/), the linux-headers .deb extracted (dpkg-deb -x) and
# the production module built against it: as 6.12 makes it, rustc finds no
# crates (E0463); with deb_rust_headers.sh's additions the build is silent
# and the module's vermagic is that of the kernel's own kvm.ko. Then DKMS, in private trees
# (nothing of the system's): dkms build against those headers gives the
# module, and against Debian's own kernel it declines (BUILD_EXCLUSIVE).
host_headers_deb() {
	local dest=$TDX_RS_ROOT/build/host-deb/qemu rel deb hdr rc=0 log=$out/host-deb.log
	rel=$(cat "$KDIR_HOST/include/config/kernel.release")
	rm -rf "$dest"; mkdir -p "$dest"
	make -C "$KDIR_HOST" "${KMAKE_VARS[@]}" -j"$JOBS" KDEB_PKGVERSION="$rel-1" \
		bindeb-pkg > "$log" 2>&1 || { tail -n 40 "$log"; return 1; }
	mv "$TDX_RS_CACHE"/linux-*_"$rel-1"_*.deb "$TDX_RS_CACHE"/linux-upstream_"$rel-1"_* "$dest/"
	ls "$dest"
	deb=$dest/linux-headers-${rel}_$rel-1_amd64.deb
	[ -f "$deb" ] || { echo "host-deb: bindeb-pkg made no $(basename "$deb")"; return 1; }
	hdr=usr/src/linux-headers-$rel

	dpkg-deb -x "$deb" "$dest/raw"
	one_case "headers deb as 6.12 makes it: no Rust crates (E0463)" \
		eval '! extmod_build "$dest/raw/$hdr" "$dest/m-raw" "$out/extmod-raw.log" &&
			grep -q "error\[E0463\]" "$out/extmod-raw.log"' || rc=1

	"$here/deb_rust_headers.sh" "$KDIR_HOST" "$deb" || return 1
	dpkg-deb -x "$deb" "$dest/root"
	one_case "headers deb with the Rust artifacts: production module built, silent" \
		eval 'extmod_build "$dest/root/$hdr" "$dest/m" "$out/extmod.log" &&
			! grep -nEi "warning|error|objtool" "$out/extmod.log" &&
			[ "$(modinfo -F vermagic "$dest/m/tdx_host_rs.ko")" = \
			  "$(modinfo -F vermagic "$KDIR_HOST/arch/x86/kvm/kvm.ko")" ]' ||
		{ cat "$out/extmod.log"; rc=1; }

	host_dkms "$dest" "$rel" || rc=1
	return $rc
}

# host_dkms DEST REL: dkms add and build with --sourcetree and --dkmstree in
# DEST, against the extracted headers of REL and against Debian's own.
host_dkms() {
	local dest=$1 rel=$2 src=$1/dkms-src tree=$1/dkms-tree ver deb_h rc=0
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TDX_RS_ROOT/dkms.conf")
	mkdir -p "$src/tdx_host_rs-$ver" "$tree"
	{ "$here/project_files.sh"; echo dkms.conf; echo scripts/env.sh; } |
		(cd "$TDX_RS_ROOT" && cpio -pdm --quiet "$src/tdx_host_rs-$ver")
	# sign_file: no signing, so DKMS makes no MOK key in /var/lib/dkms.
	local dk=(env sign_file=/nonexistent dkms --sourcetree "$src" --dkmstree "$tree")
	"${dk[@]}" add -m tdx_host_rs -v "$ver" > "$out/dkms.log" 2>&1 || { cat "$out/dkms.log"; return 1; }
	one_case "dkms build against the host kernel's headers package" \
		eval '"${dk[@]}" build -m tdx_host_rs -v "$ver" -k "$rel" \
			--kernelsourcedir "$dest/root/usr/src/linux-headers-$rel" >> "$out/dkms.log" 2>&1 &&
			[ -f "$tree/tdx_host_rs/$ver/$rel/x86_64/module/tdx_host_rs.ko" ]' ||
		{ cat "$out/dkms.log"; rc=1; }
	deb_h=$(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 2>/dev/null | sort -V | tail -n 1)
	one_case "dkms declines Debian's ${deb_h#/usr/src/linux-headers-} (BUILD_EXCLUSIVE_CONFIG)" \
		eval '[ -n "$deb_h" ] && { "${dk[@]}" build -m tdx_host_rs -v "$ver" \
			-k "${deb_h#/usr/src/linux-headers-}" --kernelsourcedir "$deb_h" \
			> "$out/dkms-debian.log" 2>&1; [ $? = 77 ]; } &&
			grep -q "BUILD_EXCLUSIVE directive which does not match" "$out/dkms-debian.log"' ||
		{ cat "$out/dkms-debian.log"; rc=1; }
	return $rc
}

host_stages() {
	if run_stage "host kernel" "$here/kernel.sh" host; then
		run_stage "host kernel in QEMU" host_qemu
		run_stage "make run on the host kernel" host_run
	else
		not_run "host kernel in QEMU" "no host kernel"
		not_run "make run on the host kernel" "no host kernel"
	fi
	run_stage "Kbuild guards" kbuild_guards
	run_stage "host-deb config" host_deb_config
	if [ -f "$KDIR_HOST/.tdx_rs_step" ]; then
		run_stage "host headers deb, DKMS" host_headers_deb
	else
		not_run "host headers deb, DKMS" "no host kernel"
	fi
}

# Run alone: the stage helpers of check.sh, reduced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	here=$(cd "$(dirname "$0")" && pwd)
	. "$here/env.sh"
	kernel_dirs || exit 1
	out=$TDX_RS_ROOT/build/check
	mkdir -p "$out"
	boots=() boot_times=() failed=0 tests_passed=0 tests_failed=0
	run_stage() {
		stage "$1"; shift
		"$@" || { failed=$((failed + 1)); return 1; }
	}
	not_run() { stage "$1: not run ($2)"; failed=$((failed + 1)); }
	guest_steps() {
		! grep '^guest: FAIL' "$1" || { echo "qemu: a step in the guest failed"; return 1; }
	}
	for f in "${@:-host_stages}"; do
		"$f" || failed=$((failed + 1))
	done
	echo "check_host: $failed failed"
	[ $failed -eq 0 ]
fi
