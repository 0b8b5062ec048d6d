// SPDX-License-Identifier: GPL-2.0

//! Covering the TDX memory with TDMRs ([`cover`]), the node of each TDMR's
//! PAMT ([`tdmr_nid`]), and the checks of the memory list and of the TDMRs.

use super::{align_down, align_up, Limits, MemBlock, PlanError, Tdmr};
use super::{MAX_PHYS_ADDR, PAGE_SIZE, TDMR_ALIGN};

/// Checks that `mem` is a non-empty, sorted, non-overlapping list of
/// page-aligned, non-empty blocks below [`MAX_PHYS_ADDR`].
pub(super) fn check_mem(mem: &[MemBlock]) -> Result<(), PlanError> {
    if mem.is_empty() {
        return Err(PlanError::InvalidMemory);
    }
    let mut prev_end = 0;
    for b in mem {
        let aligned = b.start % PAGE_SIZE == 0 && b.end % PAGE_SIZE == 0;
        if !aligned || b.start >= b.end || b.start < prev_end || b.end > MAX_PHYS_ADDR {
            return Err(PlanError::InvalidMemory);
        }
        prev_end = b.end;
    }
    Ok(())
}

/// The runs `[start, end)` of 1 GiB granules that TDMRs cover, ascending:
/// each is the granules of one memory block, extended by the following
/// blocks that share a granule with it. `mem` must have passed [`check_mem`].
struct GranuleRuns<'a> {
    /// Blocks not yet covered by a returned run.
    mem: &'a [MemBlock],
}

impl Iterator for GranuleRuns<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        let (first, mut rest) = self.mem.split_first()?;
        let start = align_down(first.start, TDMR_ALIGN);
        let mut end = align_up(first.end, TDMR_ALIGN);
        // Only a block that shares a granule with the run continues it
        // (a granule cannot be split between TDMRs). A block that merely
        // touches the run starts a TDMR of its own: its PAMT is then one
        // smaller contiguous allocation, on its own node. Blocks are sorted,
        // so their ends only grow.
        while let Some((b, tail)) = rest.split_first() {
            if align_down(b.start, TDMR_ALIGN) >= end {
                break;
            }
            end = end.max(align_up(b.end, TDMR_ALIGN));
            rest = tail;
        }
        self.mem = rest;
        Some((start, end))
    }
}

/// Covers every byte of `mem` with 1 GiB-aligned, non-overlapping, ascending
/// TDMRs written to the front of `out` (no PAMT, no reserved areas yet), and
/// returns how many. One TDMR per memory block, except that blocks sharing a
/// 1 GiB granule share a TDMR: as many TDMRs as upstream's planner makes, and
/// each TDMR's PAMT stays a separate, smaller contiguous allocation.
///
/// Errors: [`PlanError::BadLimits`], [`PlanError::InvalidMemory`],
/// [`PlanError::TooManyTdmrs`] when more than `limits.max_tdmrs` are needed,
/// [`PlanError::OutputTooSmall`] when more than `out.len()` are. `out` is left
/// untouched on error.
pub(crate) fn cover(
    mem: &[MemBlock],
    limits: &Limits,
    out: &mut [Tdmr],
) -> Result<usize, PlanError> {
    limits.check()?;
    check_mem(mem)?;
    let needed = GranuleRuns { mem }.count();
    if needed > usize::from(limits.max_tdmrs) {
        return Err(PlanError::TooManyTdmrs {
            needed_at_least: needed,
            max: limits.max_tdmrs,
        });
    }
    if needed > out.len() {
        return Err(PlanError::OutputTooSmall);
    }
    for (slot, (start, end)) in out.iter_mut().zip(GranuleRuns { mem }) {
        *slot = Tdmr::new(start, end - start);
    }
    Ok(needed)
}

/// The NUMA node to allocate `tdmr`'s PAMT on: the node of the first memory
/// block inside the TDMR, as upstream; node 0 if there is none (which
/// [`cover`] never produces).
pub(crate) fn tdmr_nid(tdmr: &Tdmr, mem: &[MemBlock]) -> i32 {
    mem.iter()
        .find(|b| b.end > tdmr.base && b.start < tdmr.end())
        .map_or(0, |b| b.nid)
}

/// Checks the TDMRs' geometry: aligned, non-empty, ascending, disjoint.
pub(super) fn check_tdmrs(tdmrs: &[Tdmr]) -> Result<(), PlanError> {
    let mut prev_end = 0;
    for (i, t) in tdmrs.iter().enumerate() {
        let aligned = t.base % TDMR_ALIGN == 0 && t.size % TDMR_ALIGN == 0;
        let in_range = t
            .base
            .checked_add(t.size)
            .is_some_and(|e| e <= MAX_PHYS_ADDR);
        if !aligned || t.size == 0 || !in_range || t.base < prev_end {
            return Err(PlanError::InvalidTdmr { tdmr: i });
        }
        prev_end = t.end();
    }
    Ok(())
}
