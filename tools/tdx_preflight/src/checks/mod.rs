// SPDX-License-Identifier: GPL-2.0

//! The checks, in dependency order, each a pure function of the [`Inputs`],
//! and how a verdict is printed.

mod kernel;
mod log;
#[cfg(test)]
mod log_tests;
mod platform;
#[cfg(test)]
mod tests;

use crate::input::Inputs;
use std::fmt;

/// What one check found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Present and right.
    Ok(String),
    /// Missing or wrong, and what to do.
    Missing { finding: String, fix: String },
    /// Not known from what could be read, and how to find out.
    Unknown { why: String, fix: String },
}

impl Verdict {
    /// A missing verdict.
    pub fn missing(finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Verdict::Missing {
            finding: finding.into(),
            fix: fix.into(),
        }
    }

    /// An unknown verdict.
    pub fn unknown(why: impl Into<String>, fix: impl Into<String>) -> Self {
        Verdict::Unknown {
            why: why.into(),
            fix: fix.into(),
        }
    }

    /// The word the line starts with.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Ok(_) => "ok",
            Verdict::Missing { .. } => "MISSING",
            Verdict::Unknown { .. } => "unknown",
        }
    }
}

/// One check: its name and what it decided.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The check's name.
    pub name: &'static str,
    /// Its verdict.
    pub verdict: Verdict,
}

impl fmt::Display for Outcome {
    /// `ok      NAME: finding`, `MISSING NAME: finding` then `        fix:
    /// ...`, `unknown NAME: why` then its fix line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.verdict.word();
        match &self.verdict {
            Verdict::Ok(finding) => write!(f, "{word:<8}{}: {finding}", self.name),
            Verdict::Missing { finding: s, fix } | Verdict::Unknown { why: s, fix } => {
                write!(f, "{word:<8}{}: {s}\n{:8}fix: {fix}", self.name, "")
            }
        }
    }
}

/// A check: its name and its function.
type Check = (&'static str, fn(&Inputs) -> Verdict);

/// Every check, in dependency order: the CPU, then what the BIOS set up
/// (TME, the KeyID split, SEAMRR), the kernel, VMX, then what the kernel log
/// says of the TDX module.
pub const CHECKS: [Check; 10] = [
    ("cpu", platform::cpu),
    ("tme", platform::tme),
    ("keyid-split", platform::keyid_split),
    ("seamrr", platform::seamrr),
    ("kernel-config", kernel::config),
    ("kvm-vmx", kernel::kvm_vmx),
    ("tdx-module", log::tdx_module),
    ("module-version", log::module_version),
    ("memory", log::memory),
    ("init-status", log::init_status),
];

/// Runs every check.
pub fn run(inputs: &Inputs) -> Vec<Outcome> {
    CHECKS
        .iter()
        .map(|(name, check)| Outcome {
            name,
            verdict: check(inputs),
        })
        .collect()
}
