// SPDX-License-Identifier: GPL-2.0

//! What `tools/tdx_preflight` (the administrator's pre-flight check) reads of
//! this crate: the texts of `init/explain.rs`, through the functions the
//! module logs them with, so the tool and the kernel log never disagree and
//! the table has one copy. Host build only: the kernel module does not
//! compile this file.

use crate::abi::leaf::{self, Leaf};
use crate::abi::status;
use crate::init::explain::{self, Platform};
use crate::init::tdmr::PlanError;
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
    fn status_finds_the_leaf_by_number() {
        // TDH.SYS.RD is leaf 34 (0x22), as upstream logs it.
        let s = status(0x22, status::code::SYS_NOT_READY).unwrap();
        assert_eq!(s.text(), Some(module_too_old()));
        assert!(status(0x7fff, 0).is_none());
    }
}
