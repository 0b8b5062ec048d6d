# A 2-socket Xeon host whose CMRs are sparse: 128 GiB at [4 GiB, 128 GiB), 128 GiB at
# [256 GiB, 384 GiB), and a lone 2 GiB block at [512 GiB, 514 GiB). The module initialized
# (Rocky Linux 9.4 host, kernel 6.6.0-rc2 with Intel's TDX host patches). The CPU model is not
# in the log; module 1.5.05 runs on Sapphire and Emerald Rapids.
# Facts carry their source; "assumed" marks what no log gives. Ranges are [start, end).

name      xeon-2s-sparse
source    https://github.com/intel/tdx-linux/issues/5 (opened 2024-11-12), the host's
source      "dmesg |grep -i tdx": "virt/tdx: BIOS enabled: private KeyID range [32, 64)", "TDX
source      module: ... major_version 1, minor_version 5, build_date 20240129, build_num 698",
source      four "virt/tdx: CMR:" lines, "1050644 KBs allocated for PAMT", "module initialized"
source    https://github.com/intel/confidential-computing.tdx.tdx-module/releases/tag/TDX_MODULE_1.5.05
source      (TDX_MODULE_BUILD_DATE=20240129, TDX_MODULE_BUILD_NUM=698): build 698 is 1.5.05
cpu       Sapphire or Emerald Rapids (model not in the log)
packages  2        # assumed: two 128 GiB CMR groups in separate 256 GiB windows, one per socket
lps       128      # assumed: no count in the log (QEMU boots take their LPs from -smp anyway)
keyids    31 32    # "private KeyID range [32, 64)"
module    1.5.05   # build_num 698, build_date 20240129
fms       0x6 0x8f 0x8   # assumed: Sapphire Rapids stepping 8 (the log names neither the
                         # model nor the stepping; Emerald Rapids would be 0x6 0xcf 0x2)
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# CMRs, exactly the four "virt/tdx: CMR:" lines.
cmr       0x100000 0x77800000
cmr       0x100000000 0x1ffe000000
cmr       0x4000000000 0x6000000000
cmr       0x8000000000 0x8080000000

# RAM: no e820 in the log; assumed to be the CMRs (no RAM outside a CMR), plus base memory below
# 1 MiB. The holes of the real e820 below 2 GiB are unknown.
# Cross-check, not fully explained: four TDMRs rounded out from these blocks ([0, 2G),
# [4G, 128G), [256G, 384G), [512G, 514G)) give 1050640 KB of PAMT by upstream's rule; the log
# says 1050644 KB, 4 KB more: one more TDMR over the same 1 GiB-rounded ranges, i.e. the
# kernel's TDX memory blocks were split at some 1 GiB boundary (a node boundary or a hole this
# log does not show), or that out-of-tree kernel counted differently.
ram       0x0 0x9f000 0                  # assumed: base memory, as on emr-2s-fcp
ram       0x100000 0x77800000 0          # assumed = CMR (holes unknown)
ram       0x100000000 0x1ffe000000 0     # assumed = CMR
ram       0x4000000000 0x6000000000 1    # assumed = CMR
ram       0x8000000000 0x8080000000 0    # assumed = CMR; node 0: see below

# NUMA: assumed, no SRAT in the log. Socket 0 owns [0, 256 GiB) and socket 1 [256 GiB, 512 GiB);
# the 2 GiB block at 512 GiB is taken as socket 0's memory displaced by the 2-4 GiB MMIO hole
# (2 + 124 + 2 = 128 GiB, the size of socket 1's block), so node 0 is split in three spans.
node      0 0x0 0x80000000               # assumed: low memory up to the 2 GiB MMIO base
node      0 0x100000000 0x2000000000     # assumed
node      1 0x4000000000 0x6000000000    # assumed
node      0 0x8000000000 0x8080000000    # assumed
