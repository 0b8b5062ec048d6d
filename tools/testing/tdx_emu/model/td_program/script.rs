// SPDX-License-Identifier: GPL-2.0

//! Host tests only: the TDG.VP.VMCALLs `scripts/td_image.py` puts in the
//! image (its `SCRIPT` and `DONE`), as a table the tests assemble into TD
//! programs and check the host's view against. Nothing runs this table: a
//! guest only runs a program read from its TD's private memory.

use super::super::td_guest::*;
use super::super::{R10, R8, R9, RBX, RDX};

const RSI: usize = 6;
const RDI: usize = 7;
const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;
const R14: usize = 14;
const R15: usize = 15;

/// Bitmap of GPRs `first..=last`.
pub(crate) const fn gprs(first: usize, last: usize) -> u64 {
    ((1 << (last + 1)) - 1) & !((1 << first) - 1)
}

/// What one call asks of the host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `HC_ECHO` over the step's bitmap.
    Echo,
    /// GHCI CPUID of `CPUID_KVM_SIGNATURE`, subleaf 0.
    Cpuid,
    /// GHCI HLT, interrupts not blocked.
    Hlt,
    /// A bitmap the TDX module refuses: the call fails in the guest with
    /// TDX_OPERAND_INVALID(RCX) and the host never sees it.
    Refused,
    /// `GHCI_UNDEFINED`: the host must answer "invalid operand".
    Undefined,
    /// GHCI CPUID that does not expose R14 and R15: the host cannot place
    /// EDX and ECX, and must answer "invalid operand".
    NarrowCpuid,
    /// GHCI I/O: a one-byte write of 0 to `DONE_PORT`.
    Done,
}

/// One TDG.VP.VMCALL.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub(crate) kind: Kind,
    /// The guest's RCX: the GPRs it exposes.
    pub(crate) bitmap: u64,
}

/// The calls, in order.
pub(crate) const SCRIPT: [Step; 8] = [
    Step {
        kind: Kind::Echo,
        bitmap: EXPOSABLE,
    },
    Step {
        kind: Kind::Cpuid,
        bitmap: gprs(R10, R15),
    },
    Step {
        kind: Kind::Hlt,
        bitmap: gprs(R10, R12),
    },
    Step {
        kind: Kind::Refused,
        bitmap: 1 << 4 | gprs(R10, R11),
    },
    Step {
        kind: Kind::Undefined,
        bitmap: gprs(R10, R11),
    },
    Step {
        kind: Kind::NarrowCpuid,
        bitmap: gprs(R10, R13),
    },
    Step {
        kind: Kind::Echo,
        bitmap: 1 << RBX | 1 << R9 | 1 << R10 | 1 << R14,
    },
    Step {
        kind: Kind::Done,
        bitmap: DONE_BITMAP,
    },
];

/// The calls whose TDG.VP.VMCALL reaches the host.
pub(crate) const fn host_visible(step: &Step) -> bool {
    !matches!(step.kind, Kind::Refused)
}

/// The registers the guest checks after every call: all it may expose.
pub(crate) const CHECKED: [usize; 12] = [RDX, RBX, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15];

/// What the guest puts in register `reg` for call `step` (an argument if
/// `reg` is in the bitmap): distinct for every call and register, never 0
/// where not fixed by the call.
pub(crate) const fn guest_value(step: usize, reg: usize) -> u64 {
    let s = SCRIPT[step];
    let exposed = s.bitmap & 1 << reg != 0;
    let fixed = match (s.kind, reg) {
        (Kind::Echo, R10) => Some(HC_ECHO),
        (Kind::Cpuid | Kind::NarrowCpuid, R10) => Some(0),
        (Kind::Cpuid | Kind::NarrowCpuid, R11) => Some(GHCI_CPUID),
        (Kind::Cpuid | Kind::NarrowCpuid, R12) => Some(CPUID_KVM_SIGNATURE),
        (Kind::Cpuid | Kind::NarrowCpuid, R13) => Some(0),
        (Kind::Hlt, R10) | (Kind::Hlt, R12) => Some(0),
        (Kind::Hlt, R11) => Some(GHCI_HLT),
        (Kind::Undefined | Kind::Refused, R10) => Some(0),
        (Kind::Undefined | Kind::Refused, R11) => Some(GHCI_UNDEFINED),
        (Kind::Done, _) => Some(DONE_CALL[reg]),
        _ => None,
    };
    match fixed {
        Some(v) if exposed => v,
        _ if exposed => 0xa260_0000_0000_0000 | (step as u64) << 32 | (reg as u64) << 8 | 0x11,
        _ => 0x5ec2_e700_0000_0000 | (step as u64) << 32 | (reg as u64) << 8 | 0x22,
    }
}

/// What the guest expects in `reg` once call `step` returned.
pub(crate) const fn expected_reply(step: usize, reg: usize) -> u64 {
    let s = SCRIPT[step];
    let sent = guest_value(step, reg);
    if s.bitmap & 1 << reg == 0 {
        return sent;
    }
    match (s.kind, reg) {
        (Kind::Refused, _) => sent,
        (Kind::Undefined | Kind::NarrowCpuid, R10) => TDVMCALL_INVALID_OPERAND,
        (_, R10) => TDVMCALL_SUCCESS,
        (Kind::Echo, _) => !sent,
        (Kind::Cpuid, R12) => KVM_SIGNATURE[0],
        (Kind::Cpuid, R13) => KVM_SIGNATURE[1],
        (Kind::Cpuid, R14) => KVM_SIGNATURE[2],
        (Kind::Cpuid, R15) => KVM_SIGNATURE[3],
        _ => sent,
    }
}

#[test]
fn guest_values_are_distinct_nonzero_where_unfixed() {
    let mut seen = std::collections::BTreeSet::new();
    for step in 0..SCRIPT.len() {
        for reg in CHECKED {
            let v = guest_value(step, reg);
            if SCRIPT[step].bitmap & 1 << reg == 0 || v >> 60 == 0xa {
                assert!(seen.insert(v), "step {step} reg {reg}");
            }
        }
    }
}

#[test]
fn bitmaps_are_valid_but_the_refused_one() {
    for s in SCRIPT {
        let ok = s.bitmap & !EXPOSABLE == 0;
        assert_eq!(ok, host_visible(&s), "{s:?}");
        assert_ne!(s.bitmap & 1 << R10, 0, "every call carries R10");
    }
    assert_eq!(SCRIPT.last().unwrap().kind, Kind::Done);
}

#[test]
fn expected_replies() {
    assert_eq!(expected_reply(0, RDX), !guest_value(0, RDX));
    assert_eq!(expected_reply(0, R10), TDVMCALL_SUCCESS);
    assert_eq!(expected_reply(1, R15), 0x4d);
    assert_eq!(expected_reply(1, R11), GHCI_CPUID, "left as sent");
    assert_eq!(expected_reply(4, R10), TDVMCALL_INVALID_OPERAND);
    assert_eq!(expected_reply(5, R10), TDVMCALL_INVALID_OPERAND);
    assert_eq!(expected_reply(6, RDX), guest_value(6, RDX), "not exposed");
    assert_eq!(expected_reply(6, R9), !guest_value(6, R9));
    assert_eq!(expected_reply(7, R14), DONE_PORT);
}
