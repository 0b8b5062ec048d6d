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
//!   a TDMR. [`cover`](fn@cover) gives each memory block a TDMR of its own, except that
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
//!   this module holds at most [`MAX_RESERVED`].
//! - **TDMR_INFO.** TDH.SYS.CONFIG reads one TDMR_INFO per TDMR, each
//!   512-byte aligned: eight little-endian u64 (base, size, then base and size
//!   of the 1 GiB, 2 MiB and 4 KiB PAMT), then `MAX_RESERVED_PER_TDMR`
//!   (offset, size) pairs, unused pairs zero, the whole rounded up to 512
//!   bytes ([`tdmr_info_size`], [`write_tdmr_info`]).
//!
//! Use: [`cover`](fn@cover); for each TDMR allocate [`Tdmr::pamt_total`] bytes on node
//! [`tdmr_nid`] and call [`Tdmr::set_pamt`]; then [`populate_reserved`]; then
//! [`write_tdmr_info`] for each TDMR.
//!
//! Nothing here allocates: callers pass the output slices.
//!
//! The files: this one has the shared constants and types; `cover.rs`
//! covers the memory with TDMRs; `pamt.rs` sizes the PAMTs and checks where
//! they were placed; `reserved.rs` fills the reserved areas; `info.rs`
//! writes TDMR_INFO; `tests.rs` tests them together.
//!
//! Pure `core`: these files are built into the kernel module and into the
//! host test crate alike.

mod cover;
mod info;
mod pamt;
mod reserved;
mod summary;
#[cfg(test)]
mod tests;

pub(crate) use cover::{cover, tdmr_nid};
pub(crate) use info::{tdmr_info_size, write_tdmr_info};
pub(crate) use pamt::pamt_kib_total;
pub(crate) use reserved::{populate_reserved, reserved_total};
#[cfg(test)]
pub(crate) use summary::plan_for_test;
pub(crate) use summary::{summarize, PlanSummary};

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

/// Why a plan cannot be made. Displayed as one line for the kernel log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PlanError {
    /// The memory needs more TDMRs than the TDX module supports.
    /// `needed_at_least` is the exact number [`cover`](fn@cover) would use.
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
mod upstream_model;
