# Emerald Rapids, 2 sockets, Intel Fox Creek Pass: the machine of canonical/tdx#135, where
# upstream's TDX initialization fails with "TDMR [0x0, 0x80000000): reserved areas exhausted".
# Facts below carry their source; "assumed" marks what no public log gives.
# Ranges are [start, end).

name      emr-2s-fcp
source    https://github.com/canonical/tdx/issues/135 (opened 2024-06-06, kernel 6.8.0-1004-intel,
source      BIOS 01.02.0001): "virt/tdx: BIOS enabled: private KeyID range [32, 64)", "TDX module:
source      ... major_version 1, minor_version 5, build_date 20231008, build_num 595", the five
source      "virt/tdx: CMR:" lines, then "initialization failed: TDMR [0x0, 0x80000000): reserved
source      areas exhausted" and "module initialization failed (-28)"
source    same thread, reporter's comment of 2024-06-14: with the CMR patches (kernel 6.9.0-rc5+)
source      and an upgraded module "the TDX module does initialize now"
source    Kai Huang, "[PATCH v8 8/9] x86/virt/tdx: Reduce TDMR's reserved areas by using CMRs to
source      find memory holes", linux-kernel, 2024-11-13 (Message-ID
source      <23bb421e9bf5443a823e163fb2d899760d9f14a3.1731498635.git.kai.huang@intel.com>, Link:
source      canonical/tdx issue 135): "[1] BIOS-E820 table of the problematic platform" (every entry
source      from 0 to 0x8fffffff, the rest elided as "......") and "[2] Convertible Memory
source      Regions" (the same five CMRs); first posted as v1 on 2024-06-16
source    https://github.com/intel/confidential-computing.tdx.tdx-module/releases/tag/TDX_MODULE_1.5.01
source      (TDX_MODULE_BUILD_DATE=20231008, TDX_MODULE_BUILD_NUM=595): build 595 is 1.5.01
cpu       Emerald Rapids (5th Gen Xeon Scalable); the SKU is not in the thread
packages  2        # assumed: Fox Creek Pass is Intel's 2-socket server board; the log has no count
lps       128      # assumed: the log has no count and the SKU is unknown; 2 x 32 cores x 2
                   # threads is a guess (QEMU boots take their LPs from -smp anyway)
keyids    31 32    # "private KeyID range [32, 64)": KeyIDs 1..=31 MKTME, 32..=63 TDX
module    1.5.01   # build_num 595, build_date 20231008 (the 6.8 kernel prints no update number)
fms       0x6 0xcf 0x2   # Emerald Rapids is family 6, model 0xcf; assumed: stepping 2 (no
                         # smpboot line in the logs; the stepping Intel's allowed_fms lists)
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# CMRs, exactly the five "virt/tdx: CMR:" lines of #135 (identical in the patch's [2]).
cmr       0x100000 0x6f800000
cmr       0x100000000 0x107a000000
cmr       0x1080000000 0x207c000000
cmr       0x2080000000 0x307c000000
cmr       0x3080000000 0x407c000000

# RAM below 2 GiB: every "usable" entry of the patch's BIOS-E820 table [1], in order, with the
# entries between them as comments. Sixteen usable ranges sit in [1 MiB, 2 GiB): upstream's
# TDMR [0, 2 GiB) needs a reserved area for [0, 1 MiB) (upstream skips memory below 1 MiB),
# the 15 gaps between them, and [0x6f800000, 2 GiB): 17, one more than the 16 the module allows.
# Finding: [0, 0x9f000) is e820 usable but outside every CMR (the first CMR starts at 1 MiB;
# BIOSes offer "Disable excluding Mem below 1MB in CMR", see canonical/tdx#382). Kept as is.
ram       0x0 0x9f000 0
#         0x9f000 0x100000   e820 reserved
ram       0x100000 0x5d169000 0
#         0x5d169000 0x5d22b000   e820 ACPI data
ram       0x5d22b000 0x5d3cf000 0
#         0x5d3cf000 0x5d46a000   e820 reserved
ram       0x5d46a000 0x5e5b3000 0
#         0x5e5b3000 0x5e5c3000   e820 reserved
ram       0x5e5c3000 0x5e5d3000 0
#         0x5e5d3000 0x5e5e5000   e820 reserved
ram       0x5e5e5000 0x5eb58000 0
#         0x5eb58000 0x61358000   e820 ACPI NVS
ram       0x61358000 0x6172b000 0
#         0x6172b000 0x61795000   e820 ACPI data
ram       0x61795000 0x617ff000 0
#         0x617ff000 0x61913000   e820 ACPI data
ram       0x61913000 0x61999000 0
#         0x61999000 0x619e0000   e820 ACPI data
ram       0x619e0000 0x619e2000 0
#         0x619e2000 0x619ea000   e820 reserved
ram       0x619ea000 0x61a27000 0
#         0x61a27000 0x61baf000   e820 ACPI data
ram       0x61baf000 0x623c3000 0
#         0x623c3000 0x62472000   e820 reserved
ram       0x62472000 0x62824000 0
#         0x62824000 0x63a25000   e820 reserved
ram       0x63a25000 0x63d58000 0
#         0x63d58000 0x64158000   e820 reserved
ram       0x64158000 0x64159000 0
#         0x64159000 0x64195000   e820 reserved
ram       0x64195000 0x6e9cf000 0
#         0x6e9cf000 0x6eccf000   e820 reserved
#         0x6eccf000 0x6f6ff000   e820 ACPI NVS
#         0x6f6ff000 0x6f7ff000   e820 ACPI data
ram       0x6f7ff000 0x6f800000 0
#         0x6f800000 0x90000000   e820 reserved

# RAM above 4 GiB: assumed to be exactly the four CMRs above 4 GiB. The patch elides the e820
# past 0x8fffffff and the thread has no full dmesg. Each CMR block ends 96 or 64 MiB short of
# where the next one starts; those tails are taken as e820 reserved, so no RAM lies outside a CMR
# (the conservative reading: RAM wider than the CMRs would only make TDX memory fail the CMR
# check). Between 0x90000000 and 4 GiB: assumed MMIO, no RAM (as on every Xeon e820 seen).
ram       0x100000000 0x107a000000 0     # assumed = CMR
ram       0x1080000000 0x207c000000 1    # assumed = CMR
ram       0x2080000000 0x307c000000 2    # assumed = CMR
ram       0x3080000000 0x407c000000 3    # assumed = CMR

# NUMA: assumed, the thread has no SRAT or "node N: [mem" lines. Four 64 GiB blocks on two
# sockets, each block with its own reserved tail: read as two dies per socket in SNC2, one node
# per block (node 0 also owns the memory below 4 GiB). With SNC off, nodes 0+1 and 2+3 would
# merge; four nodes is the stricter case for a planner that splits TDMRs at node boundaries.
node      0 0x0 0x80000000               # assumed: low memory up to the 2 GiB MMIO base
node      0 0x100000000 0x1080000000     # assumed
node      1 0x1080000000 0x2080000000    # assumed
node      2 0x2080000000 0x3080000000    # assumed
node      3 0x3080000000 0x4080000000    # assumed

# QEMU boots reproduce [0, 5 GiB): the 17 holes below 2 GiB that exhaust upstream's reserved
# areas, and 1 GiB of node 0 above 4 GiB.
qemu      0x0 0x140000000
