// SPDX-License-Identifier: GPL-2.0

//! Test helpers for the emulator (host tests only): a sparse fake physical
//! memory, made-up machines, and TDMR_INFO built by hand.

use super::tdmr_info::tests::to_bytes;
use super::tdmr_info::{Range, Reserved, TdmrInfo, MAX_RESERVED_AREAS};
use crate::platform::{Cmr, Handoff, Lp, PhysMem, Platform, MAX_CMRS};
use std::collections::BTreeMap;

/// 1 GiB.
pub(crate) const G: u64 = 1 << 30;
const PAGE: u64 = 4096;

/// Sparse memory: pages spring into existence (zeroed) on first write;
/// addresses at or above `limit`, or in `holes`, are not memory.
pub(crate) struct FakeMem {
    pages: BTreeMap<u64, Box<[u8; PAGE as usize]>>,
    pub(crate) limit: u64,
    pub(crate) holes: Vec<Range>,
    /// Bytes written through `PhysMem::write`.
    pub(crate) written: u64,
}

impl FakeMem {
    pub(crate) fn new() -> Self {
        Self {
            pages: BTreeMap::new(),
            limit: 1 << 46,
            holes: Vec::new(),
            written: 0,
        }
    }

    fn accessible(&self, pa: u64, len: usize) -> bool {
        let Some(end) = pa.checked_add(len as u64) else {
            return false;
        };
        end <= self.limit
            && self
                .holes
                .iter()
                .all(|h| end <= h.base || pa >= h.base + h.size)
    }

    /// Writes without counting or checking (test set-up).
    pub(crate) fn poke(&mut self, pa: u64, data: &[u8]) {
        let mut done = 0;
        while done < data.len() {
            let a = pa + done as u64;
            let off = (a % PAGE) as usize;
            let n = (PAGE as usize - off).min(data.len() - done);
            let page = self
                .pages
                .entry(a / PAGE)
                .or_insert_with(|| Box::new([0; PAGE as usize]));
            page[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
    }

    pub(crate) fn poke_u64(&mut self, pa: u64, value: u64) {
        self.poke(pa, &value.to_le_bytes());
    }

    pub(crate) fn peek_u64(&self, pa: u64) -> u64 {
        let mut b = [0u8; 8];
        assert!(self.read(pa, &mut b));
        u64::from_le_bytes(b)
    }
}

impl PhysMem for FakeMem {
    fn read(&self, pa: u64, buf: &mut [u8]) -> bool {
        if !self.accessible(pa, buf.len()) {
            return false;
        }
        let mut done = 0;
        while done < buf.len() {
            let a = pa + done as u64;
            let off = (a % PAGE) as usize;
            let n = (PAGE as usize - off).min(buf.len() - done);
            let dst = &mut buf[done..done + n];
            match self.pages.get(&(a / PAGE)) {
                Some(page) => dst.copy_from_slice(&page[off..off + n]),
                None => dst.fill(0),
            }
            done += n;
        }
        true
    }

    fn write(&mut self, pa: u64, data: &[u8]) -> bool {
        if !self.accessible(pa, data.len()) {
            return false;
        }
        self.poke(pa, data);
        self.written += data.len() as u64;
        true
    }
}

/// A machine with `nr_lps` LPs over `nr_packages` packages, these CMRs, one
/// MKTME KeyID and 62 TDX KeyIDs (2..=63; KeyID bits 51:46).
/// CPUID.01H:EAX of a Sapphire Rapids E-stepping part (family 6, model
/// 0x8f, stepping 8), as the 8480C of `platforms/spr-2s-8480c.profile`.
pub(crate) const SPR_FMS: u32 = 0x0008_06F8;

/// A first load's hand-over for the tests: 32 pages, no hand-off data.
pub(crate) const FRESH_HANDOFF: Handoff = Handoff {
    pages_minus_1: 31,
    valid: false,
    hv: 0,
    size: 0,
};

pub(crate) fn platform(nr_lps: u32, nr_packages: u32, cmrs: &[Cmr]) -> Platform {
    let mut table = [Cmr::default(); MAX_CMRS];
    table[..cmrs.len()].copy_from_slice(cmrs);
    Platform {
        nr_lps,
        nr_packages,
        cmrs: table,
        nr_cmrs: cmrs.len(),
        nr_mktme_keyids: 1,
        nr_tdx_keyids: 62,
        max_pa: 52,
        fms: SPR_FMS,
        version: crate::module_version::DEFAULT_VERSION,
        handoff: Some(FRESH_HANDOFF),
    }
}

pub(crate) fn lp(id: u32, package: u32) -> Lp {
    Lp { id, package }
}

/// A TDMR with no PAMT and no reserved areas.
pub(crate) fn tdmr_at(base: u64, size: u64) -> TdmrInfo {
    TdmrInfo {
        base,
        size,
        ..TdmrInfo::default()
    }
}

/// The three PAMT sizes (4K, 2M, 1G) a TDMR of `size` bytes needs, each
/// rounded up to 4 KiB.
pub(crate) fn pamt_sizes(size: u64) -> [u64; 3] {
    [PAGE, 2 << 20, G].map(|page| (size / page * 16).div_ceil(PAGE) * PAGE)
}

/// `t` with its three PAMTs back to back at `base`, 4K first.
pub(crate) fn with_pamt(mut t: TdmrInfo, base: u64) -> TdmrInfo {
    let mut at = base;
    for (pamt, size) in t.pamt.iter_mut().zip(pamt_sizes(t.size)) {
        *pamt = Range { base: at, size };
        at += size;
    }
    t
}

/// Bytes of the PAMT block `with_pamt` lays out for a TDMR of `size`.
pub(crate) fn pamt_block(size: u64) -> u64 {
    pamt_sizes(size).iter().sum()
}

/// `t` with exactly these reserved areas (offset, size).
/// Two TDMRs, [1G, 2G) and [2G, 4G), with their PAMTs side by side at
/// 1.5 GiB, reserved in the first TDMR with its first page: a valid
/// configuration for a platform whose CMRs cover [0, 4G).
pub(crate) fn two_tdmrs() -> [TdmrInfo; 2] {
    const G: u64 = 1 << 30;
    let p0 = G + (512 << 20);
    let block = pamt_block(G) + pamt_block(2 * G);
    [
        with_reserved(
            with_pamt(tdmr_at(G, G), p0),
            &[(0, 4096), (512 << 20, block)],
        ),
        with_pamt(tdmr_at(2 * G, 2 * G), p0 + pamt_block(G)),
    ]
}

pub(crate) fn with_reserved(mut t: TdmrInfo, areas: &[(u64, u64)]) -> TdmrInfo {
    assert!(areas.len() <= MAX_RESERVED_AREAS);
    t.reserved = [Reserved::default(); MAX_RESERVED_AREAS];
    for (r, &(offset, size)) in t.reserved.iter_mut().zip(areas) {
        *r = Reserved { offset, size };
    }
    t
}

/// Writes the TDMR_INFOs 512 bytes apart at `info_pa` and the array of
/// their addresses at `array_pa`.
pub(crate) fn put_config(mem: &mut FakeMem, array_pa: u64, info_pa: u64, tdmrs: &[TdmrInfo]) {
    for (k, t) in tdmrs.iter().enumerate() {
        let pa = info_pa + 512 * k as u64;
        mem.poke(pa, &to_bytes(t));
        mem.poke_u64(array_pa + 8 * k as u64, pa);
    }
}
