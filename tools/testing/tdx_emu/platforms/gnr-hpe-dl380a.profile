# Granite Rapids (Xeon 6747P) in an HPE ProLiant DL380a Gen12: the machine of canonical/tdx#415,
# where upstream-style TDX initialization (Ubuntu 6.14.0-1009-intel, without the CMR patches)
# fails with "TDMR [0x40000000, 0x80000000): reserved areas exhausted" and the 24.04 kernel
# (with them) initializes. Facts carry their source; "assumed" marks what no public log gives.
#
# INCOMPLETE: the thread prints no CMRs (6.14 does not log them), no e820 and no SRAT, and no
# other public log of this machine was found. A CMR is never invented, so this profile has no
# cmr, ram or node lines and cannot be booted; it records what is known for when a log with
# "virt/tdx: CMR:" lines (e.g. the 24.04 kernel's dmesg of this host) appears.
#
# What the failure does tell (upstream's construct_tdmrs): one TDMR is exactly [1 GiB, 2 GiB),
# so a TDMR [0, 1 GiB) precedes it and the kernel's first TDX memory block ends at or below
# 1 GiB; and the System RAM holes in [1 GiB, 2 GiB), with any PAMT the kernel placed there,
# needed more reserved areas than the module allows per TDMR (16 on 1.5 modules; the 2.0.08
# value is not in the log).

name      gnr-hpe-dl380a
source    https://github.com/canonical/tdx/issues/415 (opened 2025-12-19, Ubuntu 25.04, kernel
source      6.14.0-1009-intel): "CPU: Intel Xeon 6747P (Granite Rapids)", "Server: HPE ProLiant
source      DL380a Gen12", "TDX Module: 2.0.08.00", and the log lines "virt/tdx: BIOS enabled:
source      private KeyID range [32, 64)", "virt/tdx: TDX module 2.0.08.00, build number 882,
source      build date 0134fed5", "virt/tdx: initialization failed: TDMR [0x40000000,
source      0x80000000): reserved areas exhausted.", "virt/tdx: module initialization failed (-28)";
source      "Using the 24.04 kernel does not have this problem (initializes)"
cpu       Granite Rapids (Xeon 6747P, 48 cores, 2 threads per core)
packages  2        # assumed: the DL380a Gen12 takes two processors; the thread does not say
lps       192      # assumed: 2 x 48 cores x 2 threads; the thread has no count
keyids    31 32    # "private KeyID range [32, 64)"
module    2.0.08   # "TDX module 2.0.08.00, build number 882"
fms       0x6 0xad 0x0   # Granite Rapids is family 6, model 0xad; assumed: stepping 0 (no
                         # smpboot line in the thread; the stepping Intel's allowed_fms lists)
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0
