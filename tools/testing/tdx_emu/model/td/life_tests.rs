// SPDX-License-Identifier: GPL-2.0

//! A whole TD life on a made-up machine, through the leaves only, and the
//! misuses a host can make of it, each with Intel's status (host tests).
//! `guest_tests.rs` builds on its `World`.

use super::super::tdmr_init::CHUNK_BYTES;
use super::super::test_support::*;
use super::super::*;
use super::init::TD_PARAMS_CPUID_OFFSET;
use super::keys::CACHE_SUB_BLOCKS;
use super::{rd, Lifecycle, OpState, VcpuState};
use crate::abi::leaf::LeafCall;
use crate::abi::status::code;
use crate::platform::Cmr;

pub(super) const OK: u64 = code::SUCCESS;
pub(super) const TDR: u64 = G + 0x10_0000;
pub(super) const TDCS: u64 = TDR + 0x1000;
pub(super) const TDVPR: u64 = TDR + 0x10_000;
pub(super) const TDVPX: u64 = TDVPR + 0x1000;
pub(super) const PARAMS: u64 = 0x30_0000;
pub(super) const HKID: u64 = 2;
pub(super) const LP0: Lp = Lp { id: 0, package: 0 };
pub(super) const LP1: Lp = Lp { id: 1, package: 0 };
pub(super) const LP2: Lp = Lp { id: 2, package: 1 };

pub(super) struct World {
    pub(super) m: Model,
    pub(super) mem: FakeMem,
}

impl World {
    /// A ready module on 4 LPs in 2 packages, one TDMR [1G, 2G) whose PAMT
    /// is a reserved area at 1G + 512M, initialized.
    pub(super) fn ready() -> Self {
        let m = Model::new(platform(
            4,
            2,
            &[Cmr {
                base: 0,
                size: 4 * G,
            }],
        ));
        let mut w = World {
            m,
            mem: FakeMem::new(),
        };
        assert_eq!(w.call(LP0, Leaf::SysInit, &[]).0, OK);
        for id in 0..4 {
            let lp = Lp {
                id,
                package: id / 2,
            };
            assert_eq!(w.call(lp, Leaf::SysLpInit, &[]).0, OK);
        }
        let tdmr = with_reserved(
            with_pamt(tdmr_at(G, G), G + (512 << 20)),
            &[(512 << 20, pamt_block(G))],
        );
        put_config(&mut w.mem, 0x10_0000, 0x20_0000, &[tdmr]);
        let cfg = [(RCX, 0x10_0000), (RDX, 1), (R8, 5)];
        assert_eq!(w.call(LP0, Leaf::SysConfig, &cfg).0, OK);
        assert_eq!(w.call(LP0, Leaf::SysKeyConfig, &[]).0, OK);
        assert_eq!(w.call(LP2, Leaf::SysKeyConfig, &[]).0, OK);
        for _ in 0..G / CHUNK_BYTES {
            assert_eq!(w.call(LP0, Leaf::SysTdmrInit, &[(RCX, G)]).0, OK);
        }
        w
    }

    /// `leaf` (version 0) on `lp` with these operands: RAX and the registers.
    pub(super) fn call(&mut self, lp: Lp, leaf: Leaf, ops: &[(usize, u64)]) -> (u64, Gprs) {
        self.call_v(lp, LeafCall::new(leaf), ops)
    }

    pub(super) fn call_v(&mut self, lp: Lp, call: LeafCall, ops: &[(usize, u64)]) -> (u64, Gprs) {
        let mut r = [0; 16];
        r[RAX] = call.rax();
        for &(reg, v) in ops {
            r[reg] = v;
        }
        assert_eq!(
            self.m.seamcall(lp, &mut r, &mut self.mem),
            Outcome::Complete
        );
        (r[RAX], r)
    }

    pub(super) fn status(&mut self, lp: Lp, leaf: Leaf, ops: &[(usize, u64)]) -> u64 {
        self.call(lp, leaf, ops).0
    }

    pub(super) fn owned(&self) -> Vec<(u64, u64, u8)> {
        let mut v = Vec::new();
        let mut put = |p: owned::OwnedPage| {
            v.push((p.pa, p.owner, p.pt));
            Some(())
        };
        self.m.owned_pages(&self.mem, &mut put).unwrap();
        v
    }

    /// TD_PARAMS a KVM-like host writes: no debug, XFAM x87/SSE/AVX,
    /// 2 vCPUs, 4-level EPT, CONFIG_FLAGS.NO_RBP_MOD, 2.5 GHz.
    pub(super) fn put_params(&mut self, edit: impl FnOnce(&mut [u8; 1024])) {
        let mut p = [0u8; 1024];
        p[8..16].copy_from_slice(&0x7u64.to_le_bytes());
        p[16..18].copy_from_slice(&2u16.to_le_bytes());
        p[24..32].copy_from_slice(&(6u64 | 3 << 3).to_le_bytes());
        p[32..40].copy_from_slice(&4u64.to_le_bytes());
        p[40..42].copy_from_slice(&100u16.to_le_bytes());
        p[TD_PARAMS_CPUID_OFFSET..TD_PARAMS_CPUID_OFFSET + 8]
            .copy_from_slice(&0x0000_0000_0000_0600u64.to_le_bytes());
        edit(&mut p);
        self.mem.poke(PARAMS, &p);
    }

    /// A TD at `TDR`, keys configured, its TDCS added, initialized.
    pub(super) fn built_td(&mut self) {
        self.built_td_with(|_| {});
    }

    /// [`Self::built_td`] with `edit` applied to the TD_PARAMS.
    pub(super) fn built_td_with(&mut self, edit: impl FnOnce(&mut [u8; 1024])) {
        assert_eq!(
            self.status(LP0, Leaf::MngCreate, &[(RCX, TDR), (RDX, HKID)]),
            OK
        );
        assert_eq!(self.status(LP0, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
        assert_eq!(self.status(LP2, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
        for k in 0..6 {
            let page = TDCS + 0x1000 * k;
            assert_eq!(
                self.status(LP0, Leaf::MngAddcx, &[(RCX, page), (RDX, TDR)]),
                OK
            );
        }
        self.put_params(edit);
        assert_eq!(
            self.status(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS)]),
            OK
        );
    }

    /// A vCPU at `TDVPR` with its 5 TDVPX pages, initialized on LP 1.
    pub(super) fn built_vcpu(&mut self) {
        assert_eq!(
            self.status(LP0, Leaf::VpCreate, &[(RCX, TDVPR), (RDX, TDR)]),
            OK
        );
        for k in 0..5 {
            let page = TDVPX + 0x1000 * k;
            assert_eq!(
                self.status(LP0, Leaf::VpAddcx, &[(RCX, page), (RDX, TDVPR)]),
                OK
            );
        }
        let init = LeafCall::with_version(Leaf::VpInit, 1);
        let ops = [(RCX, TDVPR), (RDX, 0xabc), (R8, 7)];
        assert_eq!(self.call_v(LP1, init, &ops).0, OK);
    }

    /// VPFLUSHDONE, then a write-back on each package, then FREEID.
    pub(super) fn keys_freed(&mut self) {
        assert_eq!(self.status(LP0, Leaf::MngVpflushdone, &[(RCX, TDR)]), OK);
        assert_eq!(self.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 0)]), OK);
        assert_eq!(self.status(LP2, Leaf::PhymemCacheWb, &[(RCX, 0)]), OK);
        assert_eq!(self.status(LP0, Leaf::MngKeyFreeid, &[(RCX, TDR)]), OK);
    }
}

fn reclaim(w: &mut World, pa: u64) -> (u64, u64, u64, u64) {
    let (s, r) = w.call(LP0, Leaf::PhymemPageReclaim, &[(RCX, pa)]);
    (s, r[RCX], r[RDX], r[R8])
}

#[test]
fn a_whole_td_life() {
    let mut w = World::ready();
    w.built_td();
    let td = w.m.tds.td_index(TDR).unwrap();
    let td = w.m.tds.tds[td].unwrap();
    assert_eq!(
        (td.lifecycle, td.op_state, td.chldcnt),
        (Lifecycle::KeysConfigured, OpState::Initialized, 6)
    );
    assert_eq!(td.mem.sept_root, TDCS + 0x3000);
    let (s, r) = w.call(LP0, Leaf::MngRd, &[(RCX, TDR), (RDX, rd::TD_XFAM)]);
    assert_eq!((s, r[R8]), (OK, 7));
    let (s, r) = w.call(LP0, Leaf::MngRd, &[(RCX, TDR), (RDX, rd::TD_MRTD + 5)]);
    assert_eq!((s, r[R8]), (OK, 0), "no measurement before TDH.MR.FINALIZE");
    w.built_vcpu();
    let v = *w.m.tds.get(TDVPR).unwrap();
    assert_eq!(
        (v.state, v.assoc, v.index, v.initial_rcx, v.x2apic_id),
        (VcpuState::Ready, Some(1), 0, 0xabc, 7)
    );

    // The PAMT holds it all: 1 TDR, 6 TDCS, 1 TDVPR, 5 TDVPX.
    let owned = w.owned();
    assert_eq!(owned.len(), 13);
    assert_eq!(owned[0], (TDR, 0, 4));
    assert!(owned[1..7].iter().all(|&(_, o, pt)| (o, pt) == (TDR, 5)));
    assert_eq!(owned[7], (TDVPR, TDR, 6));

    // Teardown: VP.FLUSH on the LP it is associated with, then the keys.
    assert_eq!(
        w.status(LP0, Leaf::VpFlush, &[(RCX, TDVPR)]),
        code::VCPU_NOT_ASSOCIATED
    );
    assert_eq!(w.status(LP1, Leaf::VpFlush, &[(RCX, TDVPR)]), OK);
    w.keys_freed();
    // Children first, the TDR last; each reclaim names the page.
    let children: Vec<u64> = (0..6)
        .map(|k| TDCS + 0x1000 * k)
        .chain([TDVPR])
        .chain((0..5).map(|k| TDVPX + 0x1000 * k))
        .collect();
    for &pa in &children {
        let pt = if pa == TDVPR { 6 } else { 5 };
        assert_eq!(reclaim(&mut w, pa), (OK, pt, TDR, 0), "{pa:#x}");
    }
    assert!(
        w.m.tds.get(TDVPR).is_none(),
        "the vCPU is gone with its page"
    );
    assert_eq!(reclaim(&mut w, TDR), (OK, 4, 0, 0));
    assert!(w.m.tds.td_index(TDR).is_none());
    let tdr_keyed = TDR | w.m.sys.keys.hkid_mask & (1 << w.m.sys.keys.hkid_start);
    assert_eq!(
        w.status(LP0, Leaf::PhymemPageWbinvd, &[(RCX, tdr_keyed)]),
        OK
    );
    assert!(w.owned().is_empty());
    // The HKID and the pages can make a new TD.
    w.built_td();
}

#[test]
fn wrong_order_and_pages_in_the_wrong_state() {
    let mut w = World::ready();
    let rcx = |s: u64| s | 1;
    let rdx = |s: u64| s | 2;
    // No TD yet: TDR not a TDR page.
    assert_eq!(
        w.status(LP0, Leaf::MngKeyConfig, &[(RCX, TDR)]),
        rcx(code::PAGE_METADATA_INCORRECT)
    );
    // HKID checks come first, then the page.
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, TDR), (RDX, 1)]),
        rdx(code::OPERAND_INVALID)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, TDR), (RDX, HKID | 1 << 16)]),
        rdx(code::OPERAND_INVALID)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, 3 * G), (RDX, HKID)]),
        rcx(code::OPERAND_ADDR_RANGE_ERROR)
    );
    let pamt = G + (512 << 20);
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, pamt), (RDX, HKID)]),
        rcx(code::PAGE_METADATA_INCORRECT)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, TDR), (RDX, HKID)]),
        OK
    );
    // ADDCX before the keys are configured on every package.
    assert_eq!(w.status(LP0, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
    assert_eq!(
        w.status(LP1, Leaf::MngKeyConfig, &[(RCX, TDR)]),
        code::KEY_CONFIGURED,
        "same package"
    );
    assert_eq!(
        w.status(LP0, Leaf::MngAddcx, &[(RCX, TDCS), (RDX, TDR)]),
        code::TD_KEYS_NOT_CONFIGURED
    );
    assert_eq!(w.status(LP2, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
    assert_eq!(
        w.status(LP2, Leaf::MngKeyConfig, &[(RCX, TDR)]),
        code::LIFECYCLE_STATE_INCORRECT
    );
    // A page the module holds cannot be added again; INIT needs 6 pages.
    assert_eq!(
        w.status(LP0, Leaf::MngAddcx, &[(RCX, TDR), (RDX, TDR)]),
        rcx(code::PAGE_METADATA_INCORRECT)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngAddcx, &[(RCX, TDCS), (RDX, TDCS)]),
        rdx(code::PAGE_METADATA_INCORRECT)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngAddcx, &[(RCX, TDCS), (RDX, TDR)]),
        OK
    );
    w.put_params(|_| {});
    assert_eq!(
        w.status(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS)]),
        code::TDCS_NOT_ALLOCATED
    );
    assert_eq!(
        w.status(LP0, Leaf::VpCreate, &[(RCX, TDVPR), (RDX, TDR)]),
        code::TDCS_NOT_ALLOCATED
    );
    for k in 1..6 {
        assert_eq!(
            w.status(LP0, Leaf::MngAddcx, &[(RCX, TDCS + 0x1000 * k), (RDX, TDR)]),
            OK
        );
    }
    // VP.CREATE before MNG.INIT; TD_PARAMS misaligned.
    assert_eq!(
        w.status(LP0, Leaf::VpCreate, &[(RCX, TDVPR), (RDX, TDR)]),
        code::OP_STATE_INCORRECT
    );
    assert_eq!(
        w.status(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS + 512)]),
        rdx(code::OPERAND_INVALID)
    );
    assert_eq!(
        w.status(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS)]),
        OK
    );
    assert_eq!(
        w.status(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS)]),
        code::OP_STATE_INCORRECT
    );
    // VP.INIT before its TDVPX pages are added.
    assert_eq!(
        w.status(LP0, Leaf::VpCreate, &[(RCX, TDVPR), (RDX, TDR)]),
        OK
    );
    assert_eq!(
        w.status(LP0, Leaf::VpInit, &[(RCX, TDVPR)]),
        code::TDCX_NUM_INCORRECT
    );
    let v2 = LeafCall::with_version(Leaf::VpInit, 2);
    assert_eq!(w.call_v(LP0, v2, &[(RCX, TDVPR)]).0, code::OPERAND_INVALID);
    // Reclaim while the TD lives.
    assert_eq!(
        reclaim(&mut w, TDCS),
        (code::LIFECYCLE_STATE_INCORRECT, 5, TDR, 0)
    );
    assert_eq!(
        reclaim(&mut w, TDR + 0x80_0000).0,
        rcx(code::PAGE_METADATA_INCORRECT)
    );
    assert_eq!(
        w.status(LP0, Leaf::PhymemPageWbinvd, &[(RCX, TDCS)]),
        rcx(code::PAGE_METADATA_INCORRECT)
    );
}

#[test]
fn td_params_are_checked_in_intels_order() {
    let cases: [(fn(&mut [u8; 1024]), u64); 9] = [
        (|p| p[3] = 0x80, 64), // ATTRIBUTES bit 31: not allowed
        (
            |p| p[0..8].copy_from_slice(&(1u64 << 29 | 1).to_le_bytes()),
            64,
        ), // migratable debug
        (|p| p[8] = 0x27, 65), // AVX-512 without its partners
        (|p| p[8] = 0x1, 65),  // XFAM without SSE
        (|p| p[16] = 0, 68),   // MAX_VCPUS 0
        (|p| p[18] = 4, 71),   // 4 L2 VMs
        (|p| p[32] = 0x8, 66), // CONFIG_FLAGS bit 3
        (|p| p[24] = 6 | 4 << 3, 67), // 5-level EPT ok, but
        (|p| p[40] = 3, 70),   // TSC 75 MHz
    ];
    for (k, (edit, operand)) in cases.iter().enumerate() {
        let mut w = World::ready();
        w.put_params(|_| {});
        assert_eq!(
            w.status(LP0, Leaf::MngCreate, &[(RCX, TDR), (RDX, HKID)]),
            OK
        );
        assert_eq!(w.status(LP0, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
        assert_eq!(w.status(LP2, Leaf::MngKeyConfig, &[(RCX, TDR)]), OK);
        for p in 0..6 {
            assert_eq!(
                w.status(LP0, Leaf::MngAddcx, &[(RCX, TDCS + 0x1000 * p), (RDX, TDR)]),
                OK
            );
        }
        w.put_params(|p| {
            edit(p);
            // Case 7: GPAW 52 needs the 5-level walk it has; make GPAW 48 with
            // a 6-level walk instead, which no CPU has.
            if k == 7 {
                p[24] = 6 | 5 << 3;
            }
            // Every case also breaks a later field: the earlier check wins.
            p[41] = 0xff;
        });
        let (s, r) = w.call(LP0, Leaf::MngInit, &[(RCX, TDR), (RDX, PARAMS)]);
        assert_eq!(
            (s, r[RCX]),
            (code::OPERAND_INVALID | operand, 0),
            "case {k}"
        );
    }
}

#[test]
fn hkid_reuse_before_freeid_and_freeid_before_cache_wb() {
    let mut w = World::ready();
    w.built_td();
    // Another TD on the same HKID while the first holds it.
    let other = TDR + 0x40_0000;
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, other), (RDX, HKID)]),
        code::HKID_NOT_FREE
    );
    assert_eq!(
        w.status(LP0, Leaf::MngKeyFreeid, &[(RCX, TDR)]),
        code::LIFECYCLE_STATE_INCORRECT
    );
    assert_eq!(
        w.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 0)]),
        code::NO_HKID_READY_TO_WBCACHE
    );
    assert_eq!(w.status(LP0, Leaf::MngVpflushdone, &[(RCX, TDR)]), OK);
    assert_eq!(
        w.status(LP0, Leaf::MngVpflushdone, &[(RCX, TDR)]),
        code::LIFECYCLE_STATE_INCORRECT
    );
    assert_eq!(
        w.status(LP0, Leaf::MngKeyFreeid, &[(RCX, TDR)]),
        code::WBCACHE_NOT_COMPLETE
    );
    assert_eq!(
        w.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 2)]),
        code::OPERAND_INVALID | 1
    );
    assert_eq!(
        w.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 1)]),
        code::WBCACHE_RESUME_ERROR
    );
    // Package 0, interrupted at every step, resumed to the end.
    w.m.interrupt_cache_wb(CACHE_SUB_BLOCKS - 1);
    assert_eq!(
        w.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 0)]),
        code::INTERRUPTED_RESUMABLE
    );
    for _ in 2..CACHE_SUB_BLOCKS {
        assert_eq!(
            w.status(LP1, Leaf::PhymemCacheWb, &[(RCX, 1)]),
            code::INTERRUPTED_RESUMABLE
        );
    }
    assert_eq!(w.status(LP1, Leaf::PhymemCacheWb, &[(RCX, 1)]), OK);
    assert_eq!(
        w.status(LP0, Leaf::PhymemCacheWb, &[(RCX, 1)]),
        code::WBCACHE_RESUME_ERROR
    );
    assert_eq!(
        w.status(LP0, Leaf::MngKeyFreeid, &[(RCX, TDR)]),
        code::WBCACHE_NOT_COMPLETE,
        "package 1 owes one"
    );
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, other), (RDX, HKID)]),
        code::HKID_NOT_FREE
    );
    assert_eq!(w.status(LP2, Leaf::PhymemCacheWb, &[(RCX, 0)]), OK);
    assert_eq!(w.status(LP0, Leaf::MngKeyFreeid, &[(RCX, TDR)]), OK);
    assert_eq!(
        w.status(LP0, Leaf::MngCreate, &[(RCX, other), (RDX, HKID)]),
        OK
    );
}

#[test]
fn vpflushdone_while_a_vcpu_is_associated() {
    let mut w = World::ready();
    w.built_td();
    w.built_vcpu();
    assert_eq!(
        w.status(LP0, Leaf::MngVpflushdone, &[(RCX, TDR)]),
        code::FLUSHVP_NOT_DONE
    );
    assert_eq!(w.status(LP1, Leaf::VpFlush, &[(RCX, TDVPR)]), OK);
    assert_eq!(
        w.status(LP1, Leaf::VpFlush, &[(RCX, TDVPR)]),
        code::VCPU_NOT_ASSOCIATED
    );
    assert_eq!(w.status(LP0, Leaf::MngVpflushdone, &[(RCX, TDR)]), OK);
}

#[test]
fn reclaim_of_a_tdr_with_children() {
    let mut w = World::ready();
    w.built_td();
    w.built_vcpu();
    assert_eq!(w.status(LP1, Leaf::VpFlush, &[(RCX, TDVPR)]), OK);
    assert_eq!(
        reclaim(&mut w, TDR),
        (code::LIFECYCLE_STATE_INCORRECT, 4, 0, 0)
    );
    w.keys_freed();
    assert_eq!(
        reclaim(&mut w, TDR),
        (code::TD_ASSOCIATED_PAGES_EXIST, 4, 0, 0)
    );
    assert_eq!(reclaim(&mut w, TDVPR), (OK, 6, TDR, 0));
    assert_eq!(
        reclaim(&mut w, TDVPR),
        (code::PAGE_METADATA_INCORRECT | 1, 0, 0, 0)
    );
    assert_eq!(reclaim(&mut w, TDR).0, code::TD_ASSOCIATED_PAGES_EXIST);
    // The TDR cannot be written back while the module holds it.
    assert_eq!(
        w.status(LP0, Leaf::PhymemPageWbinvd, &[(RCX, TDR)]),
        code::PAGE_METADATA_INCORRECT | 1
    );
    assert_eq!(
        w.m.tds.tds[w.m.tds.td_index(TDR).unwrap()].unwrap().chldcnt,
        11
    );
}

#[test]
fn vp_init_counts_against_max_vcpus() {
    let mut w = World::ready();
    w.built_td();
    w.built_vcpu();
    for n in 1..3u64 {
        let tdvpr = TDVPR + 0x10_000 * n;
        assert_eq!(
            w.status(LP0, Leaf::VpCreate, &[(RCX, tdvpr), (RDX, TDR)]),
            OK
        );
        for k in 1..6 {
            assert_eq!(
                w.status(
                    LP0,
                    Leaf::VpAddcx,
                    &[(RCX, tdvpr + 0x1000 * k), (RDX, tdvpr)]
                ),
                OK
            );
        }
        let want = if n == 1 { OK } else { code::MAX_VCPUS_EXCEEDED };
        assert_eq!(
            w.status(LP0, Leaf::VpInit, &[(RCX, tdvpr)]),
            want,
            "vCPU {n}"
        );
    }
    assert_eq!(
        w.status(LP0, Leaf::VpAddcx, &[(RCX, TDR + 0x80_0000), (RDX, TDVPR)]),
        code::VCPU_STATE_INCORRECT
    );
    assert_eq!(
        w.m.tds.get(TDVPR + 0x10_000).unwrap().x2apic_id,
        1,
        "version 0: the index"
    );
}
