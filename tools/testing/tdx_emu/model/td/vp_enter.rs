// SPDX-License-Identifier: GPL-2.0

//! TDH.VP.ENTER in the emulated module (`tdh_vp_enter()`,
//! `tdh_vp_enter.c`): the entry checks, then the guest, the measured TD
//! program in the TD's private memory (`td_program.rs`), runs to its next
//! TD exit.
//!
//! RCX is the TDVPR address with flags (bits 51:12 the page, 52 host
//! recoverability hint, 53 resume L1, the rest reserved), checked in this
//! order: reserved bits (operand RCX); the page, as
//! `check_and_lock_explicit_4k_private_hpa()` checks a PT_TDVPR page
//! (operand RCX); its owner TD: not fatal (`TDX_TD_FATAL`), keys configured
//! (`TDX_TD_KEYS_NOT_CONFIGURED`), every TDCS page added
//! (`TDX_TDCS_NOT_ALLOCATED`), op state RUNNABLE (`TDX_OP_STATE_INCORRECT`);
//! every TDVPS page added (`TDX_TDCX_NUM_INCORRECT`); the vCPU initialized
//! (`TDX_VCPU_STATE_INCORRECT`) and not associated with another LP
//! (`TDX_VCPU_ASSOCIATED`), then associated with this one; then the two
//! flags (the TD never made an asynchronous exit and has no L2 VM: operand
//! RCX). A failed check changes RAX only. What every TD exit writes to the
//! host's registers, RBP per the module version and the TD's
//! CONFIG_FLAGS.NO_RBP_MOD among them, is `vp_exit.rs`'s.
//!
//! The guest starts at its first entry with its program at the GPA
//! TDH.VP.INIT gave as its RCX. It reads its instructions and data through
//! the Secure EPT (`td_guest_mem.rs`'s `SeptMem`), and runs until it needs
//! the host:
//!
//! - TDG.VP.VMCALL: the module checks the guest's bitmap (RCX bits 15:0
//!   select GPRs, 31:16 XMMs, 63:32 reserved; RAX, RCX, RSP and, with
//!   NO_RBP_MOD, RBP may not be selected). A bad bitmap fails the TDCALL in
//!   the guest with TDX_OPERAND_INVALID(RCX), and the guest goes on. A good
//!   one exits to the host with RAX TDX_SUCCESS | 77 (TDCALL), RCX the
//!   bitmap, each selected GPR the guest's value and every other GPR 0,
//!   except RSP, and RBP with NO_RBP_MOD, which keep the host's. The next
//!   TDH.VP.ENTER copies the selected GPRs from the host back into the
//!   guest, with RAX 0 and RCX the bitmap. The guest never selects an XMM
//!   register.
//!   MapGPA (R10 0, R11 0x10001, R12 the GPA with the shared bit, R13 the
//!   size; bitmap R10-R13) and the guest's GHCI ReportFatalError are such
//!   calls.
//! - A read (instruction or data) of a private GPA that does not reach a
//!   MAPPED leaf: the EPT-violation TD exit, asynchronous (`td_guest_mem.rs`:
//!   RAX TDX_SUCCESS | 48, RCX the exit qualification, RDX the extended one,
//!   R8 the GPA). The read is retried at the next entry.
//! - An external interrupt the test control armed ([`Tds::arm_interrupt`]):
//!   it arrives as the guest resumes, before its next step: an asynchronous
//!   exit with RAX TDX_SUCCESS | 1 and R9 the interruption information
//!   (`vp_exit.rs`). The guest resumes where it was at the next entry.
//! - TDG.MEM.PAGE.ACCEPT: done inside the module (a PENDING page is zeroed
//!   and mapped; the guest gets the status in RAX), no exit; an ACCEPT the
//!   SEPT cannot satisfy is an EPT-violation exit, and the ACCEPT is retried
//!   at the next entry.
//! - The program ended: the guest makes `td_guest.rs`'s done port write at
//!   every entry (its reply is not checked).
//!
//! Pure `core`.

use super::super::pamt::PageType;
use super::super::sys::Sys;
use super::super::td_guest::{DONE_BITMAP, DONE_CALL};
use super::super::td_guest_mem::{accept, EptViolation, SeptMem};
use super::super::td_program::Action;
use super::super::{Gprs, RAX, RBP, RCX, RSP};
use super::vp_exit::{vmcall_to_host, AsyncExit};
use super::{
    check_td_built, explicit_4k, LastExit, OpState, Tds, Vcpu, VcpuState, MIN_TDVPS_PAGES,
};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::{Lp, PhysMem};

/// The VMX basic exit reason of TDCALL: RAX after a TDG.VP.VMCALL exit.
pub(crate) const EXIT_REASON_TDCALL: u64 = 77;

/// TDH.VP.ENTER's RCX (`vcpu_and_flags_t`).
const TDVPR_MASK: u64 = ((1 << 52) - 1) & !0xfff;
const HOST_RECOVERABILITY_HINT: u64 = 1 << 52;
const RESUME_L1: u64 = 1 << 53;
const RESERVED: u64 = !(TDVPR_MASK | HOST_RECOVERABILITY_HINT | RESUME_L1);

/// TDG.VP.VMCALL's RCX (`tdvmcall_control_t`): GPRs 0, 1 and 4 (RAX, RCX,
/// RSP) are never exposed, RBP not by a NO_RBP_MOD TD; bits 63:32 reserved.
const VMCALL_NEVER: u64 = 1 << RAX | 1 << RCX | 1 << RSP | !0xffff_ffff;

/// TD_PARAMS.CONFIG_FLAGS.NO_RBP_MOD (bit 2), as TDH.MNG.INIT recorded it.
pub(crate) const CONFIG_NO_RBP_MOD: u64 = 1 << 2;

/// How this TD's exits treat the host's RBP.
#[derive(Clone, Copy, Debug)]
struct RbpRules {
    /// CONFIG_FLAGS.NO_RBP_MOD: TDG.VP.VMCALL keeps the host's RBP and may
    /// not select it.
    no_rbp_mod: bool,
    /// An asynchronous exit keeps the host's RBP (the version and the flag:
    /// `module_version.rs`).
    async_keeps_rbp: bool,
}

/// The guest registers at one TD exit, as the guest had set them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ExitRecord {
    pub(crate) guest: Gprs,
}

/// Counts and findings a test reads back.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct VcpuReport {
    /// TDH.VP.ENTER calls that entered the guest.
    pub(crate) entries: u64,
    /// TD exits to the host: TDG.VP.VMCALL and EPT violation.
    pub(crate) exits: u64,
    /// Of those, EPT violations.
    pub(crate) ept_violations: u64,
    /// Of those, external interrupts.
    pub(crate) interrupts: u64,
    /// TDG.VP.VMCALLs the module refused inside the guest.
    pub(crate) refused_vmcalls: u64,
    /// TDG.MEM.PAGE.ACCEPTs the module completed inside the guest (any
    /// status).
    pub(crate) accepts: u64,
    /// The word on top of the host's stack at the last TDH.VP.ENTER.
    pub(crate) stack_top: u64,
}

impl VcpuReport {
    pub(crate) const fn new() -> Self {
        Self {
            entries: 0,
            exits: 0,
            ept_violations: 0,
            interrupts: 0,
            refused_vmcalls: 0,
            accepts: 0,
            stack_top: 0,
        }
    }
}

impl Tds {
    /// TDH.VP.ENTER on `lp` (the dispatcher already checked RAX and the
    /// module's state). `stack_top`: the word on top of the caller's stack.
    /// `None`: declined (the PAMT or the TD's Secure EPT or private memory
    /// could not be read, or the page is a TDVPR the model has no vCPU for,
    /// which cannot happen).
    pub(crate) fn vp_enter(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        lp: Lp,
        regs: &mut Gprs,
        stack_top: u64,
    ) -> Option<u64> {
        let rcx = regs[RCX];
        let interrupt = self.pending_interrupt;
        let invalid_rcx = code::OPERAND_INVALID | OPERAND_ID_RCX as u64;
        if rcx & RESERVED != 0 {
            return Some(invalid_rcx);
        }
        let tdvpr = rcx & TDVPR_MASK;
        if let Err(stop) = explicit_4k(sys, mem, tdvpr, OPERAND_ID_RCX, PageType::Tdvpr) {
            return stop;
        }
        let (vcpu, td) = self.vcpu_and_td(tdvpr)?;
        if let Err(status) = check_td_built(td) {
            return Some(status);
        }
        if td.op_state != OpState::Runnable {
            return Some(code::OP_STATE_INCORRECT);
        }
        if (vcpu.num_tdvps as usize) < MIN_TDVPS_PAGES {
            return Some(code::TDCX_NUM_INCORRECT);
        }
        if vcpu.state != VcpuState::Ready {
            return Some(code::VCPU_STATE_INCORRECT);
        }
        if vcpu.assoc.is_some_and(|id| id != lp.id) {
            return Some(code::VCPU_ASSOCIATED);
        }
        if vcpu.assoc.is_none() {
            vcpu.assoc = Some(lp.id);
            td.num_assoc_vcpus += 1;
        }
        // No exit so far was an asynchronous trap, and the TD has no L2 VM.
        if rcx & (HOST_RECOVERABILITY_HINT | RESUME_L1) != 0 {
            return Some(invalid_rcx);
        }
        let no_rbp_mod = td.config.config_flags & CONFIG_NO_RBP_MOD != 0;
        let rules = RbpRules {
            no_rbp_mod,
            async_keeps_rbp: sys.platform.version.async_exit_keeps_rbp(no_rbp_mod),
        };
        vcpu.report.entries += 1;
        vcpu.report.stack_top = stack_top;
        let status = vcpu.enter(regs, mem, td.sept_root(), rules, interrupt);
        if status.is_some() {
            self.td_exit_taken = true;
            self.pending_interrupt = None;
        }
        status
    }

    /// Test control: an external interrupt of `vector` arrives while the
    /// next TDH.VP.ENTER runs its guest (on any vCPU), before the guest's
    /// first step: the host's event, which the module turns into a TD exit.
    pub(crate) fn arm_interrupt(&mut self, vector: u8) {
        self.pending_interrupt = Some(vector);
    }

    /// Whether the last SEAMCALL was a TDH.VP.ENTER that ended in a TD
    /// exit; clears it.
    pub(crate) fn take_td_exit(&mut self) -> bool {
        core::mem::take(&mut self.td_exit_taken)
    }
}

impl Vcpu {
    /// Resumes the guest and runs it to its next TD exit; returns RAX.
    /// `root`: the TD's Secure EPT; `interrupt`: the vector of an external
    /// interrupt that arrives as the guest resumes.
    fn enter(
        &mut self,
        host: &mut Gprs,
        mem: &mut dyn PhysMem,
        root: u64,
        rules: RbpRules,
        interrupt: Option<u8>,
    ) -> Option<u64> {
        match self.last_exit {
            LastExit::None => self.guest = super::super::td_program::Program::new(self.initial_rcx),
            LastExit::Vmcall(bitmap) => {
                for reg in selected(bitmap) {
                    self.guest.regs[reg] = host[reg];
                }
                self.guest.regs[RAX] = code::SUCCESS;
                self.guest.regs[RCX] = bitmap;
                self.guest.returned();
            }
            // The guest's registers are as it left them; what faulted is
            // retried.
            LastExit::Async => {}
        }
        if let Some(vector) = interrupt {
            self.report.interrupts += 1;
            return Some(self.async_exit(host, AsyncExit::external_interrupt(vector), rules));
        }
        // The guest runs until it needs the host: every pass that does not
        // exit completes a step or ends the program, which has at most 127
        // instructions and never jumps.
        loop {
            let guest_mem = SeptMem::new(mem, root);
            let action = self.guest.step(&guest_mem);
            if guest_mem.broken.get() {
                return None;
            }
            let bitmap = match action {
                Action::Vmcall { bitmap }
                    if bitmap & VMCALL_NEVER != 0 || rules.no_rbp_mod && bitmap & 1 << RBP != 0 =>
                {
                    self.report.refused_vmcalls += 1;
                    self.guest.regs[RAX] = code::OPERAND_INVALID | OPERAND_ID_RCX as u64;
                    self.guest.returned();
                    continue;
                }
                Action::Vmcall { bitmap } => bitmap,
                Action::MapGpaShared { .. } | Action::Fatal { .. } => self.guest.regs[RCX],
                Action::Done => {
                    self.guest.regs = DONE_CALL;
                    DONE_BITMAP
                }
                Action::Access { gpa, .. } => {
                    let exit = EptViolation::read(gpa).async_exit();
                    self.report.ept_violations += 1;
                    return Some(self.async_exit(host, exit, rules));
                }
                Action::Accept { .. } => match accept(mem, root, self.guest.regs[RCX])? {
                    Ok(status) => {
                        self.report.accepts += 1;
                        self.guest.regs[RAX] = status;
                        self.guest.returned();
                        continue;
                    }
                    Err(v) => {
                        self.report.ept_violations += 1;
                        return Some(self.async_exit(host, v.async_exit(), rules));
                    }
                },
            };
            let rax = vmcall_to_host(
                host,
                &self.guest.regs,
                bitmap,
                rules.no_rbp_mod,
                EXIT_REASON_TDCALL,
            );
            self.exited(LastExit::Vmcall(bitmap));
            return Some(rax);
        }
    }

    fn async_exit(&mut self, host: &mut Gprs, exit: AsyncExit, rules: RbpRules) -> u64 {
        self.exited(LastExit::Async);
        exit.write_host(host, rules.async_keeps_rbp)
    }

    fn exited(&mut self, how: LastExit) {
        self.last = ExitRecord {
            guest: self.guest.regs,
        };
        self.report.exits += 1;
        self.last_exit = how;
    }
}

/// The GPRs a TDG.VP.VMCALL bitmap selects.
fn selected(bitmap: u64) -> impl Iterator<Item = usize> {
    (0..16).filter(move |&r| bitmap & 1 << r != 0)
}

#[cfg(test)]
mod tests;
