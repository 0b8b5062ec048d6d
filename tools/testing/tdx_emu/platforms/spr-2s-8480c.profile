# Sapphire Rapids, 2 sockets, 256 GiB: a Xeon Platinum 8480C host from Intel's nightly test
# runs of canonical/tdx, where the module initialized (Ubuntu 6.8.0-1013-intel).
# Facts carry their source; "assumed" marks what no log gives. Ranges are [start, end).

name      spr-2s-8480c
source    https://github.com/canonical/tdx/issues/285 (opened 2024-11-25; the same log in issue
source      283 of 2024-11-22), kernel 6.8.0-1013-intel: "virt/tdx: BIOS enabled: private KeyID
source      range [64, 128)", "smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480CTDX (family: 0x6,
source      model: 0x8f, stepping: 0x8)", "TDX module: ... major_version 1, minor_version 5,
source      build_date 20240129, build_num 698", three "virt/tdx: CMR:" lines, "1050636 KB
source      allocated for PAMT", "module initialized", and a warning on "CPU: 131"
source    https://github.com/intel/confidential-computing.tdx.tdx-module/releases/tag/TDX_MODULE_1.5.05
source      (TDX_MODULE_BUILD_DATE=20240129, TDX_MODULE_BUILD_NUM=698): build 698 is 1.5.05
cpu       Sapphire Rapids (Xeon Platinum 8480C, 56 cores, 2 threads per core)
packages  2        # assumed: two CMR blocks of 128 GiB, one per socket; the log has no count
lps       224      # assumed: 2 x 56 cores x 2 threads; the log shows CPU 131 exists
keyids    63 64    # "private KeyID range [64, 128)": KeyIDs 1..=63 MKTME, 64..=127 TDX
module    1.5.05   # build_num 698, build_date 20240129
fms       0x6 0x8f 0x8   # "smpboot: CPU0: ... (family: 0x6, model: 0x8f, stepping: 0x8)"
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# CMRs, exactly the three "virt/tdx: CMR:" lines.
cmr       0x100000 0x77800000
cmr       0x100000000 0x206e000000
cmr       0x2080000000 0x4070000000

# RAM: no e820 in the log; assumed to be the CMRs (no RAM outside a CMR), plus base memory below
# 1 MiB. The holes of the real e820 below 2 GiB are unknown.
# Cross-check: 1050636 KB of PAMT is exactly upstream's figure for three TDMRs, [0, 2G),
# [4G, 130G) and [130G, 258G) (the blocks rounded out to 1 GiB, 16-byte entries).
ram       0x0 0x9f000 0                  # assumed: base memory, as on emr-2s-fcp
ram       0x100000 0x77800000 0          # assumed = CMR (holes unknown)
ram       0x100000000 0x206e000000 0     # assumed = CMR
ram       0x2080000000 0x4070000000 1    # assumed = CMR

# NUMA: assumed, no SRAT in the log: one node per socket, one CMR block each (Sapphire Rapids
# interleaves its four dies when SNC is off, which a single block per socket suggests).
node      0 0x0 0x80000000               # assumed: low memory up to the 2 GiB MMIO base
node      0 0x100000000 0x2080000000     # assumed
node      1 0x2080000000 0x4080000000    # assumed
