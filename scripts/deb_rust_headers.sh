#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deb_rust_headers.sh KERNEL_OBJTREE HEADERS.deb: add to a linux-headers
# package made by the kernel's bindeb-pkg what building an out-of-tree Rust
# module needs, and rewrite the package in place. Linux 6.12's
# scripts/package/install-extmod-build copies the C side only (scripts/,
# include/, Module.symvers, ...): without the crates' metadata
# (rust/*.rmeta) and the procedural macros (rust/libmacros.so), rustc stops
# with E0463 ("can't find crate for `core`"). The kernel's .config goes in
# too, as in Debian's own headers packages: DKMS reads it
# (BUILD_EXCLUSIVE_CONFIG). Those files come from the objtree that built
# the package; its md5sums and Installed-Size follow. A package that has
# the Rust artifacts already is left as it is.
set -euo pipefail

objtree=$1 deb=$2
[ -f "$objtree/rust/libkernel.rmeta" ] ||
	{ echo "deb-rust-headers: $objtree has no rust/libkernel.rmeta (no CONFIG_RUST?)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -R "$deb" "$tmp/pkg"
hdr=$(cd "$tmp/pkg" && ls -d usr/src/linux-headers-*)
if [ -f "$tmp/pkg/$hdr/rust/libkernel.rmeta" ]; then
	echo "deb-rust-headers: $(basename "$deb") has the Rust artifacts already"
	exit 0
fi
mkdir -p "$tmp/pkg/$hdr/rust"
cp "$objtree"/rust/*.rmeta "$objtree/rust/libmacros.so" "$tmp/pkg/$hdr/rust/"
added=("$hdr/rust")
if [ ! -f "$tmp/pkg/$hdr/.config" ]; then
	cp "$objtree/.config" "$tmp/pkg/$hdr/.config"
	added+=("$hdr/.config")
fi
(cd "$tmp/pkg" && find "${added[@]}" -type f -print0 | sort -z | xargs -0 md5sum) \
	>> "$tmp/pkg/DEBIAN/md5sums"
kib=$(du -sk --exclude=DEBIAN "$tmp/pkg" | cut -f1)
sed -i "s/^Installed-Size: .*/Installed-Size: $kib/" "$tmp/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$tmp/pkg" "$tmp/out.deb" >/dev/null
mv "$tmp/out.deb" "$deb"
echo "deb-rust-headers: $(basename "$deb"): added $hdr/rust/ ($(ls "$tmp/pkg/$hdr/rust" | wc -l) files) and .config"
