# SPDX-License-Identifier: GPL-2.0
# Sourced by the other scripts: toolchain and cache locations.

TDX_RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KERNEL_TARBALL=${KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
TDX_RS_CACHE=${TDX_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tdx_host_rs}
JOBS=${JOBS:-$(($(nproc) + 1))}

# The rustup toolchain first on PATH has no rust-src; the kernel needs
# Debian's rustc-web, and bindgen 0.69 from cargo.
KMAKE_VARS=(LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
	    RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver
	    BINDGEN="${CARGO_HOME:-$HOME/.cargo}/bin/bindgen")

# The kernels' configuration fragments, applied on top of tinyconfig.
KCONFIG_TEST=("$TDX_RS_ROOT"/scripts/config/base.config
	      "$TDX_RS_ROOT"/scripts/config/tdx-debug.config)
KCONFIG_PROD=("$TDX_RS_ROOT"/scripts/config/production.config)

# key_of FILES...: a build directory's key, from the kernel version, the
# files that shape its configuration and source, and the compilers.
key_of() {
	local ver
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
	{
		echo "$ver"
		cat "$@"
		/usr/bin/rustc --version
		clang --version | head -1
	} | sha256sum | cut -c1-12
}

# The test kernel: upstream's TDX host code, the patches that export its
# internals to the tests, and the kernel's bug detectors.
kernel_key() {
	key_of "${KCONFIG_TEST[@]}" "$TDX_RS_ROOT"/scripts/patches/*.patch
}

# The production kernel (never booted): no TDX host code, no debug options,
# no patches; only the production build is made against it.
prod_kernel_key() {
	key_of "${KCONFIG_PROD[@]}"
}

KDIR_TEST=${KDIR:-$TDX_RS_CACHE/linux-6.12-test-$(kernel_key)}
KDIR_PROD=${KDIR_PROD:-$TDX_RS_CACHE/linux-6.12-prod-$(prod_kernel_key)}

stage() { printf '\n==> %s\n' "$*"; }
