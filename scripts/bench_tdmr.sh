#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench_tdmr.sh [PROFILE]: make bench's TDH.SYS.TDMR.INIT section. Boots the
# test kernel on PROFILE's platform (default qemu-q35-numa4: four nodes of
# 1 GiB, four TDMRs) with 2 and then 4 CPUs; in each boot upstream's tdx_enable() (the
# test kernel's arch/x86/virt/vmx/tdx/tdx.c, serial init_tdmrs()) and ours
# (rust/init/tdmr_init.rs) each initialize a fresh emulated TDX module
# (scripts/guest/platform.sh). The emulator counts the TDH.SYS.TDMR.INIT
# calls and the critical path: the most calls one CPU made
# (tools/testing/tdx_emu/model/critical_path.rs). Upstream's loop runs on one
# CPU at a time, so all of its calls are its critical path, whichever CPU
# each ran on. Expects the modules built (scripts/bench.sh builds them);
# writes build/bench/tdmr_init.txt; fails when ours is not below upstream's
# on a platform with more than one TDMR, or not equal with one. The same
# boots give the metadata SEAMCALLs (TDH.SYS.RD and TDH.SYS.RDALL) of each
# initialization: ours must be at most 2 and at most upstream's.
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"
kernel_dirs

profile=${1:-qemu-q35-numa4}
out=$TDX_RS_ROOT/build/bench
mkdir -p "$out"
cd "$TDX_RS_ROOT"
modules=(tdx_emu.ko tdx_rs_kvm_virt.ko tdx_host_rs.ko tdx_rs_enable_once.ko
	 tdx_rs_upstream_enable.ko)

# field LOG PREFIX KEY: the value after "PREFIX-report: KEY " in LOG (KEY
# with its colon where the report has one).
field() {
	tr -d '\r' <"$1" | sed -n "s/^$2-report: $3 //p" | head -n 1
}

# metadata PREFIX: TDH.SYS.RD and TDH.SYS.RDALL calls in $log's PREFIX report.
metadata() {
	local rd rdall
	rd=$(field "$log" "$1" 'leaf 34 TDH.SYS.RD')
	rdall=$(field "$log" "$1" 'leaf 37 TDH.SYS.RDALL')
	echo $((${rd:-0} + ${rdall:-0}))
}

table=$out/tdmr_init.txt
rc=0
printf '%-5s %-6s %-26s %-30s %-22s %s\n' CPUs TDMRs "TDMR.INIT calls (up/ours)" \
	"critical path: upstream" ours "metadata calls: up/ours" >"$table"
# TDMR_BENCH_CPUS: the boots' CPU counts (default "2 4").
for smp in ${TDMR_BENCH_CPUS:-2 4}; do
	name=tdmr-init-$smp emu=$out/tdmr-init-$smp.emu-args log=$out/tdmr-init-$smp.log
	platform_boot "$profile" "$smp" "$emu"
	INITRAMFS_FILES="$emu:/emu-args" "$here/initramfs.sh" "$out/$name.cpio.gz" \
		"$here/guest/platform.sh" "${modules[@]}"
	rm -f "$log"
	QEMU_EXTRA=$PLATFORM_QEMU "$here/qemu.sh" "$out/$name.cpio.gz" "$log" "$smp" \
		"$PLATFORM_APPEND"
	if ! grep -q '^guest: PLATFORM DONE' "$log" || grep -q '^guest: FAIL' "$log" ||
		! grep -q '^guest: platform upstream: ok' "$log" ||
		! grep -q '^guest: platform ours: ok' "$log"; then
		echo "bench_tdmr: the $smp-CPU boot did not initialize both (see $log)"
		grep -E '^guest: (FAIL|platform (upstream|ours):)' "$log" || true
		exit 1
	fi
	"$here/splats.sh" "$log" >/dev/null || { echo "bench_tdmr: kernel splats in $log"; rc=1; }
	tdmrs=$(field "$log" ours config: | sed -n 's/^tdmrs \([0-9]*\) .*/\1/p')
	up_tdmrs=$(field "$log" upstream config: | sed -n 's/^tdmrs \([0-9]*\) .*/\1/p')
	up_calls=$(field "$log" upstream 'leaf 36 TDH.SYS.TDMR.INIT')
	calls=$(field "$log" ours 'leaf 36 TDH.SYS.TDMR.INIT')
	read -r up_path _ up_lps <<<"$(field "$log" upstream tdmr_init_path:)"
	read -r path _ lps <<<"$(field "$log" ours tdmr_init_path:)"
	for v in tdmrs up_tdmrs up_calls calls up_path path lps up_lps; do
		[ -n "${!v}" ] || { echo "bench_tdmr: no $v in $log"; exit 1; }
	done
	up_meta=$(metadata upstream) meta=$(metadata ours)
	# Upstream's loop is serial: its critical path is every call it made.
	printf '%-5s %-6s %-26s %-30s %-22s %s\n' "$smp" "$tdmrs" "$up_calls / $calls" \
		"$up_calls (serial; busiest LP $up_path)" "$path (on $lps LPs)" \
		"$up_meta / $meta" >>"$table"
	[ "$meta" -le 2 ] && [ "$meta" -le "$up_meta" ] ||
		{ echo "bench_tdmr: $meta metadata calls, upstream $up_meta (at most 2 and upstream's)"; rc=1; }
	if [ "$tdmrs" -gt 1 ] && [ "$smp" -gt 1 ]; then
		[ "$path" -lt "$up_calls" ] || { echo "bench_tdmr: $smp CPUs: ours $path not below upstream's $up_calls"; rc=1; }
	else
		[ "$path" -le "$up_calls" ] || { echo "bench_tdmr: $smp CPUs: ours $path above upstream's $up_calls"; rc=1; }
	fi
	[ "$calls" -le "$up_calls" ] || { echo "bench_tdmr: ours made $calls calls, upstream $up_calls"; rc=1; }
	[ "$up_path" -le "$up_calls" ] || { echo "bench_tdmr: the emulator's path $up_path exceeds upstream's $up_calls calls"; rc=1; }
done
cat "$table"
exit $rc
