// SPDX-License-Identifier: GPL-2.0

//! Worked examples of the TDMR planning: covering, PAMT sizing, reserved
//! areas with CMRs that are the memory blocks (every hole reserved, as
//! upstream), and the memory notifier's test.

use super::*;

use super::test_util::*;

/// Upstream's fill_out_tdmrs(): a new TDMR for each block not yet covered.
pub(super) fn upstream_tdmrs(mem: &[MemBlock]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for b in mem {
        let mut start = b.start / GIB * GIB;
        let end = b.end.div_ceil(GIB) * GIB;
        if let Some(&(_, last_end)) = out.last() {
            if end <= last_end {
                continue;
            }
            start = start.max(last_end);
        }
        out.push((start, end));
    }
    out
}

// ---- cover ----

#[test]
fn single_block() {
    let t = plan(&[blk(GIB, 2 * GIB, 0)], &LIMITS).unwrap();
    assert_eq!(spans(&t), [(GIB, 2 * GIB)]);
}

#[test]
fn blocks_sharing_a_gib() {
    let mem = [blk(0, 256 * MIB, 0), blk(512 * MIB, 768 * MIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, GIB)]);
    // Upstream also needs one TDMR here.
    assert_eq!(upstream_tdmrs(&mem).len(), 1);
    t[0].set_pamt(0, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    // The PAMT at 0 (4 MiB + 12 KiB) sits inside the first block.
    let pamt = t[0].pamt_total(&LIMITS);
    assert_eq!(
        abs_reserved(&t[0]),
        [(0, pamt), (256 * MIB, 512 * MIB), (768 * MIB, GIB)]
    );
}

#[test]
fn blocks_spanning_gib_boundaries_get_edge_holes() {
    let mem = [blk(512 * MIB, 2 * GIB + 512 * MIB, 0)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, 3 * GIB)]);
    t[0].set_pamt(GIB, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    let pamt = t[0].pamt_total(&LIMITS);
    assert_eq!(
        t[0].reserved(),
        [
            Range {
                base: 0,
                size: 512 * MIB
            },
            Range {
                base: GIB,
                size: pamt
            },
            Range {
                base: 2 * GIB + 512 * MIB,
                size: 512 * MIB
            },
        ]
    );
}

#[test]
fn block_above_4g() {
    let mem = [blk(4 * GIB + 2 * MIB, 6 * GIB, 3)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(4 * GIB, 6 * GIB)]);
    assert_eq!(tdmr_nid(&t[0], &mem), 3);
    t[0].set_pamt(5 * GIB, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(
        t[0].reserved()[0],
        Range {
            base: 0,
            size: 2 * MIB
        }
    );
}

#[test]
fn touching_granule_runs_get_their_own_tdmrs_as_upstream() {
    let mem = [
        blk(0, GIB + 512 * MIB, 0),
        blk(2 * GIB + 512 * MIB, 3 * GIB, 1),
    ];
    let t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, 2 * GIB), (2 * GIB, 3 * GIB)]);
    assert_eq!(spans(&t), upstream_tdmrs(&mem));
}

#[test]
fn a_block_running_past_a_tdmr_starts_one_at_its_end() {
    // Upstream's rule: the block [768M, 1.5G) runs past the TDMR [0, 1G)
    // of the block before; it gets [1G, 2G), and the block that lies wholly
    // in that granule gets none. Extending [0, 1G) to [0, 2G) instead would
    // gather the holes of both granules in one TDMR.
    let mem = [
        blk(MIB, 512 * MIB, 0),
        blk(768 * MIB, GIB + 512 * MIB, 0),
        blk(GIB + 640 * MIB, GIB + 768 * MIB, 0),
        blk(GIB + 896 * MIB, 3 * GIB, 0),
    ];
    let t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, GIB), (GIB, 2 * GIB), (2 * GIB, 3 * GIB)]);
    assert_eq!(spans(&t), upstream_tdmrs(&mem));
}

#[test]
fn separated_runs_are_separate_tdmrs_with_their_own_node() {
    let mem = [
        blk(0, GIB, 0),
        blk(3 * GIB, 4 * GIB, 1),
        blk(4 * GIB, 5 * GIB, 2),
        blk(9 * GIB, 9 * GIB + 4096, 3),
    ];
    let t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(
        spans(&t),
        [
            (0, GIB),
            (3 * GIB, 4 * GIB),
            (4 * GIB, 5 * GIB),
            (9 * GIB, 10 * GIB)
        ]
    );
    let nids: Vec<i32> = t.iter().map(|t| tdmr_nid(t, &mem)).collect();
    assert_eq!(nids, [0, 1, 2, 3]);
    assert_eq!(tdmr_nid(&Tdmr::new(6 * GIB, GIB), &mem), -1, "no memory");
}

#[test]
fn too_many_tdmrs() {
    let mem = [
        blk(0, GIB, 0),
        blk(2 * GIB, 3 * GIB, 0),
        blk(4 * GIB, 5 * GIB, 0),
    ];
    let limits = Limits {
        max_tdmrs: 2,
        ..LIMITS
    };
    let cmrs = exact_cmrs(&mem);
    let mut out = [Tdmr::EMPTY; 4];
    assert_eq!(
        cover(&mem, &cmrs, &limits, &mut out),
        Err(PlanError::TooManyTdmrs {
            needed_at_least: 3,
            max: 2
        })
    );
    assert_eq!(out, [Tdmr::EMPTY; 4], "out untouched on error");
    assert_eq!(
        cover(&mem, &cmrs, &LIMITS, &mut out[..2]),
        Err(PlanError::OutputTooSmall)
    );
    assert_eq!(cover(&mem, &cmrs, &LIMITS, &mut out[..3]), Ok(3));
}

#[test]
fn invalid_input_is_rejected() {
    let mut out = [Tdmr::EMPTY; 4];
    let bad: [&[MemBlock]; 7] = [
        &[],
        &[blk(GIB, GIB, 0)],
        &[blk(GIB, GIB - 4096, 0)],
        &[blk(1, GIB, 0)],
        &[blk(0, GIB + 1, 0)],
        &[blk(GIB, 2 * GIB, 0), blk(0, 4096, 0)],
        &[blk(0, 2 * GIB, 0), blk(GIB, 3 * GIB, 0)],
    ];
    for mem in bad {
        assert_eq!(
            cover(mem, &[], &LIMITS, &mut out),
            Err(PlanError::InvalidMemory),
            "{mem:?}"
        );
    }
    let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR + 4096, 0)];
    assert_eq!(
        cover(&top, &[], &LIMITS, &mut out),
        Err(PlanError::InvalidMemory)
    );
    let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR, 0)];
    assert_eq!(cover(&top, &exact_cmrs(&top), &LIMITS, &mut out), Ok(1));
    assert_eq!(out[0].end(), MAX_PHYS_ADDR);

    let mem = [blk(0, GIB, 0)];
    for limits in [
        Limits {
            max_tdmrs: 0,
            ..LIMITS
        },
        Limits {
            pamt_entry_size: [16, 0, 16],
            ..LIMITS
        },
    ] {
        assert_eq!(
            cover(&mem, &exact_cmrs(&mem), &limits, &mut out),
            Err(PlanError::BadLimits)
        );
    }
}

// ---- PAMT ----

#[test]
fn pamt_sizes_for_known_sizes() {
    let t = Tdmr::new(0, GIB);
    // 262144 * 16 = 4 MiB; 512 * 16 = 8 KiB; 1 * 16 -> one page.
    assert_eq!(t.pamt_sizes(&LIMITS), [4 * MIB, 8192, 4096]);
    assert_eq!(t.pamt_total(&LIMITS), 4 * MIB + 12288);
    let t = Tdmr::new(0, 64 * GIB);
    assert_eq!(t.pamt_sizes(&LIMITS), [256 * MIB, 512 * 1024, 4096]);
    let odd = Limits {
        pamt_entry_size: [12, 24, 40],
        ..LIMITS
    };
    // 3 GiB: 786432 * 12 = 9 MiB; 1536 * 24 = 36864 = 9 pages; 3 * 40 -> 1 page.
    let t = Tdmr::new(0, 3 * GIB);
    assert_eq!(t.pamt_sizes(&odd), [9 * MIB, 9 * 4096, 4096]);
}

#[test]
fn set_pamt_is_one_contiguous_allocation() {
    let mut t = Tdmr::new(GIB, 2 * GIB);
    assert_eq!(t.pamt_range(), Range::default());
    t.set_pamt(8 * GIB, &LIMITS);
    assert_eq!(
        t.pamt,
        [
            Range {
                base: 8 * GIB,
                size: 8 * MIB
            },
            Range {
                base: 8 * GIB + 8 * MIB,
                size: 16384
            },
            Range {
                base: 8 * GIB + 8 * MIB + 16384,
                size: 4096
            },
        ]
    );
    assert_eq!(
        t.pamt_range(),
        Range {
            base: 8 * GIB,
            size: t.pamt_total(&LIMITS)
        }
    );
    assert_eq!(pamt_kib_total(&[t, t]), 2 * (8 * 1024 + 20));
}

#[test]
fn bad_pamts_are_rejected() {
    let mem = [blk(0, 4 * GIB, 0)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "no PAMT yet"
    );
    t[0].set_pamt(4 * GIB - 4096, &LIMITS);
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "outside memory"
    );
    t[0].set_pamt(4096 + 8, &LIMITS);
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "unaligned"
    );
    t[0].set_pamt(GIB, &LIMITS);
    t[0].pamt[1].base = GIB;
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::PamtOverlap { tdmr: 0, other: 0 })
    );

    let mem = [blk(0, GIB, 0), blk(2 * GIB, 3 * GIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(0, &LIMITS);
    t[1].set_pamt(4096, &LIMITS);
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::PamtOverlap { tdmr: 0, other: 1 })
    );
    t[1].set_pamt(GIB - 64 * MIB, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(reserved_total(&t), 2);
    t[1].base = 0;
    assert_eq!(
        reserve(&mut t, &mem, &LIMITS),
        Err(PlanError::InvalidTdmr { tdmr: 1 })
    );
    assert_eq!(reserved_total(&t), 0, "stale areas dropped on error");
}

// ---- reserved areas ----

#[test]
fn pamts_merge_with_holes_and_each_other() {
    // Two TDMRs; both PAMTs at the top of the first block, touching each
    // other and the hole above: one area for all three.
    let mem = [blk(0, 512 * MIB, 0), blk(2 * GIB, 3 * GIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    let (p0, p1) = (t[0].pamt_total(&LIMITS), t[1].pamt_total(&LIMITS));
    t[0].set_pamt(512 * MIB - p0, &LIMITS);
    t[1].set_pamt(512 * MIB - p0 - p1, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(abs_reserved(&t[0]), [(512 * MIB - p0 - p1, GIB)]);
    assert!(t[1].reserved().is_empty());
    assert_eq!(reserved_total(&t), 1);
}

#[test]
fn pamt_spanning_two_tdmrs_is_reserved_in_both() {
    let mem = [blk(0, GIB, 0), blk(GIB, 2 * GIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, GIB), (GIB, 2 * GIB)]);
    t[0].set_pamt(GIB - 4 * MIB, &LIMITS);
    t[1].set_pamt(GIB + 64 * MIB, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    let end = GIB - 4 * MIB + t[0].pamt_total(&LIMITS);
    assert_eq!(abs_reserved(&t[0]), [(GIB - 4 * MIB, GIB)]);
    assert_eq!(
        abs_reserved(&t[1]),
        [
            (GIB, end),
            (GIB + 64 * MIB, GIB + 64 * MIB + t[1].pamt_total(&LIMITS))
        ]
    );
}

#[test]
fn too_many_reserved() {
    // Five holes in one TDMR (between and after six small blocks).
    let mem: Vec<MemBlock> = (0..6)
        .map(|i| blk(i * 128 * MIB, i * 128 * MIB + 64 * MIB, 0))
        .collect();
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(0, &LIMITS);
    let four = Limits {
        max_reserved_per_tdmr: 4,
        ..LIMITS
    };
    assert_eq!(
        reserve(&mut t, &mem, &four),
        Err(PlanError::TooManyReserved {
            tdmr: 0,
            start: 0,
            end: GIB,
            needed: 7,
            max: 4
        })
    );
    assert_eq!(reserved_total(&t), 0, "nothing half-filled");
    reserve(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(t[0].reserved().len(), 7, "PAMT, 5 gaps, tail");

    // MAX_RESERVED caps a module that allows more: PAMT, 39 gaps, tail.
    let mem: Vec<MemBlock> = (0..40)
        .map(|i| blk(i * 16 * MIB, i * 16 * MIB + 8 * MIB, 0))
        .collect();
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(0, &LIMITS);
    let many = Limits {
        max_reserved_per_tdmr: 1000,
        ..LIMITS
    };
    assert_eq!(many.reserved_cap(), MAX_RESERVED);
    assert_eq!(
        reserve(&mut t, &mem, &many),
        Err(PlanError::TooManyReserved {
            tdmr: 0,
            start: 0,
            end: GIB,
            needed: 41,
            max: MAX_RESERVED
        })
    );
}

#[test]
fn only_memory_inside_a_block_may_come_online() {
    let m = MemBlock {
        start: 1 << 30,
        end: 2 << 30,
        nid: 0,
    };
    assert!(m.contains(1 << 30, 2 << 30));
    assert!(m.contains((1 << 30) + 4096, (1 << 30) + 8192));
    assert!(
        !m.contains((1 << 30) - 4096, (1 << 30) + 4096),
        "starts below"
    );
    assert!(!m.contains(1 << 30, (2 << 30) + 4096), "ends above");
    assert!(!m.contains(3 << 30, 4 << 30), "elsewhere");
    assert!(!m.contains((2 << 30) - 4096, 1 << 30), "backwards");
}
