# SPDX-License-Identifier: GPL-2.0
# Sourced by the other scripts: toolchain and cache locations.
#
# Sourcing runs no tool that bootstrap.sh installs: on a fresh machine none
# is there yet. The kernel trees' directories depend on the installed
# compilers and kernel source, so they are known only once bootstrap.sh has
# run: a script that needs them calls kernel_dirs then.

TDX_RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KERNEL_TARBALL=${KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
TDX_RS_CACHE=${TDX_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tdx_host_rs}
JOBS=${JOBS:-$(($(nproc) + 1))}
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin

# The rustup toolchain first on PATH has no rust-src; the kernel needs
# Debian's rustc-web, and bindgen 0.69 from cargo.
KMAKE_VARS=(LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
	    RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver
	    BINDGEN="$CARGO_BIN/bindgen")

# The kernels' configuration fragments, applied on top of tinyconfig.
KCONFIG_TEST=("$TDX_RS_ROOT"/scripts/config/base.config
	      "$TDX_RS_ROOT"/scripts/config/tdx-debug.config
	      "$TDX_RS_ROOT"/scripts/config/platform.config)
KCONFIG_PROD=("$TDX_RS_ROOT"/scripts/config/production.config)
KCONFIG_HOST=("$TDX_RS_ROOT"/scripts/config/qemu-boot.config
	      "$TDX_RS_ROOT"/scripts/config/host.config)

# key_of FILES...: a build directory's key, from the kernel version, the
# files that shape the tree (kernel.sh, configuration fragments, patches)
# and the compilers. Fails, printing nothing, when one of them is missing.
key_of() {
	local ver rustc_ver clang_ver f
	[ -f "$KERNEL_TARBALL" ] || return 1
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || return 1
	rustc_ver=$(/usr/bin/rustc --version 2>/dev/null) || return 1
	clang_ver=$(clang --version 2>/dev/null) || return 1
	for f in "$TDX_RS_ROOT/scripts/kernel.sh" "$@"; do
		[ -f "$f" ] || return 1
	done
	cat <(echo "$ver") "$TDX_RS_ROOT/scripts/kernel.sh" "$@" \
		<(echo "$rustc_ver") <(echo "${clang_ver%%$'\n'*}") | sha256sum | cut -c1-12
}

# kernel_dirs: set KDIR_TEST and KDIR_PROD, the test kernel (upstream's TDX
# host code, the patches that export its internals to the tests, the
# kernel's bug detectors) and the production kernel (never booted: no TDX
# host code, no debug options, no patches) and KDIR_HOST, the TDX host
# kernel (scripts/config/host.config, booted with the production module).
# KDIR, KDIR_PROD and KDIR_HOST override.
kernel_dirs() {
	local test_key prod_key host_key
	if ! test_key=$(key_of "${KCONFIG_TEST[@]}" "$TDX_RS_ROOT"/scripts/patches/*.patch) ||
		! prod_key=$(key_of "${KCONFIG_PROD[@]}") ||
		! host_key=$(key_of "${KCONFIG_HOST[@]}"); then
		echo "env: the toolchain is not installed: run 'make bootstrap' (or 'make run') first" >&2
		return 1
	fi
	KDIR_TEST=${KDIR:-$TDX_RS_CACHE/linux-6.12-test-$test_key}
	KDIR_PROD=${KDIR_PROD:-$TDX_RS_CACHE/linux-6.12-prod-$prod_key}
	KDIR_HOST=${KDIR_HOST:-$TDX_RS_CACHE/linux-6.12-host-$host_key}
}

# need_kernel DIR: fail with a message unless kernel.sh finished DIR.
need_kernel() {
	[ -f "$1/.tdx_rs_step" ] && [ "$(cat "$1/.tdx_rs_step")" = built ] && return 0
	echo "env: no built kernel in $1: run 'make kernel' (or 'make run') first" >&2
	return 1
}

# fragments_kept CONFIG FRAGMENT...: whether every line of the fragments
# reads back in CONFIG (after olddefconfig): VAL as written, =n as unset.
# Says which did not.
fragments_kept() {
	local config=$1 line sym bad=0
	shift
	while read -r line; do
		case "$line" in
		CONFIG_*=n)
			sym=${line%%=*}
			if grep -q "^$sym=" "$config"; then
				echo "config: $sym is set, the fragment wants it off" >&2; bad=1
			fi ;;
		CONFIG_*=*)
			if ! grep -qxF "$line" "$config"; then
				echo "config: '$line' did not survive olddefconfig" >&2; bad=1
			fi ;;
		esac
	done < <(cat "$@")
	return $bad
}

stage() { printf '\n==> %s\n' "$*"; }

# platform_boot PROFILE SMP EMU_FILE: one QEMU boot's platform, from
# scripts/platform.py boot: sets PLATFORM_QEMU (more QEMU arguments, for
# qemu.sh's QEMU_EXTRA) and PLATFORM_APPEND (more kernel command line) and
# writes tdx_emu's parameters to EMU_FILE, which the boot's initramfs
# carries as /emu-args (scripts/guest/lib.sh loads tdx_emu with them).
platform_boot() {
	local lines
	lines=$(python3 "$TDX_RS_ROOT/scripts/platform.py" boot "$1" --smp "$2") || return 1
	PLATFORM_QEMU=$(sed -n 's/^qemu: *//p' <<<"$lines")
	PLATFORM_APPEND=$(sed -n 's/^append: *//p' <<<"$lines")
	sed -n 's/^emu: *//p' <<<"$lines" >"$3"
	[ -s "$3" ] || { echo "platform: no tdx_emu parameters for $1" >&2; return 1; }
}
