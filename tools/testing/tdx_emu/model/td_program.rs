// SPDX-License-Identifier: GPL-2.0

//! The emulated TD's guest software when it lives in the TD's own private
//! memory: a "TD program" the host loads with TDH.MEM.PAGE.ADD, measured
//! into MRTD, started at the GPA the host gives TDH.VP.INIT in RCX (as TDVF
//! receives its HOB list's address). `Program` interprets it; the caller
//! (the model of TDH.VP.ENTER) gives it the TD's memory through `GuestMem`
//! and carries out what it asks for (`Action`).
//!
//! # Format (version 1; every number little-endian)
//!
//! ```text
//!   header, 16 bytes at the entry GPA:
//!     0..8    magic "TDXEMUPG"
//!     8..12   version, 1
//!     12..16  number of instructions
//!   then the instructions, 32 bytes each, back to back:
//!     0       opcode
//!     1       register (SET, EXPECT), else 0
//!     2..8    zero
//!     8..16   a      16..24  b      24..32  c   (unused ones zero)
//! ```
//!
//! The header and every instruction lie in the entry GPA's 4 KiB page: an
//! instruction that would cross its end is a fatal error, as is running
//! past the last instruction, a bad header, an unknown opcode, a register
//! out of range or a nonzero reserved byte. The guest never jumps.
//!
//! | op | name   | does                                                     |
//! |----|--------|----------------------------------------------------------|
//! | 1  | SET    | GPR `reg` = a                                            |
//! | 2  | EXPECT | after the next call, GPR `reg` must hold a               |
//! | 3  | ECHO   | after the next call, each GPR in mask a must hold the   |
//! |    |        | bitwise NOT of its value now                             |
//! | 4  | VMCALL | TDG.VP.VMCALL exposing bitmap a; RAX must come back b    |
//! | 5  | ACCEPT | TDG.MEM.PAGE.ACCEPT of the 4 KiB page at a; RAX must be b|
//! | 6  | READ   | private 8-byte read at a; must read b                    |
//! | 7  | MAPGPA | TDG.VP.VMCALL<MapGPA> of [a, a + b) to shared, c the     |
//! |    |        | GPA's shared bit; R10 must come back 0                   |
//! | 8  | END    | done                                                     |
//!
//! VMCALL, ACCEPT, READ and MAPGPA are the program's steps, numbered from
//! 0. Before each call step the guest fills every GPR a TDG.VP.VMCALL may
//! expose (`EXPOSABLE`) that the call does not expose with a value only it
//! knows. When the call returns it checks RAX, then each of those GPRs: an
//! EXPECTed or ECHOed one against its expectation, any other against what
//! it held. At the first difference (or a READ that reads something else:
//! register `REG_MEMORY`) the guest records the step, the register, the
//! expected and found values, and from then on only makes the GHCI
//! ReportFatalError call (R10-R13 exposed, R11 0x10003, R12 the code). The
//! program's own errors make that call too, with their own codes.
//!
//! TDH.VP.ENTER (`td/vp_enter.rs`) runs it: [`Program::step`] with the
//! TD's memory as `td_guest_mem.rs`'s `SeptMem`, each action turned into a
//! TD exit or done inside the module.
//!
//! Pure `core`.

use super::td_guest::{
    Mismatch, EXPOSABLE, FATAL_BAD_REPLY, GHCI_REPORT_FATAL_ERROR, TDVMCALL_SUCCESS,
};
use super::{Gprs, R10, RAX, RCX};

const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;

#[cfg(test)]
pub(crate) mod image;
#[cfg(test)]
pub(crate) mod script;
#[cfg(test)]
pub(crate) mod tests;

/// The header's magic and the version this file reads.
pub(crate) const MAGIC: [u8; 8] = *b"TDXEMUPG";
pub(crate) const VERSION: u32 = 1;
pub(crate) const HEADER_SIZE: u64 = 16;
pub(crate) const INSN_SIZE: u64 = 32;
const PAGE: u64 = 4096;

/// Opcodes.
pub(crate) const OP_SET: u8 = 1;
pub(crate) const OP_EXPECT: u8 = 2;
pub(crate) const OP_ECHO: u8 = 3;
pub(crate) const OP_VMCALL: u8 = 4;
pub(crate) const OP_ACCEPT: u8 = 5;
pub(crate) const OP_READ: u8 = 6;
pub(crate) const OP_MAPGPA: u8 = 7;
pub(crate) const OP_END: u8 = 8;

/// The TDCALL leaf of TDG.MEM.PAGE.ACCEPT, and the GHCI MapGPA subfunction.
pub(crate) const TDG_MEM_PAGE_ACCEPT: u64 = 6;
pub(crate) const GHCI_MAP_GPA: u64 = 0x10001;
/// The GPRs a MapGPA call exposes: R10-R13.
pub(crate) const MAPGPA_BITMAP: u64 = 0xf << R10;
/// The "register" a READ mismatch names.
pub(crate) const REG_MEMORY: u32 = 16;

/// ReportFatalError codes of a bad program (a bad reply is
/// `FATAL_BAD_REPLY | step << 8 | register`); the low 16 bits are the
/// instruction's index where there is one.
pub(crate) const FATAL_BAD_HEADER: u64 = 0x7e58_0000;
pub(crate) const FATAL_BAD_INSN: u64 = 0x7e59_0000;
pub(crate) const FATAL_PAST_PAGE: u64 = 0x7e5a_0000;
pub(crate) const FATAL_RAN_OFF: u64 = 0x7e5b_0000;

/// Why the TD's memory could not be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fault {
    /// No mapping in the Secure EPT (an EPT violation).
    NotMapped,
    /// Mapped but PENDING: added by TDH.MEM.PAGE.AUG, not yet accepted.
    Pending,
}

/// The TD's private memory, as its guest reads it.
pub(crate) trait GuestMem {
    /// Fills `buf` from the private GPAs starting at `gpa`.
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Fault>;
}

/// What the guest needs from the outside world. For the calls (`Vmcall`,
/// `Accept`, `MapGpaShared`, `Fatal`) the guest's registers (`regs`) hold
/// the TDCALL's inputs; the caller writes the results into `regs` and calls
/// [`Program::returned`]. Calling [`Program::step`] instead retries the
/// same call (after a TD exit that did not complete it). An `Access` is
/// retried by the next `step`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Action {
    /// TDG.VP.VMCALL: RAX 0, RCX `bitmap`, the values in the GPRs.
    Vmcall { bitmap: u64 },
    /// A private read of `gpa` (data or an instruction) faulted.
    Access { gpa: u64, fault: Fault },
    /// TDG.MEM.PAGE.ACCEPT: RAX 6, RCX `gpa` (4 KiB level).
    Accept { gpa: u64 },
    /// TDG.VP.VMCALL<MapGPA> (RCX `MAPGPA_BITMAP`, R10 0, R11 0x10001,
    /// R12 `gpa` with the shared bit, R13 `size`) asking for shared.
    MapGpaShared { gpa: u64, size: u64 },
    /// The program ended.
    Done,
    /// GHCI ReportFatalError (RCX R10-R13, R10 0, R11 0x10003, R12 `code`,
    /// R13 0), made again at every step.
    Fatal { code: u64 },
}

/// One decoded instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Insn {
    op: u8,
    reg: usize,
    a: u64,
    b: u64,
    c: u64,
}

/// Where the guest stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// The header is not read yet.
    Start,
    /// Instruction `pc` is next.
    Running,
    /// The call of instruction `pc` is out; its result must show `rax`.
    Waiting {
        action: Action,
        rax: u64,
    },
    Finished,
    Fatal(u64),
}

/// The guest: its registers, where it is, and what it found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Program {
    pub(crate) regs: Gprs,
    entry: u64,
    /// Instructions in the header.
    count: u32,
    /// Step instructions among those that fit in the page, counted when
    /// the header is read.
    nr_steps: u32,
    /// Index of the current instruction.
    pc: u32,
    state: State,
    /// The next step's number; steps whose result checked out.
    step: u32,
    pub(crate) steps_done: u32,
    /// What the next call must leave in each GPR, for those in `want_mask`.
    want: Gprs,
    want_mask: u16,
    pub(crate) mismatch: Option<Mismatch>,
}

// One per vCPU in a model that is built on the stack: keep it small.
const _: () = assert!(core::mem::size_of::<Program>() <= 384);

/// The value the guest keeps in a GPR step `step` does not expose.
pub(crate) const fn secret(step: u32, reg: usize) -> u64 {
    0x5ec2_e700_0000_0000 | (step as u64) << 32 | (reg as u64) << 8 | 0x22
}

impl Program {
    /// A guest that starts at `entry`.
    pub(crate) const fn new(entry: u64) -> Self {
        Self {
            regs: [0; 16],
            entry,
            count: 0,
            nr_steps: 0,
            pc: 0,
            state: State::Start,
            step: 0,
            steps_done: 0,
            want: [0; 16],
            want_mask: 0,
            mismatch: None,
        }
    }

    /// The program ran to its END.
    pub(crate) fn finished(&self) -> bool {
        self.state == State::Finished
    }

    /// The code the guest reports, once it stopped on an error.
    pub(crate) fn fatal(&self) -> Option<u64> {
        match self.state {
            State::Fatal(code) => Some(code),
            _ => None,
        }
    }

    /// The program's steps (VMCALL, ACCEPT, READ, MAPGPA instructions that
    /// fit in its page), once it read its header; 0 before.
    pub(crate) fn nr_steps(&self) -> u32 {
        self.nr_steps
    }

    /// Counts the step instructions among the first `count` that fit in the
    /// entry page, by their opcode byte.
    fn count_steps(&self, mem: &dyn GuestMem) -> Result<u32, Action> {
        let room = (PAGE - (self.entry & (PAGE - 1)) - HEADER_SIZE) / INSN_SIZE;
        let mut n = 0;
        for i in 0..u64::from(self.count).min(room) {
            let gpa = self.entry + HEADER_SIZE + i * INSN_SIZE;
            let mut op = [0];
            if let Err(fault) = mem.read(gpa, &mut op) {
                return Err(Action::Access { gpa, fault });
            }
            if matches!(op[0], OP_VMCALL | OP_ACCEPT | OP_READ | OP_MAPGPA) {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Runs the guest until it needs the outside world.
    pub(crate) fn step(&mut self, mem: &dyn GuestMem) -> Action {
        loop {
            match self.state {
                State::Start => {
                    let mut h = [0; HEADER_SIZE as usize];
                    if (self.entry & (PAGE - 1)) + HEADER_SIZE > PAGE {
                        return self.die(FATAL_BAD_HEADER);
                    }
                    if let Err(fault) = mem.read(self.entry, &mut h) {
                        return Action::Access {
                            gpa: self.entry,
                            fault,
                        };
                    }
                    let word = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
                    if h[..8] != MAGIC || word(8) != VERSION {
                        return self.die(FATAL_BAD_HEADER);
                    }
                    self.count = word(12);
                    match self.count_steps(mem) {
                        Ok(n) => self.nr_steps = n,
                        Err(action) => return action,
                    }
                    self.state = State::Running;
                }
                State::Running => {
                    let insn = match self.fetch(mem) {
                        Ok(insn) => insn,
                        Err(action) => return action,
                    };
                    if let Some(action) = self.exec(insn, mem) {
                        return action;
                    }
                }
                State::Waiting { action, .. } => return action,
                State::Finished => return Action::Done,
                State::Fatal(code) => return self.die(code),
            }
        }
    }

    /// Reads and decodes instruction `pc`.
    fn fetch(&mut self, mem: &dyn GuestMem) -> Result<Insn, Action> {
        let pc = u64::from(self.pc);
        if self.pc >= self.count {
            return Err(self.die(FATAL_RAN_OFF | pc));
        }
        let gpa = self.entry + HEADER_SIZE + pc * INSN_SIZE;
        if gpa + INSN_SIZE > (self.entry & !(PAGE - 1)) + PAGE {
            return Err(self.die(FATAL_PAST_PAGE | pc));
        }
        let mut raw = [0; INSN_SIZE as usize];
        if let Err(fault) = mem.read(gpa, &mut raw) {
            return Err(Action::Access { gpa, fault });
        }
        let q = |i: usize| {
            let mut b = [0; 8];
            b.copy_from_slice(&raw[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let insn = Insn {
            op: raw[0],
            reg: raw[1].into(),
            a: q(8),
            b: q(16),
            c: q(24),
        };
        if raw[2..8].iter().any(|&b| b != 0) || !valid(&insn) {
            return Err(self.die(FATAL_BAD_INSN | pc));
        }
        Ok(insn)
    }

    /// Executes `insn`; an action if it needs one.
    fn exec(&mut self, insn: Insn, mem: &dyn GuestMem) -> Option<Action> {
        let bit = |reg: usize| 1u16 << reg;
        match insn.op {
            OP_SET => self.regs[insn.reg] = insn.a,
            OP_EXPECT => {
                self.want[insn.reg] = insn.a;
                self.want_mask |= bit(insn.reg);
            }
            OP_ECHO => {
                for reg in regs_in(insn.a) {
                    self.want[reg] = !self.regs[reg];
                    self.want_mask |= bit(reg);
                }
            }
            OP_VMCALL => return Some(self.call(Action::Vmcall { bitmap: insn.a }, insn.b)),
            OP_ACCEPT => return Some(self.call(Action::Accept { gpa: insn.a }, insn.b)),
            OP_MAPGPA => {
                self.regs[R10] = 0;
                self.regs[R11] = GHCI_MAP_GPA;
                self.regs[R12] = insn.a | insn.c;
                self.regs[R13] = insn.b;
                self.want[R10] = TDVMCALL_SUCCESS;
                self.want_mask |= bit(R10);
                let (gpa, size) = (insn.a, insn.b);
                return Some(self.call(Action::MapGpaShared { gpa, size }, 0));
            }
            OP_READ => {
                let mut v = [0; 8];
                if let Err(fault) = mem.read(insn.a, &mut v) {
                    return Some(Action::Access { gpa: insn.a, fault });
                }
                let got = u64::from_le_bytes(v);
                if got != insn.b {
                    return Some(self.mismatch(REG_MEMORY, insn.b, got));
                }
                self.step_passed();
            }
            _ => {
                self.state = State::Finished;
                return Some(Action::Done);
            }
        }
        self.pc += 1;
        None
    }

    /// Sets the registers for the call `action` and waits for it.
    fn call(&mut self, action: Action, rax: u64) -> Action {
        let (leaf, rcx) = match action {
            Action::Vmcall { bitmap } => (0, bitmap),
            Action::Accept { gpa } => (TDG_MEM_PAGE_ACCEPT, gpa),
            _ => (0, MAPGPA_BITMAP),
        };
        let exposed = if leaf == 0 { rcx } else { 0 };
        for reg in regs_in(EXPOSABLE) {
            if exposed & 1 << reg == 0 {
                self.regs[reg] = secret(self.step, reg);
            }
            if self.want_mask & 1 << reg == 0 {
                self.want[reg] = self.regs[reg];
            }
        }
        self.regs[RAX] = leaf;
        self.regs[RCX] = rcx;
        self.state = State::Waiting { action, rax };
        action
    }

    /// The call the guest waits for returned: `regs` hold its results.
    pub(crate) fn returned(&mut self) {
        let State::Waiting { rax, .. } = self.state else {
            return;
        };
        if self.regs[RAX] != rax {
            self.mismatch(RAX as u32, rax, self.regs[RAX]);
            return;
        }
        for reg in regs_in(EXPOSABLE) {
            if self.regs[reg] != self.want[reg] {
                self.mismatch(reg as u32, self.want[reg], self.regs[reg]);
                return;
            }
        }
        self.step_passed();
        self.pc += 1;
        self.state = State::Running;
    }

    fn step_passed(&mut self) {
        self.steps_done += 1;
        self.step += 1;
        self.want_mask = 0;
    }

    fn mismatch(&mut self, reg: u32, expected: u64, got: u64) -> Action {
        let step = self.step;
        self.mismatch = Some(Mismatch {
            step,
            reg,
            expected,
            got,
        });
        self.die(FATAL_BAD_REPLY | u64::from(step) << 8 | u64::from(reg))
    }

    /// Stops the guest for ever with `code`: its ReportFatalError call.
    fn die(&mut self, code: u64) -> Action {
        self.state = State::Fatal(code);
        self.regs[RAX] = 0;
        self.regs[RCX] = MAPGPA_BITMAP;
        self.regs[R10] = 0;
        self.regs[R11] = GHCI_REPORT_FATAL_ERROR;
        self.regs[R12] = code;
        self.regs[R13] = 0;
        Action::Fatal { code }
    }
}

/// Whether the fields of `insn` are what its opcode allows.
fn valid(insn: &Insn) -> bool {
    let page_aligned = |gpa: u64| gpa & (PAGE - 1) == 0;
    let (reg_used, c_used) = match insn.op {
        OP_SET => (insn.reg < 16, false),
        OP_EXPECT => (insn.reg < 16 && EXPOSABLE & 1 << insn.reg != 0, false),
        OP_ECHO => (insn.a & !EXPOSABLE == 0 && insn.b == 0, false),
        OP_VMCALL => (true, false),
        OP_ACCEPT => (page_aligned(insn.a), false),
        OP_READ => (insn.a & 7 == 0, false),
        OP_MAPGPA => {
            let c = insn.c;
            let size_ok = insn.b != 0 && page_aligned(insn.b);
            let shared_ok = c.is_power_of_two() && insn.a & c == 0;
            (page_aligned(insn.a) && size_ok && shared_ok, true)
        }
        OP_END => (insn.a | insn.b == 0, false),
        _ => return false,
    };
    let reg_ok = matches!(insn.op, OP_SET | OP_EXPECT) || insn.reg == 0;
    reg_used && reg_ok && (c_used || insn.c == 0)
}

/// The GPR indices of a bitmap, lowest first.
fn regs_in(mask: u64) -> impl Iterator<Item = usize> {
    (0..16).filter(move |&r| mask & 1 << r != 0)
}
