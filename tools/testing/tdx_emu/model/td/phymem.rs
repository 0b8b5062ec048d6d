// SPDX-License-Identifier: GPL-2.0

//! Giving pages back in the emulated module: TDH.PHYMEM.PAGE.RECLAIM and
//! TDH.PHYMEM.PAGE.WBINVD (`tdh_phymem_page_reclaim.c`,
//! `tdh_phymem_page_wbinvd.c`).
//!
//! TDH.PHYMEM.PAGE.RECLAIM (RCX = the page): RCX, RDX, R8-R11 are zeroed
//! first. The address 4 KiB aligned, below MAXPA, KeyID 0 (operand RCX); in
//! an initialized TDMR (`TDX_OPERAND_ADDR_RANGE_ERROR`, operand RCX); the
//! PAMT walk from 1 GiB down finds the page's leaf entry; PT_NDA and
//! PT_RSVD are `TDX_PAGE_METADATA_INCORRECT` (operand RCX). Outputs, from
//! here on even on failure: RCX the page type, RDX the owner (the TDR's
//! address; 0 for a TDR), R8 the level (0 4K, 1 2M, 2 1G). A large page's
//! address must be aligned to it (operand RCX). A page other than a TDR
//! needs its TD in TEARDOWN (`TDX_LIFECYCLE_STATE_INCORRECT`) and lowers the
//! TD's child count by the 4 KiB pages it covers; a TDR needs TEARDOWN and
//! no child left (`TDX_TD_ASSOCIATED_PAGES_EXIST`). The page is PT_NDA
//! again; a TDR's or TDVPR's TD or vCPU is forgotten.
//!
//! TDH.PHYMEM.PAGE.WBINVD (RCX = the page with the KeyID it was used with):
//! the KeyID bits are set aside, then the page must be a PT_NDA 4 KiB page
//! of a TDMR as `check_and_lock_explicit_4k_private_hpa()` checks (operand
//! RCX): a page the module holds is refused. Writing its cache lines back
//! changes nothing the model keeps.
//!
//! Pure `core`.

use super::super::keyids::is_aligned;
use super::super::pamt::{read_entry, write_entry, PageType};
use super::super::sys::Sys;
use super::super::tdmr_info::PageSize;
use super::super::{Gprs, R10, R8, R9, RCX, RDX};
use super::{explicit_4k, finish, Lifecycle, Stop, Tds};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::PhysMem;

const R11: usize = 11;

impl Tds {
    /// TDH.PHYMEM.PAGE.RECLAIM.
    pub(crate) fn phymem_page_reclaim(
        &mut self,
        sys: &Sys,
        regs: &mut Gprs,
        mem: &mut dyn PhysMem,
    ) -> Option<u64> {
        let pa = regs[RCX];
        for r in [RCX, RDX, R8, R9, R10, R11] {
            regs[r] = 0;
        }
        finish(self.try_reclaim(sys, pa, regs, mem))
    }

    fn try_reclaim(
        &mut self,
        sys: &Sys,
        pa: u64,
        regs: &mut Gprs,
        mem: &mut dyn PhysMem,
    ) -> Result<u64, Stop> {
        let rcx = OPERAND_ID_RCX as u64;
        if !is_aligned(pa, 4096) || !sys.keys.is_plain_pa(pa) {
            return Err(Some(code::OPERAND_INVALID | rcx));
        }
        let mut leaf = None;
        for size in [PageSize::Size1G, PageSize::Size2M, PageSize::Size4K] {
            let Some(at) = sys.pamt_entry_at(pa, size) else {
                return Err(Some(code::OPERAND_ADDR_RANGE_ERROR | rcx));
            };
            let e = read_entry(mem, at).ok_or(None)?;
            if size == PageSize::Size4K || e.is(PageType::Reg) {
                leaf = Some((size, at, e));
                break;
            }
        }
        let (size, at, mut e) = leaf.ok_or(None)?;
        if e.is(PageType::Nda) || e.is(PageType::Rsvd) {
            return Err(Some(code::PAGE_METADATA_INCORRECT | rcx));
        }
        regs[RCX] = e.pt as u64;
        regs[RDX] = e.owner;
        regs[R8] = size as u64;
        if !is_aligned(pa, size.bytes()) {
            return Err(Some(code::OPERAND_INVALID | rcx));
        }
        if e.is(PageType::Tdr) {
            let i = self.td_index(pa).ok_or(None)?;
            let td = self.td_at(i)?;
            if td.lifecycle != Lifecycle::Teardown {
                return Err(Some(code::LIFECYCLE_STATE_INCORRECT));
            }
            if td.chldcnt != 0 {
                return Err(Some(code::TD_ASSOCIATED_PAGES_EXIST));
            }
            e.pt = PageType::Nda as u8;
            write_entry(mem, at, e).ok_or(None)?;
            self.tds[i] = None;
            return Ok(code::SUCCESS);
        }
        let i = self.td_index(e.owner).ok_or(None)?;
        let td = self.td_at(i)?;
        if td.lifecycle != Lifecycle::Teardown {
            return Err(Some(code::LIFECYCLE_STATE_INCORRECT));
        }
        let pages = size.bytes() / 4096;
        td.chldcnt = td.chldcnt.checked_sub(pages).ok_or(None)?;
        let is_tdvpr = e.is(PageType::Tdvpr);
        e.pt = PageType::Nda as u8;
        write_entry(mem, at, e).ok_or(None)?;
        if is_tdvpr {
            if let Some(v) = self.vcpu_index(pa) {
                self.vcpus[v] = None;
            }
        }
        Ok(code::SUCCESS)
    }

    /// TDH.PHYMEM.PAGE.WBINVD.
    pub(crate) fn phymem_page_wbinvd(
        &self,
        sys: &Sys,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        let pa = regs[RCX] & !sys.keys.hkid_mask;
        finish(explicit_4k(sys, mem, pa, OPERAND_ID_RCX, PageType::Nda).map(|_| code::SUCCESS))
    }
}
