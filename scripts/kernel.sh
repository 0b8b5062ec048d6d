#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract, patch, configure and build the test kernel in the cache.
# A tree whose key (version, config fragments, patches, compilers) is
# unchanged and that finished building once is reused as it is.
set -euo pipefail
. "$(dirname "$0")/env.sh"

kdir=$KDIR_TEST
stamp=$kdir/.tdx_rs_built

if [ -f "$stamp" ] && [ -f "$kdir/arch/x86/boot/bzImage" ]; then
	echo "kernel: $kdir is built (cached)"
	exit 0
fi

mkdir -p "$TDX_RS_CACHE"
if [ ! -f "$kdir/Makefile" ]; then
	echo "kernel: extracting $KERNEL_TARBALL into $kdir"
	tmp=$(mktemp -d "$TDX_RS_CACHE/extract.XXXXXX")
	tar -xf "$KERNEL_TARBALL" -C "$tmp"
	rm -rf "$kdir"
	mv "$tmp"/linux-source-6.12 "$kdir"
	rmdir "$tmp"
	for p in "$TDX_RS_ROOT"/scripts/patches/*.patch; do
		echo "kernel: applying $(basename "$p")"
		patch -d "$kdir" -p1 --quiet --forward < "$p"
	done
fi

cd "$kdir"
echo "kernel: configuring (tinyconfig + base + tdx-debug fragments)"
make -s "${KMAKE_VARS[@]}" tinyconfig >/dev/null
KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -Q .config \
	"$TDX_RS_ROOT"/scripts/config/base.config \
	"$TDX_RS_ROOT"/scripts/config/tdx-debug.config >/dev/null
make -s "${KMAKE_VARS[@]}" olddefconfig >/dev/null

# Every fragment line must have survived olddefconfig.
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=n)
		sym=${line%%=*}
		if grep -q "^$sym=" .config; then
			echo "kernel: $sym is set, fragment wants it off" >&2; bad=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qx "$line" .config; then
			echo "kernel: '$line' did not survive olddefconfig" >&2; bad=1
		fi ;;
	esac
done < <(cat "$TDX_RS_ROOT"/scripts/config/*.config)
[ $bad -eq 0 ] || exit 1

echo "kernel: building with -j$JOBS (a few minutes the first time)"
make -s "${KMAKE_VARS[@]}" -j"$JOBS" bzImage modules_prepare 2>&1 | grep -v '^$' || true
test -f arch/x86/boot/bzImage
test -f Module.symvers || make -s "${KMAKE_VARS[@]}" -j"$JOBS" modules
touch "$stamp"
echo "kernel: built $kdir"
# Trees of earlier keys are never used again: keep the disk.
for old in "$TDX_RS_CACHE"/linux-6.12-test-*; do
	if [ "$old" != "$kdir" ] && [ -d "$old" ]; then
		echo "kernel: removing the stale tree $old"
		rm -rf "$old"
	fi
done
