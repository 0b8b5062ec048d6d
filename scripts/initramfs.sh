#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT.cpio.gz GUEST_SCRIPT [MODULE.ko ...]
# A busybox-static initramfs whose /init mounts the usual file systems, runs
# GUEST_SCRIPT with the modules under /modules and scripts/guest/lib.sh as
# /guest-lib.sh, scans for leaks (kmemleak) and powers the VM off.
# Files or directories named in $INITRAMFS_FILES ("SRC:/DEST ...") are added
# too.
set -euo pipefail

out=$1 script=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,sbin,proc,sys,dev,tmp,modules}
cp /bin/busybox "$tmp/bin/busybox"
for app in $("$tmp/bin/busybox" --list); do
	[ -e "$tmp/bin/$app" ] || ln -s busybox "$tmp/bin/$app"
done
for ko in "$@"; do
	cp "$ko" "$tmp/modules/"
done
cp "$script" "$tmp/guest.sh"
cp "$(dirname "$0")/guest/lib.sh" "$tmp/guest-lib.sh"
for pair in ${INITRAMFS_FILES:-}; do
	mkdir -p "$(dirname "$tmp/${pair#*:}")"
	cp -r "${pair%%:*}" "$tmp/${pair#*:}"
done
cat > "$tmp/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# What udev would add: kselftest's runner writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do ln -sf "/proc/self/fd/${i%:*}" "/dev/${i#*:}"; done
mount -t debugfs debugfs /sys/kernel/debug
echo "guest: start"
echo clear > /sys/kernel/debug/kmemleak 2>/dev/null
sh /guest.sh
echo "guest: exit status $?"
# Every boot ends with a leak scan; kmemleak skips objects under 5 s old.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
	echo "guest: kmemleak scan done"
fi
sync
reboot -f
INIT
chmod +x "$tmp/init" "$tmp/guest.sh"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
