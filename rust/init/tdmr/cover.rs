// SPDX-License-Identifier: GPL-2.0

//! Covering the TDX memory with TDMRs ([`cover`]), and the check of the
//! TDMRs handed back in.

use super::cmr::{check_cmrs, check_in_cmrs};
use super::memory::check_mem;
use super::{align_down, align_up, Limits, MemBlock, PlanError, Range, Tdmr};
use super::{MAX_PHYS_ADDR, TDMR_ALIGN};

/// The TDMRs `[start, end)` that cover a memory list, ascending: upstream's
/// `fill_out_tdmrs()` rule. Each block gets the TDMR of its 1 GiB granules,
/// less the granule the previous TDMR already has; a block wholly inside the
/// previous TDMR gets none. `mem` must have passed `check_mem`.
struct Granules<'a> {
    /// Blocks not yet looked at.
    mem: &'a [MemBlock],
    /// End of the last TDMR returned; 0 before the first.
    prev_end: u64,
}

impl Iterator for Granules<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        while let Some((b, rest)) = self.mem.split_first() {
            self.mem = rest;
            let end = align_up(b.end, TDMR_ALIGN);
            if end <= self.prev_end {
                continue;
            }
            // A granule cannot be split between TDMRs: the one the previous
            // TDMR holds stays there. The blocks are sorted, so their
            // granules only grow.
            let start = align_down(b.start, TDMR_ALIGN).max(self.prev_end);
            self.prev_end = end;
            return Some((start, end));
        }
        None
    }
}

/// Covers every byte of `mem` with 1 GiB-aligned, non-overlapping, ascending
/// TDMRs written to the front of `out` (no PAMT, no reserved areas yet), and
/// returns how many: one per memory block, as upstream, less the blocks that
/// lie in the previous block's last granule. A TDMR holds the memory of one
/// block, and of other blocks only in its first and last granule.
///
/// Errors: [`PlanError::BadLimits`], [`PlanError::InvalidMemory`],
/// [`PlanError::InvalidCmrs`], [`PlanError::OutsideCmrs`] (the first memory
/// outside every CMR), [`PlanError::TooManyTdmrs`] when more than
/// `limits.max_tdmrs` are needed, [`PlanError::OutputTooSmall`] when more
/// than `out.len()` are. `out` is left untouched on error.
pub(crate) fn cover(
    mem: &[MemBlock],
    cmrs: &[Range],
    limits: &Limits,
    out: &mut [Tdmr],
) -> Result<usize, PlanError> {
    limits.check()?;
    check_mem(mem)?;
    check_cmrs(cmrs)?;
    check_in_cmrs(mem, cmrs)?;
    let needed = Granules { mem, prev_end: 0 }.count();
    if needed > usize::from(limits.max_tdmrs) {
        return Err(PlanError::TooManyTdmrs {
            needed_at_least: needed,
            max: limits.max_tdmrs,
        });
    }
    if needed > out.len() {
        return Err(PlanError::OutputTooSmall);
    }
    for (slot, (start, end)) in out.iter_mut().zip(Granules { mem, prev_end: 0 }) {
        *slot = Tdmr::new(start, end - start);
    }
    Ok(needed)
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
