// SPDX-License-Identifier: GPL-2.0

//! Tests of the memory list ([`normalize`]), the CMR checks, and the
//! reserved areas where CMRs and memory differ.

use super::test_util::*;
use super::*;

#[test]
fn normalize_sorts_joins_one_node_and_drops_empty_pieces() {
    let mut mem = vec![
        blk(4 * GIB, 6 * GIB, 1),
        blk(MIB, 2 * GIB, 0),
        blk(2 * GIB, 4 * GIB, 0),
        blk(6 * GIB, 6 * GIB, 1),
        blk(6 * GIB, 8 * GIB, 1),
        blk(8 * GIB, 9 * GIB, 0),
        blk(9 * GIB, 9 * GIB, 3),
        blk(10 * GIB, 11 * GIB, -1),
    ];
    let n = normalize(&mut mem).unwrap();
    assert_eq!(
        mem[..n],
        [
            blk(MIB, 4 * GIB, 0),
            blk(4 * GIB, 8 * GIB, 1),
            blk(8 * GIB, 9 * GIB, 0),
            blk(10 * GIB, 11 * GIB, -1),
        ]
    );
    let mut none: [MemBlock; 0] = [];
    assert_eq!(normalize(&mut none), Ok(0));
}

#[test]
fn interleaved_node_spans_are_refused() {
    // Node 0 spans [0, 12G) with node 1's [4G, 8G) inside: the kernel
    // walk reports [4G, 8G) for both (rust/glue/kernel.c).
    let mut mem = vec![
        blk(0, 4 * GIB, 0),
        blk(4 * GIB, 8 * GIB, 0),
        blk(4 * GIB, 8 * GIB, 1),
        blk(8 * GIB, 12 * GIB, 0),
    ];
    assert_eq!(
        normalize(&mut mem),
        Err(PlanError::NodesOverlap {
            start: 4 * GIB,
            end: 8 * GIB,
            nid: 0,
            other: 1
        })
    );
    let mut mem = vec![blk(2 * GIB, 3 * GIB, 1), blk(0, 8 * GIB, 0)];
    assert_eq!(
        normalize(&mut mem),
        Err(PlanError::NodesOverlap {
            start: 2 * GIB,
            end: 3 * GIB,
            nid: 0,
            other: 1
        })
    );
}

#[test]
fn bad_cmr_lists_are_refused_and_empty_entries_skipped() {
    let mem = [blk(MIB, GIB, 0)];
    let mut out = [Tdmr::EMPTY; 2];
    for bad in [
        vec![cmr(GIB, 2 * GIB), cmr(0, GIB - 4096)],
        vec![cmr(0, GIB), cmr(GIB - 4096, 2 * GIB)],
        vec![cmr(0, GIB), Range { base: 0, size: 1 }],
        vec![Range {
            base: MAX_PHYS_ADDR,
            size: 4096,
        }],
    ] {
        assert_eq!(
            cover(&mem, &bad, &LIMITS, &mut out),
            Err(PlanError::InvalidCmrs),
            "{bad:x?}"
        );
    }
    let with_empty = [Range::default(), cmr(0, GIB), Range::default()];
    assert_eq!(cover(&mem, &with_empty, &LIMITS, &mut out), Ok(1));
}

#[test]
fn memory_outside_the_cmrs_is_named() {
    let mem = [blk(MIB, 2 * GIB, 0), blk(4 * GIB, 8 * GIB, 0)];
    let mut out = [Tdmr::EMPTY; 4];
    let cmrs = [
        cmr(MIB, GIB),
        cmr(GIB, GIB + 512 * MIB),
        cmr(GIB + 768 * MIB, 2 * GIB),
        cmr(4 * GIB, 8 * GIB),
    ];
    assert_eq!(
        cover(&mem, &cmrs, &LIMITS, &mut out),
        Err(PlanError::OutsideCmrs {
            start: GIB + 512 * MIB,
            end: GIB + 768 * MIB
        })
    );
    // The range runs on across blocks that touch, up to the next CMR.
    let mem = [
        blk(MIB, GIB, 0),
        blk(GIB, 2 * GIB, 1),
        blk(4 * GIB, 5 * GIB, 1),
    ];
    let cmrs = [cmr(MIB, 512 * MIB), cmr(4 * GIB, 5 * GIB)];
    assert_eq!(
        cover(&mem, &cmrs, &LIMITS, &mut out),
        Err(PlanError::OutsideCmrs {
            start: 512 * MIB,
            end: 2 * GIB
        })
    );
    let cmrs = [cmr(MIB, 512 * MIB), cmr(GIB + 4096, 5 * GIB)];
    assert_eq!(
        cover(&mem, &cmrs, &LIMITS, &mut out),
        Err(PlanError::OutsideCmrs {
            start: 512 * MIB,
            end: GIB + 4096
        })
    );
    assert_eq!(
        cover(&mem, &[], &LIMITS, &mut out),
        Err(PlanError::OutsideCmrs {
            start: MIB,
            end: 2 * GIB
        })
    );
    // populate_reserved checks it again.
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(4 * GIB, &LIMITS);
    t[1].set_pamt(5 * GIB - 64 * MIB, &LIMITS);
    assert_eq!(
        populate_reserved(&mut t, &mem, &cmrs[..1], &LIMITS),
        Err(PlanError::OutsideCmrs {
            start: 512 * MIB,
            end: 2 * GIB
        })
    );
}

/// Memory below 4 GiB from 1 MiB, with `holes` firmware holes of 1 MiB
/// every 50 MiB from 1100 MiB, all inside one CMR [1M, 2G); 4 GiB above
/// 4 GiB for the PAMTs. The first block runs past 1 GiB: one TDMR [0, 2G).
fn firmware_holes(holes: u64) -> (Vec<MemBlock>, Vec<Range>) {
    let mut mem = Vec::new();
    let mut at = MIB;
    for i in 0..holes {
        let hole = 1100 * MIB + i * 50 * MIB;
        mem.push(blk(at, hole, 0));
        at = hole + MIB;
    }
    mem.push(blk(at, 2 * GIB, 0));
    mem.push(blk(4 * GIB, 8 * GIB, 0));
    (mem, vec![cmr(MIB, 2 * GIB), cmr(4 * GIB, 8 * GIB)])
}

#[test]
fn holes_inside_cmrs_need_no_area() {
    // canonical/tdx#135's shape: TDMR [0, 2G) with 17 holes upstream.
    let (mem, cmrs) = firmware_holes(16);
    let mut t = plan_with(&mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, 2 * GIB), (4 * GIB, 8 * GIB)]);
    let (p0, p1) = (t[0].pamt_total(&LIMITS), t[1].pamt_total(&LIMITS));
    t[0].set_pamt(8 * GIB - p0, &LIMITS);
    t[1].set_pamt(8 * GIB - p0 - p1, &LIMITS);
    // With every hole outside the CMRs (upstream's view): 17 areas.
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::TooManyReserved {
            tdmr: 0,
            start: 0,
            end: 2 * GIB,
            needed: 17,
            max: 16
        })
    );
    populate_reserved(&mut t, &mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(abs_reserved(&t[0]), [(0, MIB)], "only the first MiB");
    assert_eq!(
        abs_reserved(&t[1]),
        [(8 * GIB - p0 - p1, 8 * GIB)],
        "both PAMTs, one area"
    );
}

#[test]
fn outside_cmr_bytes_are_reserved_and_joined_across_convertible_holes() {
    // A hole [100M, 200M) in memory; the CMRs leave [110M, 120M) and
    // [130M, 140M) out of it.
    let mem = [blk(MIB, 100 * MIB, 0), blk(200 * MIB, GIB, 0)];
    let cmrs = [
        cmr(MIB, 110 * MIB),
        cmr(120 * MIB, 130 * MIB),
        cmr(140 * MIB, GIB),
    ];
    let mut t = plan_with(&mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, GIB)]);
    t[0].set_pamt(GIB - 16 * MIB, &LIMITS);
    let pamt = t[0].pamt_range();
    populate_reserved(&mut t, &mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(
        abs_reserved(&t[0]),
        [(0, MIB), (110 * MIB, 140 * MIB), (pamt.base, pamt.end())]
    );
    // Only convertible bytes between the two: no area at all there.
    let cmrs = [cmr(MIB, GIB)];
    populate_reserved(&mut t, &mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(abs_reserved(&t[0]), [(0, MIB), (pamt.base, pamt.end())]);
    // A PAMT next to a hole outside the CMRs takes no area of its own.
    let cmrs = [cmr(MIB, 100 * MIB), cmr(200 * MIB, GIB)];
    t[0].set_pamt(200 * MIB, &LIMITS);
    let pamt = t[0].pamt_range();
    populate_reserved(&mut t, &mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(abs_reserved(&t[0]), [(0, MIB), (100 * MIB, pamt.end())]);
}

#[test]
fn touching_cmrs_leave_no_area_where_they_meet() {
    let mem = [blk(MIB, 2 * GIB, 0), blk(4 * GIB, 5 * GIB, 1)];
    let cmrs = [cmr(MIB, GIB), cmr(GIB, 2 * GIB), cmr(4 * GIB, 5 * GIB)];
    let mut t = plan_with(&mem, &cmrs, &LIMITS).unwrap();
    let p1 = t[1].pamt_total(&LIMITS);
    t[0].set_pamt(5 * GIB - 16 * MIB, &LIMITS);
    t[1].set_pamt(5 * GIB - 16 * MIB - p1, &LIMITS);
    populate_reserved(&mut t, &mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(abs_reserved(&t[0]), [(0, MIB)]);
    assert_eq!(t[1].reserved().len(), 1);
}
