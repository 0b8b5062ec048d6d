// SPDX-License-Identifier: GPL-2.0

//! The emulated module's TDs: TD vCPUs, known by their TDVPR page, and
//! TDH.VP.ENTER with the TDG.VP.VMCALL exits of the guest in `td_guest.rs`.
//!
//! The TD-management leaves that build a TD (TDH.MNG.CREATE ...
//! TDH.MR.FINALIZE) are not modeled: a test registers a vCPU with `add`, and
//! the model takes it as a finalized TD whose keys are configured, with one
//! vCPU, created with CONFIG_FLAGS.NO_RBP_MOD and no L2 VMs.
//!
//! TDH.VP.ENTER follows the TDX 1.5 module (`tdh_vp_enter()`): RCX is the
//! TDVPR address with flags (bits 51:12 the page, 52 host recoverability
//! hint, 53 resume L1, the rest reserved), checked in this order:
//! reserved bits, then the page (a plain address, inside a TDMR, a TDVPR
//! page), then the vCPU's association with another LP, then the two flags.
//! A failed check changes RAX only.
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

use super::sys::Sys;
use super::td_guest::{Guest, SCRIPT};
use super::{Gprs, RAX, RBP, RCX, RSP};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::Lp;

/// TDG.VP.VMCALLs in the guest's script.
pub(crate) const SCRIPT_LEN: usize = SCRIPT.len();
/// TD vCPUs the model holds at once (the model lives on the stack while it
/// is built: keep it small).
pub(crate) const MAX_VCPUS: usize = 4;
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

/// How the vCPU last left the TD.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LastExit {
    /// Never entered.
    None,
    /// TDG.VP.VMCALL with this bitmap.
    Vmcall(u64),
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
    /// TDG.VP.VMCALL exits to the host.
    pub(crate) exits: u64,
    /// TDG.VP.VMCALLs the module refused inside the guest.
    pub(crate) refused_vmcalls: u64,
    /// The word on top of the host's stack at the last TDH.VP.ENTER.
    pub(crate) stack_top: u64,
}

/// One TD vCPU.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vcpu {
    tdvpr: u64,
    /// The LP it is associated with (`assoc_lpid`), once entered.
    assoc: Option<u32>,
    last_exit: LastExit,
    pub(crate) guest: Guest,
    pub(crate) report: VcpuReport,
    /// The guest's registers at the last TD exit.
    last: ExitRecord,
}

/// Why `Tds::add` refused a page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AddError {
    /// The module is not initialized: no TD can be built.
    NotReady,
    /// Not a 4 KiB aligned plain address in a TDMR, outside the PAMTs.
    BadPage,
    /// Already a TDVPR page.
    Exists,
    /// `MAX_VCPUS` are registered.
    Full,
}

/// Every TD vCPU of the module.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tds {
    vcpus: [Option<Vcpu>; MAX_VCPUS],
}

impl Tds {
    pub(crate) const fn new() -> Self {
        Self {
            vcpus: [None; MAX_VCPUS],
        }
    }

    fn find(&self, tdvpr: u64) -> Option<usize> {
        self.vcpus
            .iter()
            .position(|v| v.is_some_and(|v| v.tdvpr == tdvpr))
    }

    /// The vCPU whose TDVPR page is `tdvpr`.
    pub(crate) fn get(&self, tdvpr: u64) -> Option<&Vcpu> {
        self.find(tdvpr).and_then(|i| self.vcpus[i].as_ref())
    }

    /// A vCPU at `tdvpr`, ready to enter, as if its TD had been built and
    /// finalized. `ready`: the module's state is SYS_READY.
    pub(crate) fn add(&mut self, sys: &Sys, ready: bool, tdvpr: u64) -> Result<(), AddError> {
        if !ready {
            return Err(AddError::NotReady);
        }
        if tdvpr & !TDVPR_MASK != 0 || !sys.keys.is_plain_pa(tdvpr) {
            return Err(AddError::BadPage);
        }
        let in_tdmr = in_tdmr(sys, tdvpr);
        let in_pamt = sys
            .tdmrs()
            .iter()
            .flat_map(|t| t.pamt.iter())
            .any(|p| tdvpr >= p.base && tdvpr - p.base < p.size);
        if !in_tdmr || in_pamt {
            return Err(AddError::BadPage);
        }
        if self.find(tdvpr).is_some() {
            return Err(AddError::Exists);
        }
        let slot = self.vcpus.iter_mut().find(|v| v.is_none());
        let slot = slot.ok_or(AddError::Full)?;
        *slot = Some(Vcpu {
            tdvpr,
            assoc: None,
            last_exit: LastExit::None,
            guest: Guest::new(),
            report: VcpuReport::default(),
            last: ExitRecord::default(),
        });
        Ok(())
    }

    /// Forgets the vCPU at `tdvpr`; false if there is none.
    pub(crate) fn remove(&mut self, tdvpr: u64) -> bool {
        match self.find(tdvpr) {
            Some(i) => {
                self.vcpus[i] = None;
                true
            }
            None => false,
        }
    }

    /// The guest registers at the `n`th (0-based) TD exit of the vCPU at
    /// `tdvpr`, if that was its last exit.
    pub(crate) fn exit_record(&self, tdvpr: u64, n: u64) -> Option<ExitRecord> {
        let v = self.get(tdvpr)?;
        (n + 1 == v.report.exits).then_some(v.last)
    }

    /// TDH.VP.ENTER on `lp` (the dispatcher already checked RAX and the
    /// module's state). `stack_top`: the word on top of the caller's stack.
    pub(crate) fn vp_enter(&mut self, sys: &Sys, lp: Lp, regs: &mut Gprs, stack_top: u64) -> u64 {
        let rcx = regs[RCX];
        let invalid_rcx = code::OPERAND_INVALID | OPERAND_ID_RCX as u64;
        if rcx & RESERVED != 0 {
            return invalid_rcx;
        }
        let tdvpr = rcx & TDVPR_MASK;
        if !sys.keys.is_plain_pa(tdvpr) {
            return invalid_rcx;
        }
        if !in_tdmr(sys, tdvpr) {
            return code::OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX as u64;
        }
        let Some(vcpu) = self.find(tdvpr).and_then(|i| self.vcpus[i].as_mut()) else {
            return code::PAGE_METADATA_INCORRECT | OPERAND_ID_RCX as u64;
        };
        if vcpu.assoc.is_some_and(|id| id != lp.id) {
            return code::VCPU_ASSOCIATED;
        }
        // No exit so far was an asynchronous trap, and the TD has no L2 VM.
        if rcx & (HOST_RECOVERABILITY_HINT | RESUME_L1) != 0 {
            return invalid_rcx;
        }
        vcpu.assoc = Some(lp.id);
        vcpu.report.entries += 1;
        vcpu.report.stack_top = stack_top;
        vcpu.enter(regs)
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

/// Whether `pa` is inside a configured TDMR (the module's `pamt_get_block()`
/// finds it).
fn in_tdmr(sys: &Sys, pa: u64) -> bool {
    sys.tdmrs()
        .iter()
        .any(|t| pa >= t.base && pa - t.base < t.size)
}

/// The GPRs a TDG.VP.VMCALL bitmap selects.
fn selected(bitmap: u64) -> impl Iterator<Item = usize> {
    (0..16).filter(move |&r| bitmap & 1 << r != 0)
}

#[cfg(test)]
mod tests {
    use super::super::sys::{SysState, Tdmr};
    use super::super::td_guest::*;
    use super::super::test_support::{lp, platform, tdmr_at, with_pamt, G};
    use super::super::R10;
    use super::*;

    const PAMT: u64 = G + (256 << 20);
    const PAGE: u64 = G + 0x10_0000;

    /// A ready module with one TDMR, [1G, 2G), its PAMT at 1G + 256M.
    fn ready() -> Sys {
        let mut s = Sys::new(platform(2, 1, &[]));
        s.tdmrs[0] = Tdmr::from_info(&with_pamt(tdmr_at(G, G), PAMT));
        s.nr_tdmrs = 1;
        s.state = SysState::Ready;
        s
    }

    fn tds_with_vcpu(sys: &Sys) -> Tds {
        let mut tds = Tds::new();
        tds.add(sys, true, PAGE).unwrap();
        tds
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
        sys: &Sys,
        h: &mut Gprs,
        mut tamper: impl FnMut(u64, &mut Gprs),
    ) -> (u64, Result<(), u64>) {
        for exit in 0..32 {
            h[RCX] = PAGE;
            h[RAX] = tds.vp_enter(sys, lp(0, 0), h, 0);
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
        let sys = ready();
        let mut tds = tds_with_vcpu(&sys);
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
        let sys = ready();
        let mut tds = tds_with_vcpu(&sys);
        let mut h = host_regs(PAGE);
        let (rsp, rbp) = (h[RSP], h[RBP]);
        let mut step = 0;
        for exit in 0..7u64 {
            h[RCX] = PAGE;
            h[RAX] = tds.vp_enter(&sys, lp(0, 0), &mut h, 0);
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
        let sys = ready();
        let mut tds = tds_with_vcpu(&sys);
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
        let sys = ready();
        let visible: Vec<usize> = (0..SCRIPT.len())
            .filter(|&s| host_visible(&SCRIPT[s]))
            .collect();
        let mut cases = 0;
        for (exit, &step) in visible.iter().enumerate().take(visible.len() - 1) {
            for reg in selected(SCRIPT[step].bitmap) {
                let mut tds = tds_with_vcpu(&sys);
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
        let mut tds = tds_with_vcpu(&sys);
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
            assert_eq!(tds.vp_enter(&sys, lp(0, 0), &mut h, 0), status, "{rcx:#x}");
            assert_eq!(h, before, "an error changes RAX only");
        }
        assert_eq!(tds.get(PAGE).unwrap().report.entries, 0);

        let mut h = host_regs(PAGE);
        assert_eq!(
            tds.vp_enter(&sys, lp(1, 0), &mut h, 0x1234),
            EXIT_REASON_TDCALL
        );
        assert_eq!(tds.get(PAGE).unwrap().report.stack_top, 0x1234);
        let mut h = host_regs(PAGE);
        let before = h;
        assert_eq!(
            tds.vp_enter(&sys, lp(0, 0), &mut h, 0),
            code::VCPU_ASSOCIATED
        );
        assert_eq!(h, before);

        // Gone: its page is an ordinary TDMR page again.
        assert!(tds.remove(PAGE));
        assert!(!tds.remove(PAGE));
        let mut h = host_regs(PAGE);
        assert_eq!(
            tds.vp_enter(&sys, lp(1, 0), &mut h, 0),
            code::PAGE_METADATA_INCORRECT | 1
        );
        sys.nr_tdmrs = 0;
        assert_eq!(
            tds.vp_enter(&sys, lp(1, 0), &mut h, 0),
            code::OPERAND_ADDR_RANGE_ERROR | 1
        );
    }

    #[test]
    fn adding_a_vcpu_takes_a_free_tdmr_page_of_a_ready_module() {
        let sys = ready();
        let mut tds = Tds::new();
        assert_eq!(tds.add(&sys, false, PAGE), Err(AddError::NotReady));
        for bad in [PAGE + 8, 3 * G, PAMT, PAMT + 0x1000, PAGE | 1 << 51, 0] {
            assert_eq!(tds.add(&sys, true, bad), Err(AddError::BadPage), "{bad:#x}");
        }
        assert_eq!(tds.add(&sys, true, PAGE), Ok(()));
        assert_eq!(tds.add(&sys, true, PAGE), Err(AddError::Exists));
        for i in 1..MAX_VCPUS as u64 {
            assert_eq!(tds.add(&sys, true, PAGE + i * 0x1000), Ok(()));
        }
        assert_eq!(tds.add(&sys, true, PAGE + 0x10_0000), Err(AddError::Full));
    }

    #[test]
    fn a_wrong_guest_keeps_reporting_and_only_the_last_exit_is_kept() {
        let sys = ready();
        let mut tds = tds_with_vcpu(&sys);
        let mut h = host_regs(PAGE);
        // Never replying right: the guest reports a fatal error for ever.
        for _ in 0..5 {
            h[RCX] = PAGE;
            tds.vp_enter(&sys, lp(0, 0), &mut h, 0);
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
