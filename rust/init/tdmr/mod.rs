// SPDX-License-Identifier: GPL-2.0

//! TDMR planning: which memory the TDX module manages, where its metadata
//! (the PAMT) lives, and the TDMR_INFO entries TDH.SYS.CONFIG reads.
//!
//! The TDX module only protects memory that the host lists in *TD Memory
//! Regions* (TDMRs). The rules, from the TDX module ABI and TDH.SYS.CONFIG's
//! checks (`check_and_set_tdmrs()` in the module's `tdh_sys_config.c`,
//! 1.5.06):
//!
//! - **Alignment.** A TDMR's base and size are multiples of 1 GiB
//!   ([`TDMR_ALIGN`]) and the size is not zero. TDMRs are listed in ascending
//!   order and do not overlap. The module supports at most `MAX_TDMRS` of them
//!   (global metadata; 64 on TDX 1.5).
//! - **Convertible memory.** The module reports its Convertible Memory
//!   Ranges (CMRs). Every part of a TDMR that is not a reserved area must lie
//!   in one CMR (`check_tdmr_available_areas()`; `is_area_in_cmr()` counts
//!   CMRs that touch as one). So TDX memory must lie in the CMRs
//!   ([`PlanError::OutsideCmrs`] names the first range that does not), and
//!   every TDMR byte outside every CMR must be reserved.
//! - **Covering.** Every byte of TDX memory ([`MemBlock`]) must lie in a
//!   TDMR. [`cover`](fn@cover) gives each memory block the TDMR of its 1 GiB
//!   granules; a block that starts in a granule the previous TDMR already
//!   has gets a TDMR from that TDMR's end (a granule cannot be split), and a
//!   block that lies wholly in it gets none: upstream Linux's
//!   `fill_out_tdmrs()` rule. Each block is memory of one node (the kernel
//!   cuts System RAM at the node spans, [`normalize`] joins only blocks of
//!   one node), so a TDMR holds memory of one node, but in a granule that a
//!   node boundary cuts: the granule goes to the TDMR of the block that
//!   reaches it first.
//! - **PAMT sizing.** Each TDMR has a Physical Address Metadata Table at each
//!   page size: one entry per 4 KiB page, per 2 MiB page and per 1 GiB page of
//!   the TDMR, each entry `PAMT_{4K,2M,1G}_ENTRY_SIZE` bytes (16 on TDX 1.5),
//!   each table rounded up to 4 KiB. With 16-byte entries a 1 GiB TDMR needs
//!   4 MiB + 8 KiB + 4 KiB (262144, 512 and 1 entries). The three tables are
//!   placed in one physically contiguous allocation, 4 KiB table first
//!   ([`Tdmr::set_pamt`]), inside TDX memory.
//! - **PAMT placement.** [`tdmr_nid`] picks the node with most of the TDMR's
//!   memory; [`pamt_windows`] lists where its PAMT may go, in order: that
//!   node's memory above 4 GiB, highest first, then its memory below 4 GiB,
//!   then other nodes' (above 4 GiB first). The kernel takes each window top
//!   down, so the PAMTs of one node sit next to each other and take one
//!   reserved area.
//! - **Reserved areas.** Inside a TDMR, every byte outside every CMR and
//!   every PAMT byte (of this TDMR's PAMT or another's) must lie in a
//!   reserved area: offset from the TDMR base and size, both 4 KiB aligned,
//!   sorted by offset, not overlapping. [`populate_reserved`] makes one area
//!   of each run of such bytes and joins two areas when no TDX memory lies
//!   between them, so the areas are as few as the rule allows. Holes that
//!   the CMRs cover need no area: the PAMT describes them, and the kernel
//!   never hands their pages to a TD. The module takes at most
//!   `MAX_RESERVED_PER_TDMR` per TDMR (16 on TDX 1.5); this module holds at
//!   most [`MAX_RESERVED`].
//! - **TDMR_INFO.** TDH.SYS.CONFIG reads one TDMR_INFO per TDMR, each
//!   512-byte aligned: eight little-endian u64 (base, size, then base and size
//!   of the 1 GiB, 2 MiB and 4 KiB PAMT), then `MAX_RESERVED_PER_TDMR`
//!   (offset, size) pairs, unused pairs zero, the whole rounded up to 512
//!   bytes ([`tdmr_info_size`], [`write_tdmr_info`]).
//!
//! Use: [`normalize`] the memory list; [`cover`](fn@cover) it; for each TDMR
//! in order, allocate [`Tdmr::pamt_total`] bytes in the first of its
//! [`pamt_windows`] that has room and call [`Tdmr::set_pamt`]; then
//! [`populate_reserved`]; then [`write_tdmr_info`] for each TDMR.
//! [`summarize`] tells what the plan costs.
//!
//! # Differences from upstream
//!
//! Upstream is Linux 6.12's `arch/x86/virt/vmx/tdx/tdx.c`.
//!
//! - **Reserved areas.** Upstream reserves every TDMR byte that is not TDX
//!   memory (`tdmr_populate_rsvd_holes()`), one area per hole, plus the
//!   PAMTs. Firmware leaves many small holes below 4 GiB, and servers fail
//!   with "reserved areas exhausted" (canonical/tdx#135: an Emerald Rapids
//!   TDMR [0, 2 GiB) needs 17 areas, 16 allowed; canonical/tdx#415: Granite
//!   Rapids, [1 GiB, 2 GiB)). The module only needs the bytes outside the
//!   CMRs reserved, and those are far fewer: holes inside a CMR (memory the
//!   firmware keeps but the CPU can convert) need no area. Upstream's areas
//!   (one per hole, one per PAMT, never joined) cover every run of bytes
//!   that are not TDX memory or are PAMT; here each such run that needs
//!   reserving gets exactly one area, so a TDMR never needs more areas than
//!   upstream's does with the same PAMTs.
//! - **CMR check.** Upstream 6.12 does not read the CMRs; memory outside
//!   them fails TDH.SYS.CONFIG with `TDX_TDMR_OUTSIDE_CMRS`, naming a TDMR.
//!   Here planning fails first, naming the memory range.
//! - **PAMT node.** Upstream allocates a TDMR's PAMT on the node of the first
//!   memory block that ends inside the TDMR (`tdmr_get_nid()`); here it is
//!   the node with most of the TDMR's memory. They differ for a TDMR whose
//!   block is small next to another node's memory in its last granule.
//! - **PAMT placement.** Upstream's `alloc_contig_pages()` walks the node's
//!   zones from ZONE_NORMAL down, each from its lowest page up, in steps of
//!   the allocation's size; modules cannot call it. Here the windows are
//!   taken top down: above 4 GiB first as upstream, but each PAMT directly
//!   below the node's previous one, so they merge into one reserved area.
//! - **Memory list.** Upstream takes memblock's ranges, each with its node.
//!   Modules cannot read memblock: the kernel's System RAM ranges are cut
//!   where their node changes, looked up every 2 MiB (`rust/glue/kernel.c`),
//!   each piece reported once; [`normalize`] sorts and joins them, and
//!   refuses pieces sharing memory ([`PlanError::NodesOverlap`]) as a guard.
//! - **TDMR count.** The same rule as upstream's `fill_out_tdmrs()`: with the
//!   same memory list, the same TDMRs.
//!
//! Nothing here allocates: callers pass the output slices.
//!
//! The files: this one has the shared constants and types; `error.rs` the
//! errors; `memory.rs` checks and normalizes the memory list; `cmr.rs` the
//! CMRs; `cover.rs` covers the memory with TDMRs; `pamt.rs` sizes the PAMTs
//! and checks where they were placed; `placement.rs` chooses where they go;
//! `reserved.rs` fills the reserved areas; `info.rs` writes TDMR_INFO;
//! `summary.rs` sums a plan up. The tests: `tests.rs` (worked examples),
//! `cmr_tests.rs`, `placement_tests.rs`, `info_tests.rs`, `prop_tests.rs`
//! (random maps against reference models), with `test_util.rs`;
//! `compare_tests.rs` and `scale.rs` (with `scale_svg.rs`, `make bench`'s
//! scaling table) set ours beside `upstream_model.rs` on `gen.rs`'s maps.
//!
//! Pure `core`: these files are built into the kernel module and into the
//! host test crate alike.

mod cmr;
#[cfg(test)]
mod cmr_tests;
mod cover;
mod error;
mod info;
#[cfg(test)]
mod info_tests;
mod memory;
mod pamt;
mod placement;
#[cfg(test)]
mod placement_tests;
#[cfg(test)]
mod prop_tests;
mod reserved;
mod summary;
#[cfg(test)]
mod test_util;
#[cfg(test)]
mod tests;

pub(crate) use cover::cover;
pub(crate) use error::PlanError;
pub(crate) use info::{tdmr_info_size, write_tdmr_info};
pub(crate) use memory::normalize;
pub(crate) use pamt::pamt_kib_total;
pub(crate) use placement::{pamt_windows, place_pamts, tdmr_nid};
pub(crate) use reserved::{populate_reserved, reserved_total};
#[cfg(test)]
pub(crate) use summary::plan_for_test;
pub(crate) use summary::{summarize, PlanSummary};

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

/// Where PAMT placement's preferred memory starts.
pub(crate) const FOUR_GIB: u64 = 4 << 30;

/// One block of TDX-usable memory, `[start, end)`, page aligned. A memory
/// list is sorted ascending and its blocks do not overlap (they may touch).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MemBlock {
    /// First byte.
    pub(crate) start: u64,
    /// One past the last byte.
    pub(crate) end: u64,
    /// NUMA node of the block; negative: in no online node (memory added
    /// but not online), never given a PAMT.
    pub(crate) nid: i32,
}

impl MemBlock {
    /// Whether `[start, end)` lies inside this block: memory that may come
    /// online once the TDX module covers this list.
    pub(crate) const fn contains(&self, start: u64, end: u64) -> bool {
        start >= self.start && start <= end && end <= self.end
    }
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
    /// The PAMT entry sizes [`Tdmr::set_pamt`] sized the PAMT with.
    pamt_entry_size: [u16; 3],
}

impl Default for Tdmr {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Tdmr {
    /// A zero TDMR, to initialise the output slice given to [`cover`](fn@cover).
    pub(crate) const EMPTY: Tdmr = Tdmr::new(0, 0);

    /// `[base, base + size)` with no PAMT and no reserved areas.
    pub(crate) const fn new(base: u64, size: u64) -> Self {
        Tdmr {
            base,
            size,
            pamt: [Range::ZERO; 3],
            reserved: [Range::ZERO; MAX_RESERVED],
            nr_reserved: 0,
            pamt_entry_size: [0; 3],
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
}

/// `x` rounded up to `align` (a power of two), saturating near `u64::MAX`.
const fn align_up(x: u64, align: u64) -> u64 {
    x.saturating_add(align - 1) & !(align - 1)
}

/// `x` rounded down to `align` (a power of two).
const fn align_down(x: u64, align: u64) -> u64 {
    x & !(align - 1)
}

// Test only: upstream's planner as a model, the platform profiles, generated
// maps, and the comparison of the two planners on them.
#[cfg(test)]
mod compare_tests;
#[cfg(test)]
mod gen;
#[cfg(test)]
mod profiles;
#[cfg(test)]
mod scale;
#[cfg(test)]
mod scale_svg;
#[cfg(test)]
mod upstream_model;
