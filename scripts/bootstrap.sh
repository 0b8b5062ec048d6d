#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the build and the tests need on a Debian 12 machine.
# Idempotent: every step checks first and says what it does.
set -euo pipefail

DEB_PKGS=(linux-source-6.12 rustc-web rust-web-src clang lld llvm libclang-dev
	  qemu-system-x86 busybox-static bc flex bison libelf-dev libssl-dev rsync
	  cpio kmod python3 make gcc rust-web-clippy rustfmt-web)
BINDGEN_VERSION=0.69.5

say() { printf 'bootstrap: %s\n' "$*"; }

missing=()
for p in "${DEB_PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: ${missing[*]} (run as root to install)" >&2
		exit 1
	fi
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "Debian packages present"
fi

bindgen_bin="${CARGO_HOME:-$HOME/.cargo}/bin/bindgen"
if [ -x "$bindgen_bin" ] && "$bindgen_bin" --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then
	say "bindgen $BINDGEN_VERSION present"
else
	say "installing bindgen-cli $BINDGEN_VERSION with cargo"
	cargo install --locked --quiet "bindgen-cli@$BINDGEN_VERSION"
fi

if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
	say "/usr/src/linux-source-6.12.tar.xz is missing after install" >&2
	exit 1
fi
say "toolchain ready"
