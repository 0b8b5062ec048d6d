// SPDX-License-Identifier: GPL-2.0

//! Host tests: the guest runs what was measured. A whole TD built with the
//! real leaves on `life_tests.rs`'s made-up machine; its image from
//! `scripts/td_image.py header`, each page TDH.MEM.PAGE.ADDed and
//! TDH.MR.EXTENDed, TDH.MR.FINALIZE, MRTD read back with TDH.MNG.RD against
//! the header's (python hashlib's) value; then TDH.VP.ENTER in a loop, the
//! host acting as KVM: TDG.VP.VMCALLs answered as `kvm_consumer.c` answers
//! them, an EPT violation with TDH.MEM.SEPT.ADD of the missing levels and
//! TDH.MEM.PAGE.AUG, MapGPA to shared with TDH.MEM.RANGE.BLOCK,
//! TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE and TDH.PHYMEM.PAGE.WBINVD.

use super::super::pamt::PageType;
use super::super::sept_walk::{self, SHARED_BIT};
use super::super::td_guest::*;
use super::super::td_program::image::Header;
use super::super::td_program::{GHCI_MAP_GPA, REG_MEMORY};
use super::super::{Gprs, Outcome, R10, R8, R9, RAX, RBP, RBX, RCX, RDX, RSP};
use super::life_tests::*;
use super::rd;
use crate::abi::leaf::{Leaf, LeafCall};

const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;
const R14: usize = 14;
const R15: usize = 15;
const PAGE: u64 = 4096;
/// Host pages for SEPT tables and private pages, handed out in order.
const POOL: u64 = TDR + 0x40_0000;
/// The shared page PAGE.ADD copies from (KeyID 0, outside the TDMR).
const SOURCE: u64 = 0x50_0000;

/// A TD exit as the host saw it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Exit {
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
struct Host {
    w: World,
    entry: u64,
    next_page: u64,
    /// The Secure EPT pages added: (level, the GPA the entry covers).
    tables: Vec<(u64, u64)>,
    /// Private pages: (GPA, HPA).
    private: Vec<(u64, u64)>,
    /// The vCPU's registers (KVM's `vcpu->arch.regs`).
    regs: Gprs,
}

impl Host {
    /// The TD built, `image` added at `base` and measured, finalized, its
    /// vCPU initialized with RCX `entry`.
    fn build(image: &[u8], base: u64, entry: u64) -> Self {
        let mut w = World::ready();
        w.built_td();
        let mut host = Host {
            w,
            entry,
            next_page: 0,
            tables: Vec::new(),
            private: Vec::new(),
            regs: core::array::from_fn(|n| 0x4057_0000 + n as u64),
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
    fn vcpu(&mut self, entry: u64) {
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

    fn page(&mut self) -> u64 {
        self.next_page += 1;
        POOL + (self.next_page - 1) * PAGE
    }

    /// TDH.MEM.SEPT.ADD of each level 3, 2, 1 `gpa` has no table for yet.
    fn tables_for(&mut self, gpa: u64) {
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
    fn mrtd(&mut self) -> Vec<u8> {
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
    fn enter(&mut self) -> Exit {
        self.regs[RAX] = LeafCall::new(Leaf::VpEnter).rax();
        self.regs[RCX] = TDVPR;
        let (rsp, rbp) = (self.regs[RSP], self.regs[RBP]);
        let out = self.w.m.seamcall(LP1, &mut self.regs, &mut self.w.mem);
        assert_eq!(out, Outcome::Complete);
        assert_eq!((self.regs[RSP], self.regs[RBP]), (rsp, rbp));
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

    fn exposed(&self, reg: usize) -> bool {
        self.regs[RCX] & 1 << reg != 0
    }

    /// `kvm_consumer.c`'s `handle_tdvmcall()`, with MapGPA.
    fn tdvmcall(&mut self) -> Exit {
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
    fn to_shared(&mut self, gpa: u64) {
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
    fn ept_violation(&mut self) -> Exit {
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
    fn run(&mut self, mut tamper: impl FnMut(usize, &mut Gprs)) -> Vec<Exit> {
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

    fn vcpu_state(&self) -> super::Vcpu {
        *self.w.m.tds.get(TDVPR).unwrap()
    }
}

/// The image `td_image.py` makes (GPA base 0x100000).
fn image() -> (Header, Vec<u8>, u64, u64) {
    let h = Header::generate(&[]);
    let image = h.bytes("tdx_td_image").to_vec();
    let (base, entry) = (h.num("TDX_TD_IMAGE_GPA"), h.num("TDX_TD_ENTRY_GPA"));
    (h, image, base, entry)
}

/// The exits of the image's program with a host that answers right.
fn expected_exits(extra: u64) -> Vec<Exit> {
    // ACCEPT of a GPA whose level-1 entry is FREE: a write (bit 1), type
    // ACCEPT, requested level 0, failing level 1, FREE, not a leaf.
    let accept_violation = Exit::Ept(2, 1 | 1 << 3 << 32, extra);
    vec![
        Exit::Vmcall(HC_ECHO, 0),
        Exit::Vmcall(0, GHCI_CPUID),
        Exit::Vmcall(0, GHCI_HLT),
        // (the refused call never leaves the TD)
        Exit::Vmcall(0, GHCI_UNDEFINED),
        Exit::Vmcall(0, GHCI_CPUID),
        Exit::Vmcall(HC_ECHO, 0),
        // (the data read and, after the AUG, the ACCEPT and the read of the
        // accepted page stay in the TD)
        accept_violation,
        Exit::MapGpa(extra, PAGE),
        Exit::Done,
    ]
}

#[test]
fn the_measured_image_runs_to_its_end_with_every_step_checked() {
    let (h, image, base, entry) = image();
    let extra = h.num("TDX_TD_EXTRA_GPA");
    let steps = h.num("TDX_TD_IMAGE_STEPS") as u32;
    let mut host = Host::build(&image, base, entry);
    assert_eq!(host.mrtd(), h.bytes("tdx_td_image_mrtd"), "python's MRTD");
    let owned = host.w.owned();
    let private = |o: &[(u64, u64, u8)]| {
        o.iter()
            .filter(|p| p.2 == PageType::Reg as u8)
            .map(|p| p.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(private(&owned), [POOL + 3 * PAGE, POOL + 4 * PAGE]);

    assert_eq!(host.run(|_, _| {}), expected_exits(extra));
    // The done call's reply is checked at the next entry, which repeats it.
    let v = host.vcpu_state();
    assert_eq!((v.guest.steps_done, v.guest.finished()), (steps - 1, false));
    assert_eq!(host.enter(), Exit::Done);
    let v = host.vcpu_state();
    let g = v.guest;
    assert_eq!(
        (g.steps_done, g.nr_steps(), g.finished()),
        (steps, steps, true)
    );
    assert_eq!((g.fatal(), g.mismatch), (None, None));
    let r = v.report;
    assert_eq!(
        (
            r.entries,
            r.exits,
            r.ept_violations,
            r.refused_vmcalls,
            r.accepts
        ),
        (10, 10, 1, 1, 1)
    );
    // The extra page came and went: the SEPT level-1 table for it stays.
    assert_eq!(private(&host.w.owned()), private(&owned));
    assert_eq!(host.tables.len(), 4);
    assert!(host.private.iter().all(|p| p.0 != extra));
}

/// Every register of every answer the guest checks, wrong by one bit: the
/// guest names the step and the register, and reports it for ever.
#[test]
fn a_wrong_reply_is_a_fatal_report_naming_step_and_register() {
    let (h, image, base, entry) = image();
    let extra = h.num("TDX_TD_EXTRA_GPA");
    let good = expected_exits(extra);
    // (exit, step it answers, the registers it exposes)
    let cases: [(usize, u32, u64); 7] = [
        (0, 0, EXPOSABLE),
        (1, 1, 0xfc00),
        (2, 2, 0x1c00),
        (3, 4, 0x0c00),
        (4, 5, 0x3c00),
        (5, 6, 1 << RBX | 1 << R9 | 1 << R10 | 1 << R14),
        (7, 10, 0x3c00),
    ];
    let mut n = 0;
    for (exit, step, bitmap) in cases {
        for reg in (0..16).filter(|&g| bitmap & 1 << g != 0) {
            let mut host = Host::build(&image, base, entry);
            let exits = host.run(|k, regs| {
                if k == exit {
                    regs[reg] ^= 1 << 40;
                }
            });
            let code = FATAL_BAD_REPLY | u64::from(step) << 8 | reg as u64;
            assert_eq!(exits[..exit + 1], good[..exit + 1]);
            assert_eq!(
                exits[exit + 1..],
                [Exit::Fatal(code)],
                "exit {exit} reg {reg}"
            );
            assert_eq!(host.enter(), Exit::Fatal(code), "for ever");
            let g = host.vcpu_state().guest;
            let m = g.mismatch.unwrap();
            assert_eq!(
                (m.step, m.reg, m.got ^ m.expected),
                (step, reg as u32, 1 << 40)
            );
            assert_eq!((g.steps_done, g.fatal()), (step, Some(code)));
            n += 1;
        }
    }
    assert_eq!(n, 12 + 6 + 3 + 2 + 4 + 4 + 4);
}

/// Host registers the guest did not expose never reach it: garbage in
/// them after every answer changes nothing.
#[test]
fn unexposed_host_registers_never_reach_the_guest() {
    let (_, image, base, entry) = image();
    let mut host = Host::build(&image, base, entry);
    let exits = host.run(|_, regs| {
        let bitmap = regs[RCX];
        for g in (2..16).filter(|&g| bitmap & 1 << g == 0 && g != RSP && g != RBP) {
            regs[g] = 0xbad0_0000 + g as u64;
        }
    });
    assert_eq!(exits.last(), Some(&Exit::Done));
    assert_eq!(host.enter(), Exit::Done);
    assert!(host.vcpu_state().guest.finished());
}

/// PAGE.ADD copied the image: changing the source page afterwards changes
/// nothing the guest runs. Another image is another MRTD, and the guest
/// runs that one: here a data word its READ step checks.
#[test]
fn the_guest_runs_what_was_measured_and_nothing_else() {
    let (h, mut image, base, entry) = image();
    let mut host = Host::build(&image, base, entry);
    host.w.mem.poke(SOURCE, &[0xcc; PAGE as usize]);
    let exits = host.run(|_, _| {});
    assert_eq!(exits.last(), Some(&Exit::Done));

    // td_image.py: page 1's qword 3, which the program reads back.
    image[PAGE as usize + 24] ^= 1;
    let mut host = Host::build(&image, base, entry);
    assert_ne!(host.mrtd(), h.bytes("tdx_td_image_mrtd"));
    let exits = host.run(|_, _| {});
    let read_step = 7;
    let code = FATAL_BAD_REPLY | read_step << 8 | u64::from(REG_MEMORY);
    assert_eq!(exits.last(), Some(&Exit::Fatal(code)));
    let m = host.vcpu_state().guest.mismatch.unwrap();
    assert_eq!(m.got ^ m.expected, 1);
}

/// A host that does not answer the EPT violation: the ACCEPT is retried at
/// every entry and exits the same way; after the AUG it goes through.
#[test]
fn an_unanswered_ept_violation_exits_again() {
    let (h, image, base, entry) = image();
    let extra = h.num("TDX_TD_EXTRA_GPA");
    let mut host = Host::build(&image, base, entry);
    let good = expected_exits(extra);
    for e in &good[..6] {
        assert_eq!(host.enter(), *e);
    }
    // Enter as the host would, without its answer: the same violation.
    for _ in 0..2 {
        host.regs[RAX] = LeafCall::new(Leaf::VpEnter).rax();
        host.regs[RCX] = TDVPR;
        let out = host.w.m.seamcall(LP1, &mut host.regs, &mut host.w.mem);
        assert_eq!(out, Outcome::Complete);
        assert_eq!(host.regs[RAX], 48);
        assert_eq!(
            Exit::Ept(host.regs[RCX], host.regs[RDX], host.regs[R8]),
            good[6]
        );
    }
    assert_eq!(host.enter(), good[6], "this time answered");
    assert_eq!(host.enter(), good[7]);
    let r = host.vcpu_state().report;
    assert_eq!((r.ept_violations, r.accepts), (3, 1));
}

/// A program that ends without a call: its first exit is the done port
/// write, made again at every entry; its READ step checked the image.
#[test]
fn a_program_that_ends_makes_the_done_port_write() {
    use super::super::td_program::tests::{insn, program};
    use super::super::td_program::{OP_END, OP_READ};
    let base = 0x40_0000;
    let insns = [
        insn(OP_READ, 0, base, 0x4750_554d_4558_4454, 0),
        insn(OP_END, 0, 0, 0, 0),
    ];
    let mut host = Host::build(&program(2, &insns), base, base);
    for _ in 0..2 {
        assert_eq!(host.enter(), Exit::Done);
        assert_eq!(host.regs[RCX], DONE_BITMAP);
    }
    let g = host.vcpu_state().guest;
    assert_eq!((g.steps_done, g.nr_steps(), g.finished()), (1, 1, true));
}
