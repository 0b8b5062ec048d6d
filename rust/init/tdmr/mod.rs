// SPDX-License-Identifier: GPL-2.0

//! TDMR planning: which memory the TDX module manages, where its metadata
//! (the PAMT) lives, and the TDMR_INFO entries TDH.SYS.CONFIG reads.
//!
//! The TDX module only protects memory that the host lists in *TD Memory
//! Regions* (TDMRs). The rules, from the TDX module ABI:
//!
//! - **Alignment.** A TDMR's base and size are multiples of 1 GiB
//!   ([`TDMR_ALIGN`]) and the size is not zero. TDMRs are listed in ascending
//!   order and do not overlap. The module supports at most `MAX_TDMRS` of them
//!   (global metadata; 64 on TDX 1.5).
//! - **Covering.** Every byte of TDX-usable memory ([`MemBlock`]) must lie in
//!   a TDMR. [`cover`] gives each memory block a TDMR of its own, except that
//!   a block sharing a 1 GiB granule with the previous TDMR extends it (a
//!   granule cannot be split). That is exactly the TDMRs upstream Linux's
//!   `fill_out_tdmrs()` makes. Merging blocks that merely touch would save
//!   TDMRs, but make one larger contiguous PAMT allocation (on one node)
//!   where upstream needs several smaller ones.
//! - **PAMT sizing.** Each TDMR has a Physical Address Metadata Table at each
//!   page size: one entry per 4 KiB page, per 2 MiB page and per 1 GiB page of
//!   the TDMR, each entry `PAMT_{4K,2M,1G}_ENTRY_SIZE` bytes (16 on TDX 1.5),
//!   each table rounded up to 4 KiB. With 16-byte entries a 1 GiB TDMR needs
//!   4 MiB + 8 KiB + 4 KiB (262144, 512 and 1 entries). The three tables are
//!   placed in one physically contiguous allocation, 4 KiB table first
//!   ([`Tdmr::set_pamt`]), so they take at most one reserved area in any
//!   TDMR.
//! - **Reserved areas.** Inside a TDMR, everything that is not TDX memory (the
//!   holes, including the partial granules at either end) and every PAMT byte,
//!   of this TDMR's PAMT or another's, must be listed as a reserved area:
//!   offset from the TDMR base and size, both 4 KiB aligned, sorted by offset,
//!   not overlapping. [`populate_reserved`] merges touching and overlapping
//!   areas, so a PAMT at the edge of a hole costs no area of its own. The
//!   module takes at most `MAX_RESERVED_PER_TDMR` per TDMR (16 on TDX 1.5);
//!   this file holds at most [`MAX_RESERVED`].
//! - **TDMR_INFO.** TDH.SYS.CONFIG reads one TDMR_INFO per TDMR, each
//!   512-byte aligned: eight little-endian u64 (base, size, then base and size
//!   of the 1 GiB, 2 MiB and 4 KiB PAMT), then `MAX_RESERVED_PER_TDMR`
//!   (offset, size) pairs, unused pairs zero, the whole rounded up to 512
//!   bytes ([`tdmr_info_size`], [`write_tdmr_info`]).
//!
//! Use: [`cover`]; for each TDMR allocate [`Tdmr::pamt_total`] bytes on node
//! [`tdmr_nid`] and call [`Tdmr::set_pamt`]; then [`populate_reserved`]; then
//! [`write_tdmr_info`] for each TDMR.
//!
//! Nothing here allocates: callers pass the output slices.
//!
//! Pure `core`: this file is built into the kernel module and into the host
//! test crate alike.

use core::fmt;

/// Size of the smallest page; PAMTs, reserved areas and memory blocks are
/// aligned to it.
pub(crate) const PAGE_SIZE: u64 = 4096;

/// Alignment of a TDMR's base and size: 1 GiB.
pub(crate) const TDMR_ALIGN: u64 = 1 << 30;

/// How many reserved areas a [`Tdmr`] can hold here. The real limit is
/// `min(Limits::max_reserved_per_tdmr, MAX_RESERVED)`.
pub(crate) const MAX_RESERVED: usize = 32;

/// One past the highest physical address x86 can have (52 address bits).
/// Memory at or above it is rejected, so no address arithmetic here overflows.
pub(crate) const MAX_PHYS_ADDR: u64 = 1 << 52;

/// Alignment of a TDMR_INFO entry, and the granule its size is rounded up to.
pub(crate) const TDMR_INFO_ALIGN: usize = 512;

/// Bytes of TDMR_INFO before the reserved-area array: eight u64.
const TDMR_INFO_HEADER: usize = 64;

/// Bytes of one reserved-area entry in TDMR_INFO: offset and size, two u64.
const TDMR_INFO_AREA: usize = 16;

/// log2 of the page size each PAMT level describes: 4 KiB, 2 MiB, 1 GiB.
const PAMT_LEVEL_SHIFT: [u32; 3] = [12, 21, 30];

/// Why a plan cannot be made. Displayed as one line for the kernel log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PlanError {
    /// The memory needs more TDMRs than the TDX module supports.
    /// `needed_at_least` is the exact number [`cover`] would use.
    TooManyTdmrs {
        /// TDMRs the memory needs.
        needed_at_least: usize,
        /// The module's `MAX_TDMRS`.
        max: u16,
    },
    /// TDMR number `tdmr` needs more reserved areas than
    /// `min(max_reserved_per_tdmr, MAX_RESERVED)`.
    TooManyReserved {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
    },
    /// The memory list is empty, unsorted, overlapping, not page aligned, has
    /// an empty block, or reaches beyond [`MAX_PHYS_ADDR`].
    InvalidMemory,
    /// The module's metadata allows no TDMR or has a zero PAMT entry size.
    BadLimits,
    /// The caller's output (TDMR slice, TDMR_INFO buffer) is too short.
    OutputTooSmall,
    /// A TDMR handed back in is not 1 GiB aligned, is empty, reaches beyond
    /// [`MAX_PHYS_ADDR`], or is out of order.
    InvalidTdmr {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
    },
    /// A TDMR's PAMT is missing, not page aligned, smaller than
    /// [`Tdmr::pamt_sizes`], or not inside TDX memory.
    BadPamt {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
    },
    /// Two PAMTs share memory (`tdmr == other`: two levels of one PAMT).
    PamtOverlap {
        /// Index of the first TDMR.
        tdmr: usize,
        /// Index of the second TDMR.
        other: usize,
    },
    /// A TDMR has more reserved areas than the TDMR_INFO being written holds.
    InfoTooSmall {
        /// Reserved areas the TDMR has.
        reserved: usize,
        /// Reserved areas the TDMR_INFO holds.
        max_reserved_per_tdmr: u16,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooManyTdmrs {
                needed_at_least,
                max,
            } => write!(
                f,
                "TDX memory needs {needed_at_least} TDMRs, the TDX module supports {max}"
            ),
            Self::TooManyReserved { tdmr } => {
                write!(f, "TDMR {tdmr}: reserved areas exhausted")
            }
            Self::InvalidMemory => {
                f.write_str("TDX memory list empty, unsorted, overlapping, unaligned or above 2^52")
            }
            Self::BadLimits => {
                f.write_str("TDX module TDMR metadata invalid: no TDMRs or zero PAMT entry size")
            }
            Self::OutputTooSmall => f.write_str("output buffer too small for the TDMR plan"),
            Self::InvalidTdmr { tdmr } => {
                write!(f, "TDMR {tdmr}: not 1 GiB aligned, empty or out of order")
            }
            Self::BadPamt { tdmr } => write!(
                f,
                "TDMR {tdmr}: PAMT missing, unaligned, too small or outside TDX memory"
            ),
            Self::PamtOverlap { tdmr, other } => {
                write!(f, "PAMTs of TDMR {tdmr} and TDMR {other} overlap")
            }
            Self::InfoTooSmall {
                reserved,
                max_reserved_per_tdmr,
            } => write!(
                f,
                "TDMR has {reserved} reserved areas, TDMR_INFO holds {max_reserved_per_tdmr}"
            ),
        }
    }
}

/// One block of TDX-usable memory, `[start, end)`, page aligned. A memory
/// list is sorted ascending and its blocks do not overlap (they may touch).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MemBlock {
    /// First byte.
    pub(crate) start: u64,
    /// One past the last byte.
    pub(crate) end: u64,
    /// NUMA node of the block.
    pub(crate) nid: i32,
}

/// The TDMR part of the TDX module's global metadata.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Limits {
    /// `MAX_TDMRS`.
    pub(crate) max_tdmrs: u16,
    /// `MAX_RESERVED_PER_TDMR`.
    pub(crate) max_reserved_per_tdmr: u16,
    /// `PAMT_{4K,2M,1G}_ENTRY_SIZE`: index 0 is 4 KiB, 1 is 2 MiB, 2 is 1 GiB.
    pub(crate) pamt_entry_size: [u16; 3],
}

impl Limits {
    /// Reserved areas one TDMR may use: `min(max_reserved_per_tdmr,
    /// MAX_RESERVED)`.
    pub(crate) fn reserved_cap(&self) -> usize {
        usize::from(self.max_reserved_per_tdmr).min(MAX_RESERVED)
    }

    /// At least one TDMR and no zero entry size.
    fn check(&self) -> Result<(), PlanError> {
        if self.max_tdmrs == 0 || self.pamt_entry_size.contains(&0) {
            return Err(PlanError::BadLimits);
        }
        Ok(())
    }
}

/// `[base, base + size)`. For a reserved area, `base` is the offset from the
/// TDMR's base, as in TDMR_INFO.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Range {
    /// First byte (or offset).
    pub(crate) base: u64,
    /// Length in bytes.
    pub(crate) size: u64,
}

impl Range {
    /// An empty range at 0.
    const ZERO: Range = Range { base: 0, size: 0 };

    /// One past the last byte (saturating).
    pub(crate) fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }

    /// Whether `addr` lies in the range.
    fn contains(&self, addr: u64) -> bool {
        self.base <= addr && addr < self.end()
    }

    /// Whether the two ranges share a byte.
    fn overlaps(&self, other: &Range) -> bool {
        self.size != 0 && other.size != 0 && self.base < other.end() && other.base < self.end()
    }
}

/// One TD Memory Region, its PAMT and its reserved areas.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Tdmr {
    /// Physical base, 1 GiB aligned.
    pub(crate) base: u64,
    /// Size in bytes, a non-zero multiple of 1 GiB.
    pub(crate) size: u64,
    /// PAMT tables: index 0 is 4 KiB, 1 is 2 MiB, 2 is 1 GiB.
    pub(crate) pamt: [Range; 3],
    /// Reserved areas, offsets from `base`; only `..nr_reserved` are used.
    reserved: [Range; MAX_RESERVED],
    /// Reserved areas in use, at most [`MAX_RESERVED`].
    nr_reserved: usize,
}

impl Default for Tdmr {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Tdmr {
    /// A zero TDMR, to initialise the output slice given to [`cover`].
    pub(crate) const EMPTY: Tdmr = Tdmr::new(0, 0);

    /// `[base, base + size)` with no PAMT and no reserved areas.
    pub(crate) const fn new(base: u64, size: u64) -> Self {
        Tdmr {
            base,
            size,
            pamt: [Range::ZERO; 3],
            reserved: [Range::ZERO; MAX_RESERVED],
            nr_reserved: 0,
        }
    }

    /// One past the last byte (saturating).
    pub(crate) fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }

    /// The reserved areas set by [`populate_reserved`], sorted; each
    /// `Range::base` is an offset from [`Tdmr::base`], as in the ABI.
    pub(crate) fn reserved(&self) -> &[Range] {
        self.reserved.get(..self.nr_reserved).unwrap_or(&[])
    }

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

/// `x` rounded up to `align` (a power of two), saturating near `u64::MAX`.
const fn align_up(x: u64, align: u64) -> u64 {
    x.saturating_add(align - 1) & !(align - 1)
}

/// `x` rounded down to `align` (a power of two).
const fn align_down(x: u64, align: u64) -> u64 {
    x & !(align - 1)
}

/// Checks that `mem` is a non-empty, sorted, non-overlapping list of
/// page-aligned, non-empty blocks below [`MAX_PHYS_ADDR`].
fn check_mem(mem: &[MemBlock]) -> Result<(), PlanError> {
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

/// Checks the TDMRs' geometry: aligned, non-empty, ascending, disjoint.
fn check_tdmrs(tdmrs: &[Tdmr]) -> Result<(), PlanError> {
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

/// Checks every TDMR's PAMT: each level page aligned, at least as large as
/// [`Tdmr::pamt_sizes`], inside TDX memory, and sharing no byte with any other
/// level or PAMT.
fn check_pamts(tdmrs: &[Tdmr], mem: &[MemBlock], limits: &Limits) -> Result<(), PlanError> {
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

/// Bytes of one TDMR_INFO entry: 64 header bytes plus 16 per reserved area,
/// rounded up to [`TDMR_INFO_ALIGN`].
pub(crate) const fn tdmr_info_size(max_reserved_per_tdmr: u16) -> usize {
    let raw = TDMR_INFO_HEADER + TDMR_INFO_AREA * max_reserved_per_tdmr as usize;
    raw.next_multiple_of(TDMR_INFO_ALIGN)
}

/// Writes `tdmr` as a TDMR_INFO into the first
/// [`tdmr_info_size`]`(max_reserved_per_tdmr)` bytes of `buf`, little endian:
/// base, size, 1 GiB PAMT base and size, 2 MiB PAMT, 4 KiB PAMT, then the
/// reserved areas (offset, size), the rest zero. Bytes of `buf` past the entry
/// are not touched. The caller places `buf` 512-byte aligned.
///
/// Errors: [`PlanError::OutputTooSmall`] if `buf` is shorter than the entry,
/// [`PlanError::InfoTooSmall`] if `tdmr` has more reserved areas than
/// `max_reserved_per_tdmr`.
pub(crate) fn write_tdmr_info(
    tdmr: &Tdmr,
    max_reserved_per_tdmr: u16,
    buf: &mut [u8],
) -> Result<(), PlanError> {
    let reserved = tdmr.reserved();
    if reserved.len() > usize::from(max_reserved_per_tdmr) {
        return Err(PlanError::InfoTooSmall {
            reserved: reserved.len(),
            max_reserved_per_tdmr,
        });
    }
    let buf = buf
        .get_mut(..tdmr_info_size(max_reserved_per_tdmr))
        .ok_or(PlanError::OutputTooSmall)?;
    buf.fill(0);
    let [pamt_4k, pamt_2m, pamt_1g] = tdmr.pamt;
    let header = [
        tdmr.base,
        tdmr.size,
        pamt_1g.base,
        pamt_1g.size,
        pamt_2m.base,
        pamt_2m.size,
        pamt_4k.base,
        pamt_4k.size,
    ];
    let words = header
        .into_iter()
        .chain(reserved.iter().flat_map(|r| [r.base, r.size]));
    for (bytes, word) in buf.chunks_exact_mut(8).zip(words) {
        bytes.copy_from_slice(&word.to_le_bytes());
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

/// Reserved areas used by all `tdmrs`.
pub(crate) fn reserved_total(tdmrs: &[Tdmr]) -> usize {
    tdmrs.iter().map(|t| t.reserved().len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;

    /// TDX 1.5's numbers.
    const LIMITS: Limits = Limits {
        max_tdmrs: 64,
        max_reserved_per_tdmr: 16,
        pamt_entry_size: [16; 3],
    };

    fn blk(start: u64, end: u64, nid: i32) -> MemBlock {
        MemBlock { start, end, nid }
    }

    fn plan(mem: &[MemBlock], limits: &Limits) -> Result<Vec<Tdmr>, PlanError> {
        let mut out = vec![Tdmr::EMPTY; usize::from(limits.max_tdmrs)];
        let n = cover(mem, limits, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    fn spans(tdmrs: &[Tdmr]) -> Vec<(u64, u64)> {
        tdmrs.iter().map(|t| (t.base, t.end())).collect()
    }

    /// Reserved areas of `t` as absolute `[start, end)`.
    fn abs_reserved(t: &Tdmr) -> Vec<(u64, u64)> {
        t.reserved()
            .iter()
            .map(|r| (t.base + r.base, t.base + r.base + r.size))
            .collect()
    }

    /// Carves each TDMR's PAMT off the top of the highest block with room,
    /// preferring the TDMR's node; `None` if some PAMT does not fit anywhere.
    fn place_pamts(tdmrs: &mut [Tdmr], mem: &[MemBlock], limits: &Limits) -> Option<()> {
        let mut top: Vec<u64> = mem.iter().map(|b| b.end).collect();
        for t in tdmrs.iter_mut() {
            let need = t.pamt_total(limits);
            let nid = tdmr_nid(t, mem);
            let fits = |j: &usize| top[*j] - mem[*j].start >= need;
            let j = (0..mem.len())
                .rev()
                .filter(fits)
                .find(|&j| mem[j].nid == nid)
                .or_else(|| (0..mem.len()).rev().find(fits))?;
            top[j] -= need;
            t.set_pamt(top[j], limits);
        }
        Some(())
    }

    /// Sorts and merges intervals, joining touching ones.
    fn union(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
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
    fn minus(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
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

    fn intersect(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
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

    fn subset(a: &[(u64, u64)], b: &[(u64, u64)]) -> bool {
        minus(&union(a.to_vec()), &union(b.to_vec())).is_empty()
    }

    fn measure(a: &[(u64, u64)]) -> u64 {
        a.iter().map(|(s, e)| e - s).sum()
    }

    /// Upstream's fill_out_tdmrs(): a new TDMR for each block not yet covered.
    fn upstream_tdmrs(mem: &[MemBlock]) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = Vec::new();
        for b in mem {
            let mut start = b.start / GIB * GIB;
            let end = b.end.div_ceil(GIB) * GIB;
            if let Some(&(_, last_end)) = out.last() {
                if end <= last_end {
                    continue;
                }
                start = start.max(last_end);
            }
            out.push((start, end));
        }
        out
    }

    /// Reference reserved areas: holes and clipped PAMTs, sorted and merged.
    fn reference_reserved(t: &Tdmr, tdmrs: &[Tdmr], mem: &[MemBlock]) -> Vec<(u64, u64)> {
        let mem_set = union(mem.iter().map(|b| (b.start, b.end)).collect());
        let mut v = minus(&[(t.base, t.end())], &mem_set);
        for o in tdmrs {
            for r in &o.pamt {
                let (s, e) = (r.base.max(t.base), r.end().min(t.end()));
                if s < e {
                    v.push((s, e));
                }
            }
        }
        union(v)
    }

    // ---- cover ----

    #[test]
    fn single_block() {
        let t = plan(&[blk(GIB, 2 * GIB, 0)], &LIMITS).unwrap();
        assert_eq!(spans(&t), [(GIB, 2 * GIB)]);
    }

    #[test]
    fn blocks_sharing_a_gib() {
        let mem = [blk(0, 256 * MIB, 0), blk(512 * MIB, 768 * MIB, 1)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(spans(&t), [(0, GIB)]);
        // Upstream also needs one TDMR here.
        assert_eq!(upstream_tdmrs(&mem).len(), 1);
        t[0].set_pamt(0, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        // The PAMT at 0 (4 MiB + 12 KiB) sits inside the first block.
        let pamt = t[0].pamt_total(&LIMITS);
        assert_eq!(
            abs_reserved(&t[0]),
            [(0, pamt), (256 * MIB, 512 * MIB), (768 * MIB, GIB)]
        );
    }

    #[test]
    fn blocks_spanning_gib_boundaries_get_edge_holes() {
        let mem = [blk(512 * MIB, 2 * GIB + 512 * MIB, 0)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(spans(&t), [(0, 3 * GIB)]);
        t[0].set_pamt(GIB, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        let pamt = t[0].pamt_total(&LIMITS);
        assert_eq!(
            t[0].reserved(),
            [
                Range {
                    base: 0,
                    size: 512 * MIB
                },
                Range {
                    base: GIB,
                    size: pamt
                },
                Range {
                    base: 2 * GIB + 512 * MIB,
                    size: 512 * MIB
                },
            ]
        );
    }

    #[test]
    fn block_above_4g() {
        let mem = [blk(4 * GIB + 2 * MIB, 6 * GIB, 3)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(spans(&t), [(4 * GIB, 6 * GIB)]);
        assert_eq!(tdmr_nid(&t[0], &mem), 3);
        t[0].set_pamt(5 * GIB, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        assert_eq!(
            t[0].reserved()[0],
            Range {
                base: 0,
                size: 2 * MIB
            }
        );
    }

    #[test]
    fn touching_granule_runs_get_their_own_tdmrs_as_upstream() {
        let mem = [
            blk(0, GIB + 512 * MIB, 0),
            blk(2 * GIB + 512 * MIB, 3 * GIB, 1),
        ];
        let t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(spans(&t), [(0, 2 * GIB), (2 * GIB, 3 * GIB)]);
        assert_eq!(spans(&t), upstream_tdmrs(&mem));
    }

    #[test]
    fn separated_runs_are_separate_tdmrs_with_their_own_node() {
        let mem = [
            blk(0, GIB, 0),
            blk(3 * GIB, 4 * GIB, 1),
            blk(4 * GIB, 5 * GIB, 2),
            blk(9 * GIB, 9 * GIB + 4096, 3),
        ];
        let t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(
            spans(&t),
            [
                (0, GIB),
                (3 * GIB, 4 * GIB),
                (4 * GIB, 5 * GIB),
                (9 * GIB, 10 * GIB)
            ]
        );
        let nids: Vec<i32> = t.iter().map(|t| tdmr_nid(t, &mem)).collect();
        assert_eq!(nids, [0, 1, 2, 3]);
        assert_eq!(tdmr_nid(&Tdmr::new(6 * GIB, GIB), &mem), 0);
    }

    #[test]
    fn too_many_tdmrs() {
        let mem = [
            blk(0, GIB, 0),
            blk(2 * GIB, 3 * GIB, 0),
            blk(4 * GIB, 5 * GIB, 0),
        ];
        let limits = Limits {
            max_tdmrs: 2,
            ..LIMITS
        };
        let mut out = [Tdmr::EMPTY; 4];
        assert_eq!(
            cover(&mem, &limits, &mut out),
            Err(PlanError::TooManyTdmrs {
                needed_at_least: 3,
                max: 2
            })
        );
        assert_eq!(out, [Tdmr::EMPTY; 4], "out untouched on error");
        assert_eq!(
            cover(&mem, &LIMITS, &mut out[..2]),
            Err(PlanError::OutputTooSmall)
        );
        assert_eq!(cover(&mem, &LIMITS, &mut out[..3]), Ok(3));
    }

    #[test]
    fn invalid_input_is_rejected() {
        let mut out = [Tdmr::EMPTY; 4];
        let bad: [&[MemBlock]; 7] = [
            &[],
            &[blk(GIB, GIB, 0)],
            &[blk(GIB, GIB - 4096, 0)],
            &[blk(1, GIB, 0)],
            &[blk(0, GIB + 1, 0)],
            &[blk(GIB, 2 * GIB, 0), blk(0, 4096, 0)],
            &[blk(0, 2 * GIB, 0), blk(GIB, 3 * GIB, 0)],
        ];
        for mem in bad {
            assert_eq!(
                cover(mem, &LIMITS, &mut out),
                Err(PlanError::InvalidMemory),
                "{mem:?}"
            );
        }
        let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR + 4096, 0)];
        assert_eq!(
            cover(&top, &LIMITS, &mut out),
            Err(PlanError::InvalidMemory)
        );
        let top = [blk(MAX_PHYS_ADDR - 4096, MAX_PHYS_ADDR, 0)];
        assert_eq!(cover(&top, &LIMITS, &mut out), Ok(1));
        assert_eq!(out[0].end(), MAX_PHYS_ADDR);

        let mem = [blk(0, GIB, 0)];
        for limits in [
            Limits {
                max_tdmrs: 0,
                ..LIMITS
            },
            Limits {
                pamt_entry_size: [16, 0, 16],
                ..LIMITS
            },
        ] {
            assert_eq!(cover(&mem, &limits, &mut out), Err(PlanError::BadLimits));
        }
    }

    // ---- PAMT ----

    #[test]
    fn pamt_sizes_for_known_sizes() {
        let t = Tdmr::new(0, GIB);
        // 262144 * 16 = 4 MiB; 512 * 16 = 8 KiB; 1 * 16 -> one page.
        assert_eq!(t.pamt_sizes(&LIMITS), [4 * MIB, 8192, 4096]);
        assert_eq!(t.pamt_total(&LIMITS), 4 * MIB + 12288);
        let t = Tdmr::new(0, 64 * GIB);
        assert_eq!(t.pamt_sizes(&LIMITS), [256 * MIB, 512 * 1024, 4096]);
        let odd = Limits {
            pamt_entry_size: [12, 24, 40],
            ..LIMITS
        };
        // 3 GiB: 786432 * 12 = 9 MiB; 1536 * 24 = 36864 = 9 pages; 3 * 40 -> 1 page.
        let t = Tdmr::new(0, 3 * GIB);
        assert_eq!(t.pamt_sizes(&odd), [9 * MIB, 9 * 4096, 4096]);
    }

    #[test]
    fn set_pamt_is_one_contiguous_allocation() {
        let mut t = Tdmr::new(GIB, 2 * GIB);
        assert_eq!(t.pamt_range(), Range::default());
        t.set_pamt(8 * GIB, &LIMITS);
        assert_eq!(
            t.pamt,
            [
                Range {
                    base: 8 * GIB,
                    size: 8 * MIB
                },
                Range {
                    base: 8 * GIB + 8 * MIB,
                    size: 16384
                },
                Range {
                    base: 8 * GIB + 8 * MIB + 16384,
                    size: 4096
                },
            ]
        );
        assert_eq!(
            t.pamt_range(),
            Range {
                base: 8 * GIB,
                size: t.pamt_total(&LIMITS)
            }
        );
        assert_eq!(pamt_kib_total(&[t, t]), 2 * (8 * 1024 + 20));
    }

    #[test]
    fn bad_pamts_are_rejected() {
        let mem = [blk(0, 4 * GIB, 0)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::BadPamt { tdmr: 0 }),
            "no PAMT yet"
        );
        t[0].set_pamt(4 * GIB - 4096, &LIMITS);
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::BadPamt { tdmr: 0 }),
            "outside memory"
        );
        t[0].set_pamt(4096 + 8, &LIMITS);
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::BadPamt { tdmr: 0 }),
            "unaligned"
        );
        t[0].set_pamt(GIB, &LIMITS);
        t[0].pamt[1].base = GIB;
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::PamtOverlap { tdmr: 0, other: 0 })
        );

        let mem = [blk(0, GIB, 0), blk(2 * GIB, 3 * GIB, 1)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        t[0].set_pamt(0, &LIMITS);
        t[1].set_pamt(4096, &LIMITS);
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::PamtOverlap { tdmr: 0, other: 1 })
        );
        t[1].set_pamt(GIB - 64 * MIB, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        assert_eq!(reserved_total(&t), 2);
        t[1].base = 0;
        assert_eq!(
            populate_reserved(&mut t, &mem, &LIMITS),
            Err(PlanError::InvalidTdmr { tdmr: 1 })
        );
        assert_eq!(reserved_total(&t), 0, "stale areas dropped on error");
    }

    // ---- reserved areas ----

    #[test]
    fn pamts_merge_with_holes_and_each_other() {
        // Two TDMRs; both PAMTs at the top of the first block, touching each
        // other and the hole above: one area for all three.
        let mem = [blk(0, 512 * MIB, 0), blk(2 * GIB, 3 * GIB, 1)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        let (p0, p1) = (t[0].pamt_total(&LIMITS), t[1].pamt_total(&LIMITS));
        t[0].set_pamt(512 * MIB - p0, &LIMITS);
        t[1].set_pamt(512 * MIB - p0 - p1, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        assert_eq!(abs_reserved(&t[0]), [(512 * MIB - p0 - p1, GIB)]);
        assert!(t[1].reserved().is_empty());
        assert_eq!(reserved_total(&t), 1);
    }

    #[test]
    fn pamt_spanning_two_tdmrs_is_reserved_in_both() {
        let mem = [blk(0, GIB, 0), blk(GIB, 2 * GIB, 1)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        assert_eq!(spans(&t), [(0, GIB), (GIB, 2 * GIB)]);
        t[0].set_pamt(GIB - 4 * MIB, &LIMITS);
        t[1].set_pamt(GIB + 64 * MIB, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        let end = GIB - 4 * MIB + t[0].pamt_total(&LIMITS);
        assert_eq!(abs_reserved(&t[0]), [(GIB - 4 * MIB, GIB)]);
        assert_eq!(
            abs_reserved(&t[1]),
            [
                (GIB, end),
                (GIB + 64 * MIB, GIB + 64 * MIB + t[1].pamt_total(&LIMITS))
            ]
        );
    }

    #[test]
    fn too_many_reserved() {
        // Five holes in one TDMR (between and after six small blocks).
        let mem: Vec<MemBlock> = (0..6)
            .map(|i| blk(i * 128 * MIB, i * 128 * MIB + 64 * MIB, 0))
            .collect();
        let mut t = plan(&mem, &LIMITS).unwrap();
        t[0].set_pamt(0, &LIMITS);
        let four = Limits {
            max_reserved_per_tdmr: 4,
            ..LIMITS
        };
        assert_eq!(
            populate_reserved(&mut t, &mem, &four),
            Err(PlanError::TooManyReserved { tdmr: 0 })
        );
        assert_eq!(reserved_total(&t), 0, "nothing half-filled");
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        assert_eq!(t[0].reserved().len(), 7, "PAMT, 5 gaps, tail");

        // MAX_RESERVED caps a module that allows more.
        let mem: Vec<MemBlock> = (0..40)
            .map(|i| blk(i * 16 * MIB, i * 16 * MIB + 8 * MIB, 0))
            .collect();
        let mut t = plan(&mem, &LIMITS).unwrap();
        t[0].set_pamt(0, &LIMITS);
        let many = Limits {
            max_reserved_per_tdmr: 1000,
            ..LIMITS
        };
        assert_eq!(many.reserved_cap(), MAX_RESERVED);
        assert_eq!(
            populate_reserved(&mut t, &mem, &many),
            Err(PlanError::TooManyReserved { tdmr: 0 })
        );
    }

    // ---- TDMR_INFO ----

    #[test]
    fn tdmr_info_size_rounds_to_512() {
        assert_eq!(tdmr_info_size(0), 512);
        assert_eq!(tdmr_info_size(16), 512);
        assert_eq!(tdmr_info_size(28), 512);
        assert_eq!(tdmr_info_size(29), 1024);
        assert_eq!(tdmr_info_size(60), 1024);
        assert_eq!(tdmr_info_size(61), 1536);
    }

    #[test]
    fn tdmr_info_layout() {
        let mem = [blk(GIB + 2 * MIB, 2 * GIB - 2 * MIB, 0)];
        let mut t = plan(&mem, &LIMITS).unwrap();
        t[0].set_pamt(GIB + 2 * MIB, &LIMITS);
        populate_reserved(&mut t, &mem, &LIMITS).unwrap();
        let t = t[0];
        let pamt = t.pamt_total(&LIMITS);
        assert_eq!(
            t.reserved(),
            [
                Range {
                    base: 0,
                    size: 2 * MIB + pamt
                },
                Range {
                    base: GIB - 2 * MIB,
                    size: 2 * MIB
                },
            ]
        );

        let mut buf = [0xaau8; 1100];
        write_tdmr_info(&t, 16, &mut buf).unwrap();
        let word = |off: usize| u64::from_le_bytes(buf[off..off + 8].try_into().unwrap());
        assert_eq!(word(0), GIB);
        assert_eq!(word(8), GIB);
        assert_eq!((word(16), word(24)), (t.pamt[2].base, 4096));
        assert_eq!((word(32), word(40)), (t.pamt[1].base, 8192));
        assert_eq!((word(48), word(56)), (GIB + 2 * MIB, 4 * MIB));
        assert_eq!(word(32), GIB + 2 * MIB + 4 * MIB);
        assert_eq!(word(16), GIB + 2 * MIB + 4 * MIB + 8192);
        assert_eq!((word(64), word(72)), (0, 2 * MIB + pamt));
        assert_eq!((word(80), word(88)), (GIB - 2 * MIB, 2 * MIB));
        assert!(buf[96..512].iter().all(|&b| b == 0), "unused areas zero");
        assert!(buf[512..].iter().all(|&b| b == 0xaa), "past the entry");

        assert_eq!(
            write_tdmr_info(&t, 16, &mut buf[..511]),
            Err(PlanError::OutputTooSmall)
        );
        assert_eq!(
            write_tdmr_info(&t, 1, &mut buf),
            Err(PlanError::InfoTooSmall {
                reserved: 2,
                max_reserved_per_tdmr: 1
            })
        );
        write_tdmr_info(&t, 29, &mut buf).unwrap();
        assert!(buf[96..1024].iter().all(|&b| b == 0));
        assert!(buf[1024..].iter().all(|&b| b == 0xaa));
    }

    #[test]
    fn errors_display_one_line() {
        let all = [
            PlanError::TooManyTdmrs {
                needed_at_least: 70,
                max: 64,
            },
            PlanError::TooManyReserved { tdmr: 3 },
            PlanError::InvalidMemory,
            PlanError::BadLimits,
            PlanError::OutputTooSmall,
            PlanError::InvalidTdmr { tdmr: 1 },
            PlanError::BadPamt { tdmr: 2 },
            PlanError::PamtOverlap { tdmr: 0, other: 1 },
            PlanError::InfoTooSmall {
                reserved: 17,
                max_reserved_per_tdmr: 16,
            },
        ];
        for e in all {
            let s = e.to_string();
            assert!(!s.is_empty() && !s.contains('\n'), "{e:?}: {s}");
        }
        assert_eq!(
            all[0].to_string(),
            "TDX memory needs 70 TDMRs, the TDX module supports 64"
        );
    }

    // ---- properties ----

    /// xorshift64*: tiny, deterministic.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn pages(&mut self, lo: u64, hi: u64) -> u64 {
            (lo / PAGE_SIZE + self.below((hi - lo) / PAGE_SIZE + 1)) * PAGE_SIZE
        }
    }

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

    fn random_limits(rng: &mut Rng) -> Limits {
        Limits {
            max_tdmrs: if rng.below(8) == 0 {
                1 + rng.below(3) as u16
            } else {
                64
            },
            max_reserved_per_tdmr: [16, 16, 16, 4, 8, 64][rng.below(6) as usize],
            pamt_entry_size: if rng.below(4) == 0 {
                [0; 3].map(|_: u16| 1 + rng.below(40) as u16)
            } else {
                [16; 3]
            },
        }
    }

    #[derive(Default, Debug)]
    struct Outcomes {
        planned: usize,
        too_many_tdmrs: usize,
        too_many_reserved: usize,
        no_room_for_pamt: usize,
    }

    fn check_case(mem: &[MemBlock], limits: &Limits, seen: &mut Outcomes) {
        let upstream = upstream_tdmrs(mem);
        let mut out = vec![Tdmr::EMPTY; 64];
        let n = match cover(mem, limits, &mut out) {
            Ok(n) => n,
            Err(e) => {
                // Ours needs no more TDMRs than upstream: it fails only
                // where upstream fails too.
                let PlanError::TooManyTdmrs {
                    needed_at_least,
                    max,
                } = e
                else {
                    panic!("{e:?}");
                };
                assert_eq!(max, limits.max_tdmrs);
                assert!(needed_at_least > usize::from(max));
                assert!(needed_at_least <= upstream.len());
                seen.too_many_tdmrs += 1;
                return;
            }
        };
        let mut tdmrs = out[..n].to_vec();
        assert!(out[n..].iter().all(|t| *t == Tdmr::EMPTY));

        // Count: never more than upstream, over exactly upstream's granules,
        // and a new TDMR only where a block shares no granule with the last.
        assert!(n <= usize::from(limits.max_tdmrs));
        assert!(n <= upstream.len());
        assert_eq!(measure(&spans(&out[..n])), measure(&upstream));
        for w in out[..n].windows(2) {
            let first_in_next = mem.iter().find(|b| b.end > w[1].base).unwrap();
            assert!(first_in_next.start >= w[0].end(), "needless split");
        }

        // Geometry.
        let mem_set = union(mem.iter().map(|b| (b.start, b.end)).collect());
        let mut prev_end = 0;
        for t in &tdmrs {
            assert!(t.base % GIB == 0 && t.size % GIB == 0 && t.size > 0);
            assert!(t.base >= prev_end, "ascending, disjoint");
            prev_end = t.end();
            // No needless TDMR, not even a needless granule.
            for g in (t.base..t.end()).step_by(GIB as usize) {
                assert!(!intersect(&[(g, g + GIB)], &mem_set).is_empty());
            }
            let first = mem.iter().find(|b| b.end > t.base).unwrap();
            assert!(first.start < t.end());
            assert_eq!(tdmr_nid(t, mem), first.nid);
        }
        // Every memory byte in exactly one TDMR (they are disjoint).
        assert!(subset(&mem_set, &spans(&tdmrs)));
        // Same granules as upstream, and no more PAMT.
        assert_eq!(union(spans(&tdmrs)), union(upstream.clone()));
        let up_pamt: u64 = upstream
            .iter()
            .map(|&(s, e)| Tdmr::new(s, e - s).pamt_total(limits))
            .sum();
        let pamt: u64 = tdmrs.iter().map(|t| t.pamt_total(limits)).sum();
        assert!(pamt <= up_pamt);

        if place_pamts(&mut tdmrs, mem, limits).is_none() {
            seen.no_room_for_pamt += 1;
            return;
        }
        assert_eq!(pamt_kib_total(&tdmrs), pamt / 1024);
        let pamt_set: Vec<(u64, u64)> = tdmrs
            .iter()
            .flat_map(|t| t.pamt.iter().map(|r| (r.base, r.end())))
            .collect();
        assert_eq!(measure(&union(pamt_set.clone())), pamt, "PAMTs overlap");
        let pamt_set = union(pamt_set);

        let expected: Vec<Vec<(u64, u64)>> = tdmrs
            .iter()
            .map(|t| reference_reserved(t, &tdmrs, mem))
            .collect();
        let over = expected
            .iter()
            .position(|e| e.len() > limits.reserved_cap());
        let result = populate_reserved(&mut tdmrs, mem, limits);
        if let Some(i) = over {
            assert_eq!(result, Err(PlanError::TooManyReserved { tdmr: i }));
            assert_eq!(reserved_total(&tdmrs), 0);
            seen.too_many_reserved += 1;
            return;
        }
        result.unwrap();
        seen.planned += 1;

        for (t, expected) in tdmrs.iter().zip(&expected) {
            let rsv = abs_reserved(t);
            assert_eq!(&rsv, expected);
            for w in rsv.windows(2) {
                assert!(w[0].1 < w[1].0, "sorted, disjoint, merged: {rsv:x?}");
            }
            for r in t.reserved() {
                assert!(r.base % PAGE_SIZE == 0 && r.size % PAGE_SIZE == 0 && r.size > 0);
                assert!(r.base + r.size <= t.size);
            }
            let whole = [(t.base, t.end())];
            // Holes are reserved.
            assert!(subset(&minus(&whole, &mem_set), &rsv));
            // Reserved memory is PAMT.
            assert!(subset(&intersect(&rsv, &mem_set), &pamt_set));
            // PAMT bytes in the TDMR are reserved.
            assert!(subset(&intersect(&whole, &pamt_set), &rsv));

            // TDMR_INFO round trip.
            let max = limits.max_reserved_per_tdmr;
            let mut buf = vec![0xffu8; tdmr_info_size(max)];
            write_tdmr_info(t, max, &mut buf).unwrap();
            let words: Vec<u64> = buf
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                .collect();
            assert_eq!(words[0..2], [t.base, t.size]);
            assert_eq!(words[6..8], [t.pamt[0].base, t.pamt[0].size]);
            for (k, r) in t.reserved().iter().enumerate() {
                assert_eq!(words[8 + 2 * k..10 + 2 * k], [r.base, r.size]);
            }
            assert!(words[8 + 2 * rsv.len()..].iter().all(|&w| w == 0));
        }
        assert_eq!(
            reserved_total(&tdmrs),
            expected.iter().map(Vec::len).sum::<usize>()
        );
    }

    #[test]
    fn random_memory_maps() {
        let mut rng = Rng(0x7d1c_4f00_2dc5_9e31);
        let mut seen = Outcomes::default();
        for _ in 0..4000 {
            let mem = random_mem(&mut rng);
            let limits = random_limits(&mut rng);
            check_case(&mem, &limits, &mut seen);
        }
        assert!(seen.planned >= 2000, "{seen:?}");
        assert!(
            seen.too_many_tdmrs > 0 && seen.too_many_reserved > 0,
            "{seen:?}"
        );
    }
}
