// SPDX-License-Identifier: GPL-2.0

//! Reserved areas: the bytes outside every CMR and the PAMT bytes inside
//! each TDMR ([`populate_reserved`]).

use super::cmr::{check_cmrs, check_in_cmrs};
use super::cover::check_tdmrs;
use super::memory::{block_from_index, check_mem};
use super::pamt::check_pamts;
use super::{Limits, MemBlock, PlanError, Range, Tdmr, MAX_RESERVED};

/// Reserved areas being gathered for one TDMR, offsets from `base`.
struct Areas {
    /// The TDMR's base.
    base: u64,
    /// The areas, `..len.min(MAX_RESERVED)` stored.
    list: [Range; MAX_RESERVED],
    /// Areas found, also those past the end of `list`.
    len: usize,
}

impl Areas {
    /// Appends `[start, end)` (absolute), if there is room; counts it anyway.
    fn push(&mut self, start: u64, end: u64) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = Range {
                base: start - self.base,
                size: end - start,
            };
        }
        self.len += 1;
    }
}

/// What a byte of a TDMR is to the reserved areas.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Outside every CMR, or a PAMT byte: must be reserved.
    Required,
    /// TDX memory that is no PAMT: must not be reserved.
    Usable,
    /// Convertible but not TDX memory: either way.
    Either,
}

/// Where a sweep's lookups in the memory list and the CMRs stand.
struct Cursor {
    /// Index of the first block that may end after the sweep's address.
    block: usize,
    /// Index of the first CMR that may end after it.
    cmr: usize,
}

/// Memory, PAMTs and CMRs of the plan.
struct Plan<'a> {
    mem: &'a [MemBlock],
    tdmrs: &'a [Tdmr],
    cmrs: &'a [Range],
}

impl Plan<'_> {
    /// What `addr` is, and the first address after it (capped at `limit`)
    /// where a memory block, a PAMT or a CMR starts or ends: the kind is
    /// the same on `[addr, next)`. One lookup of each list serves both.
    /// `at` holds where the previous step's lookups stopped: `addr` only
    /// grows, so each list is walked once per TDMR.
    fn step(&self, addr: u64, limit: u64, at: &mut Cursor) -> (Kind, u64) {
        let mut next = limit;
        while self.mem.get(at.block).is_some_and(|b| b.end <= addr) {
            at.block += 1;
        }
        while self
            .cmrs
            .get(at.cmr)
            .is_some_and(|c| c.size == 0 || c.end() <= addr)
        {
            at.cmr += 1;
        }
        let block = self.mem.get(at.block);
        if let Some(b) = block {
            next = next.min(if b.start > addr { b.start } else { b.end });
        }
        let in_block = block.is_some_and(|b| b.start <= addr);
        // The CMRs are ascending and apart: the first ending above `addr`
        // holds it or starts next.
        let cmr = self.cmrs.get(at.cmr);
        let in_cmr = cmr.is_some_and(|c| c.base <= addr);
        if let Some(c) = cmr {
            next = next.min(if in_cmr { c.end() } else { c.base });
        }
        let mut in_pamt = false;
        for t in self.tdmrs {
            for r in &t.pamt {
                if r.base > addr {
                    next = next.min(r.base);
                } else if r.end() > addr {
                    next = next.min(r.end());
                    in_pamt = true;
                }
            }
        }
        let kind = if in_pamt || !in_cmr {
            Kind::Required
        } else if in_block {
            Kind::Usable
        } else {
            Kind::Either
        };
        (kind, next)
    }

    /// The reserved areas of `tdmr`: a sweep over the edges inside it. An
    /// area opens at the first byte that must be reserved and closes at the
    /// end of the last such byte before the next usable byte, so it covers
    /// every run of required bytes up to there, and the bytes that may go
    /// either way between them.
    fn areas(&self, tdmr: &Tdmr) -> Areas {
        let (base, end) = (tdmr.base, tdmr.end());
        let mut areas = Areas {
            base,
            list: [Range::ZERO; MAX_RESERVED],
            len: 0,
        };
        let mut open = None;
        let mut required_end = base;
        let mut cursor = Cursor {
            block: block_from_index(base, self.mem),
            cmr: 0,
        };
        let mut at = base;
        while at < end {
            let (kind, next) = self.step(at, end, &mut cursor);
            match kind {
                Kind::Required => {
                    open.get_or_insert(at);
                    required_end = next;
                }
                Kind::Usable => {
                    if let Some(start) = open.take() {
                        areas.push(start, required_end);
                    }
                }
                Kind::Either => {}
            }
            at = next;
        }
        if let Some(start) = open {
            areas.push(start, required_end);
        }
        areas
    }
}

/// Fills every TDMR's reserved areas once every TDMR has its PAMT
/// ([`Tdmr::set_pamt`]). The areas cover every TDMR byte outside every CMR
/// and every byte of any TDMR's PAMT inside this TDMR, and no other TDX
/// memory; they are sorted by offset, and two are joined when only bytes
/// that are not TDX memory lie between them, so the TDMR gets as few as the
/// rule allows.
///
/// Errors: [`PlanError::BadLimits`], [`PlanError::InvalidMemory`],
/// [`PlanError::InvalidCmrs`], [`PlanError::OutsideCmrs`],
/// [`PlanError::InvalidTdmr`], [`PlanError::BadPamt`],
/// [`PlanError::PamtOverlap`], and [`PlanError::TooManyReserved`] for the
/// first TDMR needing more than `min(max_reserved_per_tdmr, MAX_RESERVED)`
/// areas. On error no TDMR has reserved areas.
pub(crate) fn populate_reserved(
    tdmrs: &mut [Tdmr],
    mem: &[MemBlock],
    cmrs: &[Range],
    limits: &Limits,
) -> Result<(), PlanError> {
    clear_reserved(tdmrs);
    limits.check()?;
    check_mem(mem)?;
    check_cmrs(cmrs)?;
    check_in_cmrs(mem, cmrs)?;
    check_tdmrs(tdmrs)?;
    check_pamts(tdmrs, mem, limits)?;
    let max = limits.reserved_cap();
    for i in 0..tdmrs.len() {
        let plan = Plan { mem, tdmrs, cmrs };
        let areas = plan.areas(&tdmrs[i]);
        if areas.len > max {
            let (start, end) = (tdmrs[i].base, tdmrs[i].end());
            clear_reserved(tdmrs);
            return Err(PlanError::TooManyReserved {
                tdmr: i,
                start,
                end,
                needed: areas.len,
                max,
            });
        }
        tdmrs[i].reserved = areas.list;
        tdmrs[i].nr_reserved = areas.len;
    }
    Ok(())
}

/// Drops every TDMR's reserved areas.
fn clear_reserved(tdmrs: &mut [Tdmr]) {
    for t in tdmrs.iter_mut() {
        t.reserved = [Range::ZERO; MAX_RESERVED];
        t.nr_reserved = 0;
    }
}

/// Reserved areas used by all `tdmrs`.
pub(crate) fn reserved_total(tdmrs: &[Tdmr]) -> usize {
    tdmrs.iter().map(|t| t.reserved().len()).sum()
}
