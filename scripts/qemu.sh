#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh INITRAMFS LOG [SMP [APPEND]]: boot the test kernel under QEMU (TCG:
# there is no usable KVM here) and write the serial console to LOG. SMP is
# QEMU's -smp (default 2), APPEND more kernel command line. QEMU_EXTRA holds
# more QEMU arguments, split at blanks (the "qemu:" line of
# scripts/platform.py boot); a -m among them replaces the default -m 2048.
# The guest ends the run itself with `reboot -f`; a stuck guest is killed
# after 20 minutes.
set -euo pipefail
. "$(dirname "$0")/env.sh"
kernel_dirs
need_kernel "$KDIR_TEST"

initrd=$1 log=$2 smp=${3:-2} append=${4:-}
read -ra extra <<<"${QEMU_EXTRA:-}"
mem=(-m 2048)
for arg in "${extra[@]}"; do
	[ "$arg" != -m ] || mem=()
done
cmdline="console=ttyS0 panic=-1 loglevel=7 kmemleak=on $append"
# x86's COMMAND_LINE_SIZE is 2048 with the NUL: the kernel would cut the rest.
if [ ${#cmdline} -gt 2047 ]; then
	echo "qemu.sh: the kernel command line has ${#cmdline} bytes, more than x86's 2047" >&2
	exit 1
fi
timeout --foreground 1200 qemu-system-x86_64 \
	-machine q35 -cpu max -smp "$smp" "${mem[@]}" "${extra[@]}" \
	-kernel "$KDIR_TEST/arch/x86/boot/bzImage" -initrd "$initrd" \
	-append "$cmdline" \
	-display none -serial "file:$log" -monitor none \
	-no-reboot </dev/null
