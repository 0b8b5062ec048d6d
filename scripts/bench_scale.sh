#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench's scaling section: TDMR planning on generated maps from 2 GiB
# to 8 TiB (1, 2 and 8 nodes, 0 to 40 firmware holes), ours beside
# upstream 6.12's planner (its host model), with cargo and no QEMU
# (rust/init/tdmr/scale.rs). Writes build/bench/scale.txt and
# build/bench/scale.svg; fails if ours is worse than upstream's on a row.
# Optimized build: the table shows the planners' own time.
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"

out=$TDX_RS_ROOT/build/bench
mkdir -p "$out"
rm -f "$out/scale.txt" "$out/scale.svg"
(cd "$TDX_RS_ROOT/rust" &&
	TDX_BENCH_DIR=$out CARGO_TARGET_DIR=$TDX_RS_ROOT/build/cargo \
		cargo test --offline --release --lib \
		init::tdmr::scale::scaling_table_ours_never_worse -- --exact) \
	>"$TDX_RS_ROOT/build/bench-scale.log" 2>&1 || status=$?
if [ -f "$out/scale.txt" ]; then
	cat "$out/scale.txt"
fi
if [ "${status:-0}" != 0 ]; then
	cat "$TDX_RS_ROOT/build/bench-scale.log"
	exit 1
fi
echo "plot: $out/scale.svg"
