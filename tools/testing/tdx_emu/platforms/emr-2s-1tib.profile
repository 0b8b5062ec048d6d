# Emerald Rapids, 2 sockets, 1 TiB: a dstack host (Xeon Gold 6530 x 2) whose TDX boot log is
# published in the dstack-info tutorials. The module initialized on it (Ubuntu 6.8.0-1028-intel,
# which carries the CMR patches). Facts carry their source; "assumed" marks what no log gives.
# Ranges are [start, end).

name      emr-2s-1tib
source    https://github.com/dmvt/dstack-info src/content/tutorials/tdx-bios-configuration.md
source      (lastUpdated 2025-10-31), "Expected output (TDX enabled with attestation)":
source      "virt/tdx: BIOS enabled: private KeyID range [32, 64)", "TDX module: ...
source      major_version 1, minor_version 5, build_date 20240725, build_num 784", five
source      "virt/tdx: CMR:" lines, "4202516 KB allocated for PAMT", "module initialized";
source      and "x86/mktme: 63 KeyIDs available"
source    same repository, docs/SERVER_STATE_REFERENCE.md (snapshot 2025-12-09): "Kernel:
source      6.8.0-1028-intel", "CPU: 128 cores", "Memory: 1.0 TiB"
source    same repository, src/content/tutorials/tdx-hardware-verification.md: "model name :
source      INTEL(R) XEON(R) GOLD 6530"
source    https://github.com/intel/confidential-computing.tdx.tdx-module/releases/tag/TDX_MODULE_1.5.08
source      (TDX_MODULE_BUILD_DATE=20240725, TDX_MODULE_BUILD_NUM=784): build 784 is 1.5.08
cpu       Emerald Rapids (Xeon Gold 6530, 32 cores, 2 threads per core)
packages  2        # 128 LPs / (32 cores x 2 threads); the logs do not print the socket count
lps       128      # "CPU: 128 cores" (the server reference's count of CPUs)
keyids    31 32    # "private KeyID range [32, 64)" and "63 KeyIDs available"
module    1.5.08   # build_num 784, build_date 20240725
fms       0x6 0xcf 0x2   # Emerald Rapids is family 6, model 0xcf; assumed: stepping 2 (no
                         # smpboot line in the logs; the stepping Intel's allowed_fms lists)
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# CMRs, exactly the five "virt/tdx: CMR:" lines.
cmr       0x100000 0x77800000
cmr       0x100000000 0x407a000000
cmr       0x4080000000 0x807c000000
cmr       0x8080000000 0xc07c000000
cmr       0xc080000000 0x1007c000000

# RAM: no e820 is published for this host, so the System RAM is assumed to be the CMRs (no RAM
# outside a CMR, the conservative reading), plus the base memory below 1 MiB that every BIOS
# reports and no CMR covers. The real e820 below 2 GiB surely has ACPI and reserved holes inside
# the first CMR (compare emr-2s-fcp); they are unknown here, so this profile does not test them.
# Cross-check: 4202516 KB of PAMT is exactly what upstream allocates for five TDMRs covering
# 1024 GiB ([0, 2G) and the four blocks above 4 GiB rounded out to 1 GiB, 16-byte entries):
# the kernel's TDX memory fits those TDMRs, as this RAM does.
ram       0x0 0x9f000 0                  # assumed: base memory, as on emr-2s-fcp
ram       0x100000 0x77800000 0          # assumed = CMR (holes unknown)
ram       0x100000000 0x407a000000 0     # assumed = CMR
ram       0x4080000000 0x807c000000 1    # assumed = CMR
ram       0x8080000000 0xc07c000000 2    # assumed = CMR
ram       0xc080000000 0x1007c000000 3   # assumed = CMR

# NUMA: assumed, no SRAT in the logs. Four 256 GiB blocks on two sockets, each with its own
# reserved tail (96 MiB, then 64 MiB): the same pattern as emr-2s-fcp, read the same way (two
# dies per socket in SNC2, one node per block). With SNC off, nodes 0+1 and 2+3 merge.
node      0 0x0 0x80000000               # assumed: low memory up to the 2 GiB MMIO base
node      0 0x100000000 0x4080000000     # assumed
node      1 0x4080000000 0x8080000000    # assumed
node      2 0x8080000000 0xc080000000    # assumed
node      3 0xc080000000 0x10080000000   # assumed

# QEMU boots reproduce [0, 5 GiB): low memory and 1 GiB of node 0 above 4 GiB.
qemu      0x0 0x140000000
