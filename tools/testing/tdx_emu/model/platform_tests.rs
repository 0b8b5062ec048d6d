// SPDX-License-Identifier: GPL-2.0

//! The model on a platform described by module parameters, as
//! `scripts/platform.py` gives them for a real server: CMRs to 258 GiB in a
//! guest of 3 GiB. The module reports the whole CMR table, and initializes
//! without touching a byte of the convertible memory the guest lacks.

use super::test_support::*;
use super::*;
use crate::abi::leaf::LeafCall;
use crate::abi::metadata::{array_field, CMR_BASE, CMR_SIZE, NUM_CMRS};
use crate::platform::MAX_CMRS;
use crate::platform_param::{check, Params};

/// The Emerald Rapids profile's CMRs (`emr-2s-fcp`): the first ends at
/// 0x6f800000, the rest lie above 4 GiB up to 0x407c000000.
const CMRS: &[u8] = b"0x100000-0x6f800000,0x100000000-0x107a000000,\
0x1080000000-0x207c000000,0x2080000000-0x307c000000,0x3080000000-0x407c000000";

/// 2 LPs in 1 package, KeyIDs 31 + 32 (6 KeyID bits) below a MAXPHYADDR of
/// `max_pa`.
fn server(max_pa: u32) -> Platform {
    let p = check(&Params {
        cmrs: Some(CMRS),
        lps: 2,
        packages: 1,
    })
    .unwrap();
    Platform {
        nr_lps: p.lps,
        nr_packages: p.packages,
        cmrs: p.cmrs.cmrs,
        nr_cmrs: p.cmrs.len,
        nr_mktme_keyids: 31,
        nr_tdx_keyids: 32,
        max_pa,
        fms: SPR_FMS,
        version: crate::module_version::DEFAULT_VERSION,
        handoff: Some(FRESH_HANDOFF),
    }
}

fn leaf_call(m: &mut Model, mem: &mut FakeMem, on: Lp, leaf: Leaf, ops: &[(usize, u64)]) -> Gprs {
    let mut r = [0; 16];
    r[RAX] = LeafCall::new(leaf).rax();
    for &(reg, v) in ops {
        r[reg] = v;
    }
    assert_eq!(m.seamcall(on, &mut r, mem), Outcome::Complete, "{leaf:?}");
    r
}

#[test]
fn cmrs_beyond_the_guests_memory() {
    let mut m = Model::new(server(46));
    // Host memory ends at 3 GiB: any access above fails the leaf.
    let mut mem = FakeMem::new();
    mem.limit = 3 * G;
    let (l0, l1) = (lp(0, 0), lp(1, 0));
    let ok = code::SUCCESS;
    assert_eq!(leaf_call(&mut m, &mut mem, l0, Leaf::SysInit, &[])[RAX], ok);
    for l in [l0, l1] {
        assert_eq!(
            leaf_call(&mut m, &mut mem, l, Leaf::SysLpInit, &[])[RAX],
            ok
        );
    }

    // The table as `md_sys_get_elements()` gives it: NUM_CMRS is MAX_CMR,
    // the five CMRs, then zero-size entries.
    let mut read = |id: u64| {
        let r = leaf_call(&mut m, &mut mem, l1, Leaf::SysRd, &[(RDX, id)]);
        assert_eq!(r[RAX], ok, "{id:#x}");
        r[R8]
    };
    assert_eq!(read(NUM_CMRS), MAX_CMRS as u64);
    let table: Vec<_> = (0..MAX_CMRS as u32)
        .map(|i| {
            (
                read(array_field(CMR_BASE, i)),
                read(array_field(CMR_SIZE, i)),
            )
        })
        .collect();
    assert_eq!(table[0], (0x10_0000, 0x6f70_0000));
    assert_eq!(table[4], (0x30_8000_0000, 0xffc00_0000));
    assert!(table[5..].iter().all(|&e| e == (0, 0)));

    // One TDMR [0, 2G): the bytes outside every CMR reserved, the PAMT in a
    // reserved area at 1 GiB, all in the guest's memory.
    let block = pamt_block(2 * G);
    let tdmr = with_reserved(
        with_pamt(tdmr_at(0, 2 * G), G),
        &[
            (0, 0x10_0000),
            (G, block),
            (0x6f80_0000, 2 * G - 0x6f80_0000),
        ],
    );
    put_config(&mut mem, 0x10_0000, 0x20_0000, &[tdmr]);
    let ops = [(RCX, 0x10_0000), (RDX, 1), (R8, 40)];
    assert_eq!(
        leaf_call(&mut m, &mut mem, l0, Leaf::SysConfig, &ops)[RAX],
        ok
    );
    assert_eq!(
        leaf_call(&mut m, &mut mem, l1, Leaf::SysKeyConfig, &[])[RAX],
        ok
    );
    assert_eq!(m.state(), SysState::Ready);
    let written = mem.written;
    while leaf_call(&mut m, &mut mem, l0, Leaf::SysTdmrInit, &[(RCX, 0)])[RAX] == ok {}
    assert!(m.tdmrs_initialized());
    // Every PAMT entry of the TDMR written once, nothing else.
    let entries = 2 * G / 4096 + 2 * G / (2 << 20) + 2;
    assert_eq!(mem.written - written, entries * 16);
}

#[test]
fn cmrs_in_the_keyid_bits_fail_init() {
    // With TCG's MAXPHYADDR of 40 the 6 KeyID bits start at bit 34 (16 GiB):
    // the CMRs above cross them, and TDH.SYS.INIT refuses the list, as the
    // module would. scripts/platform.py raises QEMU's phys-bits instead.
    let mut m = Model::new(server(40));
    let r = leaf_call(&mut m, &mut FakeMem::new(), lp(0, 0), Leaf::SysInit, &[]);
    assert_eq!(r[RAX], code::CMR_LIST_INVALID);
}
