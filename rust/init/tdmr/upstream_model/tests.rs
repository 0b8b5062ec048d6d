// SPDX-License-Identifier: GPL-2.0

//! The upstream model on hand-made maps whose outcome is derived by hand, in
//! the comments, from upstream's code (not from the model).

use super::*;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
const LIMITS: Limits = Limits {
    max_tdmrs: 64,
    max_reserved_per_tdmr: 16,
    pamt_entry_size: [16; 3],
};

fn blk(start: u64, end: u64, nid: i32) -> MemBlock {
    MemBlock { start, end, nid }
}

fn r(base: u64, end: u64) -> Range {
    Range {
        base,
        size: end - base,
    }
}

/// Memblock with the usual page below 640 KiB, then `rest`.
fn machine(rest: &[MemBlock]) -> Vec<MemBlock> {
    let mut v = vec![blk(0x1000, 0x9f000, 0)];
    v.extend_from_slice(rest);
    v
}

#[test]
fn kernel_align_is_the_mask_macro() {
    // Powers of two: a rounding up.
    assert_eq!(kernel_align(5, 4), 8);
    assert_eq!(kernel_align(0x100000, 0x1000), 0x100000);
    // 1027 = 0x403, mask 0x402: (0x100000 + 0x402) & !0x402 = 0x100000,
    // not the multiple of 1027 above it (1021 * 1027 = 0x10003f).
    assert_eq!(kernel_align(0x100000, 1027), 0x100000);
    // 2053 = 0x805, mask 0x804: 0x100805 & !0x804 = 0x100001.
    assert_eq!(kernel_align(0x100001, 2053), 0x100001);
}

/// RAM [1M, 2G) and [4G, 6G) on one node: TDMRs [0, 2G) and [4G, 6G), each
/// 2 GiB, so each PAMT is 2 GiB / 4 KiB * 16 = 8 MiB, plus 1024 * 16 =
/// 16 KiB, plus one 4 KiB page for the 1G table: 2053 pages (0x805000).
///
/// PAMT 0: node 0's zonelist starts with NORMAL, which spans [4G, 6G)
/// (pfn 0x100000). ALIGN(0x100000, 2053) = 0x100000: PAMT 0 at 4 GiB.
///
/// PAMT 1: the same first candidate overlaps PAMT 0. The next one is
/// pfn 0x100805, right after PAMT 0, but its first pageblock
/// [0x100800000, 0x100a00000) holds PAMT 0's last pages: isolation fails.
/// The next, 0x100805 + 2053 = 0x10100a, is free: PAMT 1 at 0x10100a000.
///
/// Reserved areas: TDMR 0 has the hole [0, 1M) only (the PAMTs are above
/// 4 GiB); TDMR 1 has no hole and both PAMTs, not merged: 2 areas.
#[test]
fn two_tdmrs_one_node_hand_derived() {
    let mb = machine(&[blk(MIB, 2 * GIB, 0), blk(4 * GIB, 6 * GIB, 0)]);
    let plan = plan(&mb, &LIMITS).unwrap();
    let spans: Vec<_> = plan.iter().map(|t| (t.base, t.end())).collect();
    assert_eq!(spans, [(0, 2 * GIB), (4 * GIB, 6 * GIB)]);
    assert_eq!(plan[0].pamt, r(4 * GIB, 4 * GIB + 0x805000));
    assert_eq!(plan[1].pamt, r(0x1_0100_a000, 0x1_0100_a000 + 0x805000));
    assert_eq!(plan[0].reserved, [r(0, MIB)]);
    assert_eq!(plan[1].reserved, [plan[0].pamt, plan[1].pamt]);
    let s = summarize(&plan, &mb, &LIMITS);
    assert_eq!(
        s,
        UpSummary {
            tdmrs: 2,
            worst_reserved: 2,
            pamt_kib: 2 * 0x805000 / 1024,
            pamt_below_4g: 0,
            foreign_pamt_bytes: 0,
        }
    );
}

/// A block straddling 1 GiB, as on the Granite Rapids of canonical/tdx#415:
/// blocks A = [1M, 0x30000000) and B = [0x30100000, 0x60000000).
/// A gives TDMR [0, 1G). B aligned out is [0, 2G); the part not covered yet
/// starts at 1G: TDMR [1G, 2G). Holes of TDMR 0: [0, 1M) before A and
/// [0x30000000, 0x30100000) between A and B; B runs past 1G, so no tail.
/// TDMR 1: A ends below 1G and is skipped, B starts before the TDMR (no
/// head hole), the tail [0x60000000, 2G) is a hole. No memory above 4 GiB:
/// the PAMTs go to DMA32, scanning up from its start, pfn 0x1000 (16 MiB).
/// Each PAMT is 1027 pages (0x403000). PAMT 0: ALIGN(0x1000, 1027) =
/// (0x1000 + 0x402) & !0x402 = 0x1000, 16 MiB. PAMT 1: step 1 (pfn 0x1403)
/// starts in PAMT 0's last pageblock; step 2, pfn 0x1806, is free. Both
/// PAMTs lie inside TDMR 0: 2 more areas there.
#[test]
fn straddling_block_gets_a_tdmr_from_the_last_end() {
    let mb = machine(&[blk(MIB, 0x3000_0000, 0), blk(0x3010_0000, 0x6000_0000, 0)]);
    let plan = plan(&mb, &LIMITS).unwrap();
    let spans: Vec<_> = plan.iter().map(|t| (t.base, t.end())).collect();
    assert_eq!(spans, [(0, GIB), (GIB, 2 * GIB)]);
    assert_eq!(plan[0].pamt, r(16 * MIB, 16 * MIB + 0x403000));
    assert_eq!(plan[1].pamt, r(0x180_6000, 0x180_6000 + 0x403000));
    assert_eq!(
        plan[0].reserved,
        [
            r(0, MIB),
            plan[0].pamt,
            plan[1].pamt,
            r(0x3000_0000, 0x3010_0000)
        ]
    );
    assert_eq!(plan[1].reserved, [r(0x6000_0000, 2 * GIB)]);
    let s = summarize(&plan, &mb, &LIMITS);
    assert_eq!(s.pamt_below_4g, 2 * 0x403000);
}

/// A block [1M, 1200M) running past 1 GiB, so one TDMR [0, 2G) covers it
/// (a block that *starts* below 1 GiB and ends above it after a TDMR
/// [0, 1G) would split the range in two), then 15 blocks of 20 MiB, each
/// after a 4 KiB hole, up to 1500M: the head hole [0, 1M), 15 holes between
/// blocks and the tail hole [1500M, 2G) make 17 areas. With RAM at
/// [4G, 8G) the PAMT goes above 4 GiB and adds none. 16 allowed: upstream
/// fails on TDMR 0 with the line canonical/tdx#135 reports.
#[test]
fn seventeen_holes_exhaust_sixteen_areas() {
    let mut rest = vec![blk(MIB, 1200 * MIB, 0)];
    for i in 0..15 {
        let start = 1200 * MIB + i * 20 * MIB;
        rest.push(blk(start + 0x1000, start + 20 * MIB, 0));
    }
    rest.push(blk(4 * GIB, 8 * GIB, 0));
    let mb = machine(&rest);
    let err = plan(&mb, &LIMITS).unwrap_err();
    assert_eq!(
        err,
        UpError::ReservedExhausted {
            tdmr: 0,
            base: 0,
            end: 2 * GIB
        }
    );
    assert_eq!(
        err.to_string(),
        "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."
    );
    // 17 allowed: exactly 17 in TDMR 0; TDMR 1 has the two PAMTs.
    let limits = Limits {
        max_reserved_per_tdmr: 17,
        ..LIMITS
    };
    let plan = plan(&mb, &limits).unwrap();
    assert_eq!(plan[0].reserved.len(), 17);
    assert_eq!(summarize(&plan, &mb, &limits).worst_reserved, 17);
}

/// Node 1 has 4 MiB at [8G, 8G + 4M): its TDMR [8G, 9G) needs a 1027-page
/// PAMT, more than node 1's NORMAL zone spans, so the scan falls back to
/// node 0's NORMAL [4G, 8G), where PAMT 0 (2053 pages) sits at 4G and
/// PAMT 1 (4 GiB TDMR: 4105 pages) at 0x101009000 (the first step past
/// PAMT 0's pageblocks). Scanning for 1027 pages from 0x100000: step 3
/// (0x100c09) is the first whose pageblock is past PAMT 0, but it runs
/// into PAMT 1; the first pageblock past PAMT 1 (ends 0x102012000) is
/// 0x102200000, reached at step 9: pfn 0x10241b. The PAMT is on node 0 and
/// describes node 1's 4 MiB: 4 MiB * 16 / 4 KiB = 16384 bytes at 4K,
/// 4 MiB * 16 / 2 MiB = 32 at 2M, 4 MiB * 16 / 1 GiB = 0 (a share of one
/// entry, rounded down) at 1G: 16416 bytes.
#[test]
fn pamt_falls_back_to_another_node() {
    let mb = machine(&[
        blk(MIB, 2 * GIB, 0),
        blk(4 * GIB, 8 * GIB, 0),
        blk(8 * GIB, 8 * GIB + 4 * MIB, 1),
    ]);
    let plan = plan(&mb, &LIMITS).unwrap();
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[1].pamt.base, 0x1_0100_9000);
    assert_eq!(plan[2].pamt, r(0x1_0241_b000, 0x1_0241_b000 + 0x403000));
    assert_eq!(plan[2].pamt_nid, 0);
    assert_eq!(plan[2].reserved, [r(8 * GIB + 4 * MIB, 9 * GIB)]);
    assert_eq!(plan[1].reserved.len(), 3);
    let s = summarize(&plan, &mb, &LIMITS);
    assert_eq!(s.foreign_pamt_bytes, 16384 + 32);
}

/// `build_zonelists()` for four nodes at one distance: after the local
/// node, nodes above it come first (nodes below pay the "below us" penalty
/// of `find_next_best_node()`), lowest first: a round robin. (`node_load`
/// only breaks ties that one distance never leaves open.)
#[test]
fn fallback_orders_round_robin() {
    assert_eq!(
        node_orders(&[0, 1, 2, 3]),
        [
            (0, vec![0, 1, 2, 3]),
            (1, vec![1, 2, 3, 0]),
            (2, vec![2, 3, 0, 1]),
            (3, vec![3, 0, 1, 2]),
        ]
    );
}

/// Touching e820 ranges of one node become one memblock region; a node
/// change splits; ragged ends are trimmed to pages.
#[test]
fn memblock_merges_touching_ranges_of_one_node() {
    let ram = [
        blk(0x10_0000, 0x20_0000, 0),
        blk(0, 0x9fc00, 0),
        blk(0x20_0000, 0x40_0000, 0),
        blk(0x40_0000, 0x80_0000, 1),
    ];
    assert_eq!(
        memblock_from_ram(&ram),
        [
            blk(0, 0x9f000, 0),
            blk(0x10_0000, 0x40_0000, 0),
            blk(0x40_0000, 0x80_0000, 1)
        ]
    );
}

/// Too many TDMRs: fill_out_tdmrs() fails creating the one past the limit.
#[test]
fn tdmrs_exhausted() {
    let mb = machine(&[
        blk(MIB, GIB, 0),
        blk(2 * GIB, 3 * GIB, 0),
        blk(4 * GIB, 5 * GIB, 0),
    ]);
    let two = Limits {
        max_tdmrs: 2,
        ..LIMITS
    };
    assert_eq!(plan(&mb, &two), Err(UpError::TdmrsExhausted));
    let three = Limits {
        max_tdmrs: 3,
        ..LIMITS
    };
    assert_eq!(plan(&mb, &three).unwrap().len(), 3);
}
