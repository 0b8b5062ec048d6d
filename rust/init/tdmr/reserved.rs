// SPDX-License-Identifier: GPL-2.0

//! Reserved areas: the holes and the PAMT bytes inside each TDMR
//! ([`populate_reserved`]).

use super::cover::{check_mem, check_tdmrs};
use super::pamt::check_pamts;
use super::{Limits, MemBlock, PlanError, Range, Tdmr, MAX_RESERVED};

/// Reserved areas being gathered for one TDMR, offsets from `base`.
struct Areas {
    /// The TDMR's base.
    base: u64,
    /// How many areas may be used.
    cap: usize,
    /// The areas, `..len` used.
    list: [Range; MAX_RESERVED],
    /// Areas used.
    len: usize,
}

impl Areas {
    /// Appends `[start, end)` (absolute); `None` when the cap is reached.
    fn push(&mut self, start: u64, end: u64) -> Option<()> {
        if self.len >= self.cap {
            return None;
        }
        *self.list.get_mut(self.len)? = Range {
            base: start - self.base,
            size: end - start,
        };
        self.len += 1;
        Some(())
    }
}

/// Whether `addr` must be reserved: it is not memory, or it is a PAMT byte.
fn must_reserve(addr: u64, mem: &[MemBlock], tdmrs: &[Tdmr]) -> bool {
    let in_mem = mem
        .get(mem.partition_point(|b| b.end <= addr))
        .is_some_and(|b| b.start <= addr);
    !in_mem
        || tdmrs
            .iter()
            .any(|t| t.pamt.iter().any(|r| r.contains(addr)))
}

/// The first address after `addr` (capped at `limit`) where a memory block or
/// a PAMT starts or ends: [`must_reserve`] is constant on `[addr, result)`.
fn next_edge(addr: u64, limit: u64, mem: &[MemBlock], tdmrs: &[Tdmr]) -> u64 {
    let mut next = limit;
    if let Some(b) = mem.get(mem.partition_point(|b| b.end <= addr)) {
        next = next.min(if b.start > addr { b.start } else { b.end });
    }
    for r in tdmrs.iter().flat_map(|t| t.pamt.iter()) {
        if r.base > addr {
            next = next.min(r.base);
        } else if r.end() > addr {
            next = next.min(r.end());
        }
    }
    next
}

/// The merged reserved areas of `tdmr`: a sweep over the edges of memory
/// blocks and PAMTs inside it, opening an area where reserving starts and
/// closing it where it stops, so touching pieces become one area. `None`
/// when more than `cap` areas are needed.
fn reserved_areas(tdmr: &Tdmr, tdmrs: &[Tdmr], mem: &[MemBlock], cap: usize) -> Option<Areas> {
    let (base, end) = (tdmr.base, tdmr.end());
    // Only the blocks that reach into the TDMR matter.
    let lo = mem.partition_point(|b| b.end <= base);
    let hi = mem.partition_point(|b| b.start < end);
    let mem = mem.get(lo..hi).unwrap_or(&[]);

    let mut areas = Areas {
        base,
        cap,
        list: [Range::ZERO; MAX_RESERVED],
        len: 0,
    };
    let mut open = None;
    let mut at = base;
    while at < end {
        let next = next_edge(at, end, mem, tdmrs);
        match (must_reserve(at, mem, tdmrs), open) {
            (true, None) => open = Some(at),
            (false, Some(start)) => {
                areas.push(start, at)?;
                open = None;
            }
            _ => {}
        }
        at = next;
    }
    if let Some(start) = open {
        areas.push(start, end)?;
    }
    Some(areas)
}

/// Fills every TDMR's reserved areas once every TDMR has its PAMT
/// ([`Tdmr::set_pamt`]): every hole (TDMR bytes not in `mem`) and every byte
/// of any TDMR's PAMT that lies inside this TDMR, sorted by offset, with
/// touching and overlapping pieces merged into one area.
///
/// Errors: [`PlanError::BadLimits`], [`PlanError::InvalidMemory`],
/// [`PlanError::InvalidTdmr`], [`PlanError::BadPamt`],
/// [`PlanError::PamtOverlap`], and [`PlanError::TooManyReserved`] for the
/// first TDMR needing more than `min(max_reserved_per_tdmr, MAX_RESERVED)`
/// areas. On error no TDMR has reserved areas.
pub(crate) fn populate_reserved(
    tdmrs: &mut [Tdmr],
    mem: &[MemBlock],
    limits: &Limits,
) -> Result<(), PlanError> {
    clear_reserved(tdmrs);
    limits.check()?;
    check_mem(mem)?;
    check_tdmrs(tdmrs)?;
    check_pamts(tdmrs, mem, limits)?;
    let cap = limits.reserved_cap();
    for i in 0..tdmrs.len() {
        match reserved_areas(&tdmrs[i], tdmrs, mem, cap) {
            Some(areas) => {
                tdmrs[i].reserved = areas.list;
                tdmrs[i].nr_reserved = areas.len;
            }
            None => {
                clear_reserved(tdmrs);
                return Err(PlanError::TooManyReserved { tdmr: i });
            }
        }
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
