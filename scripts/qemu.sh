#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh INITRAMFS LOG [SMP [APPEND]]: boot the test kernel under QEMU (TCG:
# there is no usable KVM here) and write the serial console to LOG. SMP is
# QEMU's -smp (default 2), APPEND more kernel command line. The guest ends
# the run itself with `reboot -f`; a stuck guest is killed after 20 minutes.
#
# QEMU_HOTPLUG=1: QEMU also gets a QMP socket, and scripts/hotplug.py runs
# next to it, adding a DIMM whenever the guest prints a request for one
# ("tdx_rs_hotplug: add NAME ..."); the kernel command line carries
# tdx_rs_hotplug=qmp so the guest's tests know someone answers.
set -euo pipefail
here=$(dirname "$0")
. "$here/env.sh"
kernel_dirs
need_kernel "$KDIR_TEST"

initrd=$1 log=$2 smp=${3:-2} append=${4:-}
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
timeout --foreground 1200 qemu-system-x86_64 \
	-machine q35 -cpu max -smp "$smp" -m 2048 ${QEMU_EXTRA:-} \
	-kernel "$KDIR_TEST/arch/x86/boot/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 kmemleak=on $append" \
	-display none -serial "file:$log" "${monitor[@]}" \
	-no-reboot </dev/null
