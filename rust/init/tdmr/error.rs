// SPDX-License-Identifier: GPL-2.0

//! Why a plan cannot be made ([`PlanError`]).

use core::fmt;

/// Why a plan cannot be made. Displayed as one line for the kernel log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PlanError {
    /// The memory needs more TDMRs than the TDX module supports.
    /// `needed_at_least` is the exact number [`cover`](fn@super::cover)
    /// would use.
    TooManyTdmrs {
        /// TDMRs the memory needs.
        needed_at_least: usize,
        /// The module's `MAX_TDMRS`.
        max: u16,
    },
    /// TDMR number `tdmr`, `[start, end)`, needs `needed` reserved areas,
    /// more than `max` = `min(max_reserved_per_tdmr, MAX_RESERVED)`.
    TooManyReserved {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
        /// The TDMR's base.
        start: u64,
        /// The TDMR's end.
        end: u64,
        /// Reserved areas the TDMR needs.
        needed: usize,
        /// Reserved areas a TDMR may have.
        max: usize,
    },
    /// The memory list is empty, unsorted, overlapping, not page aligned, has
    /// an empty block, or reaches beyond [`MAX_PHYS_ADDR`](super::MAX_PHYS_ADDR).
    InvalidMemory,
    /// The same memory `[start, end)` was reported for nodes `nid` and
    /// `other`: their spans interleave ([`normalize`](super::normalize)).
    NodesOverlap {
        /// First byte both nodes claim.
        start: u64,
        /// One past the last byte of the overlap.
        end: u64,
        /// One node.
        nid: i32,
        /// The other node.
        other: i32,
    },
    /// The CMR list is unsorted, overlapping, not page aligned or beyond
    /// [`MAX_PHYS_ADDR`](super::MAX_PHYS_ADDR).
    InvalidCmrs,
    /// TDX memory `[start, end)` lies outside every CMR: the first such
    /// range, as long as it runs.
    OutsideCmrs {
        /// First byte outside every CMR.
        start: u64,
        /// Where the memory ends or a CMR begins.
        end: u64,
    },
    /// The module's metadata allows no TDMR or has a zero PAMT entry size.
    BadLimits,
    /// The caller's output (TDMR slice, TDMR_INFO buffer) is too short.
    OutputTooSmall,
    /// A TDMR handed back in is not 1 GiB aligned, is empty, reaches beyond
    /// [`MAX_PHYS_ADDR`](super::MAX_PHYS_ADDR), or is out of order.
    InvalidTdmr {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
    },
    /// A TDMR's PAMT is missing, not page aligned, smaller than
    /// [`Tdmr::pamt_sizes`](super::Tdmr::pamt_sizes), or not inside TDX
    /// memory.
    BadPamt {
        /// Index of the TDMR in the caller's slice.
        tdmr: usize,
    },
    /// No window of the TDMR's PAMT placement had room for it.
    NoRoomForPamt {
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
            Self::TooManyReserved {
                tdmr,
                start,
                end,
                needed,
                max,
            } => write!(
                f,
                "TDMR {tdmr} [{start:#x}, {end:#x}): reserved areas exhausted ({needed} needed, {max} allowed)"
            ),
            Self::InvalidMemory => {
                f.write_str("TDX memory list empty, unsorted, overlapping, unaligned or above 2^52")
            }
            Self::NodesOverlap {
                start,
                end,
                nid,
                other,
            } => write!(
                f,
                "memory [{start:#x}, {end:#x}) reported for NUMA nodes {nid} and {other}"
            ),
            Self::InvalidCmrs => {
                f.write_str("CMR list unsorted, overlapping, unaligned or above 2^52")
            }
            Self::OutsideCmrs { start, end } => {
                write!(f, "TDX memory [{start:#x}, {end:#x}) is outside every CMR")
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
            Self::NoRoomForPamt { tdmr } => {
                write!(f, "TDMR {tdmr}: no contiguous free memory for its PAMT")
            }
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
