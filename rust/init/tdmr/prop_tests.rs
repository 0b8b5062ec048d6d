// SPDX-License-Identifier: GPL-2.0

//! Random memory maps, CMR lists and limits, each plan checked against
//! reference models built with `Vec`s: upstream's TDMRs and reserved-area
//! count, the reserved areas the rule asks for, where the placement policy
//! puts each PAMT, and what TDH.SYS.CONFIG accepts.

use super::placement::place_pamts;
use super::test_util::*;
use super::tests::upstream_tdmrs;
use super::*;

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

/// CMRs around the memory as firmware reports them: each run of memory in
/// a CMR that may reach into the holes on either side, sometimes as two
/// CMRs that touch; sometimes with empty entries, and sometimes with a
/// piece cut out (memory outside every CMR, if it hits memory).
fn random_cmrs(rng: &mut Rng, mem: &[MemBlock]) -> Vec<Range> {
    let runs = mem_set(mem);
    let mut out = Vec::new();
    let mut prev_end = 0;
    for (k, &(s, e)) in runs.iter().enumerate() {
        let next = runs.get(k + 1).map_or(MAX_PHYS_ADDR, |r| r.0);
        let lo = match rng.below(3) {
            0 => s,
            _ => rng.pages(prev_end.max(s.saturating_sub(GIB)), s),
        };
        let hi = match rng.below(3) {
            0 => e,
            _ => rng.pages(e, next.min(e + GIB)),
        };
        if rng.below(3) == 0 && hi - lo >= 2 * PAGE_SIZE {
            let mid = rng.pages(lo + PAGE_SIZE, hi - PAGE_SIZE);
            out.push(cmr(lo, mid));
            out.push(cmr(mid, hi));
        } else {
            out.push(cmr(lo, hi));
        }
        prev_end = hi;
    }
    if rng.below(6) == 0 {
        let i = rng.below(out.len() as u64) as usize;
        let c = out[i];
        if c.size >= 3 * PAGE_SIZE {
            let cut = rng.pages(c.base + PAGE_SIZE, c.end() - 2 * PAGE_SIZE);
            let resume = rng.pages(cut + PAGE_SIZE, c.end() - PAGE_SIZE);
            out[i] = cmr(c.base, cut);
            out.insert(i + 1, cmr(resume, c.end()));
        }
    }
    if rng.below(5) == 0 {
        let at = rng.below(out.len() as u64 + 1) as usize;
        out.insert(at, Range::default());
    }
    out
}

fn random_limits(rng: &mut Rng) -> Limits {
    Limits {
        max_tdmrs: if rng.below(8) == 0 {
            1 + rng.below(3) as u16
        } else {
            64
        },
        max_reserved_per_tdmr: [16, 16, 16, 2, 4, 64][rng.below(6) as usize],
        pamt_entry_size: if rng.below(4) == 0 {
            [0; 3].map(|_: u16| 1 + rng.below(40) as u16)
        } else {
            [16; 3]
        },
    }
}

fn cmr_set(cmrs: &[Range]) -> Vec<(u64, u64)> {
    union(cmrs.iter().map(|c| (c.base, c.end())).collect())
}

/// The reserved areas the rule asks for: in each run of TDMR bytes that
/// are not usable TDX memory, one area from the first byte that must be
/// reserved to the last, if it has one.
fn reference_reserved(
    t: &Tdmr,
    tdmrs: &[Tdmr],
    mem: &[MemBlock],
    cmrs: &[Range],
) -> Vec<(u64, u64)> {
    let whole = [(t.base, t.end())];
    let pamts = union(
        tdmrs
            .iter()
            .flat_map(|o| o.pamt.iter().map(|r| (r.base, r.end())))
            .collect(),
    );
    let mut required = minus(&whole, &cmr_set(cmrs));
    required.extend(intersect(&whole, &pamts));
    let required = union(required);
    let usable = minus(&intersect(&whole, &mem_set(mem)), &pamts);
    let mut areas = Vec::new();
    for run in minus(&whole, &usable) {
        let r = intersect(&[run], &required);
        if let (Some(first), Some(last)) = (r.first(), r.last()) {
            areas.push((first.0, last.1));
        }
    }
    areas
}

/// Upstream's reserved areas for `t` with the same PAMTs: one per hole
/// between memory blocks that do not touch, one per PAMT in the TDMR.
fn upstream_reserved_count(t: &Tdmr, tdmrs: &[Tdmr], mem: &[MemBlock]) -> usize {
    let mut holes = 0;
    let mut prev_end = t.base;
    for b in mem {
        if b.start >= t.end() {
            break;
        }
        if b.end < t.base {
            continue;
        }
        if b.start > prev_end {
            holes += 1;
        }
        prev_end = b.end;
    }
    if prev_end < t.end() {
        holes += 1;
    }
    let pamts = tdmrs
        .iter()
        .filter(|o| {
            let r = o.pamt_range();
            r.base < t.end() && r.end() > t.base
        })
        .count();
    holes + pamts
}

/// Whether TDH.SYS.CONFIG takes `[start, end)` as a non-reserved part:
/// inside one CMR, CMRs that follow each other touching counting as one.
fn module_takes(start: u64, end: u64, cmrs: &[Range]) -> bool {
    let mut run = (0, 0);
    for c in cmrs.iter().filter(|c| c.size != 0) {
        run = if c.base == run.1 {
            (run.0, c.end())
        } else {
            (c.base, c.end())
        };
        if start >= run.0 && end <= run.1 {
            return true;
        }
    }
    false
}

/// The node with most memory in `t`, ties to the node met first.
fn reference_nid(t: &Tdmr, mem: &[MemBlock]) -> i32 {
    let whole = [(t.base, t.end())];
    let mut best = (-1, 0);
    for b in mem.iter().filter(|b| b.nid >= 0) {
        let of_node: Vec<(u64, u64)> = mem
            .iter()
            .filter(|o| o.nid == b.nid)
            .map(|o| (o.start, o.end))
            .collect();
        let bytes = measure(&intersect(&whole, &union(of_node)));
        let first = intersect(&whole, &[(b.start, b.end)]);
        if bytes > best.1 && !first.is_empty() {
            best = (b.nid, bytes);
        }
    }
    best.0
}

/// Where the policy puts each PAMT, with every page free: for the first of
/// (home node above 4 GiB, home below, other nodes above, other below) that
/// has a free run of the PAMT's size, the top of its highest such run.
fn reference_placement(tdmrs: &[Tdmr], mem: &[MemBlock], limits: &Limits) -> Option<Vec<u64>> {
    let mut placed: Vec<(u64, u64)> = Vec::new();
    let mut bases = Vec::new();
    for t in tdmrs {
        let size = t.pamt_total(limits);
        let home = reference_nid(t, mem);
        let classes = [(true, true), (true, false), (false, true), (false, false)];
        let base = classes.iter().find_map(|&(at_home, high)| {
            let part = if high {
                (FOUR_GIB, u64::MAX)
            } else {
                (0, FOUR_GIB)
            };
            let memory: Vec<(u64, u64)> = mem
                .iter()
                .filter(|b| b.nid >= 0 && (b.nid == home) == at_home)
                .flat_map(|b| intersect(&[(b.start, b.end)], &[part]))
                .collect();
            minus(&memory, &union(placed.clone()))
                .into_iter()
                .filter(|(s, e)| e - s >= size)
                .map(|(_, e)| e)
                .max()
                .map(|top| top - size)
        })?;
        placed.push((base, base + size));
        bases.push(base);
    }
    Some(bases)
}

#[derive(Default, Debug)]
struct Outcomes {
    planned: usize,
    outside_cmrs: usize,
    too_many_tdmrs: usize,
    too_many_reserved: usize,
    no_room_for_pamt: usize,
    areas_saved: usize,
    foreign_pamts: usize,
}

fn check_case(mem: &[MemBlock], cmrs: &[Range], limits: &Limits, seen: &mut Outcomes) {
    let upstream = upstream_tdmrs(mem);
    let outside = minus(&mem_set(mem), &cmr_set(cmrs));
    let mut out = vec![Tdmr::EMPTY; 64];
    let n = match cover(mem, cmrs, limits, &mut out) {
        Ok(n) => n,
        Err(PlanError::OutsideCmrs { start, end }) => {
            assert_eq!(outside.first(), Some(&(start, end)));
            seen.outside_cmrs += 1;
            return;
        }
        Err(e) => {
            assert!(outside.is_empty(), "{e:?}");
            assert_eq!(
                e,
                PlanError::TooManyTdmrs {
                    needed_at_least: upstream.len(),
                    max: limits.max_tdmrs
                }
            );
            assert!(upstream.len() > usize::from(limits.max_tdmrs));
            seen.too_many_tdmrs += 1;
            return;
        }
    };
    assert!(outside.is_empty(), "memory outside the CMRs: {outside:x?}");
    let mut tdmrs = out[..n].to_vec();
    assert!(out[n..].iter().all(|t| *t == Tdmr::EMPTY));
    // Upstream's TDMRs, exactly.
    assert_eq!(spans(&tdmrs), upstream);

    // A TDMR's granules that hold memory of one node only are all of
    // the same node: nodes meet only in granules a node boundary cuts.
    for t in &tdmrs {
        let mut pure = Vec::new();
        for g in (t.base..t.end()).step_by(GIB as usize) {
            let mut nodes: Vec<i32> = mem
                .iter()
                .filter(|b| b.start < g + GIB && b.end > g)
                .map(|b| b.nid)
                .collect();
            nodes.dedup();
            if nodes.len() == 1 {
                pure.push(nodes[0]);
            }
        }
        pure.dedup();
        assert!(pure.len() <= 1, "{t:x?}: {pure:?}");
    }

    let expected_at = reference_placement(&tdmrs, mem, limits);
    match place_pamts(&mut tdmrs, mem, &[], limits) {
        Err(e) => {
            assert_eq!(expected_at, None, "{e:?}");
            assert!(matches!(e, PlanError::NoRoomForPamt { .. }));
            seen.no_room_for_pamt += 1;
            return;
        }
        Ok(()) => {
            let at: Vec<u64> = tdmrs.iter().map(|t| t.pamt[0].base).collect();
            assert_eq!(Some(at), expected_at);
        }
    }
    for t in &tdmrs {
        assert_eq!(tdmr_nid(t, mem), reference_nid(t, mem));
        if node_of(t.pamt[0].base, mem) != Some(tdmr_nid(t, mem)) {
            seen.foreign_pamts += 1;
        }
    }

    let expected: Vec<Vec<(u64, u64)>> = tdmrs
        .iter()
        .map(|t| reference_reserved(t, &tdmrs, mem, cmrs))
        .collect();
    let result = populate_reserved(&mut tdmrs, mem, cmrs, limits);
    if let Some(i) = expected
        .iter()
        .position(|e| e.len() > limits.reserved_cap())
    {
        let t = &tdmrs[i];
        let error = PlanError::TooManyReserved {
            tdmr: i,
            start: t.base,
            end: t.end(),
            needed: expected[i].len(),
            max: limits.reserved_cap(),
        };
        assert_eq!(result, Err(error));
        assert_eq!(reserved_total(&tdmrs), 0);
        seen.too_many_reserved += 1;
        return;
    }
    result.unwrap();
    seen.planned += 1;

    let pamts = union(
        tdmrs
            .iter()
            .flat_map(|t| t.pamt.iter().map(|r| (r.base, r.end())))
            .collect(),
    );
    for (t, expected) in tdmrs.iter().zip(&expected) {
        let rsv = abs_reserved(t);
        assert_eq!(&rsv, expected);
        for w in rsv.windows(2) {
            assert!(w[0].1 < w[1].0, "sorted, apart: {rsv:x?}");
        }
        for r in t.reserved() {
            assert!(r.base % PAGE_SIZE == 0 && r.size % PAGE_SIZE == 0 && r.size > 0);
            assert!(r.base + r.size <= t.size);
        }
        let whole = [(t.base, t.end())];
        // What TDH.SYS.CONFIG checks: PAMTs only in reserved areas, every
        // other part in one run of CMRs.
        assert!(subset(&intersect(&whole, &pamts), &rsv));
        for (s, e) in minus(&whole, &rsv) {
            assert!(module_takes(s, e, cmrs), "{t:x?}: [{s:#x}, {e:#x})");
        }
        // No usable TDX memory reserved.
        assert!(intersect(&minus(&mem_set(mem), &pamts), &rsv).is_empty());
        // Never more areas than upstream with the same PAMTs.
        let up = upstream_reserved_count(t, &tdmrs, mem);
        assert!(rsv.len() <= up, "{t:x?}: {} > {up}", rsv.len());
        seen.areas_saved += up - rsv.len();
    }
    let s = summarize(&tdmrs, mem);
    assert_eq!(s.tdmrs, n);
    assert_eq!(
        s.worst_reserved,
        expected.iter().map(Vec::len).max().unwrap()
    );
    assert_eq!(s.pamt_kib, measure(&pamts) / 1024);
}

#[test]
fn random_memory_maps() {
    let mut rng = Rng(0x7d1c_4f00_2dc5_9e31);
    let mut seen = Outcomes::default();
    for _ in 0..3000 {
        let mut mem = random_mem(&mut rng);
        let n = normalize(&mut mem).unwrap();
        mem.truncate(n);
        let cmrs = random_cmrs(&mut rng, &mem);
        let limits = random_limits(&mut rng);
        check_case(&mem, &cmrs, &limits, &mut seen);
    }
    eprintln!("{seen:?}");
    assert!(seen.planned >= 1500, "{seen:?}");
    assert!(seen.outside_cmrs > 0 && seen.too_many_tdmrs > 0, "{seen:?}");
    assert!(
        seen.too_many_reserved > 0 && seen.areas_saved > 0,
        "{seen:?}"
    );
    assert!(seen.foreign_pamts > 0, "{seen:?}");
}
