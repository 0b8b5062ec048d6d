// SPDX-License-Identifier: GPL-2.0

//! Calls interleaved as concurrent LPs make them: one LP between its begin
//! and its finish holds its leaf's locks, and the others meet them.

use super::test_support::*;
use super::*;
use crate::abi::leaf::LeafCall;
use crate::platform::Cmr;

fn regs(leaf: Leaf, ops: &[(usize, u64)]) -> Gprs {
    let mut r: Gprs = core::array::from_fn(|n| 0x1111_0000 + n as u64);
    r[RAX] = LeafCall::new(leaf).rax();
    for &(reg, v) in ops {
        r[reg] = v;
    }
    r
}

fn model() -> Model {
    Model::new(platform(
        4,
        2,
        &[Cmr {
            base: 0,
            size: 4 * G,
        }],
    ))
}

#[test]
fn an_exclusive_holder_makes_lp_init_busy_with_its_outputs_zeroed() {
    let mut m = model();
    let mut mem = FakeMem::new();
    let mut init = regs(Leaf::SysInit, &[(RCX, 0)]);
    assert_eq!(m.begin(lp(0, 0), &mut init), None, "holds the global lock");
    let mut lp_init = regs(Leaf::SysLpInit, &[]);
    assert_eq!(m.begin(lp(1, 0), &mut lp_init), Some(Outcome::Complete));
    assert_eq!(lp_init[RAX], code::SYS_BUSY);
    assert_eq!((lp_init[RCX], lp_init[RDX], lp_init[R8]), (0, 0, 0));
    assert_eq!(lp_init[R9], 0x1111_0009, "not an output");
    assert_eq!(m.locks_held_by(lp(1, 0)), 0);
    assert_eq!(
        m.finish(lp(0, 0), &mut init, &mut mem, 0),
        Outcome::Complete
    );
    assert_eq!((init[RAX], m.locks_held_by(lp(0, 0))), (code::SUCCESS, 0));
    // Shared holders do not meet.
    let mut a = regs(Leaf::SysLpInit, &[]);
    let mut b = regs(Leaf::SysLpInit, &[]);
    assert_eq!(m.begin(lp(0, 0), &mut a), None);
    assert_eq!(m.begin(lp(1, 0), &mut b), None);
    let mut cfg = regs(Leaf::SysConfig, &[]);
    assert_eq!(m.begin(lp(2, 1), &mut cfg), Some(Outcome::Complete));
    assert_eq!(cfg[RAX], code::SYS_BUSY);
    assert_eq!(cfg[1..], regs(Leaf::SysConfig, &[])[1..], "no outputs");
    m.finish(lp(0, 0), &mut a, &mut mem, 0);
    m.finish(lp(1, 0), &mut b, &mut mem, 0);
    assert_eq!((a[RAX], b[RAX]), (code::SUCCESS, code::SUCCESS));
    assert_eq!(m.busy_of(Leaf::SysLpInit as u16), 1);
    assert_eq!(m.busy_of(Leaf::SysConfig as u16), 1);
}

#[test]
fn sys_rd_takes_no_lock_and_is_never_busy() {
    let mut m = model();
    let mut mem = FakeMem::new();
    for (l, leaf) in [(0, Leaf::SysInit), (0, Leaf::SysLpInit)] {
        let mut r = regs(leaf, &[(RCX, 0)]);
        assert_eq!(m.seamcall(lp(l, 0), &mut r, &mut mem), Outcome::Complete);
    }
    let mut cfg = regs(Leaf::SysConfig, &[]);
    assert_eq!(m.begin(lp(1, 0), &mut cfg), None);
    let mut rd = regs(Leaf::SysRd, &[(RDX, crate::abi::metadata::MAX_TDMRS)]);
    assert_eq!(m.begin(lp(0, 0), &mut rd), None);
    m.finish(lp(0, 0), &mut rd, &mut mem, 0);
    assert_eq!((rd[RAX], rd[R8]), (code::SUCCESS, 64));
    m.finish(lp(1, 0), &mut cfg, &mut mem, 0);
}

#[test]
fn injected_statuses_write_the_failure_path_outputs() {
    let mut m = model();
    let mut mem = FakeMem::new();
    m.inject_status(Leaf::SysRd as u16, code::SYS_BUSY, 1);
    let mut rd = regs(Leaf::SysRd, &[(RDX, 5)]);
    m.seamcall(lp(0, 0), &mut rd, &mut mem);
    assert_eq!((rd[RAX], rd[RDX], rd[R8]), (code::SYS_BUSY, u64::MAX, 0));
    m.inject_status(Leaf::SysTdmrInit as u16, code::SYS_BUSY, 1);
    let mut t = regs(Leaf::SysTdmrInit, &[(RCX, G)]);
    m.seamcall(lp(0, 0), &mut t, &mut mem);
    assert_eq!((t[RAX], t[RCX], t[RDX]), (code::SYS_BUSY, G, 0));
    m.inject_status(Leaf::SysInit as u16, code::RND_NO_ENTROPY, 1);
    let mut i = regs(Leaf::SysInit, &[]);
    m.seamcall(lp(0, 0), &mut i, &mut mem);
    assert_eq!(
        i[RCX..=R10],
        [
            0,
            0,
            0x1111_0003,
            0x1111_0004,
            0x1111_0005,
            0x1111_0006,
            0x1111_0007,
            0,
            0,
            0
        ]
    );
}
