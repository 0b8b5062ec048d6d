# A 2-socket Xeon host with 2 TiB (1 TiB per socket) where the module initialized (Ubuntu
# 6.8.0-1028-intel). The CPU model is not in the log; module 1.5.08 runs on Sapphire and
# Emerald Rapids. Its point: two TDMRs of about 1 TiB, 4 GiB of PAMT each.
# Facts carry their source; "assumed" marks what no log gives. Ranges are [start, end).

name      xeon-2s-2tib
source    https://github.com/canonical/tdx/issues/385 (opened 2025-06-30), host dmesg, kernel
source      6.8.0-1028-intel: "virt/tdx: BIOS enabled: private KeyID range [32, 64)", "TDX
source      module: ... major_version 1, minor_version 5, build_date 20240725, build_num 784",
source      three "virt/tdx: CMR:" lines, "8396820 KB allocated for PAMT", "module initialized"
source    https://github.com/intel/confidential-computing.tdx.tdx-module/releases/tag/TDX_MODULE_1.5.08
source      (TDX_MODULE_BUILD_DATE=20240725, TDX_MODULE_BUILD_NUM=784): build 784 is 1.5.08
cpu       Sapphire or Emerald Rapids (model not in the log)
packages  2        # assumed: two CMR blocks of about 1 TiB, one per socket
lps       128      # assumed: no count in the log (QEMU boots take their LPs from -smp anyway)
keyids    31 32    # "private KeyID range [32, 64)"
module    1.5.08   # build_num 784, build_date 20240725
fms       0x6 0x8f 0x8   # assumed: Sapphire Rapids stepping 8 (the log names neither the
                         # model nor the stepping; Emerald Rapids would be 0x6 0xcf 0x2)
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# CMRs, exactly the three "virt/tdx: CMR:" lines.
cmr       0x100000 0x77800000
cmr       0x100000000 0x1003e000000
cmr       0x10080000000 0x20040000000

# RAM: no e820 in the log; assumed to be the CMRs (no RAM outside a CMR), plus base memory below
# 1 MiB. The holes of the real e820 below 2 GiB are unknown.
# Cross-check: 8396820 KB of PAMT is exactly upstream's figure for three TDMRs, [0, 2G),
# [4G, 1025G) and [1026G, 2049G) (the blocks rounded out to 1 GiB, 16-byte entries).
ram       0x0 0x9f000 0                  # assumed: base memory, as on emr-2s-fcp
ram       0x100000 0x77800000 0          # assumed = CMR (holes unknown)
ram       0x100000000 0x1003e000000 0    # assumed = CMR
ram       0x10080000000 0x20040000000 1  # assumed = CMR

# NUMA: assumed, no SRAT in the log: one node per socket, one CMR block each.
node      0 0x0 0x80000000               # assumed: low memory up to the 2 GiB MMIO base
node      0 0x100000000 0x10080000000    # assumed
node      1 0x10080000000 0x20080000000  # assumed
