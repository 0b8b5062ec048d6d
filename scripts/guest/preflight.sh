# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `scripts/preflight.sh qemu`: the pre-flight
# check live (/tdx-preflight, built static) after tdx_host_rs initialized the
# emulated TDX module, then on a recording of the same host (--root): both
# must reach the same verdicts. The host judges. tdx_host_rs stays loaded:
# an initialized TDX module pins it.
set -u
. /guest-lib.sh
load tdx_emu
load tdx_rs_kvm_virt
load tdx_host_rs init_at_load=1
echo "guest: preflight state $(cat /sys/kernel/tdx_host_rs/state)"
/tdx-preflight >/tmp/live
echo "guest: preflight live exit $?"
sed 's/^/preflight-live: /' /tmp/live

R=/tmp/rec
mkdir -p $R/proc
cp /proc/cpuinfo $R/proc/cpuinfo
cp /proc/iomem $R/proc/iomem
dmesg >$R/dmesg
for f in kernel/tdx_host_rs/state kernel/tdx_host_rs/module_version \
	 module/kvm/parameters/enable_virt_at_load module/kvm_intel/parameters/ept \
	 class/misc/kvm/dev; do
	if [ -r /sys/$f ]; then
		mkdir -p "$R/sys/$(dirname $f)"
		cat /sys/$f >"$R/sys/$f"
	fi
done
mkdir -p $R/sys/module
/tdx-preflight --root $R >/tmp/rec.out
echo "guest: preflight recorded exit $?"
sed 's/^/preflight-recorded: /' /tmp/rec.out
echo "guest: PREFLIGHT DONE"
