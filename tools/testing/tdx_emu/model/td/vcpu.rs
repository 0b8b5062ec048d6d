// SPDX-License-Identifier: GPL-2.0

//! A TD's vCPUs in the emulated module: TDH.VP.CREATE, TDH.VP.ADDCX,
//! TDH.VP.INIT and TDH.VP.FLUSH (`tdh_vp_create.c`, `tdh_vp_addcx.c`,
//! `tdh_vp_init.c`, `tdh_vp_flush.c`).
//!
//! TDH.VP.CREATE (RCX = the TDVPR page, RDX = TDR): a PT_TDR page (operand
//! RDX); the TD built and INITIALIZED; the page PT_NDA (operand RCX). It
//! becomes PT_TDVPR owned by the TDR; the TD's child count grows.
//!
//! TDH.VP.ADDCX (RCX = the new TDVPS page, RDX = TDVPR): a PT_TDVPR page
//! (operand RDX), its TD built and INITIALIZED; the vCPU not initialized
//! (`TDX_VCPU_STATE_INCORRECT`); fewer than 15 TDVPS pages
//! (`TDX_TDCX_NUM_INCORRECT`); the page PT_NDA (operand RCX), then PT_TDCX.
//!
//! TDH.VP.INIT (RCX = TDVPR, RDX = the guest's initial RCX; version 1: R8 =
//! its x2APIC ID): a PT_TDVPR page (operand RCX), its TD built and
//! INITIALIZED; every TDVPS page added (`TDX_TDCX_NUM_INCORRECT`); the vCPU
//! not initialized (`TDX_VCPU_STATE_INCORRECT`); fewer vCPUs than the TD's
//! MAX_VCPUS (`TDX_MAX_VCPUS_EXCEEDED`). The vCPU gets the next index and is
//! READY, associated with this LP. Version 0 gives it the x2APIC ID of its
//! index. Versions above 1: operand RAX. The x2APIC IDs' uniqueness, which
//! the real module checks later, is not modeled.
//!
//! TDH.VP.FLUSH (RCX = TDVPR): a PT_TDVPR page (operand RCX); its TD
//! KEYS_CONFIGURED (`TDX_TD_KEYS_NOT_CONFIGURED`); every TDVPS page added;
//! the vCPU associated with this LP (`TDX_VCPU_NOT_ASSOCIATED`). Then it is
//! associated with none.
//!
//! Declined: a vCPU beyond the model's [`MAX_VCPUS`], a TDVPS page beyond
//! the sixth (the model keeps no L2 VM state).
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sys::Sys;
use super::super::{Gprs, R8, RCX, RDX};
use super::{
    check_td_state, explicit_4k, finish, Lifecycle, Stop, Tds, Vcpu, VcpuState, MAX_TDVPX,
    MIN_TDVPS_PAGES,
};
use crate::abi::leaf::{Leaf, RaxFields};
use crate::abi::status::{code, OPERAND_ID_RAX, OPERAND_ID_RCX, OPERAND_ID_RDX};
use crate::platform::{Lp, PhysMem};

/// Most TDVPS pages (`MAX_TDVPS_PAGES`).
const MAX_TDVPS_PAGES: u32 = 15;

impl Tds {
    /// TDH.VP.CREATE.
    pub(crate) fn vp_create(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &mut dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_vp_create(sys, regs[RCX], regs[RDX], mem))
    }

    fn try_vp_create(
        &mut self,
        sys: &Sys,
        tdvpr: u64,
        tdr: u64,
        mem: &mut dyn PhysMem,
    ) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RDX)?;
        check_td_state(self.td_at(i)?, Leaf::VpCreate)?;
        explicit_4k(sys, mem, tdvpr, OPERAND_ID_RCX, PageType::Nda)?;
        let slot = self.vcpus.iter().position(Option::is_none).ok_or(None)?;
        sys.pamt_set(mem, tdvpr, PamtEntry::new(PageType::Tdvpr, tdr))
            .ok_or(None)?;
        self.vcpus[slot] = Some(Vcpu::new(tdvpr, tdr, 0));
        self.td_at(i)?.chldcnt += 1;
        Ok(code::SUCCESS)
    }

    /// TDH.VP.ADDCX.
    pub(crate) fn vp_addcx(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &mut dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_vp_addcx(sys, regs[RCX], regs[RDX], mem))
    }

    fn try_vp_addcx(
        &mut self,
        sys: &Sys,
        page: u64,
        tdvpr: u64,
        mem: &mut dyn PhysMem,
    ) -> Result<u64, Stop> {
        let (v, t) = self.explicit_tdvpr(sys, mem, tdvpr, OPERAND_ID_RDX)?;
        check_td_state(self.td_at(t)?, Leaf::VpAddcx)?;
        let vcpu = self.vcpu_at(v)?;
        if vcpu.state != VcpuState::Uninitialized {
            return Err(Some(code::VCPU_STATE_INCORRECT));
        }
        let n = vcpu.num_tdvps;
        if n >= MAX_TDVPS_PAGES {
            return Err(Some(code::TDCX_NUM_INCORRECT));
        }
        explicit_4k(sys, mem, page, OPERAND_ID_RCX, PageType::Nda)?;
        if n as usize > MAX_TDVPX {
            return Err(None);
        }
        let tdr = vcpu.tdr;
        sys.pamt_set(mem, page, PamtEntry::new(PageType::Tdcx, tdr))
            .ok_or(None)?;
        let vcpu = self.vcpu_at(v)?;
        vcpu.tdvpx[n as usize - 1] = page;
        vcpu.num_tdvps += 1;
        self.td_at(t)?.chldcnt += 1;
        Ok(code::SUCCESS)
    }

    /// TDH.VP.INIT on `lp`.
    pub(crate) fn vp_init(
        &mut self,
        sys: &Sys,
        lp: Lp,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_vp_init(sys, lp, regs, mem))
    }

    fn try_vp_init(
        &mut self,
        sys: &Sys,
        lp: Lp,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Result<u64, Stop> {
        let version = RaxFields::split(regs[0]).version;
        if version > 1 {
            return Err(Some(code::OPERAND_INVALID | OPERAND_ID_RAX as u64));
        }
        let (v, t) = self.explicit_tdvpr(sys, mem, regs[RCX], OPERAND_ID_RCX)?;
        check_td_state(self.td_at(t)?, Leaf::VpInit)?;
        let vcpu = self.vcpu_at(v)?;
        if (vcpu.num_tdvps as usize) < MIN_TDVPS_PAGES {
            return Err(Some(code::TDCX_NUM_INCORRECT));
        }
        if vcpu.state != VcpuState::Uninitialized {
            return Err(Some(code::VCPU_STATE_INCORRECT));
        }
        let td = self.td_at(t)?;
        let index = td.num_vcpus;
        if index >= td.config.max_vcpus {
            return Err(Some(code::MAX_VCPUS_EXCEEDED));
        }
        td.num_vcpus += 1;
        td.num_assoc_vcpus += 1;
        let vcpu = self.vcpu_at(v)?;
        vcpu.index = index;
        vcpu.initial_rcx = regs[RDX];
        vcpu.x2apic_id = if version == 1 { regs[R8] as u32 } else { index };
        vcpu.state = VcpuState::Ready;
        vcpu.assoc = Some(lp.id);
        Ok(code::SUCCESS)
    }

    /// TDH.VP.FLUSH on `lp`.
    pub(crate) fn vp_flush(
        &mut self,
        sys: &Sys,
        lp: Lp,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_vp_flush(sys, lp, regs[RCX], mem))
    }

    fn try_vp_flush(
        &mut self,
        sys: &Sys,
        lp: Lp,
        tdvpr: u64,
        mem: &dyn PhysMem,
    ) -> Result<u64, Stop> {
        let (v, t) = self.explicit_tdvpr(sys, mem, tdvpr, OPERAND_ID_RCX)?;
        if self.td_at(t)?.lifecycle != Lifecycle::KeysConfigured {
            return Err(Some(code::TD_KEYS_NOT_CONFIGURED));
        }
        let vcpu = self.vcpu_at(v)?;
        if (vcpu.num_tdvps as usize) < MIN_TDVPS_PAGES {
            return Err(Some(code::TDCX_NUM_INCORRECT));
        }
        if vcpu.assoc != Some(lp.id) {
            return Err(Some(code::VCPU_NOT_ASSOCIATED));
        }
        vcpu.assoc = None;
        self.td_at(t)?.num_assoc_vcpus -= 1;
        Ok(code::SUCCESS)
    }
}
