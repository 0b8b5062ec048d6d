// SPDX-License-Identifier: GPL-2.0

//! Giving a TD's key back, in the emulated module: TDH.MNG.VPFLUSHDONE,
//! TDH.PHYMEM.CACHE.WB and TDH.MNG.KEY.FREEID (`tdh_mng_vpflushdone.c`,
//! `tdh_phymem_cache_wb.c`, `tdh_mng_key_freeid.c`).
//!
//! TDH.MNG.VPFLUSHDONE (RCX = TDR): a PT_TDR page (operand RCX); the TD
//! HKID_ASSIGNED or KEYS_CONFIGURED (`TDX_LIFECYCLE_STATE_INCORRECT`); once
//! TDH.MNG.INIT ran, no vCPU associated with an LP (`TDX_FLUSHVP_NOT_DONE`).
//! Then the TD is BLOCKED, its KOT entry FLUSHED, and every package that has
//! the global key owes a write-back for it.
//!
//! TDH.PHYMEM.CACHE.WB (RCX = 0 start, 1 resume; more is operand RCX) on
//! one LP writes back the caches of its package in [`CACHE_SUB_BLOCKS`]
//! steps. A start records the FLUSHED KeyIDs (none: the success-class
//! `TDX_NO_HKID_READY_TO_WBCACHE`); a resume without an interrupted cycle is
//! `TDX_WBCACHE_RESUME_ERROR`. The real module stops with
//! `TDX_INTERRUPTED_RESUMABLE` when an interrupt is pending; the model stops
//! there as often as a test asked ([`Tds::interrupt_cache_wb`]). A finished
//! cycle clears the package's bit of each recorded KeyID.
//!
//! TDH.MNG.KEY.FREEID (RCX = TDR): a PT_TDR page (operand RCX); the TD BLOCKED
//! (`TDX_LIFECYCLE_STATE_INCORRECT`); every package wrote back
//! (`TDX_WBCACHE_NOT_COMPLETE`). Then the KeyID is free and the TD in
//! TEARDOWN.
//!
//! Pure `core`.

use super::super::sys::Sys;
use super::super::{Gprs, RCX};
use super::{finish, KotState, Lifecycle, OpState, Stop, Tds, MAX_KOT, MAX_PACKAGES};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::{Lp, PhysMem};

/// Steps of one package's write-back (`num_of_cached_sub_blocks`).
pub(crate) const CACHE_SUB_BLOCKS: u32 = 4;

impl Tds {
    /// TDH.MNG.VPFLUSHDONE.
    pub(crate) fn mng_vpflushdone(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_vpflushdone(sys, regs[RCX], mem))
    }

    fn try_vpflushdone(&mut self, sys: &Sys, tdr: u64, mem: &dyn PhysMem) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RCX)?;
        let td = self.td_at(i)?;
        if !matches!(
            td.lifecycle,
            Lifecycle::HkidAssigned | Lifecycle::KeysConfigured
        ) {
            return Err(Some(code::LIFECYCLE_STATE_INCORRECT));
        }
        if td.num_tdcx as usize >= super::MIN_TDCS_PAGES
            && td.op_state != OpState::Uninitialized
            && td.num_assoc_vcpus != 0
        {
            return Err(Some(code::FLUSHVP_NOT_DONE));
        }
        td.lifecycle = Lifecycle::Blocked;
        let hkid = td.hkid as usize;
        let kot = self.kot.get_mut(hkid).ok_or(None)?;
        kot.wbinvd = sys.pkg_configured;
        kot.state = KotState::Flushed;
        Ok(code::SUCCESS)
    }

    /// TDH.MNG.KEY.FREEID.
    pub(crate) fn mng_key_freeid(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_freeid(sys, regs[RCX], mem))
    }

    fn try_freeid(&mut self, sys: &Sys, tdr: u64, mem: &dyn PhysMem) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RCX)?;
        let td = self.td_at(i)?;
        if td.lifecycle != Lifecycle::Blocked {
            return Err(Some(code::LIFECYCLE_STATE_INCORRECT));
        }
        let hkid = td.hkid as usize;
        let kot = self.kot.get(hkid).ok_or(None)?;
        if kot.wbinvd != 0 {
            return Err(Some(code::WBCACHE_NOT_COMPLETE));
        }
        self.td_at(i)?.lifecycle = Lifecycle::Teardown;
        self.kot[hkid].state = KotState::Free;
        Ok(code::SUCCESS)
    }

    /// TDH.PHYMEM.CACHE.WB on `lp`.
    pub(crate) fn phymem_cache_wb(&mut self, lp: Lp, regs: &Gprs) -> Option<u64> {
        let cmd = regs[RCX];
        if cmd > 1 {
            return Some(code::OPERAND_INVALID | OPERAND_ID_RCX as u64);
        }
        let pkg = lp.package as usize;
        if pkg >= MAX_PACKAGES {
            return None;
        }
        if cmd == 0 {
            let mut flushed = [0u64; MAX_KOT / 64];
            for (hkid, e) in self.kot.iter().enumerate() {
                if e.state == KotState::Flushed {
                    flushed[hkid / 64] |= 1 << (hkid % 64);
                }
            }
            if flushed.iter().all(|&w| w == 0) {
                return Some(code::NO_HKID_READY_TO_WBCACHE);
            }
            self.wbt[pkg].intr_point = 0;
            self.wbt[pkg].hkids = flushed;
        } else if self.wbt[pkg].intr_point == 0 {
            return Some(code::WBCACHE_RESUME_ERROR);
        }
        let mut point = self.wbt[pkg].intr_point;
        loop {
            point += 1;
            if point >= CACHE_SUB_BLOCKS {
                break;
            }
            if self.cache_wb_interrupts > 0 {
                self.cache_wb_interrupts -= 1;
                self.wbt[pkg].intr_point = point;
                return Some(code::INTERRUPTED_RESUMABLE);
            }
        }
        self.wbt[pkg].intr_point = 0;
        let hkids = self.wbt[pkg].hkids;
        for (hkid, e) in self.kot.iter_mut().enumerate() {
            if hkids[hkid / 64] & 1 << (hkid % 64) != 0 {
                e.wbinvd &= !(1 << pkg);
            }
        }
        Some(code::SUCCESS)
    }

    /// The next `n` TDH.PHYMEM.CACHE.WB steps find an interrupt pending (a
    /// test hook: the model cannot see the host's interrupts).
    #[cfg(test)]
    pub(crate) fn interrupt_cache_wb(&mut self, n: u32) {
        self.cache_wb_interrupts = n;
    }
}
