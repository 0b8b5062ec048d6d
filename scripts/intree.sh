#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# intree.sh [KDIR]: put tdx_host_rs into a kernel tree as drivers/virt/tdx_host_rs,
# wire its Kconfig and Makefile in, turn CONFIG_TDX_HOST_RS (and the test
# option) on as modules and build them with the kernel's own build.
# Idempotent: a second run refreshes the copy and rebuilds what changed.
set -euo pipefail
. "$(dirname "$0")/env.sh"

kdir=${1:-$KDIR_TEST}
dst=$kdir/drivers/virt/tdx_host_rs

mkdir -p "$dst"
(cd "$TDX_RS_ROOT" && "$TDX_RS_ROOT"/scripts/project_files.sh | cpio -pdm --quiet "$dst")
# In tree, the directory's build file is its Makefile.
cp "$TDX_RS_ROOT/Kbuild" "$dst/Makefile"

grep -q 'tdx_host_rs/Kconfig' "$kdir/drivers/virt/Kconfig" ||
	echo 'source "drivers/virt/tdx_host_rs/Kconfig"' >> "$kdir/drivers/virt/Kconfig"
grep -q 'tdx_host_rs/' "$kdir/drivers/virt/Makefile" ||
	echo 'obj-$(CONFIG_TDX_HOST_RS) += tdx_host_rs/' >> "$kdir/drivers/virt/Makefile"

cd "$kdir"
# The out-of-tree build of the same modules must not see a second exporter
# of tdx_rs_*: the in-tree copies leave the tree's Module.symvers afterwards.
# Likewise the tree's configuration is put back: out-of-tree builds against
# it choose CONFIG_TDX_HOST_RS* themselves.
cp .config .config.tdx_rs_saved
restore_tree() {
	grep -v 'drivers/virt/tdx_host_rs/' Module.symvers > Module.symvers.tmp || true
	mv Module.symvers.tmp Module.symvers
	mv -f .config.tdx_rs_saved .config
	make -s "${KMAKE_VARS[@]}" syncconfig
}
trap restore_tree EXIT
scripts/config --file .config -e VIRT_DRIVERS -m TDX_HOST_RS -m TDX_HOST_RS_TEST
make -s "${KMAKE_VARS[@]}" olddefconfig
for sym in TDX_HOST_RS TDX_HOST_RS_TEST; do
	grep -qx "CONFIG_$sym=m" .config || { echo "intree: CONFIG_$sym did not stay =m" >&2; exit 1; }
done
make "${KMAKE_VARS[@]}" -j"$JOBS" \
	drivers/virt/tdx_host_rs/tdx_host_rs.ko drivers/virt/tdx_host_rs/tdx_emu.ko
ls -l "$dst"/tdx_host_rs.ko "$dst"/tdx_emu.ko
