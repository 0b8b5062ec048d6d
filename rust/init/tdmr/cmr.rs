// SPDX-License-Identifier: GPL-2.0

//! The TDX module's Convertible Memory Ranges: the check of the list, the
//! check that TDX memory lies in them ([`check_in_cmrs`]), and the lookups
//! the reserved areas need.
//!
//! TDH.SYS.CONFIG accepts a non-reserved part of a TDMR when it lies in one
//! CMR, where a CMR that starts where the one before ends counts as one with
//! it (`check_tdmr_available_areas()` and `is_area_in_cmr()`,
//! `tdh_sys_config.c`, TDX module 1.5.06). Empty entries are skipped, as the
//! module skips them. With the CMRs ascending and apart, a run of bytes that
//! all lie in CMRs lies in CMRs that touch one after the other: so checking
//! byte by byte ([`cmr_end`]) is checking what the module checks.

use super::{MemBlock, PlanError, Range, MAX_PHYS_ADDR, PAGE_SIZE};

/// The CMRs that are not empty.
fn real(cmrs: &[Range]) -> impl Iterator<Item = &Range> {
    cmrs.iter().filter(|c| c.size != 0)
}

/// Checks that the non-empty CMRs are page aligned, below
/// [`MAX_PHYS_ADDR`], ascending and not overlapping (what the module's
/// TDH.SYS.INIT checks of the list it gets from the BIOS).
pub(super) fn check_cmrs(cmrs: &[Range]) -> Result<(), PlanError> {
    let mut prev_end = 0;
    for c in real(cmrs) {
        let aligned = c.base % PAGE_SIZE == 0 && c.size % PAGE_SIZE == 0;
        let in_range = c
            .base
            .checked_add(c.size)
            .is_some_and(|e| e <= MAX_PHYS_ADDR);
        if !aligned || !in_range || c.base < prev_end {
            return Err(PlanError::InvalidCmrs);
        }
        prev_end = c.end();
    }
    Ok(())
}

/// If `addr` lies in a CMR: where that CMR ends. `cmrs` must have passed
/// [`check_cmrs`].
pub(super) fn cmr_end(addr: u64, cmrs: &[Range]) -> Option<u64> {
    real(cmrs)
        .find(|c| c.end() > addr)
        .filter(|c| c.base <= addr)
        .map(Range::end)
}

/// The base of the first CMR above `addr`, if any.
pub(super) fn next_cmr_start(addr: u64, cmrs: &[Range]) -> Option<u64> {
    real(cmrs).map(|c| c.base).find(|&base| base > addr)
}

/// Checks that every byte of `mem` (checked) lies in a CMR of `cmrs`
/// (checked). Errors: [`PlanError::OutsideCmrs`] with the first memory
/// outside every CMR, from its first byte to where the memory (touching
/// blocks count as one) ends or a CMR begins, whichever is first.
pub(super) fn check_in_cmrs(mem: &[MemBlock], cmrs: &[Range]) -> Result<(), PlanError> {
    for (i, b) in mem.iter().enumerate() {
        let mut at = b.start;
        while at < b.end {
            if let Some(end) = cmr_end(at, cmrs) {
                at = end;
                continue;
            }
            let mut mem_end = b.end;
            for next in mem.iter().skip(i + 1) {
                if next.start != mem_end {
                    break;
                }
                mem_end = next.end;
            }
            let end = next_cmr_start(at, cmrs).map_or(mem_end, |c| c.min(mem_end));
            return Err(PlanError::OutsideCmrs { start: at, end });
        }
    }
    Ok(())
}
