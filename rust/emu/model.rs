// SPDX-License-Identifier: GPL-2.0

//! The emulated TDX module: what a SEAMCALL does to the registers.
//!
//! The rules follow Intel's TDX module (1.5) as published: its SEAMCALL
//! dispatcher checks RAX's reserved bits, then the leaf version, then the
//! platform state, then routes the leaf; an error leaves every register but
//! RAX as the host wrote it. Leaves this model does not implement yet are
//! declined (the trap glue lets the #UD through), never answered with a made-up
//! status.
//!
//! Test hooks, which have no counterpart in the real module: a mode that makes
//! every call fail with VMfailInvalid or #UD, a register probe, and injected
//! statuses.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

use crate::leaf::{Leaf, RaxFields};
use crate::status::{code, OPERAND_ID_RAX};

/// The sixteen general purpose registers in register-index order
/// (RAX = 0, RCX = 1, ..., R15 = 15), the layout of `struct tdx_module_args`.
pub(crate) type Gprs = [u64; 16];

pub(crate) const RAX: usize = 0;
pub(crate) const RSP: usize = 4;
pub(crate) const RBP: usize = 5;

/// What the trap glue does with the instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum Outcome {
    /// Registers updated, CF clear, RIP past the instruction.
    Complete = 0,
    /// Registers untouched, CF set, RIP past the instruction.
    VmFailInvalid = 1,
    /// Not handled: the #UD goes on to the exception-table fixup.
    Decline = 2,
}

/// A test-wide override of every call's fate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum Mode {
    /// The model answers.
    Normal = 0,
    /// As if no SEAM module were loaded.
    VmFailInvalid = 1,
    /// As if the CPU had no SEAM support: #UD.
    Decline = 2,
}

impl Mode {
    pub(crate) const fn from_raw(raw: u32) -> Option<Mode> {
        match raw {
            0 => Some(Mode::Normal),
            1 => Some(Mode::VmFailInvalid),
            2 => Some(Mode::Decline),
            _ => None,
        }
    }
}

/// Where the module's platform-wide initialization stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SysState {
    /// Loaded, TDH.SYS.INIT not done.
    InitPending,
    /// Fully initialized: every leaf is served.
    Ready,
    /// TDH.SYS.SHUTDOWN was done.
    Shutdown,
}

/// Records the next call's inputs and answers it with chosen outputs.
#[derive(Clone, Copy, Debug)]
struct Probe {
    outputs: Gprs,
    /// Bit n set: register n gets `outputs[n]`. RSP and RBP are never written.
    mask: u16,
}

/// Makes the next `remaining` calls of one leaf return `status`.
#[derive(Clone, Copy, Debug)]
struct Injection {
    leaf: u16,
    status: u64,
    remaining: u32,
}

pub(crate) struct Model {
    mode: Mode,
    state: SysState,
    probe: Option<Probe>,
    recorded: Option<Gprs>,
    injection: Option<Injection>,
    calls: u64,
}

impl Model {
    /// A module as the BIOS leaves it: loaded, not initialized.
    pub(crate) const fn new() -> Self {
        Self {
            mode: Mode::Normal,
            state: SysState::InitPending,
            probe: None,
            recorded: None,
            injection: None,
            calls: 0,
        }
    }

    /// One SEAMCALL: `regs` holds the caller's registers on entry and the
    /// registers the caller sees afterwards on [`Outcome::Complete`].
    pub(crate) fn seamcall(&mut self, regs: &mut Gprs) -> Outcome {
        self.calls += 1;
        match self.mode {
            Mode::Normal => {}
            Mode::VmFailInvalid => return Outcome::VmFailInvalid,
            Mode::Decline => return Outcome::Decline,
        }
        if let Some(status) = self.take_injection(regs[RAX]) {
            regs[RAX] = status;
            return Outcome::Complete;
        }
        if let Some(probe) = self.probe.take() {
            self.recorded = Some(*regs);
            for (n, reg) in regs.iter_mut().enumerate() {
                if n != RSP && n != RBP && probe.mask & (1 << n) != 0 {
                    *reg = probe.outputs[n];
                }
            }
            return Outcome::Complete;
        }
        match self.dispatch(regs[RAX]) {
            Some(status) => {
                regs[RAX] = status;
                Outcome::Complete
            }
            None => Outcome::Decline,
        }
    }

    /// The dispatcher's checks, in the real module's order. `None`: a
    /// defined leaf that passed them but that this model does not implement.
    fn dispatch(&self, rax: u64) -> Option<u64> {
        let operand_invalid_rax = code::OPERAND_INVALID | OPERAND_ID_RAX as u64;
        let fields = RaxFields::split(rax);
        if fields.reserved != 0 {
            return Some(operand_invalid_rax);
        }
        let leaf = Leaf::from_number(fields.number);
        if fields.version > 0 && !leaf.is_some_and(Leaf::is_versioned) {
            return Some(operand_invalid_rax);
        }
        if self.state == SysState::Shutdown && leaf != Some(Leaf::SysLpShutdown) {
            return Some(code::SYS_SHUTDOWN);
        }
        if self.state != SysState::Ready && !leaf.is_some_and(Leaf::allowed_before_ready) {
            return Some(code::SYS_NOT_READY);
        }
        match leaf {
            None => Some(operand_invalid_rax),
            Some(_) => None,
        }
    }

    fn take_injection(&mut self, rax: u64) -> Option<u64> {
        let inj = self.injection.as_mut()?;
        if RaxFields::split(rax).number != inj.leaf {
            return None;
        }
        let status = inj.status;
        inj.remaining -= 1;
        if inj.remaining == 0 {
            self.injection = None;
        }
        Some(status)
    }

    pub(crate) fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Arms the probe for the next call that reaches it; forgets what an
    /// earlier probe recorded.
    pub(crate) fn arm_probe(&mut self, outputs: &Gprs, mask: u16) {
        self.probe = Some(Probe {
            outputs: *outputs,
            mask,
        });
        self.recorded = None;
    }

    /// The inputs the probe recorded, once; `None` if it has not fired.
    pub(crate) fn take_recorded(&mut self) -> Option<Gprs> {
        self.recorded.take()
    }

    /// The next `count` calls of `leaf` (any version) return `status`;
    /// `count` 0 cancels.
    pub(crate) fn inject(&mut self, leaf: u16, status: u64, count: u32) {
        self.injection = (count > 0).then_some(Injection {
            leaf,
            status,
            remaining: count,
        });
    }

    /// SEAMCALLs seen since load, whatever their outcome.
    pub(crate) fn calls(&self) -> u64 {
        self.calls
    }

    /// Everything back to the state at load.
    pub(crate) fn reset(&mut self) {
        *self = Self::new();
    }

    #[cfg(test)]
    fn set_state(&mut self, state: SysState) {
        self.state = state;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaf::LeafCall;

    fn regs_with(rax: u64) -> Gprs {
        let mut r = [0u64; 16];
        for (n, v) in r.iter_mut().enumerate() {
            *v = 0x1111_0000 + n as u64;
        }
        r[RAX] = rax;
        r
    }

    fn call(m: &mut Model, rax: u64) -> (Outcome, Gprs) {
        let mut r = regs_with(rax);
        let out = m.seamcall(&mut r);
        (out, r)
    }

    #[test]
    fn errors_change_rax_only() {
        let mut m = Model::new();
        let (out, r) = call(&mut m, 0x7fff);
        assert_eq!(out, Outcome::Complete);
        assert_eq!(r[RAX], code::SYS_NOT_READY);
        assert_eq!(r[1..], regs_with(0)[1..]);
    }

    #[test]
    fn reserved_bits_are_operand_invalid_in_every_state() {
        for state in [SysState::InitPending, SysState::Ready, SysState::Shutdown] {
            let mut m = Model::new();
            m.set_state(state);
            for rax in [1 << 24 | 33, 1 << 63 | 33, 0xff00_0000_0000_0000] {
                assert_eq!(call(&mut m, rax).1[RAX], code::OPERAND_INVALID);
            }
        }
    }

    #[test]
    fn version_is_checked_before_state() {
        let mut m = Model::new();
        // TDH.SYS.INIT has no versions: operand invalid, not "not modeled".
        let (out, r) = call(&mut m, LeafCall::with_version(Leaf::SysInit, 1).rax());
        assert_eq!((out, r[RAX]), (Outcome::Complete, code::OPERAND_INVALID));
        // TDH.VP.INIT accepts a version but is not served before ready.
        let (_, r) = call(&mut m, LeafCall::with_version(Leaf::VpInit, 1).rax());
        assert_eq!(r[RAX], code::SYS_NOT_READY);
    }

    #[test]
    fn unknown_leaf_depends_on_state_as_in_the_real_dispatcher() {
        let mut m = Model::new();
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);
        m.set_state(SysState::Ready);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::OPERAND_INVALID);
        assert_eq!(call(&mut m, 46).1[RAX], code::OPERAND_INVALID);
        m.set_state(SysState::Shutdown);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_SHUTDOWN);
    }

    #[test]
    fn defined_but_unmodeled_leaves_are_declined() {
        let mut m = Model::new();
        assert_eq!(call(&mut m, Leaf::SysInit as u64).0, Outcome::Decline);
        // Not served before ready: the real module's answer, no decline.
        assert_eq!(
            call(&mut m, Leaf::MngCreate as u64).1[RAX],
            code::SYS_NOT_READY
        );
    }

    #[test]
    fn modes_override_everything() {
        let mut m = Model::new();
        m.set_mode(Mode::VmFailInvalid);
        let (out, r) = call(&mut m, 0x7fff);
        assert_eq!(out, Outcome::VmFailInvalid);
        assert_eq!(r, regs_with(0x7fff));
        m.set_mode(Mode::Decline);
        assert_eq!(call(&mut m, 0x7fff).0, Outcome::Decline);
        assert_eq!(m.calls(), 2);
        assert_eq!(Mode::from_raw(3), None);
    }

    #[test]
    fn probe_records_inputs_and_writes_masked_outputs_once() {
        let mut m = Model::new();
        let outputs: Gprs = core::array::from_fn(|n| 0xabcd_0000 + n as u64);
        m.arm_probe(&outputs, 0xffff);
        let (out, r) = call(&mut m, 0x1234);
        assert_eq!(out, Outcome::Complete);
        assert_eq!(m.take_recorded(), Some(regs_with(0x1234)));
        assert_eq!(m.take_recorded(), None);
        for n in 0..16 {
            let want = if n == RSP || n == RBP {
                regs_with(0)[n]
            } else {
                outputs[n]
            };
            assert_eq!(r[n], want, "register {n}");
        }
        // Spent: the next call is dispatched normally.
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);

        m.arm_probe(&outputs, 1 << RAX | 1 << 2);
        let (_, r) = call(&mut m, 0x1234);
        assert_eq!(
            (r[RAX], r[1], r[2], r[3]),
            (outputs[RAX], 0x1111_0001, outputs[2], 0x1111_0003)
        );
    }

    #[test]
    fn injection_hits_only_its_leaf_and_runs_out() {
        let mut m = Model::new();
        m.inject(Leaf::SysRd as u16, code::RND_NO_ENTROPY, 2);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);
        let rd = LeafCall::new(Leaf::SysRd).rax();
        assert_eq!(call(&mut m, rd).1[RAX], code::RND_NO_ENTROPY);
        assert_eq!(call(&mut m, rd).1[RAX], code::RND_NO_ENTROPY);
        assert_eq!(call(&mut m, rd).0, Outcome::Decline);
        m.inject(Leaf::SysRd as u16, 1, 0);
        assert_eq!(call(&mut m, rd).0, Outcome::Decline);
        m.reset();
        assert_eq!(m.calls(), 0);
    }
}
