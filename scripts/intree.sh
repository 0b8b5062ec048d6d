#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# intree.sh [KDIR]: put tdx_host_rs into a kernel tree as drivers/virt/tdx_host_rs,
# wire its Kconfig and Makefile in, turn CONFIG_TDX_HOST_RS (and the test
# option) on as modules and build them with the kernel's own build.
# With KDIR, that tree is the one changed. Without it (make check), the
# tree is a scratch copy of the cached test kernel, beside it in the cache
# (outside the project, whose 'make clean' would strip its objects), brought
# back in line with the cached tree on every run: that one is never edited.
# Idempotent: a second run refreshes the copy and rebuilds what changed.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ $# -gt 0 ]; then
	kdir=$1
else
	kernel_dirs
	need_kernel "$KDIR_TEST"
	kdir=$TDX_RS_CACHE/intree-scratch
	mkdir -p "$kdir"
	echo "intree: scratch copy of $KDIR_TEST in $kdir"
	rsync -a --delete "$KDIR_TEST/" "$kdir/"
fi
dst=$kdir/drivers/virt/tdx_host_rs

rm -rf "$dst"
mkdir -p "$dst"
(cd "$TDX_RS_ROOT" && "$TDX_RS_ROOT"/scripts/project_files.sh | cpio -pdm --quiet "$dst")
# In tree, the directory's build file is its Makefile.
cp "$TDX_RS_ROOT/Kbuild" "$dst/Makefile"

grep -q 'tdx_host_rs/Kconfig' "$kdir/drivers/virt/Kconfig" ||
	echo 'source "drivers/virt/tdx_host_rs/Kconfig"' >> "$kdir/drivers/virt/Kconfig"
grep -q 'tdx_host_rs/' "$kdir/drivers/virt/Makefile" ||
	echo 'obj-$(CONFIG_TDX_HOST_RS) += tdx_host_rs/' >> "$kdir/drivers/virt/Makefile"

cd "$kdir"
scripts/config --file .config -e VIRT_DRIVERS -m TDX_HOST_RS -m TDX_HOST_RS_TEST
make -s "${KMAKE_VARS[@]}" olddefconfig
for sym in TDX_HOST_RS TDX_HOST_RS_TEST; do
	grep -qx "CONFIG_$sym=m" .config || { echo "intree: CONFIG_$sym did not stay =m" >&2; exit 1; }
done
make "${KMAKE_VARS[@]}" -j"$JOBS" \
	drivers/virt/tdx_host_rs/tdx_host_rs.ko drivers/virt/tdx_host_rs/tdx_emu.ko
ls -l "$dst"/tdx_host_rs.ko "$dst"/tdx_emu.ko
