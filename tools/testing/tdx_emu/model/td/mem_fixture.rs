// SPDX-License-Identifier: GPL-2.0

//! Host tests only: a ready module and a TD as TDH.MNG.CREATE ...
//! TDH.MNG.INIT and TDH.VP.CREATE ... TDH.VP.INIT leave it, planted in the
//! PAMT and in `Tds` (those leaves are emu-core's and tested there), for the
//! memory leaves' tests to call through the model's dispatcher.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept_walk;
use super::super::sys::{SysState, Tdmr};
use super::super::test_support::{lp, platform, tdmr_at, with_pamt, FakeMem, G};
use super::super::{Gprs, Model, Outcome, R8, R9, RAX, RCX, RDX};
use super::{Lifecycle, OpState, Td, Vcpu, VcpuState, MIN_TDCS_PAGES, MIN_TDVPS_PAGES};
use crate::abi::leaf::{Leaf, LeafCall};

pub(crate) const PAMT: u64 = G + (256 << 20);
pub(crate) const TDR: u64 = G + 0x20_0000;
/// TDCS pages: `TDR + 0x1000 ...`; the SEPT root is the fourth.
pub(crate) const TDCS: u64 = TDR + 0x1000;
pub(crate) const TDVPR: u64 = G + 0x30_0000;
/// Free host pages for the leaves: `POOL + n * 0x1000`.
pub(crate) const POOL: u64 = G + 0x40_0000;
/// A shared source page (KeyID 0, outside the TDMR).
pub(crate) const SOURCE: u64 = 0x10_0000;

pub(crate) struct World {
    pub(crate) m: Model,
    pub(crate) mem: FakeMem,
}

/// The `n`th free pool page.
pub(crate) const fn pool(n: u64) -> u64 {
    POOL + n * 0x1000
}

impl World {
    /// A ready module with TDMR [1G, 2G) and one TD in op state
    /// INITIALIZED with one initialized vCPU.
    pub(crate) fn new() -> Self {
        let mut m = Model::new(platform(2, 1, &[]));
        let mut mem = FakeMem::new();
        m.sys.tdmrs[0] = Tdmr::from_info(&with_pamt(tdmr_at(G, G), PAMT));
        m.sys.nr_tdmrs = 1;
        m.sys.state = SysState::Ready;
        let mut r = [0; 16];
        r[RCX] = G;
        while !m.sys.tdmrs[0].is_initialized() {
            m.sys.sys_tdmr_init(&mut r, &mut mem).unwrap();
        }
        let set = |m: &Model, mem: &mut FakeMem, pa, pt, owner| {
            m.sys.pamt_set(mem, pa, PamtEntry::new(pt, owner)).unwrap()
        };
        set(&m, &mut mem, TDR, PageType::Tdr, 0);
        let mut td = Td::new(TDR, 40);
        for i in 0..MIN_TDCS_PAGES {
            td.tdcx[i] = TDCS + 0x1000 * i as u64;
            set(&m, &mut mem, td.tdcx[i], PageType::Tdcx, TDR);
        }
        td.mem.sept_root = td.tdcx[3];
        sept_walk::init_page(&mut mem, td.sept_root()).unwrap();
        td.num_tdcx = MIN_TDCS_PAGES as u32;
        td.lifecycle = Lifecycle::KeysConfigured;
        td.op_state = OpState::Initialized;
        td.config.gpaw = 48;
        td.config.eptp = 3 << 3;
        td.num_vcpus = 1;
        m.tds.tds[0] = Some(td);
        set(&m, &mut mem, TDVPR, PageType::Tdvpr, TDR);
        let mut v = Vcpu::new(TDVPR, TDR, 0);
        v.num_tdvps = MIN_TDVPS_PAGES as u32;
        v.state = VcpuState::Ready;
        m.tds.vcpus[0] = Some(v);
        Self { m, mem }
    }

    pub(crate) fn td(&self) -> &Td {
        let i = self.m.tds.td_index(TDR).unwrap();
        self.m.tds.tds[i].as_ref().unwrap()
    }

    /// Calls `leaf` at `version` with these operands on LP 0: the status,
    /// RCX and RDX. Panics if the model declines.
    pub(crate) fn call_v(&mut self, leaf: Leaf, version: u8, ops: &[(usize, u64)]) -> Gprs {
        let mut r: Gprs = [0; 16];
        r[RAX] = LeafCall::with_version(leaf, version).rax();
        for &(reg, v) in ops {
            r[reg] = v;
        }
        let out = self.m.seamcall(lp(0, 0), &mut r, &mut self.mem);
        assert_eq!(out, Outcome::Complete, "{leaf:?} declined");
        r
    }

    pub(crate) fn call(&mut self, leaf: Leaf, ops: &[(usize, u64)]) -> Gprs {
        self.call_v(leaf, 0, ops)
    }

    /// The status of `leaf` on `gpa | level` of the TD.
    pub(crate) fn on_gpa(&mut self, leaf: Leaf, gpa: u64, level: u64, r8: u64) -> (u64, u64, u64) {
        let r = self.call(leaf, &[(RCX, gpa | level), (RDX, TDR), (R8, r8)]);
        (r[RAX], r[RCX], r[RDX])
    }

    /// SEPT.ADD at levels 3, 2, 1 for `gpa` from pool pages `first..`.
    pub(crate) fn map_tables(&mut self, gpa: u64, first: u64) {
        for (n, level) in [3, 2, 1].into_iter().enumerate() {
            let at = gpa & !(sept_walk::level_bytes(level as u8) - 1);
            let st = self.on_gpa(Leaf::MemSeptAdd, at, level, pool(first + n as u64));
            assert_eq!(st, (0, 0, 0), "SEPT.ADD level {level}");
        }
    }

    /// PAGE.ADD of `gpa` from `SOURCE` into pool page `n`.
    pub(crate) fn page_add(&mut self, gpa: u64, n: u64) -> u64 {
        let ops = [(RCX, gpa), (RDX, TDR), (R8, pool(n)), (R9, SOURCE)];
        self.call(Leaf::MemPageAdd, &ops)[RAX]
    }

    /// TDH.MR.FINALIZE; panics unless it succeeds.
    pub(crate) fn finalize(&mut self) {
        assert_eq!(self.call(Leaf::MrFinalize, &[(RCX, TDR)])[RAX], 0);
    }
}
