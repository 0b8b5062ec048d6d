#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build tdx_host_rs.ko and the test modules out of tree against the test
# kernel (or $KDIR). Extra arguments go to kbuild, e.g. CLIPPY=1;
# 'modules.sh clean' removes what the build made.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ -n "${KDIR:-}" ]; then
	kdir=$KDIR
else
	kernel_dirs
	kdir=$KDIR_TEST
	need_kernel "$kdir"
fi
target=modules
if [ "${1:-}" = clean ]; then
	target=clean
	shift
fi
make -C "$kdir" M="$TDX_RS_ROOT" "${KMAKE_VARS[@]}" -j"$JOBS" \
	CONFIG_TDX_HOST_RS=m CONFIG_TDX_HOST_RS_TEST=m "$@" $target
