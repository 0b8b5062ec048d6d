// SPDX-License-Identifier: GPL-2.0

//! What the planner's tests share: TDX 1.5's limits, map builders, interval
//! sets built with `Vec`s (the reference models), and a small random number
//! generator.

use super::*;

pub(super) const MIB: u64 = 1 << 20;
pub(super) const GIB: u64 = 1 << 30;

/// TDX 1.5's numbers.
pub(super) const LIMITS: Limits = Limits {
    max_tdmrs: 64,
    max_reserved_per_tdmr: 16,
    pamt_entry_size: [16; 3],
};

pub(super) fn blk(start: u64, end: u64, nid: i32) -> MemBlock {
    MemBlock { start, end, nid }
}

pub(super) fn cmr(start: u64, end: u64) -> Range {
    Range {
        base: start,
        size: end - start,
    }
}

/// One CMR per memory block: every hole is outside the CMRs, as
/// upstream's planner treats them.
pub(super) fn exact_cmrs(mem: &[MemBlock]) -> Vec<Range> {
    mem.iter().map(|b| cmr(b.start, b.end)).collect()
}

/// [`cover`](fn@cover) with [`exact_cmrs`] into a fresh `Vec`.
pub(super) fn plan(mem: &[MemBlock], limits: &Limits) -> Result<Vec<Tdmr>, PlanError> {
    plan_with(mem, &exact_cmrs(mem), limits)
}

/// [`cover`](fn@cover) into a fresh `Vec`.
pub(super) fn plan_with(
    mem: &[MemBlock],
    cmrs: &[Range],
    limits: &Limits,
) -> Result<Vec<Tdmr>, PlanError> {
    let mut out = vec![Tdmr::EMPTY; usize::from(limits.max_tdmrs)];
    let n = cover(mem, cmrs, limits, &mut out)?;
    out.truncate(n);
    Ok(out)
}

/// [`populate_reserved`] with [`exact_cmrs`].
pub(super) fn reserve(t: &mut [Tdmr], mem: &[MemBlock], limits: &Limits) -> Result<(), PlanError> {
    populate_reserved(t, mem, &exact_cmrs(mem), limits)
}

pub(super) fn spans(tdmrs: &[Tdmr]) -> Vec<(u64, u64)> {
    tdmrs.iter().map(|t| (t.base, t.end())).collect()
}

/// Reserved areas of `t` as absolute `[start, end)`.
pub(super) fn abs_reserved(t: &Tdmr) -> Vec<(u64, u64)> {
    t.reserved()
        .iter()
        .map(|r| (t.base + r.base, t.base + r.base + r.size))
        .collect()
}

/// The node of the block holding `pa`.
pub(super) fn node_of(pa: u64, mem: &[MemBlock]) -> Option<i32> {
    mem.iter()
        .find(|b| b.start <= pa && pa < b.end)
        .map(|b| b.nid)
}

/// Sorts and merges intervals, joining touching ones.
pub(super) fn union(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
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
pub(super) fn minus(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
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

pub(super) fn intersect(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
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

pub(super) fn subset(a: &[(u64, u64)], b: &[(u64, u64)]) -> bool {
    minus(&union(a.to_vec()), &union(b.to_vec())).is_empty()
}

pub(super) fn measure(a: &[(u64, u64)]) -> u64 {
    a.iter().map(|(s, e)| e - s).sum()
}

/// The memory of `mem` as a union.
pub(super) fn mem_set(mem: &[MemBlock]) -> Vec<(u64, u64)> {
    union(mem.iter().map(|b| (b.start, b.end)).collect())
}

/// xorshift64*: tiny, deterministic.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(super) fn pages(&mut self, lo: u64, hi: u64) -> u64 {
        (lo / PAGE_SIZE + self.below((hi - lo) / PAGE_SIZE + 1)) * PAGE_SIZE
    }
}
