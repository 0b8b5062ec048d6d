#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [test|production|host]: extract, patch, configure and build a
# kernel in the cache.
#   test        the test kernel (the default): tinyconfig + base.config +
#               tdx-debug.config, with scripts/patches applied; booted by
#               the QEMU tests.
#   production  a production-like kernel: tinyconfig + production.config,
#               unpatched, no TDX host code and no debug options; never
#               booted, only the production build is made against it.
#   host        a TDX host kernel: tinyconfig + qemu-boot.config +
#               host.config (the fragment for a real host), unpatched;
#               booted by make check with the production module.
# The tree's directory is named by its key (kernel version, this script,
# config fragments, patches, compilers: env.sh). Each step records itself
# in the tree's .tdx_rs_step (extracted, patched, configured, built) once
# it has finished, so an interrupted run resumes at the step it was in, and
# a finished tree is reused as it is.
set -euo pipefail
. "$(dirname "$0")/env.sh"
kernel_dirs

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
host)
	kdir=$KDIR_HOST
	fragments=("${KCONFIG_HOST[@]}")
	patches=()
	# KVM is modular, as on a distribution's kernel: modules too.
	targets=(bzImage modules)
	image=arch/x86/boot/bzImage
	stale=linux-6.12-host- ;;
*)
	echo "usage: $0 [test|production|host]" >&2
	exit 2 ;;
esac
steps=(extracted patched configured built)

# reached STEP: the tree has finished STEP or a later one.
reached() {
	local done i want_i=-1 done_i=-1
	done=$(cat "$kdir/.tdx_rs_step" 2>/dev/null) || return 1
	for i in "${!steps[@]}"; do
		[ "${steps[$i]}" = "$1" ] && want_i=$i
		[ "${steps[$i]}" = "$done" ] && done_i=$i
	done
	[ "$want_i" -ge 0 ] && [ "$done_i" -ge "$want_i" ]
}
record() { echo "$1" > "$kdir/.tdx_rs_step"; }

if reached built && [ -f "$kdir/$image" ]; then
	echo "kernel: $kdir is built (cached)"
	exit 0
fi

mkdir -p "$TDX_RS_CACHE"
# Extraction and patching happen in a scratch directory that becomes the
# tree only once both finished: a half-extracted or half-patched tree is
# never taken for a finished step.
if ! reached patched; then
	rm -rf "$kdir"
	tmp=$(mktemp -d "$TDX_RS_CACHE/extract.XXXXXX")
	echo "kernel: extracting $KERNEL_TARBALL"
	tar -xf "$KERNEL_TARBALL" -C "$tmp"
	src=$tmp/linux-source-6.12
	echo extracted > "$src/.tdx_rs_step"
	for p in ${patches[@]+"${patches[@]}"}; do
		echo "kernel: applying $(basename "$p")"
		patch -d "$src" -p1 --quiet --forward < "$p"
	done
	echo patched > "$src/.tdx_rs_step"
	mv "$src" "$kdir"
	rmdir "$tmp"
fi

cd "$kdir"
if ! reached configured; then
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
	fragments_kept .config "${fragments[@]}" || exit 1
	record configured
fi

# The build's own output goes to a log; a failure shows its end and stops.
log=$kdir/.tdx_rs_build.log
echo "kernel: building ${targets[*]} with -j$JOBS (a few minutes the first time; log: $log)"
build_failed() {
	tail -n 40 "$log"
	echo "kernel: the build of $kdir failed (log: $log)" >&2
	exit 1
}
make -s "${KMAKE_VARS[@]}" -j"$JOBS" "${targets[@]}" > "$log" 2>&1 || build_failed
if [ ! -f Module.symvers ]; then
	make -s "${KMAKE_VARS[@]}" -j"$JOBS" modules >> "$log" 2>&1 || build_failed
fi
for f in "$image" Module.symvers; do
	[ -f "$f" ] || { echo "kernel: the build made no $f" >&2; exit 1; }
done
record built
echo "kernel: built $kdir"
# Trees of earlier keys of the same flavor are never used again: keep the disk.
for old in "$TDX_RS_CACHE/$stale"*; do
	if [ "$old" != "$kdir" ] && [ -d "$old" ]; then
		echo "kernel: removing the stale tree $old"
		rm -rf "$old"
	fi
done
