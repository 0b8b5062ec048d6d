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
use super::{LastExit, Lifecycle, OpState, Tds, Vcpu, VcpuState, MIN_TDCS_PAGES, MIN_TDVPS_PAGES};
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

/// The checks every leaf that works on a built TD makes of the TDR's state
/// (`check_td_in_correct_build_state()`).
pub(crate) fn check_td_built(fatal: bool, lifecycle: Lifecycle, num_tdcx: u32) -> Result<(), u64> {
    if fatal {
        return Err(code::TD_FATAL);
    }
    if lifecycle != Lifecycle::KeysConfigured {
        return Err(code::TD_KEYS_NOT_CONFIGURED);
    }
    if (num_tdcx as usize) < MIN_TDCS_PAGES {
        return Err(code::TDCS_NOT_ALLOCATED);
    }
    Ok(())
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
        match sys.check_explicit_4k(mem, tdvpr, OPERAND_ID_RCX, PageType::Tdvpr) {
            Err(status) => return Some(status),
            Ok(None) => return None,
            Ok(Some(_)) => {}
        }
        let (vcpu, td) = self.vcpu_and_td(tdvpr)?;
        if let Err(status) = check_td_built(td.fatal, td.lifecycle, td.num_tdcx) {
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
mod tests {
    use super::super::super::pamt::PamtEntry;
    use super::super::super::sys::{SysState, Tdmr};
    use super::super::super::test_support::{lp, platform, tdmr_at, with_pamt, FakeMem, G};
    use super::super::super::R8;
    use super::super::Td;
    use super::*;

    const PAMT: u64 = G + (256 << 20);
    const PAGE: u64 = G + 0x10_0000;
    const TDR: u64 = G + 0x20_0000;

    /// A ready module with one initialized TDMR, [1G, 2G), its PAMT at
    /// 1G + 256M, and the memory its PAMT is in.
    struct World {
        sys: Sys,
        mem: FakeMem,
    }

    fn ready() -> World {
        let mut sys = Sys::new(platform(2, 1, &[]));
        let mut mem = FakeMem::new();
        sys.tdmrs[0] = Tdmr::from_info(&with_pamt(tdmr_at(G, G), PAMT));
        sys.nr_tdmrs = 1;
        sys.state = SysState::Ready;
        let mut r = [0; 16];
        r[RCX] = G;
        while !sys.tdmrs[0].is_initialized() {
            sys.sys_tdmr_init(&mut r, &mut mem).unwrap();
        }
        World { sys, mem }
    }

    /// A unit-test fixture, not a model path: plants in the PAMT and in
    /// `tds` what TDH.MNG.CREATE ... TDH.MR.FINALIZE and TDH.VP.CREATE ...
    /// TDH.VP.INIT leave for a one-vCPU TD with TDR `TDR` and TDVPR `PAGE`
    /// (the whole life through the leaves is in the model's tests).
    fn tds_with_vcpu(w: &mut World) -> Tds {
        let mut tds = Tds::new();
        w.sys
            .pamt_set(&mut w.mem, TDR, PamtEntry::new(PageType::Tdr, 0))
            .unwrap();
        w.sys
            .pamt_set(&mut w.mem, PAGE, PamtEntry::new(PageType::Tdvpr, TDR))
            .unwrap();
        let mut td = Td::new(TDR, 40);
        td.lifecycle = Lifecycle::KeysConfigured;
        td.num_tdcx = MIN_TDCS_PAGES as u32;
        td.op_state = OpState::Runnable;
        td.num_vcpus = 1;
        tds.tds[0] = Some(td);
        let mut v = Vcpu::new(PAGE, TDR, 0);
        v.num_tdvps = MIN_TDVPS_PAGES as u32;
        v.state = VcpuState::Ready;
        tds.vcpus[0] = Some(v);
        tds
    }

    /// TDH.VP.ENTER; panics if declined. An entered guest with no
    /// program (these TDs have no Secure EPT) exits on EPT violation: 48.
    fn enter(tds: &mut Tds, w: &mut World, on: Lp, h: &mut Gprs, top: u64) -> u64 {
        tds.vp_enter(&w.sys, &mut w.mem, on, h, top).unwrap()
    }

    fn host_regs(rcx: u64) -> Gprs {
        let mut r: Gprs = core::array::from_fn(|n| 0x4057_0000 + n as u64);
        r[RCX] = rcx;
        r
    }

    #[test]
    fn misuse_gets_the_module_statuses_in_its_order() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        let rcx_invalid = code::OPERAND_INVALID | 1;
        let cases = [
            (PAGE | 1, rcx_invalid),
            (PAGE | 1 << 54, rcx_invalid),
            (PAGE | 1 << 63, rcx_invalid),
            (PAGE | 1 << 51, rcx_invalid), // a KeyID bit
            (3 * G, code::OPERAND_ADDR_RANGE_ERROR | 1),
            (PAGE + 0x1000, code::PAGE_METADATA_INCORRECT | 1),
            (PAMT, code::PAGE_METADATA_INCORRECT | 1),
            (
                (PAGE + 0x1000) | HOST_RECOVERABILITY_HINT,
                code::PAGE_METADATA_INCORRECT | 1,
            ),
            (PAGE | HOST_RECOVERABILITY_HINT, rcx_invalid),
            (PAGE | RESUME_L1, rcx_invalid),
        ];
        for (rcx, status) in cases {
            let mut h = host_regs(rcx);
            let before = h;
            assert_eq!(
                enter(&mut tds, &mut sys, lp(0, 0), &mut h, 0),
                status,
                "{rcx:#x}"
            );
            assert_eq!(h, before, "an error changes RAX only");
        }
        assert_eq!(tds.get(PAGE).unwrap().report.entries, 0);
        // The flags are checked after the association (Intel's order): the
        // two flag cases left the vCPU associated with LP 0.
        assert_eq!(tds.get(PAGE).unwrap().assoc, Some(0));

        let mut h = host_regs(PAGE);
        assert_eq!(enter(&mut tds, &mut sys, lp(0, 0), &mut h, 0x1234), 48);
        assert_eq!(tds.get(PAGE).unwrap().report.stack_top, 0x1234);
        let mut h = host_regs(PAGE);
        let before = h;
        assert_eq!(
            enter(&mut tds, &mut sys, lp(1, 0), &mut h, 0),
            code::VCPU_ASSOCIATED
        );
        assert_eq!(h, before);

        // The PAMT decides: a TDVPR page that is not (any more) one.
        sys.sys
            .pamt_set(&mut sys.mem, PAGE, PamtEntry::NDA)
            .unwrap();
        let mut h = host_regs(PAGE);
        assert_eq!(
            enter(&mut tds, &mut sys, lp(0, 0), &mut h, 0),
            code::PAGE_METADATA_INCORRECT | 1
        );
        sys.sys.nr_tdmrs = 0;
        assert_eq!(
            enter(&mut tds, &mut sys, lp(1, 0), &mut h, 0),
            code::OPERAND_ADDR_RANGE_ERROR | 1
        );
    }

    /// Each TD or vCPU state TDH.VP.ENTER refuses, in the module's order:
    /// breaking two at once gives the earlier check's status.
    #[test]
    fn td_and_vcpu_state_checks_come_in_order() {
        type Break = fn(&mut Td, &mut Vcpu);
        let breaks: [(Break, u64); 7] = [
            (|t, _| t.fatal = true, code::TD_FATAL),
            (
                |t, _| t.lifecycle = Lifecycle::HkidAssigned,
                code::TD_KEYS_NOT_CONFIGURED,
            ),
            (
                |t, _| t.lifecycle = Lifecycle::Blocked,
                code::TD_KEYS_NOT_CONFIGURED,
            ),
            (|t, _| t.num_tdcx = 5, code::TDCS_NOT_ALLOCATED),
            (
                |t, _| t.op_state = OpState::Initialized,
                code::OP_STATE_INCORRECT,
            ),
            (|_, v| v.num_tdvps = 5, code::TDCX_NUM_INCORRECT),
            (
                |_, v| v.state = VcpuState::Uninitialized,
                code::VCPU_STATE_INCORRECT,
            ),
        ];
        for (k, (first, status)) in breaks.iter().enumerate() {
            for (later, _) in &breaks[k..] {
                let mut sys = ready();
                let mut tds = tds_with_vcpu(&mut sys);
                let (v, t) = tds.vcpu_and_td(PAGE).unwrap();
                first(t, v);
                later(t, v);
                let mut h = host_regs(PAGE);
                let before = h;
                assert_eq!(
                    enter(&mut tds, &mut sys, lp(0, 0), &mut h, 0),
                    *status,
                    "{k}"
                );
                assert_eq!(h, before);
                let (v, t) = tds.vcpu_and_td(PAGE).unwrap();
                assert_eq!((v.assoc, t.num_assoc_vcpus, v.report.entries), (None, 0, 0));
            }
        }
    }

    #[test]
    fn the_first_entry_associates_once() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        for _ in 0..3 {
            enter(&mut tds, &mut sys, lp(1, 0), &mut host_regs(PAGE), 0);
        }
        let (v, t) = tds.vcpu_and_td(PAGE).unwrap();
        assert_eq!((v.assoc, t.num_assoc_vcpus), (Some(1), 1));
    }

    /// A vCPU whose TD has no program at the entry GPA (no Secure EPT at
    /// all here): every entry is an EPT violation on the entry GPA's page,
    /// retried at the next; only the last exit is kept.
    #[test]
    fn no_program_at_the_entry_gpa_is_an_ept_violation_each_entry() {
        let mut w = ready();
        let mut tds = tds_with_vcpu(&mut w);
        let (v, _) = tds.vcpu_and_td(PAGE).unwrap();
        v.initial_rcx = 0x12_3456;
        let mut h = host_regs(PAGE);
        let (rsp, rbp) = (h[RSP], h[RBP]);
        for _ in 0..3 {
            h[RCX] = PAGE;
            assert_eq!(enter(&mut tds, &mut w, lp(0, 0), &mut h, 0), 48);
            let mut want = [0u64; 16];
            (want[RAX], want[RCX], want[R8], want[RSP], want[RBP]) = (48, 1, 0x12_3000, rsp, rbp);
            assert_eq!(h, want);
        }
        let v = tds.get(PAGE).unwrap();
        let r = v.report;
        assert_eq!((r.entries, r.exits, r.ept_violations), (3, 3, 3));
        assert_eq!((v.guest.steps_done, v.guest.nr_steps()), (0, 0));
        assert!(tds.exit_record(PAGE, 1).is_none());
        assert!(tds.exit_record(PAGE, 2).is_some());
    }
}
