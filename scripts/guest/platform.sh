# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make check` ("platforms in QEMU"), one boot
# per real-machine profile QEMU reproduces (the emulator's platform and the
# guest's memory map and nodes come from scripts/platform.py): upstream's
# tdx_enable() on a fresh emulated TDX module, then ours on another fresh
# one. Prints each one's outcome, the emulator's report of what each
# configured, and which memory blocks sit on which node; the host judges
# (scripts/platforms.py).
set -u
. /guest-lib.sh
MEM=/sys/devices/system/memory

echo "guest: platform nodes online $(cat /sys/devices/system/node/online)"
echo "platform: block_size 0x$(cat $MEM/block_size_bytes)"
for node in /sys/devices/system/node/node[0-9]*; do
	blocks=$(ls -d "$node"/memory[0-9]* 2>/dev/null | sed 's/.*memory//' | sort -n)
	echo "platform: node ${node##*node}" $blocks
done

echo "guest: step: upstream's tdx_enable() on the emulated platform"
load tdx_emu
load tdx_rs_kvm_virt
out=$(insmod $M/tdx_rs_upstream_enable.ko 2>&1) && out=ok
echo "guest: platform upstream: $out"
sed 's/^/upstream-report: /' $E/report
[ "$out" != ok ] || unload tdx_rs_upstream_enable
unload tdx_rs_kvm_virt
unload tdx_emu

echo "guest: step: ours on a fresh emulated TDX module"
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs
# The planner's dry run before (the module not asked yet: no CMRs) and after.
sed 's/^/ours-plan-before: /' /sys/kernel/debug/tdx_host_rs/plan
out=$(insmod $M/tdx_rs_enable_once.ko 2>&1) && out=ok
sed 's/^/ours-plan-after: /' /sys/kernel/debug/tdx_host_rs/plan
echo "guest: platform ours: $out"
for f in state nr_tdmrs nr_reserved_areas pamt_kib; do
	echo "guest: platform sysfs $f $(cat /sys/kernel/tdx_host_rs/$f)"
done
sed 's/^/ours-report: /' $E/report
[ "$out" != ok ] || unload tdx_rs_enable_once
echo "guest: PLATFORM DONE"
