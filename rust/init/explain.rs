// SPDX-License-Identifier: GPL-2.0

//! What a failed initialization means, and what the server's administrator
//! can do about it: one more log line, `cause: ...; fix: ...`, after the line
//! that logs the failure.
//!
//! - [`explain`]: a status (RAX) one of the seven initialization leaves
//!   returned. The table (`explain/table.rs`) has a row for each status TDX
//!   module 1.5.06 returns from each leaf (Intel's handlers, one comment per
//!   row group says which), plus the host's own software statuses
//!   (VMfailInvalid, #UD, #GP) and one status of TDX module 1.0 that users
//!   meet. Bits 31:0 of a status are decoded as the row says: an operand id
//!   (RCX, RDX, R8...), an MSR, a CPUID leaf, or the TDMR index, PAMT level
//!   and area index of the TDMR statuses (`api_error_with_multiple_info()`:
//!   bits 7:0, 15:8, 23:16). A status the table lacks for that leaf is said
//!   to be unknown, with bits 63:32 decoded, never given another leaf's text.
//! - [`plan`]: a [`PlanError`] of the TDMR planner, and [`Platform`]: what
//!   the host finds before any SEAMCALL (`explain/host.rs`).
//!
//! The texts are [`Text`]s (`&'static str`), so the same table serves the
//! kernel log, `Documentation/admin-guide.rst` ("Troubleshooting by status
//! code", checked against the table by a host test) and other tools.
//!
//! Pure `core`: built into the kernel module and into the host test crate.

#[cfg(test)]
mod doc_tests;
mod host;
#[cfg(test)]
mod log_tests;
mod names;
mod table;
#[cfg(test)]
mod tests;

use crate::abi::leaf::Leaf;
use crate::abi::status::{self, ERROR, FATAL, NON_RECOVERABLE};
use crate::init::tdmr::PlanError;
use core::fmt;

/// A cause and a fix.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Text {
    /// What went wrong, in the administrator's terms.
    pub(crate) cause: &'static str,
    /// What to change: a BIOS setting, a firmware or module update, a boot
    /// parameter, or a report.
    pub(crate) fix: &'static str,
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cause: {}; fix: {}", self.cause, self.fix)
    }
}

/// What bits 31:0 of a status carry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Detail {
    /// Nothing worth printing.
    None,
    /// An operand id (`OPERAND_ID_*`): RAX, RCX, RDX, R8, or an internal
    /// object such as the key engine table.
    Operand,
    /// An MSR address.
    Msr,
    /// A CPUID leaf; 0 (`OPERAND_ID_RAX`) stands for leaf 0x1F's levels.
    CpuidLeaf,
    /// Bits 7:0: a TDMR index.
    Tdmr,
    /// Bits 7:0: a TDMR index; 15:8: a PAMT level.
    TdmrPamt,
    /// Bits 7:0: a TDMR index; 15:8: a PAMT level; 23:16: the other TDMR.
    TdmrPamtTdmr,
    /// Bits 7:0: a TDMR index; 15:8: a reserved area index.
    TdmrArea,
    /// Bits 31:0: 0 for SMRR, 1 for SMRR2.
    Smrr,
    /// Bits 7:0: 0 for SMRR, 1 for SMRR2; 15:8: a CMR index.
    SmrrCmr,
    /// Bits 31:0: a package id.
    Package,
    /// Bits 31:0: the number of KeyIDs the TDX module supports.
    MaxKeyIds,
}

/// One status of one or more leaves, and what it means there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    /// The leaves that return it.
    pub(crate) leaves: &'static [Leaf],
    /// Bits 63:32 of the status (bits 31:0 zero).
    pub(crate) code: u64,
    /// `Some(x)`: the row is for bits 31:0 equal to `x` only.
    pub(crate) low: Option<u32>,
    /// How bits 31:0 are printed.
    pub(crate) detail: Detail,
    /// The status' name in Intel's headers (the host's, for its own).
    pub(crate) name: &'static str,
    /// What it means there.
    pub(crate) text: Text,
}

impl Row {
    /// Whether `rax` from `leaf` is this row's status.
    fn matches(&self, leaf: Leaf, rax: u64) -> bool {
        self.leaves.contains(&leaf)
            && rax & !0xffff_ffff == self.code
            && match self.low {
                None => true,
                Some(low) => rax as u32 == low,
            }
    }
}

/// A status of an initialization leaf, explained. Displayed as one line
/// (without the newline): `cause: ... (details); fix: ...`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Explained {
    leaf: Leaf,
    rax: u64,
    row: Option<&'static Row>,
}

/// Explains `rax`, the status `leaf` returned.
pub(crate) fn explain(leaf: Leaf, rax: u64) -> Explained {
    Explained {
        leaf,
        rax,
        row: table::ROWS.iter().find(|row| row.matches(leaf, rax)),
    }
}

impl Explained {
    /// The cause and fix, if the table knows the status for this leaf.
    pub(crate) fn text(&self) -> Option<Text> {
        self.row.map(|row| row.text)
    }
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Some(row), Some(text)) = (self.row, self.text()) else {
            return unknown(f, self.leaf, self.rax);
        };
        write!(f, "cause: {}: {}", row.name, text.cause)?;
        if row.detail != Detail::None {
            write!(f, " ({})", Decoded(row.detail, self.rax as u32))?;
        }
        write!(f, "; fix: {}", text.fix)
    }
}

/// A status the table does not have for `leaf`: its bits, decoded.
fn unknown(f: &mut fmt::Formatter<'_>, leaf: Leaf, rax: u64) -> fmt::Result {
    let leaf = leaf.abi_name();
    let class = (rax >> 40) as u8;
    if rax & status::SW_ERROR == status::SW_ERROR {
        write!(
            f,
            "cause: software status {rax:#018x}: not one this driver's trampolines make for {leaf}"
        )?;
    } else {
        write!(
            f,
            "cause: status {rax:#018x} is not one {leaf} returns in TDX module 1.5.06: "
        )?;
        if let Some(name) = table::name_of(rax) {
            write!(f, "{name}, ")?;
        }
        let severity = if rax & FATAL != 0 {
            "fatal error"
        } else if rax & NON_RECOVERABLE != 0 {
            "non-recoverable error"
        } else if rax & ERROR != 0 {
            "recoverable error"
        } else {
            "not an error"
        };
        write!(
            f,
            "{severity}, class {class:#04x}, details {:#04x}, bits 31:0 {:#x}",
            (rax >> 32) as u8,
            rax as u32
        )?;
    }
    f.write_str(
        "; fix: look the class and details up in Intel's TDX module ABI specification \
         (completion status codes) and report this log with the TDX module's version",
    )
}

/// Bits 31:0 of a status, decoded as a [`Detail`].
struct Decoded(Detail, u32);

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Decoded(detail, low) = *self;
        let [b0, b1, b2, _] = low.to_le_bytes();
        match detail {
            Detail::None => Ok(()),
            Detail::Operand => match names::operand_name(low) {
                Some(name) => write!(f, "operand {name}"),
                None => write!(f, "operand id {low}"),
            },
            Detail::Msr => match names::msr_name(low) {
                Some(name) => write!(f, "MSR {low:#x} {name}"),
                None => write!(f, "MSR {low:#x}"),
            },
            Detail::CpuidLeaf if low == 0 => {
                f.write_str("CPUID leaf 0x1f: no valid or no core level")
            }
            Detail::CpuidLeaf => write!(f, "CPUID leaf {low:#x}"),
            Detail::Tdmr => write!(f, "TDMR {b0}"),
            Detail::TdmrPamt => write!(f, "TDMR {b0}, {} PAMT", Level(b1)),
            Detail::TdmrPamtTdmr => write!(f, "TDMR {b0}, {} PAMT, against TDMR {b2}", Level(b1)),
            Detail::TdmrArea => write!(f, "TDMR {b0}, reserved area {b1}"),
            Detail::Smrr => write!(f, "{}", Smrr(low)),
            Detail::SmrrCmr => write!(f, "{} and CMR {b1}", Smrr(u32::from(b0))),
            Detail::Package => write!(f, "package {low}"),
            Detail::MaxKeyIds => write!(f, "the TDX module supports {low} KeyIDs"),
        }
    }
}

/// A PAMT level as the TDX module numbers them (`PT_4KB` 0, `PT_2MB` 1,
/// `PT_1GB` 2).
struct Level(u8);

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("4K"),
            1 => f.write_str("2M"),
            2 => f.write_str("1G"),
            n => write!(f, "level-{n}"),
        }
    }
}

/// An SMRR index (0: SMRR, 1: SMRR2).
struct Smrr(u32);

impl fmt::Display for Smrr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("SMRR"),
            n => write!(f, "SMRR{}", u64::from(n) + 1),
        }
    }
}

/// Explains a planner error. The error's own line says which TDMR and
/// ranges; this one says why and what to do.
pub(crate) fn plan(e: &PlanError) -> Text {
    host::plan(e)
}

/// What the host finds wrong before it makes any SEAMCALL.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Platform {
    /// IA32_MKTME_KEYID_PARTITIONING cannot be read.
    NoKeyIdPartitioning,
    /// Fewer than two TDX private KeyIDs.
    TooFewKeyIds,
    /// A present CPU is offline and never did TDH.SYS.LP.INIT.
    CpuNeverInitialized,
    /// SEAMCALL raised #UD on a CPU: it is not in VMX operation.
    NotInVmxOperation,
}

/// What to do when a CPU is not in VMX operation, for the line that names
/// the CPU (`lps.rs`).
pub(crate) const VMX_FIX: &str =
    "load kvm_intel first; it enables VMX at load on 6.12 (enable_virt_at_load=1)";

impl Platform {
    /// Its cause and fix.
    pub(crate) const fn text(self) -> Text {
        host::platform(self)
    }
}
