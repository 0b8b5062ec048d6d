#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh INITRAMFS LOG [SMP [APPEND]]: boot the test kernel under QEMU (TCG:
# there is no usable KVM here) and write the serial console to LOG. SMP is
# QEMU's -smp (default 2), APPEND more kernel command line. The guest ends
# the run itself with `reboot -f`; a stuck guest is killed after 20 minutes.
set -euo pipefail
. "$(dirname "$0")/env.sh"
kernel_dirs
need_kernel "$KDIR_TEST"

initrd=$1 log=$2 smp=${3:-2} append=${4:-}
timeout --foreground 1200 qemu-system-x86_64 \
	-machine q35 -cpu max -smp "$smp" -m 2048 \
	-kernel "$KDIR_TEST/arch/x86/boot/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 kmemleak=on $append" \
	-display none -serial "file:$log" -monitor none \
	-no-reboot </dev/null
