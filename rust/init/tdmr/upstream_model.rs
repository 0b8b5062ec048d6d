// SPDX-License-Identifier: GPL-2.0

//! Upstream Linux 6.12's TDMR planning as a host model (test only), to
//! compare our planner with on every platform profile and generated map.
//!
//! Read from `arch/x86/virt/vmx/tdx/tdx.c` of Linux 6.12 (the 6.12.118 tree
//! this project builds against; the planning functions read the same in
//! torvalds/linux at 01fb93a363e0): `build_tdx_memlist()`, `fill_out_tdmrs()`,
//! `tdmr_get_nid()`, `tdmr_set_up_pamt()`, `tdmr_populate_rsvd_holes()`,
//! `tdmr_populate_rsvd_pamts()` and `tdmr_add_rsvd_area()`. The PAMT
//! allocation, `alloc_contig_pages()`, is modelled in `alloc.rs`.
//!
//! Upstream's rules, as modelled here:
//!
//! 1. TDX memory is memblock's memory regions (`for_each_mem_pfn_range()`:
//!    e820 RAM, touching ranges of one node merged, split at nodes) with
//!    the first MiB cut off ([`tdx_memlist`]).
//! 2. One TDMR per memory block, 1 GiB aligned out; a block already covered
//!    by the last TDMR adds nothing, a block running past it gets a new TDMR
//!    from the last TDMR's end. More than MAX_TDMRS: "TDMRs exhausted".
//! 3. Each TDMR's PAMT (4K, 2M, 1G tables, each rounded up to 4 KiB) is one
//!    `alloc_contig_pages()` on the node of the first block ending above the
//!    TDMR's base; failure is -ENOMEM.
//! 4. Reserved areas of a TDMR: one per hole between the blocks inside it
//!    (including its head and tail), then one per PAMT (any TDMR's) that
//!    overlaps it, clipped to it; no merging; sorted afterwards. Adding one
//!    more than MAX_RESERVED_PER_TDMR fails, TDMR by TDMR in order, with
//!    "TDMR [base, end): reserved areas exhausted".

mod alloc;

pub(crate) use alloc::{kernel_align, node_orders, Allocator};

use super::{Limits, MemBlock, Range, Tdmr, PAGE_SIZE, TDMR_ALIGN};
use core::fmt;

/// x86's first MiB, which `build_tdx_memlist()` skips.
const FIRST_MIB: u64 = 1 << 20;
const FOUR_GIB: u64 = 4 << 30;

/// Why upstream's `construct_tdmrs()` fails.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum UpError {
    /// `fill_out_tdmrs()`: more than MAX_TDMRS needed (-ENOSPC).
    TdmrsExhausted,
    /// `tdmr_set_up_pamt()`: `alloc_contig_pages()` found no room (-ENOMEM).
    NoPamtMemory {
        /// Index of the TDMR.
        tdmr: usize,
        /// Its base.
        base: u64,
        /// Its end.
        end: u64,
    },
    /// `tdmr_add_rsvd_area()`: one more area than MAX_RESERVED_PER_TDMR
    /// (-ENOSPC).
    ReservedExhausted {
        /// Index of the TDMR.
        tdmr: usize,
        /// Its base.
        base: u64,
        /// Its end.
        end: u64,
    },
}

impl fmt::Display for UpError {
    /// Upstream's own warning text (after the "virt/tdx: " prefix) where it
    /// prints one; it prints nothing when a PAMT allocation fails.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TdmrsExhausted => f.write_str("initialization failed: TDMRs exhausted."),
            Self::NoPamtMemory { base, end, .. } => {
                write!(
                    f,
                    "TDMR [{base:#x}, {end:#x}): PAMT allocation failed (-ENOMEM)"
                )
            }
            Self::ReservedExhausted { base, end, .. } => write!(
                f,
                "initialization failed: TDMR [{base:#x}, {end:#x}): reserved areas exhausted."
            ),
        }
    }
}

/// One TDMR of upstream's plan.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct UpTdmr {
    /// Base, 1 GiB aligned.
    pub(crate) base: u64,
    /// Size, a multiple of 1 GiB.
    pub(crate) size: u64,
    /// The PAMT allocation (4K, 2M, 1G tables in a row).
    pub(crate) pamt: Range,
    /// The node the PAMT landed on.
    pub(crate) pamt_nid: i32,
    /// Reserved areas, absolute `[base, base + size)`, sorted.
    pub(crate) reserved: Vec<Range>,
}

impl UpTdmr {
    /// One past the last byte.
    pub(crate) fn end(&self) -> u64 {
        self.base + self.size
    }
}

/// The numbers the comparison table shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct UpSummary {
    /// TDMRs.
    pub(crate) tdmrs: usize,
    /// Reserved areas of the TDMR with the most.
    pub(crate) worst_reserved: usize,
    /// PAMT memory, KiB, as upstream logs it.
    pub(crate) pamt_kib: u64,
    /// PAMT bytes below 4 GiB.
    pub(crate) pamt_below_4g: u64,
    /// PAMT bytes describing memory of a node other than the PAMT's
    /// ([`foreign_pamt_bytes`]).
    pub(crate) foreign_pamt_bytes: u64,
}

/// memblock's memory regions from e820-like RAM ranges (any order, each with
/// its node): page-trimmed (`memblock_trim_memory()`), sorted, touching
/// ranges of one node merged (`memblock_merge_regions()`).
pub(crate) fn memblock_from_ram(ram: &[MemBlock]) -> Vec<MemBlock> {
    let mut v: Vec<MemBlock> = ram
        .iter()
        .map(|b| MemBlock {
            start: b.start.next_multiple_of(PAGE_SIZE),
            end: b.end / PAGE_SIZE * PAGE_SIZE,
            nid: b.nid,
        })
        .filter(|b| b.start < b.end)
        .collect();
    v.sort_by_key(|b| b.start);
    let mut out: Vec<MemBlock> = Vec::new();
    for b in v {
        match out.last_mut() {
            Some(last) if last.nid == b.nid && last.end == b.start => last.end = b.end,
            _ => out.push(b),
        }
    }
    out
}

/// `build_tdx_memlist()`: the memblock regions with the first MiB cut off.
pub(crate) fn tdx_memlist(memblock: &[MemBlock]) -> Vec<MemBlock> {
    memblock
        .iter()
        .map(|b| MemBlock {
            start: b.start.max(FIRST_MIB),
            ..*b
        })
        .filter(|b| b.start < b.end)
        .collect()
}

/// `fill_out_tdmrs()`: `(base, end)` of each TDMR.
fn fill_out_tdmrs(mem: &[MemBlock], max_tdmrs: u16) -> Result<Vec<(u64, u64)>, UpError> {
    let mut tdmrs: Vec<(u64, u64)> = Vec::new();
    for b in mem {
        let mut start = b.start / TDMR_ALIGN * TDMR_ALIGN;
        let end = b.end.next_multiple_of(TDMR_ALIGN);
        if let Some(&(_, last_end)) = tdmrs.last() {
            if end <= last_end {
                continue;
            }
            start = start.max(last_end);
        }
        if tdmrs.len() >= usize::from(max_tdmrs) {
            return Err(UpError::TdmrsExhausted);
        }
        tdmrs.push((start, end));
    }
    Ok(tdmrs)
}

/// `tdmr_get_nid()`: the node of the first block ending above `base`
/// (node 0 if none).
fn tdmr_get_nid(base: u64, mem: &[MemBlock]) -> i32 {
    mem.iter().find(|b| b.end > base).map_or(0, |b| b.nid)
}

/// `tdmr_populate_rsvd_holes()`: the holes between blocks inside
/// `[base, end)`, one area each.
fn holes(base: u64, end: u64, mem: &[MemBlock]) -> Vec<Range> {
    let mut out = Vec::new();
    let mut prev_end = base;
    for b in mem {
        if b.start >= end {
            break;
        }
        // Upstream skips only blocks ending *below* the base.
        if b.end < base {
            continue;
        }
        if b.start > prev_end {
            out.push(Range {
                base: prev_end,
                size: b.start - prev_end,
            });
        }
        prev_end = b.end;
    }
    if prev_end < end {
        out.push(Range {
            base: prev_end,
            size: end - prev_end,
        });
    }
    out
}

/// Upstream's plan for the machine whose memblock memory is `memblock`.
pub(crate) fn plan(memblock: &[MemBlock], limits: &Limits) -> Result<Vec<UpTdmr>, UpError> {
    let mem = tdx_memlist(memblock);
    let spans = fill_out_tdmrs(&mem, limits.max_tdmrs)?;
    let mut alloc = Allocator::new(memblock);
    let mut tdmrs = Vec::new();
    for (i, &(base, end)) in spans.iter().enumerate() {
        let t = Tdmr::new(base, end - base);
        let size = t.pamt_total(limits);
        let nid = tdmr_get_nid(base, &mem);
        let (pamt_base, pamt_nid) = alloc
            .alloc_contig(size / PAGE_SIZE, nid)
            .ok_or(UpError::NoPamtMemory { tdmr: i, base, end })?;
        tdmrs.push(UpTdmr {
            base,
            size: end - base,
            pamt: Range {
                base: pamt_base,
                size,
            },
            pamt_nid,
            reserved: Vec::new(),
        });
    }
    let max = usize::from(limits.max_reserved_per_tdmr);
    for i in 0..tdmrs.len() {
        let (base, end) = (tdmrs[i].base, tdmrs[i].end());
        let mut areas = holes(base, end, &mem);
        for other in &tdmrs {
            let (s, e) = (other.pamt.base.max(base), other.pamt.end().min(end));
            if s < e {
                areas.push(Range {
                    base: s,
                    size: e - s,
                });
            }
        }
        if areas.len() > max {
            return Err(UpError::ReservedExhausted { tdmr: i, base, end });
        }
        areas.sort_by_key(|r| r.base);
        tdmrs[i].reserved = areas;
    }
    Ok(tdmrs)
}

/// Upstream's plan summarized; `memblock` as given to [`plan`].
pub(crate) fn summarize(tdmrs: &[UpTdmr], memblock: &[MemBlock], limits: &Limits) -> UpSummary {
    let mem = tdx_memlist(memblock);
    UpSummary {
        tdmrs: tdmrs.len(),
        worst_reserved: tdmrs.iter().map(|t| t.reserved.len()).max().unwrap_or(0),
        pamt_kib: tdmrs.iter().map(|t| t.pamt.size).sum::<u64>() / 1024,
        pamt_below_4g: tdmrs
            .iter()
            .map(|t| FOUR_GIB.min(t.pamt.end()).saturating_sub(t.pamt.base))
            .sum(),
        foreign_pamt_bytes: tdmrs
            .iter()
            .map(|t| foreign_pamt_bytes(t.base, t.end(), t.pamt_nid, &mem, limits))
            .sum(),
    }
}

/// PAMT bytes of the TDMR `[base, end)` that describe memory of a node other
/// than `pamt_nid`: per PAMT level, the bytes of such memory inside the TDMR
/// times the entry size, divided by the level's page size (exact at 4 KiB;
/// a share of the entries at 2 MiB and 1 GiB, whose pages may hold two
/// nodes' memory). Holes count for nothing. The same measure as our
/// planner's `summarize()`, so the two columns compare.
pub(crate) fn foreign_pamt_bytes(
    base: u64,
    end: u64,
    pamt_nid: i32,
    mem: &[MemBlock],
    limits: &Limits,
) -> u64 {
    let foreign: u64 = mem
        .iter()
        .filter(|b| b.nid != pamt_nid)
        .map(|b| b.end.min(end).saturating_sub(b.start.max(base)))
        .sum();
    [12u32, 21, 30]
        .into_iter()
        .zip(limits.pamt_entry_size)
        .map(|(shift, entry)| (foreign * u64::from(entry)) >> shift)
        .sum()
}

#[cfg(test)]
mod tests;
