// SPDX-License-Identifier: GPL-2.0

//! Tests of the TDMR planning: worked examples, and random memory maps
//! checked against reference models built with `Vec`s.

use super::*;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// TDX 1.5's numbers.
const LIMITS: Limits = Limits {
    max_tdmrs: 64,
    max_reserved_per_tdmr: 16,
    pamt_entry_size: [16; 3],
};

fn blk(start: u64, end: u64, nid: i32) -> MemBlock {
    MemBlock { start, end, nid }
}

fn plan(mem: &[MemBlock], limits: &Limits) -> Result<Vec<Tdmr>, PlanError> {
    let mut out = vec![Tdmr::EMPTY; usize::from(limits.max_tdmrs)];
    let n = cover(mem, limits, &mut out)?;
    out.truncate(n);
    Ok(out)
}

fn spans(tdmrs: &[Tdmr]) -> Vec<(u64, u64)> {
    tdmrs.iter().map(|t| (t.base, t.end())).collect()
}

/// Reserved areas of `t` as absolute `[start, end)`.
fn abs_reserved(t: &Tdmr) -> Vec<(u64, u64)> {
    t.reserved()
        .iter()
        .map(|r| (t.base + r.base, t.base + r.base + r.size))
        .collect()
}

/// Carves each TDMR's PAMT off the top of the highest block with room,
/// preferring the TDMR's node; `None` if some PAMT does not fit anywhere.
fn place_pamts(tdmrs: &mut [Tdmr], mem: &[MemBlock], limits: &Limits) -> Option<()> {
    let mut top: Vec<u64> = mem.iter().map(|b| b.end).collect();
    for t in tdmrs.iter_mut() {
        let need = t.pamt_total(limits);
        let nid = tdmr_nid(t, mem);
        let fits = |j: &usize| top[*j] - mem[*j].start >= need;
        let j = (0..mem.len())
            .rev()
            .filter(fits)
            .find(|&j| mem[j].nid == nid)
            .or_else(|| (0..mem.len()).rev().find(fits))?;
        top[j] -= need;
        t.set_pamt(top[j], limits);
    }
    Some(())
}

/// Sorts and merges intervals, joining touching ones.
fn union(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.retain(|&(s, e)| s < e);
    v.sort();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// `a` minus `b`, both unions.
fn minus(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &(mut s, e) in a {
        for &(bs, be) in b {
            if be <= s || bs >= e {
                continue;
            }
            if bs > s {
                out.push((s, bs));
            }
            s = be;
            if s >= e {
                break;
            }
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

fn intersect(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &(s, e) in a {
        for &(bs, be) in b {
            if bs.max(s) < be.min(e) {
                out.push((bs.max(s), be.min(e)));
            }
        }
    }
    union(out)
}

fn subset(a: &[(u64, u64)], b: &[(u64, u64)]) -> bool {
    minus(&union(a.to_vec()), &union(b.to_vec())).is_empty()
}

fn measure(a: &[(u64, u64)]) -> u64 {
    a.iter().map(|(s, e)| e - s).sum()
}

/// Upstream's fill_out_tdmrs(): a new TDMR for each block not yet covered.
fn upstream_tdmrs(mem: &[MemBlock]) -> Vec<(u64, u64)> {
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

/// Reference reserved areas: holes and clipped PAMTs, sorted and merged.
fn reference_reserved(t: &Tdmr, tdmrs: &[Tdmr], mem: &[MemBlock]) -> Vec<(u64, u64)> {
    let mem_set = union(mem.iter().map(|b| (b.start, b.end)).collect());
    let mut v = minus(&[(t.base, t.end())], &mem_set);
    for o in tdmrs {
        for r in &o.pamt {
            let (s, e) = (r.base.max(t.base), r.end().min(t.end()));
            if s < e {
                v.push((s, e));
            }
        }
    }
    union(v)
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
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
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
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
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
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
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
    assert_eq!(tdmr_nid(&Tdmr::new(6 * GIB, GIB), &mem), 0);
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
    let mut out = [Tdmr::EMPTY; 4];
    assert_eq!(
        cover(&mem, &limits, &mut out),
        Err(PlanError::TooManyTdmrs {
            needed_at_least: 3,
            max: 2
        })
    );
    assert_eq!(out, [Tdmr::EMPTY; 4], "out untouched on error");
    assert_eq!(
        cover(&mem, &LIMITS, &mut out[..2]),
        Err(PlanError::OutputTooSmall)
    );
    assert_eq!(cover(&mem, &LIMITS, &mut out[..3]), Ok(3));
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
            cover(mem, &LIMITS, &mut out),
            Err(PlanError::InvalidMemory),
            "{mem:?}"
        );
    }
    let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR + 4096, 0)];
    assert_eq!(
        cover(&top, &LIMITS, &mut out),
        Err(PlanError::InvalidMemory)
    );
    let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR, 0)];
    assert_eq!(cover(&top, &LIMITS, &mut out), Ok(1));
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
        assert_eq!(cover(&mem, &limits, &mut out), Err(PlanError::BadLimits));
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
        populate_reserved(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "no PAMT yet"
    );
    t[0].set_pamt(4 * GIB - 4096, &LIMITS);
    assert_eq!(
        populate_reserved(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "outside memory"
    );
    t[0].set_pamt(4096 + 8, &LIMITS);
    assert_eq!(
        populate_reserved(&mut t, &mem, &LIMITS),
        Err(PlanError::BadPamt { tdmr: 0 }),
        "unaligned"
    );
    t[0].set_pamt(GIB, &LIMITS);
    t[0].pamt[1].base = GIB;
    assert_eq!(
        populate_reserved(&mut t, &mem, &LIMITS),
        Err(PlanError::PamtOverlap { tdmr: 0, other: 0 })
    );

    let mem = [blk(0, GIB, 0), blk(2 * GIB, 3 * GIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(0, &LIMITS);
    t[1].set_pamt(4096, &LIMITS);
    assert_eq!(
        populate_reserved(&mut t, &mem, &LIMITS),
        Err(PlanError::PamtOverlap { tdmr: 0, other: 1 })
    );
    t[1].set_pamt(GIB - 64 * MIB, &LIMITS);
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(reserved_total(&t), 2);
    t[1].base = 0;
    assert_eq!(
        populate_reserved(&mut t, &mem, &LIMITS),
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
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
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
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
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
        populate_reserved(&mut t, &mem, &four),
        Err(PlanError::TooManyReserved { tdmr: 0 })
    );
    assert_eq!(reserved_total(&t), 0, "nothing half-filled");
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(t[0].reserved().len(), 7, "PAMT, 5 gaps, tail");

    // MAX_RESERVED caps a module that allows more.
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
        populate_reserved(&mut t, &mem, &many),
        Err(PlanError::TooManyReserved { tdmr: 0 })
    );
}

// ---- TDMR_INFO ----

#[test]
fn tdmr_info_size_rounds_to_512() {
    assert_eq!(tdmr_info_size(0), 512);
    assert_eq!(tdmr_info_size(16), 512);
    assert_eq!(tdmr_info_size(28), 512);
    assert_eq!(tdmr_info_size(29), 1024);
    assert_eq!(tdmr_info_size(60), 1024);
    assert_eq!(tdmr_info_size(61), 1536);
}

#[test]
fn tdmr_info_layout() {
    let mem = [blk(GIB + 2 * MIB, 2 * GIB - 2 * MIB, 0)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(GIB + 2 * MIB, &LIMITS);
    populate_reserved(&mut t, &mem, &LIMITS).unwrap();
    let t = t[0];
    let pamt = t.pamt_total(&LIMITS);
    assert_eq!(
        t.reserved(),
        [
            Range {
                base: 0,
                size: 2 * MIB + pamt
            },
            Range {
                base: GIB - 2 * MIB,
                size: 2 * MIB
            },
        ]
    );

    let mut buf = [0xaau8; 1100];
    write_tdmr_info(&t, 16, &mut buf).unwrap();
    let word = |off: usize| u64::from_le_bytes(buf[off..off + 8].try_into().unwrap());
    assert_eq!(word(0), GIB);
    assert_eq!(word(8), GIB);
    assert_eq!((word(16), word(24)), (t.pamt[2].base, 4096));
    assert_eq!((word(32), word(40)), (t.pamt[1].base, 8192));
    assert_eq!((word(48), word(56)), (GIB + 2 * MIB, 4 * MIB));
    assert_eq!(word(32), GIB + 2 * MIB + 4 * MIB);
    assert_eq!(word(16), GIB + 2 * MIB + 4 * MIB + 8192);
    assert_eq!((word(64), word(72)), (0, 2 * MIB + pamt));
    assert_eq!((word(80), word(88)), (GIB - 2 * MIB, 2 * MIB));
    assert!(buf[96..512].iter().all(|&b| b == 0), "unused areas zero");
    assert!(buf[512..].iter().all(|&b| b == 0xaa), "past the entry");

    assert_eq!(
        write_tdmr_info(&t, 16, &mut buf[..511]),
        Err(PlanError::OutputTooSmall)
    );
    assert_eq!(
        write_tdmr_info(&t, 1, &mut buf),
        Err(PlanError::InfoTooSmall {
            reserved: 2,
            max_reserved_per_tdmr: 1
        })
    );
    write_tdmr_info(&t, 29, &mut buf).unwrap();
    assert!(buf[96..1024].iter().all(|&b| b == 0));
    assert!(buf[1024..].iter().all(|&b| b == 0xaa));
}

#[test]
fn errors_display_one_line() {
    let all = [
        PlanError::TooManyTdmrs {
            needed_at_least: 70,
            max: 64,
        },
        PlanError::TooManyReserved { tdmr: 3 },
        PlanError::InvalidMemory,
        PlanError::BadLimits,
        PlanError::OutputTooSmall,
        PlanError::InvalidTdmr { tdmr: 1 },
        PlanError::BadPamt { tdmr: 2 },
        PlanError::PamtOverlap { tdmr: 0, other: 1 },
        PlanError::InfoTooSmall {
            reserved: 17,
            max_reserved_per_tdmr: 16,
        },
    ];
    for e in all {
        let s = e.to_string();
        assert!(!s.is_empty() && !s.contains('\n'), "{e:?}: {s}");
    }
    assert_eq!(
        all[0].to_string(),
        "TDX memory needs 70 TDMRs, the TDX module supports 64"
    );
}

// ---- properties ----

/// xorshift64*: tiny, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pages(&mut self, lo: u64, hi: u64) -> u64 {
        (lo / PAGE_SIZE + self.below((hi - lo) / PAGE_SIZE + 1)) * PAGE_SIZE
    }
}

fn random_mem(rng: &mut Rng) -> Vec<MemBlock> {
    let n = 1 + rng.below(12);
    let mut at = match rng.below(3) {
        0 => 0,
        1 => rng.pages(0, 4 * GIB),
        _ => rng.pages(4 * GIB, 5 * GIB),
    };
    let mut mem = Vec::new();
    for _ in 0..n {
        let size = match rng.below(4) {
            0 => rng.pages(PAGE_SIZE, 64 * PAGE_SIZE),
            1 => rng.pages(PAGE_SIZE, 256 * MIB),
            2 => rng.pages(PAGE_SIZE, 4 * GIB),
            _ => (1 + rng.below(6)) * GIB,
        };
        mem.push(blk(at, at + size, rng.below(4) as i32));
        at += size;
        at += match rng.below(5) {
            0 => 0,
            1 => rng.pages(PAGE_SIZE, 64 * PAGE_SIZE),
            2 => rng.pages(PAGE_SIZE, GIB),
            3 => (1 + rng.below(3)) * GIB,
            _ => rng.pages(0, 3 * GIB),
        };
        if at > 64 * GIB {
            break;
        }
    }
    mem
}

fn random_limits(rng: &mut Rng) -> Limits {
    Limits {
        max_tdmrs: if rng.below(8) == 0 {
            1 + rng.below(3) as u16
        } else {
            64
        },
        max_reserved_per_tdmr: [16, 16, 16, 4, 8, 64][rng.below(6) as usize],
        pamt_entry_size: if rng.below(4) == 0 {
            [0; 3].map(|_: u16| 1 + rng.below(40) as u16)
        } else {
            [16; 3]
        },
    }
}

#[derive(Default, Debug)]
struct Outcomes {
    planned: usize,
    too_many_tdmrs: usize,
    too_many_reserved: usize,
    no_room_for_pamt: usize,
}

fn check_case(mem: &[MemBlock], limits: &Limits, seen: &mut Outcomes) {
    let upstream = upstream_tdmrs(mem);
    let mut out = vec![Tdmr::EMPTY; 64];
    let n = match cover(mem, limits, &mut out) {
        Ok(n) => n,
        Err(e) => {
            // Ours needs no more TDMRs than upstream: it fails only
            // where upstream fails too.
            let PlanError::TooManyTdmrs {
                needed_at_least,
                max,
            } = e
            else {
                panic!("{e:?}");
            };
            assert_eq!(max, limits.max_tdmrs);
            assert!(needed_at_least > usize::from(max));
            assert!(needed_at_least <= upstream.len());
            seen.too_many_tdmrs += 1;
            return;
        }
    };
    let mut tdmrs = out[..n].to_vec();
    assert!(out[n..].iter().all(|t| *t == Tdmr::EMPTY));

    // Count: never more than upstream, over exactly upstream's granules,
    // and a new TDMR only where a block shares no granule with the last.
    assert!(n <= usize::from(limits.max_tdmrs));
    assert!(n <= upstream.len());
    assert_eq!(measure(&spans(&out[..n])), measure(&upstream));
    for w in out[..n].windows(2) {
        let first_in_next = mem.iter().find(|b| b.end > w[1].base).unwrap();
        assert!(first_in_next.start >= w[0].end(), "needless split");
    }

    // Geometry.
    let mem_set = union(mem.iter().map(|b| (b.start, b.end)).collect());
    let mut prev_end = 0;
    for t in &tdmrs {
        assert!(t.base % GIB == 0 && t.size % GIB == 0 && t.size > 0);
        assert!(t.base >= prev_end, "ascending, disjoint");
        prev_end = t.end();
        // No needless TDMR, not even a needless granule.
        for g in (t.base..t.end()).step_by(GIB as usize) {
            assert!(!intersect(&[(g, g + GIB)], &mem_set).is_empty());
        }
        let first = mem.iter().find(|b| b.end > t.base).unwrap();
        assert!(first.start < t.end());
        assert_eq!(tdmr_nid(t, mem), first.nid);
    }
    // Every memory byte in exactly one TDMR (they are disjoint).
    assert!(subset(&mem_set, &spans(&tdmrs)));
    // Same granules as upstream, and no more PAMT.
    assert_eq!(union(spans(&tdmrs)), union(upstream.clone()));
    let up_pamt: u64 = upstream
        .iter()
        .map(|&(s, e)| Tdmr::new(s, e - s).pamt_total(limits))
        .sum();
    let pamt: u64 = tdmrs.iter().map(|t| t.pamt_total(limits)).sum();
    assert!(pamt <= up_pamt);

    if place_pamts(&mut tdmrs, mem, limits).is_none() {
        seen.no_room_for_pamt += 1;
        return;
    }
    assert_eq!(pamt_kib_total(&tdmrs), pamt / 1024);
    let pamt_set: Vec<(u64, u64)> = tdmrs
        .iter()
        .flat_map(|t| t.pamt.iter().map(|r| (r.base, r.end())))
        .collect();
    assert_eq!(measure(&union(pamt_set.clone())), pamt, "PAMTs overlap");
    let pamt_set = union(pamt_set);

    let expected: Vec<Vec<(u64, u64)>> = tdmrs
        .iter()
        .map(|t| reference_reserved(t, &tdmrs, mem))
        .collect();
    let over = expected
        .iter()
        .position(|e| e.len() > limits.reserved_cap());
    let result = populate_reserved(&mut tdmrs, mem, limits);
    if let Some(i) = over {
        assert_eq!(result, Err(PlanError::TooManyReserved { tdmr: i }));
        assert_eq!(reserved_total(&tdmrs), 0);
        seen.too_many_reserved += 1;
        return;
    }
    result.unwrap();
    seen.planned += 1;

    for (t, expected) in tdmrs.iter().zip(&expected) {
        let rsv = abs_reserved(t);
        assert_eq!(&rsv, expected);
        for w in rsv.windows(2) {
            assert!(w[0].1 < w[1].0, "sorted, disjoint, merged: {rsv:x?}");
        }
        for r in t.reserved() {
            assert!(r.base % PAGE_SIZE == 0 && r.size % PAGE_SIZE == 0 && r.size > 0);
            assert!(r.base + r.size <= t.size);
        }
        let whole = [(t.base, t.end())];
        // Holes are reserved.
        assert!(subset(&minus(&whole, &mem_set), &rsv));
        // Reserved memory is PAMT.
        assert!(subset(&intersect(&rsv, &mem_set), &pamt_set));
        // PAMT bytes in the TDMR are reserved.
        assert!(subset(&intersect(&whole, &pamt_set), &rsv));

        // TDMR_INFO round trip.
        let max = limits.max_reserved_per_tdmr;
        let mut buf = vec![0xffu8; tdmr_info_size(max)];
        write_tdmr_info(t, max, &mut buf).unwrap();
        let words: Vec<u64> = buf
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(words[0..2], [t.base, t.size]);
        assert_eq!(words[6..8], [t.pamt[0].base, t.pamt[0].size]);
        for (k, r) in t.reserved().iter().enumerate() {
            assert_eq!(words[8 + 2 * k..10 + 2 * k], [r.base, r.size]);
        }
        assert!(words[8 + 2 * rsv.len()..].iter().all(|&w| w == 0));
    }
    assert_eq!(
        reserved_total(&tdmrs),
        expected.iter().map(Vec::len).sum::<usize>()
    );
}

#[test]
fn random_memory_maps() {
    let mut rng = Rng(0x7d1c_4f00_2dc5_9e31);
    let mut seen = Outcomes::default();
    for _ in 0..4000 {
        let mem = random_mem(&mut rng);
        let limits = random_limits(&mut rng);
        check_case(&mem, &limits, &mut seen);
    }
    assert!(seen.planned >= 2000, "{seen:?}");
    assert!(
        seen.too_many_tdmrs > 0 && seen.too_many_reserved > 0,
        "{seen:?}"
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

// ---- summary ----

#[test]
fn summary_counts_foreign_pamt_bytes() {
    // Node 1 starts inside node 0's last granule: TDMR 0 = [0, 2G) holds
    // 512 MiB of node 1, and its PAMT sits on node 0, which has the most.
    let mem = [
        blk(MIB, GIB + 512 * MIB, 0),
        blk(GIB + 512 * MIB, 2 * GIB, 1),
        blk(4 * GIB, 5 * GIB, 1),
    ];
    let (t, s) = plan_for_test(&mem, &[], &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, 2 * GIB), (4 * GIB, 5 * GIB)]);
    assert_eq!(s.tdmrs, 2);
    assert_eq!(
        s.pamt_kib,
        (t[0].pamt_total(&LIMITS) + t[1].pamt_total(&LIMITS)) / 1024
    );
    assert_eq!(
        s.worst_reserved,
        t.iter().map(|t| t.reserved().len()).max().unwrap()
    );
    let node_of = |pa: u64| {
        mem.iter()
            .find(|b| b.start <= pa && pa < b.end)
            .unwrap()
            .nid
    };
    assert_eq!(
        (node_of(t[0].pamt[0].base), node_of(t[1].pamt[0].base)),
        (0, 1)
    );
    // 512 MiB at 16 bytes per 4 KiB, per 2 MiB and per 1 GiB.
    let half = 512 * MIB;
    assert_eq!(
        s.foreign_pamt_bytes,
        half / 4096 * 16 + half / (2 * MIB) * 16 + half * 16 / GIB
    );
    assert_eq!(summarize(&[], &mem), PlanSummary::default());
}
