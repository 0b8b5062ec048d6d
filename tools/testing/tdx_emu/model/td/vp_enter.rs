// SPDX-License-Identifier: GPL-2.0

//! TDH.VP.ENTER in the emulated module (`tdh_vp_enter()`,
//! `tdh_vp_enter.c`), with the TDG.VP.VMCALL exits of the guest in
//! `td_guest.rs`.
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
//! On a TDG.VP.VMCALL the module checks the guest's bitmap (RCX bits 15:0
//! select GPRs, 31:16 XMMs, 63:32 reserved; RAX, RCX, RSP and, with
//! NO_RBP_MOD, RBP may not be selected). A bad bitmap fails the TDCALL in
//! the guest with TDX_OPERAND_INVALID(RCX), and the guest goes on. A good one
//! exits to the host with RAX TDX_SUCCESS | 77 (TDCALL), RCX the bitmap, each
//! selected GPR the guest's value and every other GPR 0, except RSP and RBP,
//! which keep the host's. The next TDH.VP.ENTER copies the selected GPRs
//! from the host back into the guest, with RAX 0 and RCX the bitmap.
//! XMM registers are not modeled: the guest never selects one.
//!
//! Pure `core`.

use super::super::pamt::PageType;
use super::super::sys::Sys;
use super::super::td_guest::SCRIPT;
use super::super::{Gprs, RAX, RBP, RCX, RSP};
use super::{LastExit, Lifecycle, OpState, Tds, Vcpu, VcpuState, MIN_TDCS_PAGES, MIN_TDVPS_PAGES};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::{Lp, PhysMem};

/// TDG.VP.VMCALLs in the guest's script.
pub(crate) const SCRIPT_LEN: usize = SCRIPT.len();
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
    /// TDG.VP.VMCALL exits to the host.
    pub(crate) exits: u64,
    /// TDG.VP.VMCALLs the module refused inside the guest.
    pub(crate) refused_vmcalls: u64,
    /// The word on top of the host's stack at the last TDH.VP.ENTER.
    pub(crate) stack_top: u64,
}

impl VcpuReport {
    pub(crate) const fn new() -> Self {
        Self {
            entries: 0,
            exits: 0,
            refused_vmcalls: 0,
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
    /// `None`: declined (the PAMT could not be read, or the page is a
    /// TDVPR the model has no vCPU for, which cannot happen).
    pub(crate) fn vp_enter(
        &mut self,
        sys: &Sys,
        mem: &dyn PhysMem,
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
        Some(vcpu.enter(regs))
    }
}

impl Vcpu {
    /// Resumes the guest and runs it to its next TD exit; returns RAX.
    fn enter(&mut self, host: &mut Gprs) -> u64 {
        if let LastExit::Vmcall(bitmap) = self.last_exit {
            for reg in selected(bitmap) {
                self.guest.regs[reg] = host[reg];
            }
            self.guest.regs[RAX] = code::SUCCESS;
            self.guest.regs[RCX] = bitmap;
            self.guest.returned();
        }
        // Each refused call moves the script on: it ends in an exit.
        loop {
            self.guest.call();
            let bitmap = self.guest.regs[RCX];
            if bitmap & VMCALL_NEVER == 0 {
                return self.vmcall_exit(host, bitmap);
            }
            self.report.refused_vmcalls += 1;
            self.guest.regs[RAX] = code::OPERAND_INVALID | OPERAND_ID_RCX as u64;
            self.guest.returned();
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
        self.last = ExitRecord {
            guest: self.guest.regs,
        };
        self.report.exits += 1;
        self.last_exit = LastExit::Vmcall(bitmap);
        code::SUCCESS | EXIT_REASON_TDCALL
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
    use super::super::super::td_guest::*;
    use super::super::super::test_support::{lp, platform, tdmr_at, with_pamt, FakeMem, G};
    use super::super::super::R10;
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

    fn enter(tds: &mut Tds, w: &World, on: Lp, h: &mut Gprs, top: u64) -> u64 {
        tds.vp_enter(&w.sys, &w.mem, on, h, top).unwrap()
    }

    fn host_regs(rcx: u64) -> Gprs {
        let mut r: Gprs = core::array::from_fn(|n| 0x4057_0000 + n as u64);
        r[RCX] = rcx;
        r
    }

    /// A KVM-like host's answer to one TD exit; true when the guest is done,
    /// `Err` with the guest's code when it reported a fatal error.
    fn host_reply(h: &mut Gprs) -> Result<bool, u64> {
        assert_eq!(h[RAX], EXIT_REASON_TDCALL);
        let bitmap = h[RCX];
        let has = |regs: &[usize]| regs.iter().all(|&r| bitmap & 1 << r != 0);
        if h[R10] == HC_ECHO {
            for r in selected(bitmap).filter(|&r| r != R10) {
                h[r] = !h[r];
            }
            h[R10] = TDVMCALL_SUCCESS;
            return Ok(false);
        }
        let (status, done) = match h[11] {
            GHCI_CPUID if has(&[12, 13, 14, 15]) => {
                h[12..16].copy_from_slice(&KVM_SIGNATURE);
                (TDVMCALL_SUCCESS, false)
            }
            GHCI_HLT => (TDVMCALL_SUCCESS, false),
            GHCI_IO if has(&[12, 13, 14, 15]) => (TDVMCALL_SUCCESS, h[14] == DONE_PORT),
            GHCI_REPORT_FATAL_ERROR => return Err(h[12]),
            _ => (TDVMCALL_INVALID_OPERAND, false),
        };
        h[R10] = status;
        Ok(done)
    }

    /// Enters until the guest is done or fatal, letting `tamper` change the
    /// host's registers after each reply; returns the exits and the outcome.
    fn run(
        tds: &mut Tds,
        sys: &World,
        h: &mut Gprs,
        mut tamper: impl FnMut(u64, &mut Gprs),
    ) -> (u64, Result<(), u64>) {
        for exit in 0..32 {
            h[RCX] = PAGE;
            h[RAX] = enter(tds, sys, lp(0, 0), h, 0);
            match host_reply(h) {
                Ok(true) => return (exit + 1, Ok(())),
                Ok(false) => tamper(exit, h),
                Err(code) => return (exit + 1, Err(code)),
            }
        }
        panic!("the guest never finished");
    }

    #[test]
    fn a_kvm_like_host_runs_the_whole_script() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        let mut h = host_regs(PAGE);
        let (exits, outcome) = run(&mut tds, &sys, &mut h, |_, _| {});
        assert_eq!((exits, outcome), (7, Ok(())));
        let v = tds.get(PAGE).unwrap();
        assert_eq!((v.guest.state, v.guest.steps_done), (State::Waiting(7), 7));
        assert_eq!(
            (v.report.entries, v.report.exits, v.report.refused_vmcalls),
            (7, 7, 1)
        );
        // The reply to "done" is checked on the next entry, which repeats it.
        let (exits, outcome) = run(&mut tds, &sys, &mut h, |_, _| {});
        assert_eq!((exits, outcome), (1, Ok(())));
        let v = tds.get(PAGE).unwrap();
        assert_eq!((v.guest.state, v.guest.steps_done), (State::Finished, 8));
    }

    #[test]
    fn the_host_sees_exposed_registers_zeros_and_its_own_rsp_rbp() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        let mut h = host_regs(PAGE);
        let (rsp, rbp) = (h[RSP], h[RBP]);
        let mut step = 0;
        for exit in 0..7u64 {
            h[RCX] = PAGE;
            h[RAX] = enter(&mut tds, &sys, lp(0, 0), &mut h, 0);
            while !host_visible(&SCRIPT[step]) {
                step += 1;
            }
            let bitmap = SCRIPT[step].bitmap;
            assert_eq!((h[RAX], h[RCX]), (EXIT_REASON_TDCALL, bitmap));
            assert_eq!((h[RSP], h[RBP]), (rsp, rbp));
            let guest = tds.exit_record(PAGE, exit).unwrap().guest;
            for r in (2..16).filter(|&r| r != RSP && r != RBP) {
                let want = if bitmap & 1 << r != 0 {
                    guest_value(step, r)
                } else {
                    0
                };
                assert_eq!(h[r], want, "exit {exit} reg {r}");
                assert_eq!(guest[r], guest_value(step, r));
            }
            host_reply(&mut h).unwrap();
            step += 1;
        }
        assert!(tds.exit_record(PAGE, 7).is_none());
    }

    #[test]
    fn unexposed_host_registers_never_reach_the_guest() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        let mut step = 0;
        let (_, outcome) = run(&mut tds, &sys, &mut host_regs(PAGE), |_, h| {
            while !host_visible(&SCRIPT[step]) {
                step += 1;
            }
            for r in (2..16).filter(|&r| SCRIPT[step].bitmap & 1 << r == 0) {
                h[r] = 0xbad0_0000 + r as u64;
            }
            step += 1;
        });
        assert_eq!(outcome, Ok(()));
    }

    #[test]
    fn every_wrong_reply_register_is_named_by_the_guest() {
        let mut sys = ready();
        let visible: Vec<usize> = (0..SCRIPT.len())
            .filter(|&s| host_visible(&SCRIPT[s]))
            .collect();
        let mut cases = 0;
        for (exit, &step) in visible.iter().enumerate().take(visible.len() - 1) {
            for reg in selected(SCRIPT[step].bitmap) {
                let mut tds = tds_with_vcpu(&mut sys);
                let (exits, outcome) = run(&mut tds, &sys, &mut host_regs(PAGE), |n, h| {
                    if n == exit as u64 {
                        h[reg] ^= 1 << 40;
                    }
                });
                let code = FATAL_BAD_REPLY | (step as u64) << 8 | reg as u64;
                assert_eq!((exits, outcome), (exit as u64 + 2, Err(code)));
                let m = tds.get(PAGE).unwrap().guest.mismatch.unwrap();
                assert_eq!((m.step as usize, m.reg as usize), (step, reg));
                cases += 1;
            }
        }
        assert_eq!(cases, 12 + 6 + 3 + 2 + 4 + 4);
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
                enter(&mut tds, &sys, lp(0, 0), &mut h, 0),
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
        assert_eq!(
            enter(&mut tds, &sys, lp(0, 0), &mut h, 0x1234),
            EXIT_REASON_TDCALL
        );
        assert_eq!(tds.get(PAGE).unwrap().report.stack_top, 0x1234);
        let mut h = host_regs(PAGE);
        let before = h;
        assert_eq!(
            enter(&mut tds, &sys, lp(1, 0), &mut h, 0),
            code::VCPU_ASSOCIATED
        );
        assert_eq!(h, before);

        // The PAMT decides: a TDVPR page that is not (any more) one.
        sys.sys
            .pamt_set(&mut sys.mem, PAGE, PamtEntry::NDA)
            .unwrap();
        let mut h = host_regs(PAGE);
        assert_eq!(
            enter(&mut tds, &sys, lp(0, 0), &mut h, 0),
            code::PAGE_METADATA_INCORRECT | 1
        );
        sys.sys.nr_tdmrs = 0;
        assert_eq!(
            enter(&mut tds, &sys, lp(1, 0), &mut h, 0),
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
                assert_eq!(enter(&mut tds, &sys, lp(0, 0), &mut h, 0), *status, "{k}");
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
            enter(&mut tds, &sys, lp(1, 0), &mut host_regs(PAGE), 0);
        }
        let (v, t) = tds.vcpu_and_td(PAGE).unwrap();
        assert_eq!((v.assoc, t.num_assoc_vcpus), (Some(1), 1));
    }

    #[test]
    fn a_wrong_guest_keeps_reporting_and_only_the_last_exit_is_kept() {
        let mut sys = ready();
        let mut tds = tds_with_vcpu(&mut sys);
        let mut h = host_regs(PAGE);
        // Never replying right: the guest reports a fatal error for ever.
        for _ in 0..5 {
            h[RCX] = PAGE;
            enter(&mut tds, &sys, lp(0, 0), &mut h, 0);
        }
        let v = tds.get(PAGE).unwrap();
        assert_eq!(v.report.exits, 5);
        assert!(tds.exit_record(PAGE, 3).is_none());
        assert!(tds.exit_record(PAGE, 5).is_none());
        let last = tds.exit_record(PAGE, 4).unwrap();
        assert_eq!(last.guest[11], GHCI_REPORT_FATAL_ERROR);
        assert!(matches!(v.guest.state, State::Fatal(_)));
    }
}
