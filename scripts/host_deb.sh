#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make host-deb [BASE_CONFIG=FILE]: Debian packages of a TDX host kernel,
# for the machine tdx_host_rs is to run on.
#   1. Debian's linux-source-6.12, extracted once into build/host-deb/
#      (kept while the package's version stays).
#   2. BASE_CONFIG (default /boot/config-$(uname -r): the running kernel's;
#      Debian's own are in the linux-config-6.12 package, .xz read as is)
#      merged with scripts/config/host.config, in build/host-deb/obj (O=),
#      olddefconfig with LLVM=1; every host.config line must read back.
#      The base's signing keys name files of its own build tree: they are
#      cleared (the kernel makes its own module signing key), and
#      LOCALVERSION becomes -tdx-host.
#   3. The kernel's bindeb-pkg: linux-image-*, linux-headers-* and
#      linux-libc-dev .debs in build/host-deb/; then the headers package gets
#      the Rust artifacts out-of-tree Rust modules need, which 6.12's
#      install-extmod-build leaves out (scripts/deb_rust_headers.sh).
# A distribution config builds for hours on 2 cores.
#
# host_deb.sh --config-only: steps 1 and 2 only (make check, on Debian's
# amd64 config). HOST_DEB_OBJ overrides the O= directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

config_only=
case "${1:-}" in
--config-only) config_only=1 ;;
"") ;;
*) echo "usage: $0 [--config-only]" >&2; exit 2 ;;
esac
base=${BASE_CONFIG:-/boot/config-$(uname -r)}
dest=$TDX_RS_ROOT/build/host-deb
src=$dest/linux-source-6.12
obj=${HOST_DEB_OBJ:-$dest/obj}
[ -r "$base" ] || { echo "host-deb: no base configuration $base (set BASE_CONFIG=)" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12) ||
	{ echo "host-deb: linux-source-6.12 is not installed (make bootstrap)" >&2; exit 1; }

mkdir -p "$dest"
# A pristine tree, for O= builds: extracted in a scratch directory first.
if [ "$(cat "$dest/.source-version" 2>/dev/null)" != "$ver" ] || [ ! -d "$src" ]; then
	rm -rf "$src" "$dest/.source-version"
	tmp=$(mktemp -d "$dest/extract.XXXXXX")
	echo "host-deb: extracting $KERNEL_TARBALL ($ver)"
	tar -xf "$KERNEL_TARBALL" -C "$tmp"
	mv "$tmp/linux-source-6.12" "$src"
	rmdir "$tmp"
	echo "$ver" > "$dest/.source-version"
fi

# The objects stay between runs: a failed build of hours resumes.
mkdir -p "$obj"
case "$base" in
*.xz) xzcat "$base" > "$obj/.config" ;;
*) cp "$base" "$obj/.config" ;;
esac
"$src/scripts/config" --file "$obj/.config" \
	--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	--set-str MODULE_SIG_KEY certs/signing_key.pem --set-str LOCALVERSION -tdx-host
echo "host-deb: configuring $base + host.config in $obj"
(cd "$obj" && KCONFIG_CONFIG=.config "$src/scripts/kconfig/merge_config.sh" -m -Q \
	.config "$TDX_RS_ROOT/scripts/config/host.config" >/dev/null)
make -s -C "$src" O="$obj" "${KMAKE_VARS[@]}" olddefconfig >/dev/null
fragments_kept "$obj/.config" "$TDX_RS_ROOT/scripts/config/host.config" || exit 1
echo "host-deb: every host.config line reads back in $obj/.config"
[ -z "$config_only" ] || exit 0

echo "host-deb: bindeb-pkg with -j$JOBS (hours for a distribution config; log: $obj/build.log)"
rm -f "$dest"/*.deb "$dest"/*.buildinfo "$dest"/*.changes
make -C "$src" O="$obj" "${KMAKE_VARS[@]}" -j"$JOBS" bindeb-pkg > "$obj/build.log" 2>&1 ||
	{ tail -n 40 "$obj/build.log"; echo "host-deb: bindeb-pkg failed" >&2; exit 1; }
for deb in "$dest"/linux-headers-*.deb; do
	"$here/deb_rust_headers.sh" "$obj" "$deb"
done
ls -l "$dest"/*.deb
echo "host-deb: install with: dpkg -i $dest/linux-image-*.deb $dest/linux-headers-*.deb"
