// SPDX-License-Identifier: GPL-2.0

//! Host tests only: a KVM-like host of one TD with one vCPU, for
//! `guest_tests.rs`, on `life_tests.rs`'s made-up machine, through the
//! leaves only. It builds the TD, adds and measures an image
//! (TDH.MEM.PAGE.ADD and TDH.MR.EXTEND of each page, TDH.MR.FINALIZE),
//! reads MRTD with TDH.MNG.RD, and enters the vCPU, handling each exit as
//! KVM does: TDG.VP.VMCALLs answered as `kvm_consumer.c` answers them, an
//! EPT violation with TDH.MEM.SEPT.ADD of the missing levels and
//! TDH.MEM.PAGE.AUG, MapGPA to shared with TDH.MEM.RANGE.BLOCK,
//! TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE and TDH.PHYMEM.PAGE.WBINVD.

use super::super::super::sept_walk::{self, SHARED_BIT};
use super::super::super::td_guest::*;
use super::super::super::td_program::GHCI_MAP_GPA;
use super::super::super::{Gprs, Outcome, R10, R8, R9, RAX, RBP, RBX, RCX, RDX, RSP};
use super::super::life_tests::*;
use super::super::rd;
use crate::abi::leaf::{Leaf, LeafCall};

const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;
const R14: usize = 14;
const R15: usize = 15;
pub(super) const PAGE: u64 = 4096;
/// Host pages for SEPT tables and private pages, handed out in order.
pub(super) const POOL: u64 = TDR + 0x40_0000;
/// The shared page PAGE.ADD copies from (KeyID 0, outside the TDMR).
pub(super) const SOURCE: u64 = 0x50_0000;

/// A TD exit as the host saw it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Exit {
    /// TDG.VP.VMCALL: R10, R11 as the guest set them.
    Vmcall(u64, u64),
    /// EPT violation: exit qualification, extended qualification, GPA.
    Ept(u64, u64, u64),
    /// MapGPA of `[gpa, gpa + size)` to shared.
    MapGpa(u64, u64),
    /// The done port write.
    Done,
    /// ReportFatalError with this code.
    Fatal(u64),
}

/// A KVM-like host with one TD of one vCPU (on LP 1).
pub(super) struct Host {
    pub(super) w: World,
    pub(super) entry: u64,
    pub(super) next_page: u64,
    /// The Secure EPT pages added: (level, the GPA the entry covers).
    pub(super) tables: Vec<(u64, u64)>,
    /// Private pages: (GPA, HPA).
    pub(super) private: Vec<(u64, u64)>,
    /// The vCPU's registers (KVM's `vcpu->arch.regs`).
    pub(super) regs: Gprs,
    /// Whether a TDG.VP.VMCALL exit, and an EPT violation, keep the host's
    /// RBP (else they zero it).
    pub(super) keep_rbp: (bool, bool),
}

impl Host {
    /// The TD built, `image` added at `base` and measured, finalized, its
    /// vCPU initialized with RCX `entry`.
    pub(super) fn build(image: &[u8], base: u64, entry: u64) -> Self {
        Self::build_with(image, base, entry, |_| {})
    }

    /// [`Self::build`] with `edit` applied to the TD_PARAMS.
    pub(super) fn build_with(
        image: &[u8],
        base: u64,
        entry: u64,
        edit: impl FnOnce(&mut [u8; 1024]),
    ) -> Self {
        let mut w = World::ready();
        w.built_td_with(edit);
        let mut host = Host {
            w,
            entry,
            next_page: 0,
            tables: Vec::new(),
            private: Vec::new(),
            regs: core::array::from_fn(|n| 0x4057_0000 + n as u64),
            keep_rbp: (true, true),
        };
        host.vcpu(entry);
        for (p, bytes) in image.chunks(PAGE as usize).enumerate() {
            let gpa = base + p as u64 * PAGE;
            host.tables_for(gpa);
            host.w.mem.poke(SOURCE, bytes);
            let hpa = host.page();
            let ops = [(RCX, gpa), (RDX, TDR), (R8, hpa), (R9, SOURCE)];
            assert_eq!(host.w.status(LP0, Leaf::MemPageAdd, &ops), OK);
            host.private.push((gpa, hpa));
            for c in (0..PAGE).step_by(256) {
                let ops = [(RCX, gpa + c), (RDX, TDR)];
                assert_eq!(host.w.status(LP0, Leaf::MrExtend, &ops), OK);
            }
        }
        assert_eq!(host.w.status(LP0, Leaf::MrFinalize, &[(RCX, TDR)]), OK);
        host
    }

    /// VP.CREATE, five VP.ADDCX, VP.INIT (version 1) on LP 1 with RCX
    /// `entry`.
    pub(super) fn vcpu(&mut self, entry: u64) {
        let ops = [(RCX, TDVPR), (RDX, TDR)];
        assert_eq!(self.w.status(LP0, Leaf::VpCreate, &ops), OK);
        for k in 0..5 {
            let ops = [(RCX, TDVPX + PAGE * k), (RDX, TDVPR)];
            assert_eq!(self.w.status(LP0, Leaf::VpAddcx, &ops), OK);
        }
        let init = LeafCall::with_version(Leaf::VpInit, 1);
        let ops = [(RCX, TDVPR), (RDX, entry), (R8, 0)];
        assert_eq!(self.w.call_v(LP1, init, &ops).0, OK);
    }

    pub(super) fn page(&mut self) -> u64 {
        self.next_page += 1;
        POOL + (self.next_page - 1) * PAGE
    }

    /// TDH.MEM.SEPT.ADD of each level 3, 2, 1 `gpa` has no table for yet.
    pub(super) fn tables_for(&mut self, gpa: u64) {
        for level in [3, 2, 1] {
            let at = gpa & !(sept_walk::level_bytes(level as u8) - 1);
            if !self.tables.contains(&(level, at)) {
                let page = self.page();
                let ops = [(RCX, at | level), (RDX, TDR), (R8, page)];
                assert_eq!(self.w.status(LP0, Leaf::MemSeptAdd, &ops), OK);
                self.tables.push((level, at));
            }
        }
    }

    /// MRTD as TDH.MNG.RD reads it: six 8-byte elements.
    pub(super) fn mrtd(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for k in 0..6 {
            let (s, r) = self
                .w
                .call(LP0, Leaf::MngRd, &[(RCX, TDR), (RDX, rd::TD_MRTD + k)]);
            assert_eq!(s, OK);
            out.extend_from_slice(&r[R8].to_le_bytes());
        }
        out
    }

    /// One TDH.VP.ENTER, the exit handled as KVM would.
    pub(super) fn enter(&mut self) -> Exit {
        self.regs[RAX] = LeafCall::new(Leaf::VpEnter).rax();
        self.regs[RCX] = TDVPR;
        let (rsp, rbp) = (self.regs[RSP], self.regs[RBP]);
        let out = self.w.m.seamcall(LP1, &mut self.regs, &mut self.w.mem);
        assert_eq!(out, Outcome::Complete);
        let kept = match self.regs[RAX] {
            77 => self.keep_rbp.0,
            _ => self.keep_rbp.1,
        };
        let rbp = if kept { rbp } else { 0 };
        assert_eq!((self.regs[RSP], self.regs[RBP]), (rsp, rbp));
        // The host's RBP for the next entry, as a caller that keeps its own.
        self.regs[RBP] = 0x4057_0005;
        match self.regs[RAX] {
            77 => {
                // Exposed GPRs as the guest set them, the others 0.
                let (bitmap, n) = (self.regs[RCX], self.vcpu_state().report.exits);
                let guest = self.w.m.tds.exit_record(TDVPR, n - 1).unwrap().guest;
                for g in (2..16).filter(|&g| g != RSP && g != RBP) {
                    let want = if bitmap & 1 << g != 0 { guest[g] } else { 0 };
                    assert_eq!(self.regs[g], want, "reg {g}");
                }
                self.tdvmcall()
            }
            48 => self.ept_violation(),
            s => panic!("TDH.VP.ENTER: {s:#x}"),
        }
    }

    pub(super) fn exposed(&self, reg: usize) -> bool {
        self.regs[RCX] & 1 << reg != 0
    }

    /// `kvm_consumer.c`'s `handle_tdvmcall()`, with MapGPA.
    pub(super) fn tdvmcall(&mut self) -> Exit {
        let r = self.regs;
        let exit = Exit::Vmcall(r[R10], if r[R10] == 0 { r[R11] } else { 0 });
        assert!(self.exposed(R10), "the guest broke the GHCI");
        if r[R10] != 0 {
            let status = if r[R10] == HC_ECHO {
                for reg in (2..16).filter(|&g| g != R10 && r[RCX] & 1 << g != 0) {
                    self.regs[reg] = !self.regs[reg];
                }
                TDVMCALL_SUCCESS
            } else {
                TDVMCALL_INVALID_OPERAND
            };
            self.regs[R10] = status;
            return exit;
        }
        let all = |regs: &[usize]| regs.iter().all(|&g| r[RCX] & 1 << g != 0);
        let status = match r[R11] {
            GHCI_CPUID if all(&[R12, R13, R14, R15]) => {
                let leaf = if r[R12] == CPUID_KVM_SIGNATURE {
                    KVM_SIGNATURE
                } else {
                    [0; 4]
                };
                self.regs[R12..16].copy_from_slice(&leaf);
                TDVMCALL_SUCCESS
            }
            GHCI_HLT => TDVMCALL_SUCCESS,
            GHCI_IO if all(&[R12, R13, R14, R15]) => {
                self.regs[R10] = TDVMCALL_SUCCESS;
                if r[R13] == 1 && r[R14] == DONE_PORT && r[R12] == 1 && r[R15] == 0 {
                    return Exit::Done;
                }
                TDVMCALL_SUCCESS
            }
            GHCI_MAP_GPA if all(&[R12, R13]) => {
                let (gpa, size) = (r[R12] & !SHARED_BIT, r[R13]);
                assert_ne!(r[R12] & SHARED_BIT, 0, "to shared");
                for page in (gpa..gpa + size).step_by(PAGE as usize) {
                    self.to_shared(page);
                }
                self.regs[R10] = TDVMCALL_SUCCESS;
                return Exit::MapGpa(gpa, size);
            }
            GHCI_REPORT_FATAL_ERROR => return Exit::Fatal(r[R12]),
            _ => TDVMCALL_INVALID_OPERAND,
        };
        self.regs[R10] = status;
        exit
    }

    /// KVM zapping a private page: BLOCK, TRACK, (kick the vCPUs,) REMOVE,
    /// then the page's cache lines written back with the TD's KeyID.
    pub(super) fn to_shared(&mut self, gpa: u64) {
        let i = self.private.iter().position(|p| p.0 == gpa).unwrap();
        let (_, hpa) = self.private.remove(i);
        let ops = [(RCX, gpa), (RDX, TDR)];
        assert_eq!(self.w.status(LP0, Leaf::MemRangeBlock, &ops), OK);
        assert_eq!(self.w.status(LP0, Leaf::MemTrack, &[(RCX, TDR)]), OK);
        assert_eq!(self.w.status(LP0, Leaf::MemPageRemove, &ops), OK);
        let keys = &self.w.m.sys.keys;
        let keyed = hpa | HKID << keys.hkid_start & keys.hkid_mask;
        let ops = [(RCX, keyed)];
        assert_eq!(self.w.status(LP0, Leaf::PhymemPageWbinvd, &ops), OK);
    }

    /// KVM's answer to an EPT violation on a private GPA: the missing
    /// Secure EPT levels, then TDH.MEM.PAGE.AUG.
    pub(super) fn ept_violation(&mut self) -> Exit {
        let r = self.regs;
        let exit = Exit::Ept(r[RCX], r[RDX], r[R8]);
        for g in [RBX, 6, 7, 9, 10, 11, 12, 13, 14, 15] {
            assert_eq!(r[g], 0, "reg {g} at an EPT violation");
        }
        let gpa = r[R8];
        assert!(sept_walk::is_private_gpa(gpa));
        self.tables_for(gpa);
        let hpa = self.page();
        // What the page held before: TDG.MEM.PAGE.ACCEPT must clear it.
        self.w.mem.poke(hpa, &[0xee; PAGE as usize]);
        let ops = [(RCX, gpa), (RDX, TDR), (R8, hpa)];
        assert_eq!(self.w.status(LP0, Leaf::MemPageAug, &ops), OK);
        self.private.push((gpa, hpa));
        exit
    }

    /// Enters until the guest is done or reports a fatal error (at most
    /// 64 exits), letting `tamper` change the host's registers after each
    /// answer: the exits.
    pub(super) fn run(&mut self, mut tamper: impl FnMut(usize, &mut Gprs)) -> Vec<Exit> {
        let mut exits = Vec::new();
        for n in 0..64 {
            let e = self.enter();
            exits.push(e);
            if matches!(e, Exit::Done | Exit::Fatal(_)) {
                return exits;
            }
            tamper(n, &mut self.regs);
        }
        panic!("no end: {exits:?}");
    }

    pub(super) fn vcpu_state(&self) -> super::super::Vcpu {
        *self.w.m.tds.get(TDVPR).unwrap()
    }
}
