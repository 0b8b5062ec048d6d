// SPDX-License-Identifier: GPL-2.0

//! What `tools/tdx_preflight` (the administrator's pre-flight check) reads of
//! this crate: the texts of `init/explain.rs`, through the functions the
//! module logs them with, so the tool and the kernel log never disagree and
//! the table has one copy. Host build only: the kernel module does not
//! compile this file.

use crate::abi::leaf::{self, Leaf};
use crate::abi::status;
use crate::init::explain::{self, Platform};
use crate::init::tdmr::{self, Limits, MemBlock, PlanError, Range, Tdmr};
use core::fmt;

/// A cause and what to do about it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Text {
    /// What went wrong, in the administrator's terms.
    pub cause: &'static str,
    /// What to change.
    pub fix: &'static str,
}

impl From<explain::Text> for Text {
    fn from(t: explain::Text) -> Self {
        Text {
            cause: t.cause,
            fix: t.fix,
        }
    }
}

/// A status a leaf returned, explained as the module logs it: one line,
/// `cause: ...; fix: ...`.
pub struct Status(explain::Explained);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Status {
    /// The table's row for it, if it has one for this leaf.
    pub fn text(&self) -> Option<Text> {
        self.0.text().map(Text::from)
    }
}

/// Explains `rax` from the leaf numbered `leaf_nr` (bits 15:0 of RAX at the
/// SEAMCALL); `None` for a leaf this driver does not call.
pub fn status(leaf_nr: u64, rax: u64) -> Option<Status> {
    let nr = leaf_nr & 0xffff;
    let leaf = leaf::ALL.iter().find(|l| **l as u64 == nr)?;
    Some(Status(explain::explain(*leaf, rax)))
}

/// What the host's own software statuses mean.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Software {
    /// SEAMCALL failed with VMfailInvalid: no TDX module is loaded.
    NoModule,
    /// SEAMCALL raised #GP: TDX is not enabled in the BIOS.
    Gp,
    /// SEAMCALL raised #UD: the CPU is not in VMX operation.
    Ud,
}

/// The text of a software status of TDH.SYS.INIT, the first SEAMCALL.
pub fn software(s: Software) -> Text {
    let rax = match s {
        Software::NoModule => status::SEAMCALL_VMFAILINVALID,
        Software::Gp => status::SW_ERROR | u64::from(status::TRAP_GP),
        Software::Ud => status::SW_ERROR | u64::from(status::TRAP_UD),
    };
    // Every software status has a row for TDH.SYS.INIT (a host test of
    // this crate checks the table); the fallback is never taken.
    explain::explain(Leaf::SysInit, rax)
        .text()
        .map_or(UNKNOWN, Text::from)
}

const UNKNOWN: Text = Text {
    cause: "no text",
    fix: "report it",
};

/// The text of TDX module 1.0's answer to TDH.SYS.RD, which this driver
/// reads metadata with: what a TDX module older than 1.5 means.
pub fn module_too_old() -> Text {
    explain::explain(Leaf::SysRd, status::code::SYS_NOT_READY)
        .text()
        .map_or(UNKNOWN, Text::from)
}

/// The planner failures the kernel logs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Plan {
    /// A TDMR needs more reserved areas than the TDX module allows.
    ReservedAreasExhausted,
    /// The memory needs more TDMRs than the TDX module allows.
    TdmrsExhausted,
    /// System RAM outside every CMR.
    OutsideCmrs,
}

/// The text of a planner failure.
pub fn plan(p: Plan) -> Text {
    let e = match p {
        Plan::ReservedAreasExhausted => PlanError::TooManyReserved {
            tdmr: 0,
            start: 0,
            end: 0,
            needed: 0,
            max: 0,
        },
        Plan::TdmrsExhausted => PlanError::TooManyTdmrs {
            needed_at_least: 0,
            max: 0,
        },
        Plan::OutsideCmrs => PlanError::OutsideCmrs { start: 0, end: 0 },
    };
    explain::plan(&e).into()
}

/// Whether System RAM lies in the CMRs, as the planner checks it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Coverage {
    /// Every byte of System RAM above the first MiB lies in a CMR.
    Covered,
    /// `[start, end)`: the first System RAM outside every CMR.
    Outside {
        /// First byte.
        start: u64,
        /// Where the memory ends or a CMR begins.
        end: u64,
    },
    /// The lists break the planner's rules (overlapping RAM, CMRs unsorted,
    /// unaligned or overlapping), or are longer than [`MAX_RAM`] or
    /// [`MAX_CMRS`].
    Invalid,
}

/// The most System RAM ranges [`ram_in_cmrs`] takes.
pub const MAX_RAM: usize = 1024;
/// The most CMRs [`ram_in_cmrs`] takes (TDX 1.5 reports at most 32).
pub const MAX_CMRS: usize = 64;

/// Memory below this is never TDX memory: the module's own rule
/// (`LOW_MEMORY_END` in `init/mod.rs`), as upstream's.
const LOW_MEMORY_END: u64 = 1 << 20;

/// Checks System RAM (`[start, end)` ranges, any order) against the CMRs
/// (`[start, end)`) with the planner's own check (`tdmr::cover`), after the
/// trimming the module applies to the kernel's RAM (above the first MiB,
/// whole pages).
pub fn ram_in_cmrs(ram: &[(u64, u64)], cmrs: &[(u64, u64)]) -> Coverage {
    const PAGE: u64 = 4096;
    if ram.len() > MAX_RAM || cmrs.len() > MAX_CMRS {
        return Coverage::Invalid;
    }
    let mut mem = [MemBlock {
        start: 0,
        end: 0,
        nid: 0,
    }; MAX_RAM];
    for (b, &(start, end)) in mem.iter_mut().zip(ram) {
        b.start = start.max(LOW_MEMORY_END).next_multiple_of(PAGE);
        b.end = (end & !(PAGE - 1)).max(b.start);
    }
    let Ok(n) = tdmr::normalize(&mut mem[..ram.len()]) else {
        return Coverage::Invalid;
    };
    let mut ranges = [Range::default(); MAX_CMRS];
    for (r, &(start, end)) in ranges.iter_mut().zip(cmrs) {
        r.base = start;
        r.size = end.saturating_sub(start);
    }
    // No TDMR is wanted: only the checks before the TDMRs are laid out.
    let limits = Limits {
        max_tdmrs: u16::MAX,
        max_reserved_per_tdmr: 16,
        pamt_entry_size: [16; 3],
    };
    let out: &mut [Tdmr] = &mut [];
    match tdmr::cover(&mem[..n], &ranges[..cmrs.len()], &limits, out) {
        Err(PlanError::OutsideCmrs { start, end }) => Coverage::Outside { start, end },
        Err(PlanError::InvalidMemory | PlanError::InvalidCmrs) => Coverage::Invalid,
        _ => Coverage::Covered,
    }
}

/// The platform checks the module makes before any SEAMCALL.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Check {
    /// IA32_MKTME_KEYID_PARTITIONING cannot be read.
    NoKeyIdPartitioning,
    /// Fewer than two TDX KeyIDs.
    TooFewKeyIds,
    /// A CPU is not in VMX operation.
    NotInVmxOperation,
}

/// The text of a platform check.
pub fn platform(c: Check) -> Text {
    match c {
        Check::NoKeyIdPartitioning => Platform::NoKeyIdPartitioning,
        Check::TooFewKeyIds => Platform::TooFewKeyIds,
        Check::NotInVmxOperation => Platform::NotInVmxOperation,
    }
    .text()
    .into()
}

/// The one-line fix the module logs next to a CPU not in VMX operation.
pub const VMX_FIX: &str = explain::VMX_FIX;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_a_row_of_the_table() {
        for s in [Software::NoModule, Software::Gp, Software::Ud] {
            assert_ne!(software(s), UNKNOWN, "{s:?}");
        }
        assert_ne!(module_too_old(), UNKNOWN);
        assert!(module_too_old().cause.contains("1.0"));
    }

    #[test]
    fn ram_outside_the_cmrs_is_found_as_the_planner_finds_it() {
        let cmrs = [(0x10_0000, 0x7780_0000), (0x1_0000_0000, 0x2_0000_0000)];
        // Below 1 MiB never counts; a partial page at an end is dropped.
        let ram = [
            (0, 0x9f000),
            (0x10_0000, 0x7780_0000),
            (0x1_0000_0000, 0x2_0000_0fff),
        ];
        assert_eq!(ram_in_cmrs(&ram, &cmrs), Coverage::Covered);
        let ram = [(0x1_0000_0000, 0x2_4000_0000), (0x10_0000, 0x7000_0000)];
        assert_eq!(
            ram_in_cmrs(&ram, &cmrs),
            Coverage::Outside {
                start: 0x2_0000_0000,
                end: 0x2_4000_0000
            }
        );
        let overlapping = [(0x10_0000, 0x20_0000), (0x10_0000, 0x30_0000)];
        assert_eq!(
            ram_in_cmrs(&[(0x10_0000, 0x20_0000)], &overlapping),
            Coverage::Invalid
        );
    }

    #[test]
    fn status_finds_the_leaf_by_number() {
        // TDH.SYS.RD is leaf 34 (0x22), as upstream logs it.
        let s = status(0x22, status::code::SYS_NOT_READY).unwrap();
        assert_eq!(s.text(), Some(module_too_old()));
        assert!(status(0x7fff, 0).is_none());
    }
}
