// SPDX-License-Identifier: GPL-2.0

//! A plan in four numbers ([`PlanSummary`], [`summarize`]), for the log and
//! for comparing plans, and, for host tests only, the whole planning path
//! on a memory map ([`plan_for_test`]).

use super::pamt::PAMT_LEVEL_SHIFT;
use super::{MemBlock, Tdmr};

/// What a plan costs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct PlanSummary {
    /// TDMRs used.
    pub(crate) tdmrs: usize,
    /// Reserved areas of the TDMR that has the most.
    pub(crate) worst_reserved: usize,
    /// PAMT memory of all TDMRs, in KiB.
    pub(crate) pamt_kib: u64,
    /// PAMT bytes that describe memory of a node other than the node the
    /// PAMT sits on (see [`summarize`]).
    pub(crate) foreign_pamt_bytes: u64,
}

/// Summarizes `tdmrs` (PAMTs placed, reserved areas populated) over `mem`.
///
/// A PAMT sits on the node of the memory block holding its first byte
/// (none if no block holds it: then all memory it describes is foreign).
/// Each PAMT level spends its entry size per page of its page size: the
/// foreign bytes of a TDMR are, per level, the bytes of memory of other
/// nodes (or of no node) inside the TDMR times the entry size, divided by
/// the level's page size (exact for the 4 KiB level; a share of the
/// entries for the 2 MiB and 1 GiB levels, whose pages may hold memory of
/// two nodes). Holes are memory of no block and count for nothing.
pub(crate) fn summarize(tdmrs: &[Tdmr], mem: &[MemBlock]) -> PlanSummary {
    let mut s = PlanSummary {
        tdmrs: tdmrs.len(),
        worst_reserved: tdmrs.iter().map(|t| t.reserved().len()).max().unwrap_or(0),
        pamt_kib: super::pamt_kib_total(tdmrs),
        foreign_pamt_bytes: 0,
    };
    for t in tdmrs {
        let home = node_at(t.pamt_range().base, mem);
        let foreign: u64 = mem
            .iter()
            .filter(|b| home.is_none() || Some(b.nid) != home)
            .map(|b| b.end.min(t.end()).saturating_sub(b.start.max(t.base)))
            .sum();
        for (shift, entry) in PAMT_LEVEL_SHIFT.iter().zip(t.pamt_entry_size) {
            let bytes = (u128::from(foreign) * u128::from(entry)) >> shift;
            s.foreign_pamt_bytes = s.foreign_pamt_bytes.saturating_add(bytes as u64);
        }
    }
    s
}

/// The node of the memory block holding `addr`, if one does.
fn node_at(addr: u64, mem: &[MemBlock]) -> Option<i32> {
    mem.iter()
        .find(|b| b.start <= addr && addr < b.end)
        .map(|b| b.nid)
}

/// The kernel's planning path on a host memory map: [`cover`](fn@super::cover),
/// then the PAMT placement the kernel would make with every page free, then
/// [`populate_reserved`](super::populate_reserved); the plan and its summary.
///
/// `cmrs` are the module's CMRs, non-empty entries only, ascending.
#[cfg(test)]
pub(crate) fn plan_for_test(
    mem: &[MemBlock],
    cmrs: &[super::Range],
    limits: &super::Limits,
) -> Result<(Vec<Tdmr>, PlanSummary), super::PlanError> {
    let _ = cmrs;
    let mut out = vec![Tdmr::EMPTY; usize::from(limits.max_tdmrs)];
    let n = super::cover(mem, limits, &mut out)?;
    out.truncate(n);
    let mut top: Vec<u64> = mem.iter().map(|b| b.end).collect();
    for t in out.iter_mut() {
        let need = t.pamt_total(limits);
        let nid = super::tdmr_nid(t, mem);
        let fits = |j: &usize| top[*j] - mem[*j].start >= need;
        let j = (0..mem.len())
            .rev()
            .filter(fits)
            .find(|&j| mem[j].nid == nid)
            .or_else(|| (0..mem.len()).rev().find(fits))
            .ok_or(super::PlanError::BadPamt { tdmr: 0 })?;
        top[j] -= need;
        t.set_pamt(top[j], limits);
    }
    super::populate_reserved(&mut out, mem, limits)?;
    let summary = summarize(&out, mem);
    Ok((out, summary))
}
