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
//! RCX). A failed check changes RAX only. The model's TDs are all created
//! with CONFIG_FLAGS.NO_RBP_MOD semantics for the guest's bitmap checks.
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
//!   except RSP and RBP, which keep the host's. The next TDH.VP.ENTER copies
//!   the selected GPRs from the host back into the guest, with RAX 0 and RCX
//!   the bitmap. XMM registers are not modeled: the guest never selects one.
//!   MapGPA (R10 0, R11 0x10001, R12 the GPA with the shared bit, R13 the
//!   size; bitmap R10-R13) and the guest's GHCI ReportFatalError are such
//!   calls.
//! - A read (instruction or data) of a private GPA that does not reach a
//!   MAPPED leaf: the EPT-violation TD exit (`td_guest_mem.rs`: RAX
//!   TDX_SUCCESS | 48, RCX the exit qualification, RDX the extended one, R8
//!   the GPA). The read is retried at the next entry.
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
const VMCALL_NEVER: u64 = 1 << RAX | 1 << RCX | 1 << RSP | 1 << RBP | !0xffff_ffff;

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
        vcpu.report.entries += 1;
        vcpu.report.stack_top = stack_top;
        vcpu.enter(regs, mem, td.sept_root())
    }
}

impl Vcpu {
    /// Resumes the guest and runs it to its next TD exit; returns RAX.
    /// `root`: the TD's Secure EPT.
    fn enter(&mut self, host: &mut Gprs, mem: &mut dyn PhysMem, root: u64) -> Option<u64> {
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
            LastExit::EptViolation => {}
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
                Action::Vmcall { bitmap } if bitmap & VMCALL_NEVER != 0 => {
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
                    return Some(self.ept_violation_exit(host, EptViolation::read(gpa)));
                }
                Action::Accept { .. } => match accept(mem, root, self.guest.regs[RCX])? {
                    Ok(status) => {
                        self.report.accepts += 1;
                        self.guest.regs[RAX] = status;
                        self.guest.returned();
                        continue;
                    }
                    Err(v) => return Some(self.ept_violation_exit(host, v)),
                },
            };
            return Some(self.vmcall_exit(host, bitmap));
        }
    }

    fn vmcall_exit(&mut self, host: &mut Gprs, bitmap: u64) -> u64 {
        for reg in (0..16).filter(|&r| r != RAX && r != RSP && r != RBP) {
            host[reg] = if bitmap & 1 << reg != 0 {
                self.guest.regs[reg]
            } else {
                0
            };
        }
        host[RCX] = bitmap;
        self.exited(LastExit::Vmcall(bitmap));
        code::SUCCESS | EXIT_REASON_TDCALL
    }

    fn ept_violation_exit(&mut self, host: &mut Gprs, v: EptViolation) -> u64 {
        self.report.ept_violations += 1;
        self.exited(LastExit::EptViolation);
        v.exit_to_host(host)
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
