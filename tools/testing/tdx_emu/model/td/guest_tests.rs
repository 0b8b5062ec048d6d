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

mod host;

use super::super::pamt::PageType;
use super::super::td_guest::*;
use super::super::td_program::image::Header;
use super::super::td_program::REG_MEMORY;
use super::super::{Outcome, R10, R8, R9, RAX, RBP, RBX, RCX, RDX, RSP};
use super::life_tests::*;
use crate::abi::leaf::{Leaf, LeafCall};
use host::{Exit, Host, PAGE, POOL, SOURCE};

const R14: usize = 14;

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

/// RBP at every TD exit of the whole program: kept for a TD with
/// CONFIG_FLAGS.NO_RBP_MOD on 1.5.06 (the other tests), zeroed for a TD
/// without it (TDG.VP.VMCALL and EPT violation alike), and zeroed at the
/// asynchronous exits of 1.5.01 even with it.
#[test]
fn rbp_at_every_exit_follows_the_flag_and_the_version() {
    use crate::module_version::ModuleVersion;
    let (_, image, base, entry) = image();
    let ept = |exits: &[Exit]| exits.iter().filter(|e| matches!(e, Exit::Ept(..))).count();
    let mut host = Host::build_with(&image, base, entry, |p| p[32] = 0);
    host.keep_rbp = (false, false);
    let exits = host.run(|_, _| {});
    assert_eq!(exits.last(), Some(&Exit::Done));
    assert!(ept(&exits) > 0 && exits.len() > ept(&exits) + 1);
    // 1.5.01 with the flag: its EPT violations zero RBP, its TDG.VP.VMCALLs
    // keep it.
    let mut host = Host::build(&image, base, entry);
    host.w.m.sys.platform.version = ModuleVersion::V1_5_01;
    host.keep_rbp = (true, false);
    let exits = host.run(|_, _| {});
    assert_eq!(exits.last(), Some(&Exit::Done));
    assert!(ept(&exits) > 0);
}
