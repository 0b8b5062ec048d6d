#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the build and the tests need on a Debian 12 machine,
# a minimal one (mmdebstrap --variant=minbase) included, from the machine's
# configured apt sources. Idempotent: every step checks first and says what
# it does. Nothing here runs a tool this script has not made sure of first.
set -euo pipefail

# What the kernel build, the module build, QEMU and the checks run, beyond
# what a minimal Debian 12 has.
DEB_PKGS=(linux-source-6.12 xz-utils patch make bc flex bison libelf-dev libssl-dev
	  rustc-web rust-web-src rust-web-clippy rustfmt-web
	  clang lld llvm libclang-dev gcc binutils
	  qemu-system-x86 busybox-static cpio kmod rsync perl python3 git ca-certificates
	  # Sphinx, for make htmldocs and make check's docs build.
	  python3-sphinx
	  # make host-deb and its check: bindeb-pkg (dpkg-buildpackage, dh_*;
	  # dpkg-checkbuilddeps wants build-essential, which a minimal root
	  # lacks), Debian's own kernel configurations, the module's DKMS
	  # packaging.
	  dpkg-dev debhelper build-essential
	  linux-config-6.12
	  dkms)
BINDGEN_VERSION=0.69.5

say() { printf 'bootstrap: %s\n' "$*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

apt_install() {
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: $* (run as root to install them)" >&2
		exit 1
	fi
	say "installing Debian packages from the configured apt sources: $*"
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "${apt_updated:-}" ]; then
		apt-get update -qq
		apt_updated=1
	fi
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for p in "${DEB_PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt_install "${missing[@]}"
else
	say "Debian packages present"
fi
[ -f /usr/src/linux-source-6.12.tar.xz ] ||
	{ say "/usr/src/linux-source-6.12.tar.xz is missing after install" >&2; exit 1; }

# Debian's own 6.12 kernel headers, the newest ABI the sources carry (they
# bring that kernel's image, never booted here): gcc-built, no CONFIG_RUST,
# make check expects the module's build to refuse them.
if ! ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 >/dev/null 2>&1; then
	newest_headers() {
		apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
			cut -d' ' -f1 | sort -V | tail -n 1
	}
	hdr=$(newest_headers)
	if [ -z "$hdr" ] && [ "$(id -u)" -eq 0 ] && [ -z "${apt_updated:-}" ]; then
		apt-get update -qq
		apt_updated=1
		hdr=$(newest_headers)
	fi
	[ -n "$hdr" ] || { say "no linux-headers-6.12.*-amd64 in the apt sources" >&2; exit 1; }
	apt_install "$hdr"
fi

# bindgen-cli comes from crates.io through cargo. A machine without any
# cargo gets Debian's cargo-web, the one that matches rustc-web.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
bindgen_bin=$cargo_home/bin/bindgen
if [ -x "$bindgen_bin" ] && "$bindgen_bin" --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then
	say "bindgen $BINDGEN_VERSION present"
else
	if ! command -v cargo >/dev/null; then
		installed cargo-web || apt_install cargo-web
	fi
	cargo=$(command -v cargo)
	say "installing bindgen-cli $BINDGEN_VERSION with $cargo into $cargo_home/bin"
	cargo install --locked --quiet --root "$cargo_home" "bindgen-cli@$BINDGEN_VERSION"
	"$bindgen_bin" --version >/dev/null
fi
say "toolchain ready"
