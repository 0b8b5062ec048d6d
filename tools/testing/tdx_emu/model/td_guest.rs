// SPDX-License-Identifier: GPL-2.0

//! The emulated TD's guest software: a fixed script of TDG.VP.VMCALLs, each
//! with its own register bitmap, and the replies the guest expects from its
//! host (a KVM-like VMM). Everything the TDX module does between the two
//! (which registers cross, what the host sees) is `td.rs`'s business; this
//! file is only the guest.
//!
//! The guest's convention is the GHCI's: R10 0 selects a standard TDVMCALL
//! whose subfunction is R11 (CPUID 10, HLT 12, I/O 30, ReportFatalError
//! 0x10003), any other R10 is a VMM-specific call (for KVM, a hypercall
//! number). The reply status goes to R10: 0 success, bit 63 an error.
//!
//! Before every TDG.VP.VMCALL the guest fills every GPR it may expose (RDX,
//! RBX, RSI, RDI, R8-R15): the bitmap's registers with the call's arguments,
//! the others with values only the guest may know. When the call returns it
//! checks every one of those registers: the replies in the bitmap's, its own
//! values in the rest. At the first difference it stops the script and
//! reports a fatal error naming the step and the register, for ever after.
//!
//! Pure `core`.

use super::{Gprs, R10, R8, R9, RAX, RBX, RCX, RDX};

const RSI: usize = 6;
const RDI: usize = 7;
const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;
const R14: usize = 14;
const R15: usize = 15;

/// Bitmap of GPRs `first..=last`.
const fn gprs(first: usize, last: usize) -> u64 {
    ((1 << (last + 1)) - 1) & !((1 << first) - 1)
}

/// Every GPR a TDG.VP.VMCALL may expose to the host (the module refuses RAX,
/// RCX, RSP and, with NO_RBP_MOD, RBP).
pub(crate) const EXPOSABLE: u64 = gprs(RDX, RBX) | gprs(RSI, R15);

/// GHCI subfunctions (R11 with R10 0); the VMX exit reasons where one exists.
pub(crate) const GHCI_CPUID: u64 = 10;
pub(crate) const GHCI_HLT: u64 = 12;
pub(crate) const GHCI_IO: u64 = 30;
pub(crate) const GHCI_REPORT_FATAL_ERROR: u64 = 0x10003;
/// A subfunction no GHCI version defines.
pub(crate) const GHCI_UNDEFINED: u64 = 0x7fff_fff0;
/// R10 replies: success, and "invalid operand".
pub(crate) const TDVMCALL_SUCCESS: u64 = 0;
pub(crate) const TDVMCALL_INVALID_OPERAND: u64 = 0x8000_0000_0000_0000;

/// The VMM-specific call this guest uses to test every register: the host
/// must answer R10 0 and the bitwise NOT of every other exposed register.
pub(crate) const HC_ECHO: u64 = 0x7e57_ec40;
/// The CPUID leaf the guest asks for: KVM's signature leaf, whose answer is
/// 0x40000001 and "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
pub(crate) const CPUID_KVM_SIGNATURE: u64 = 0x4000_0000;
pub(crate) const KVM_SIGNATURE: [u64; 4] = [0x4000_0001, 0x4b4d_564b, 0x564b_4d56, 0x0000_004d];
/// The port whose write of 0 says "script done" (QEMU's isa-debug-exit).
pub(crate) const DONE_PORT: u64 = 0xf4;
/// ReportFatalError codes: `FATAL_BAD_REPLY | step << 8 | register`.
pub(crate) const FATAL_BAD_REPLY: u64 = 0x7e57_0000;

/// What one script step asks of the host.
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
    /// GHCI I/O: a one-byte write of 0 to `DONE_PORT`. The last step.
    Done,
}

/// One TDG.VP.VMCALL of the script.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub(crate) kind: Kind,
    /// The guest's RCX: the GPRs it exposes.
    pub(crate) bitmap: u64,
}

/// The script, in order.
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
        bitmap: gprs(R10, R15),
    },
];

/// The steps whose call reaches the host.
#[cfg(test)]
pub(crate) const fn host_visible(step: &Step) -> bool {
    !matches!(step.kind, Kind::Refused)
}

/// What the guest put in register `reg` for script step `step`: an argument
/// if `reg` is in the bitmap, else a value the host must never see. Distinct
/// for every step and register, and never 0.
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
        (Kind::Done, R10) | (Kind::Done, R15) => Some(0),
        (Kind::Done, R11) => Some(GHCI_IO),
        (Kind::Done, R12) | (Kind::Done, R13) => Some(1),
        (Kind::Done, R14) => Some(DONE_PORT),
        _ => None,
    };
    match fixed {
        Some(v) if exposed => v,
        _ if exposed => 0xa260_0000_0000_0000 | (step as u64) << 32 | (reg as u64) << 8 | 0x11,
        _ => 0x5ec2_e700_0000_0000 | (step as u64) << 32 | (reg as u64) << 8 | 0x22,
    }
}

/// What the guest expects in `reg` once step `step`'s call returned.
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

/// The registers the guest checks after every call: all it may expose.
const CHECKED: [usize; 12] = [RDX, RBX, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15];

/// Where the guest stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum State {
    /// About to make the call of this script step.
    Calling(usize),
    /// The call of this step is out; `returned` checks its result.
    Waiting(usize),
    /// The script is done: the guest repeats its last call for ever.
    Finished,
    /// A reply was wrong: the guest reports this code for ever.
    Fatal(u64),
}

/// The first wrong value the guest saw.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Mismatch {
    pub(crate) step: u32,
    pub(crate) reg: u32,
    pub(crate) expected: u64,
    pub(crate) got: u64,
}

/// The guest: its registers and where it is in the script.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Guest {
    pub(crate) regs: Gprs,
    pub(crate) state: State,
    /// Script steps whose result checked out.
    pub(crate) steps_done: u32,
    pub(crate) mismatch: Option<Mismatch>,
}

impl Guest {
    pub(crate) const fn new() -> Self {
        Self {
            regs: [0; 16],
            state: State::Calling(0),
            steps_done: 0,
            mismatch: None,
        }
    }

    /// Runs the guest to its next TDG.VP.VMCALL: the registers are set for
    /// it, RAX is 0 (the TDCALL leaf) and the bitmap is in RCX.
    pub(crate) fn call(&mut self) {
        let step = match self.state {
            State::Calling(step) | State::Waiting(step) => step,
            State::Finished => SCRIPT.len() - 1,
            State::Fatal(code) => {
                self.fatal_call(code);
                return;
            }
        };
        for reg in CHECKED {
            self.regs[reg] = guest_value(step, reg);
        }
        self.regs[RAX] = 0;
        self.regs[RCX] = SCRIPT[step].bitmap;
        if let State::Calling(_) = self.state {
            self.state = State::Waiting(step);
        }
    }

    fn fatal_call(&mut self, code: u64) {
        self.regs[RAX] = 0;
        self.regs[RCX] = gprs(R10, R13);
        self.regs[R10] = 0;
        self.regs[R11] = GHCI_REPORT_FATAL_ERROR;
        self.regs[R12] = code;
        self.regs[R13] = 0;
    }

    /// The TDCALL returned with `status` in RAX (the module's completion
    /// status of TDG.VP.VMCALL) and the registers as the module left them.
    pub(crate) fn returned(&mut self) {
        let State::Waiting(step) = self.state else {
            return;
        };
        let want_rax = match SCRIPT[step].kind {
            Kind::Refused => REFUSED_STATUS,
            _ => 0,
        };
        let mut first = if self.regs[RAX] != want_rax {
            Some((RAX, want_rax, self.regs[RAX]))
        } else {
            None
        };
        for reg in CHECKED {
            let want = expected_reply(step, reg);
            if first.is_none() && self.regs[reg] != want {
                first = Some((reg, want, self.regs[reg]));
            }
        }
        match first {
            None => {
                self.steps_done += 1;
                self.state = if step + 1 == SCRIPT.len() {
                    State::Finished
                } else {
                    State::Calling(step + 1)
                };
            }
            Some((reg, expected, got)) => {
                self.mismatch = Some(Mismatch {
                    step: step as u32,
                    reg: reg as u32,
                    expected,
                    got,
                });
                self.state = State::Fatal(FATAL_BAD_REPLY | (step as u64) << 8 | reg as u64);
            }
        }
    }
}

/// What the TDX module answers a TDG.VP.VMCALL whose bitmap it refuses:
/// TDX_OPERAND_INVALID with operand RCX.
pub(crate) const REFUSED_STATUS: u64 = 0xC000_0100_0000_0001;

#[cfg(test)]
mod tests {
    use super::*;

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
    fn script_bitmaps_are_valid_but_the_refused_one() {
        for s in SCRIPT {
            let ok = s.bitmap & !EXPOSABLE == 0;
            assert_eq!(ok, host_visible(&s), "{s:?}");
            assert_ne!(s.bitmap & 1 << R10, 0, "every call carries R10");
        }
        assert_eq!(SCRIPT.last().unwrap().kind, Kind::Done);
    }

    /// A guest whose host answers every step right.
    fn answer(g: &mut Guest, step: usize) {
        for reg in CHECKED {
            g.regs[reg] = expected_reply(step, reg);
        }
        g.regs[RAX] = if host_visible(&SCRIPT[step]) {
            0
        } else {
            REFUSED_STATUS
        };
        g.regs[RCX] = SCRIPT[step].bitmap;
    }

    #[test]
    fn right_answers_run_the_script_to_the_end() {
        let mut g = Guest::new();
        for step in 0..SCRIPT.len() {
            g.call();
            assert_eq!(g.regs[RCX], SCRIPT[step].bitmap);
            answer(&mut g, step);
            g.returned();
        }
        assert_eq!(
            (g.state, g.steps_done, g.mismatch),
            (State::Finished, 8, None)
        );
        g.call();
        assert_eq!(g.regs[R14], DONE_PORT, "repeats the last call");
    }

    /// A guest past step 0 whose step 1 (CPUID) got the right answer, not
    /// yet checked.
    fn answered_step_1() -> Guest {
        let mut g = Guest::new();
        g.call();
        answer(&mut g, 0);
        g.returned();
        g.call();
        answer(&mut g, 1);
        g
    }

    #[test]
    fn a_wrong_register_is_named_then_reported_for_ever() {
        let mut g = answered_step_1();
        g.regs[R14] ^= 1;
        g.returned();
        let code = FATAL_BAD_REPLY | 1 << 8 | R14 as u64;
        assert_eq!(g.state, State::Fatal(code));
        let m = g.mismatch.unwrap();
        assert_eq!(
            (m.step, m.reg, m.expected),
            (1, R14 as u32, KVM_SIGNATURE[2])
        );
        for _ in 0..2 {
            g.call();
            assert_eq!((g.regs[R11], g.regs[R12]), (GHCI_REPORT_FATAL_ERROR, code));
            assert_eq!(g.regs[RCX], gprs(R10, R13));
            g.returned();
        }
        assert_eq!(g.steps_done, 1);
    }

    #[test]
    fn an_unexposed_register_changed_is_caught_too() {
        let mut g = answered_step_1();
        g.regs[RBX] = 0;
        g.returned();
        assert_eq!(g.mismatch.unwrap().reg, RBX as u32);
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
    }
}
