#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh INITRAMFS LOG [SMP [APPEND]]: boot the test kernel (or the bzImage
# $QEMU_KERNEL names) under QEMU (TCG: there is no usable KVM here) and
# write the serial console to LOG. SMP is
# QEMU's -smp (default 2), APPEND more kernel command line. QEMU_EXTRA holds
# more QEMU arguments, split at blanks (the "qemu:" line of
# scripts/platform.py boot); a -m among them replaces the default -m 2048.
# The guest ends the run itself with `reboot -f`; a stuck guest is killed
# after 20 minutes.
#
# QEMU_HOTPLUG=1: QEMU also gets a QMP socket, and scripts/hotplug.py runs
# next to it, adding a DIMM whenever the guest prints a request for one
# ("tdx_rs_hotplug: add NAME ..."); the kernel command line carries
# tdx_rs_hotplug=qmp so the guest's tests know someone answers.
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"
kernel_dirs
# QEMU_KERNEL: another bzImage (make check's host kernel boot).
kernel=${QEMU_KERNEL:-$KDIR_TEST/arch/x86/boot/bzImage}
[ -n "${QEMU_KERNEL:-}" ] || need_kernel "$KDIR_TEST"

initrd=$1 log=$2 smp=${3:-2} append=${4:-}
read -ra extra <<<"${QEMU_EXTRA:-}"
mem=(-m 2048)
for arg in "${extra[@]}"; do
	[ "$arg" != -m ] || mem=()
done
monitor=(-monitor none)
sock= driver=
cleanup() {
	[ -z "$driver" ] || kill "$driver" 2>/dev/null || true
	[ -z "$sock" ] || rm -f "$sock"
}
trap cleanup EXIT
if [ -n "${QEMU_HOTPLUG:-}" ]; then
	sock=$(mktemp -u "${TMPDIR:-/tmp}/tdx_rs_qmp.XXXXXX")
	monitor+=(-qmp "unix:$sock,server=on,wait=off")
	append+=" tdx_rs_hotplug=qmp"
	# The driver must never read an earlier boot's requests.
	rm -f "$log"
	python3 "$here/hotplug.py" "$sock" "$log" &
	driver=$!
fi
cmdline="console=ttyS0 panic=-1 loglevel=7 kmemleak=on $append"
# x86's COMMAND_LINE_SIZE is 2048 with the NUL: the kernel would cut the rest.
if [ ${#cmdline} -gt 2047 ]; then
	echo "qemu.sh: the kernel command line has ${#cmdline} bytes, more than x86's 2047" >&2
	exit 1
fi
timeout --foreground 1200 qemu-system-x86_64 \
	-machine q35 -cpu max -smp "$smp" "${mem[@]}" "${extra[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "$cmdline" \
	-display none -serial "file:$log" "${monitor[@]}" \
	-no-reboot </dev/null
