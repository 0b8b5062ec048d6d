#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [test|production]: extract, configure and build a kernel in
# the cache.
#   test        the test kernel (the default): tinyconfig + base.config +
#               tdx-debug.config, with scripts/patches applied; booted by
#               the QEMU tests.
#   production  a production-like kernel: tinyconfig + production.config,
#               unpatched, no TDX host code and no debug options; never
#               booted, only the production build is made against it.
# A tree whose key (version, config fragments, patches, compilers) is
# unchanged and that finished building once is reused as it is.
set -euo pipefail
. "$(dirname "$0")/env.sh"

flavor=${1:-test}
case "$flavor" in
test)
	kdir=$KDIR_TEST
	fragments=("${KCONFIG_TEST[@]}")
	patches=("$TDX_RS_ROOT"/scripts/patches/*.patch)
	targets=(bzImage modules_prepare)
	image=arch/x86/boot/bzImage
	stale=linux-6.12-test- ;;
production)
	kdir=$KDIR_PROD
	fragments=("${KCONFIG_PROD[@]}")
	patches=()
	targets=(vmlinux modules_prepare)
	image=vmlinux
	stale=linux-6.12-prod- ;;
*)
	echo "usage: $0 [test|production]" >&2
	exit 2 ;;
esac
stamp=$kdir/.tdx_rs_built

if [ -f "$stamp" ] && [ -f "$kdir/$image" ]; then
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
	for p in "${patches[@]}"; do
		echo "kernel: applying $(basename "$p")"
		patch -d "$kdir" -p1 --quiet --forward < "$p"
	done
fi

cd "$kdir"
names=tinyconfig
for f in "${fragments[@]}"; do
	names+=" + $(basename "$f" .config)"
done
echo "kernel: configuring ($names fragments)"
make -s "${KMAKE_VARS[@]}" tinyconfig >/dev/null
KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -Q .config \
	"${fragments[@]}" >/dev/null
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
done < <(cat "${fragments[@]}")
[ $bad -eq 0 ] || exit 1

echo "kernel: building ${targets[*]} with -j$JOBS (a few minutes the first time)"
make -s "${KMAKE_VARS[@]}" -j"$JOBS" "${targets[@]}" 2>&1 | grep -v '^$' || true
test -f "$image"
test -f Module.symvers || make -s "${KMAKE_VARS[@]}" -j"$JOBS" modules
test -f Module.symvers
touch "$stamp"
echo "kernel: built $kdir"
# Trees of earlier keys of the same flavor are never used again: keep the disk.
for old in "$TDX_RS_CACHE/$stale"*; do
	if [ "$old" != "$kdir" ] && [ -d "$old" ]; then
		echo "kernel: removing the stale tree $old"
		rm -rf "$old"
	fi
done
