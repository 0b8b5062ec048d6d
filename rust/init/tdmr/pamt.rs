// SPDX-License-Identifier: GPL-2.0

//! PAMT sizing (the PAMT methods of [`Tdmr`]), the checks of where the
//! PAMTs were placed, and their total for the log.

use super::{align_up, Limits, MemBlock, PlanError, Range, Tdmr};
use super::{MAX_PHYS_ADDR, PAGE_SIZE};

/// log2 of the page size each PAMT level describes: 4 KiB, 2 MiB, 1 GiB.
pub(super) const PAMT_LEVEL_SHIFT: [u32; 3] = [12, 21, 30];

impl Tdmr {
    /// PAMT bytes this TDMR needs at each level, `[4K, 2M, 1G]`: one entry per
    /// page of that size, each level rounded up to [`PAGE_SIZE`].
    pub(crate) fn pamt_sizes(&self, limits: &Limits) -> [u64; 3] {
        let mut sizes = [0; 3];
        for ((size, shift), entry) in sizes
            .iter_mut()
            .zip(PAMT_LEVEL_SHIFT)
            .zip(limits.pamt_entry_size)
        {
            let bytes = (self.size >> shift).saturating_mul(u64::from(entry));
            *size = align_up(bytes, PAGE_SIZE);
        }
        sizes
    }

    /// All PAMT bytes this TDMR needs: the size of its one allocation.
    pub(crate) fn pamt_total(&self, limits: &Limits) -> u64 {
        self.pamt_sizes(limits)
            .iter()
            .fold(0, |sum, &size| sum.saturating_add(size))
    }

    /// Places the three PAMTs in one contiguous allocation at `base` (page
    /// aligned, [`Tdmr::pamt_total`] bytes): 4 KiB table first, then 2 MiB,
    /// then 1 GiB.
    pub(crate) fn set_pamt(&mut self, base: u64, limits: &Limits) {
        let sizes = self.pamt_sizes(limits);
        self.pamt_entry_size = limits.pamt_entry_size;
        let mut at = base;
        for (pamt, size) in self.pamt.iter_mut().zip(sizes) {
            *pamt = Range { base: at, size };
            at = at.saturating_add(size);
        }
    }

    /// The whole PAMT allocation made by [`Tdmr::set_pamt`]: the 4 KiB
    /// table's base and the three sizes together. Zero before `set_pamt`.
    pub(crate) fn pamt_range(&self) -> Range {
        Range {
            base: self.pamt[0].base,
            size: self
                .pamt
                .iter()
                .fold(0, |sum, r| sum.saturating_add(r.size)),
        }
    }
}

/// Whether `[start, end)` lies entirely in `mem` (sorted; touching blocks
/// count as one).
fn in_memory(start: u64, end: u64, mem: &[MemBlock]) -> bool {
    let mut at = start;
    while at < end {
        match mem.get(mem.partition_point(|b| b.end <= at)) {
            Some(b) if b.start <= at => at = b.end,
            _ => return false,
        }
    }
    true
}

/// Checks every TDMR's PAMT: each level page aligned, at least as large as
/// [`Tdmr::pamt_sizes`], inside TDX memory, and sharing no byte with any other
/// level or PAMT.
pub(super) fn check_pamts(
    tdmrs: &[Tdmr],
    mem: &[MemBlock],
    limits: &Limits,
) -> Result<(), PlanError> {
    for (i, t) in tdmrs.iter().enumerate() {
        for (r, need) in t.pamt.iter().zip(t.pamt_sizes(limits)) {
            let aligned = r.base % PAGE_SIZE == 0 && r.size % PAGE_SIZE == 0;
            let in_range = r
                .base
                .checked_add(r.size)
                .is_some_and(|e| e <= MAX_PHYS_ADDR);
            if !aligned || r.size == 0 || r.size < need || !in_range {
                return Err(PlanError::BadPamt { tdmr: i });
            }
            if !in_memory(r.base, r.end(), mem) {
                return Err(PlanError::BadPamt { tdmr: i });
            }
        }
    }
    for (i, a) in tdmrs.iter().enumerate() {
        for (j, b) in tdmrs.iter().enumerate().skip(i) {
            for (level, ra) in a.pamt.iter().enumerate() {
                let from = if i == j { level + 1 } else { 0 };
                if b.pamt.iter().skip(from).any(|rb| ra.overlaps(rb)) {
                    return Err(PlanError::PamtOverlap { tdmr: i, other: j });
                }
            }
        }
    }
    Ok(())
}

/// PAMT memory of all `tdmrs`, in KiB (for the log, as upstream prints it).
pub(crate) fn pamt_kib_total(tdmrs: &[Tdmr]) -> u64 {
    tdmrs
        .iter()
        .fold(0u64, |sum, t| sum.saturating_add(t.pamt_range().size))
        / 1024
}
