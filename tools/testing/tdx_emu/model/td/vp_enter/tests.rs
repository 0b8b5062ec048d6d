// SPDX-License-Identifier: GPL-2.0

//! Host tests of TDH.VP.ENTER's entry checks, on a TD planted in the PAMT
//! (the guest running is `td/guest_tests.rs`'s).

use super::super::super::pamt::PamtEntry;
use super::super::super::sys::{SysState, Tdmr};
use super::super::super::test_support::{lp, platform, tdmr_at, with_pamt, FakeMem, G};
use super::super::super::{R8, R9};
use super::super::{Lifecycle, Td, MIN_TDCS_PAGES};
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
    td.config.config_flags = CONFIG_NO_RBP_MOD;
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

/// The host's registers after an EPT violation on the entry GPA's page
/// (`h` before the entry; RBP per `keep_rbp`).
fn ept_exit_regs(h: &Gprs, keep_rbp: bool) -> Gprs {
    let mut want = [0u64; 16];
    (want[RAX], want[RCX], want[R8], want[RSP]) = (48, 1, 0x12_3000, h[RSP]);
    if keep_rbp {
        want[RBP] = h[RBP];
    }
    want
}

/// RBP at an asynchronous exit: kept only by 1.5.06 for a TD with
/// CONFIG_FLAGS.NO_RBP_MOD; 1.5.01 and 1.5.05 zero it whatever the flag.
#[test]
fn rbp_at_an_asynchronous_exit_follows_the_version_and_the_flag() {
    use crate::module_version::ModuleVersion;
    for version in ModuleVersion::ALL {
        for flags in [0, CONFIG_NO_RBP_MOD] {
            let mut w = ready();
            w.sys.platform.version = version;
            let mut tds = tds_with_vcpu(&mut w);
            let (v, td) = tds.vcpu_and_td(PAGE).unwrap();
            v.initial_rcx = 0x12_3456;
            td.config.config_flags = flags;
            let h0 = host_regs(PAGE);
            let mut h = h0;
            assert_eq!(enter(&mut tds, &mut w, lp(0, 0), &mut h, 0), 48);
            let keep = version == ModuleVersion::V1_5_06 && flags != 0;
            assert_eq!(h, ept_exit_regs(&h0, keep), "{version} flags {flags}");
            assert!(tds.take_td_exit() && !tds.take_td_exit());
        }
    }
}

/// An armed external interrupt arrives as the guest resumes: RAX exit
/// reason 1, R9 the interruption information, RCX/RDX/R8 0, the rest 0
/// but RSP and (NO_RBP_MOD on 1.5.06) RBP. Taken once; a refused entry
/// leaves it armed; the guest then resumes where it was.
#[test]
fn an_external_interrupt_exits_with_reason_1_and_the_vector() {
    let mut w = ready();
    let mut tds = tds_with_vcpu(&mut w);
    let (v, _) = tds.vcpu_and_td(PAGE).unwrap();
    v.initial_rcx = 0x12_3456;
    tds.arm_interrupt(0xec);
    let h0 = host_regs(PAGE);
    // An entry the module refuses takes no interrupt and makes no exit.
    let mut h = h0;
    h[RCX] = PAGE | 1 << 63;
    assert_eq!(
        enter(&mut tds, &mut w, lp(0, 0), &mut h, 0),
        code::OPERAND_INVALID | 1
    );
    assert!(!tds.take_td_exit());
    let mut h = h0;
    assert_eq!(enter(&mut tds, &mut w, lp(0, 0), &mut h, 0), 1);
    let mut want = [0u64; 16];
    (want[RAX], want[R9], want[RSP], want[RBP]) = (1, 0x8000_00ec, h0[RSP], h0[RBP]);
    assert_eq!(h, want);
    assert!(tds.take_td_exit());
    // Once: the next entry runs the guest, which faults on its entry GPA.
    let mut h = h0;
    assert_eq!(enter(&mut tds, &mut w, lp(0, 0), &mut h, 0), 48);
    assert_eq!(h, ept_exit_regs(&h0, true));
    let r = tds.get(PAGE).unwrap().report;
    assert_eq!(
        (r.entries, r.exits, r.interrupts, r.ept_violations),
        (2, 2, 1, 1)
    );
}
