// SPDX-License-Identifier: GPL-2.0

//! TDH.MNG.CREATE and TDH.MNG.KEY.CONFIG in the emulated module
//! (`tdh_mng_create.c`, `tdh_mng_key_config.c`).
//!
//! TDH.MNG.CREATE: RCX = the TDR page, RDX = the HKID (bits 15:0; the rest
//! reserved). Checks, in Intel's order: the HKID is a TDX private KeyID with
//! RDX's reserved bits 0 (operand RDX); the TDR is a PT_NDA 4 KiB page of a
//! TDMR (operand RCX); the HKID's KOT entry is free (`TDX_HKID_NOT_FREE`).
//! Then the KOT entry is ASSIGNED, the TD is HKID_ASSIGNED and the page is
//! PT_TDR with no owner. Declined: an HKID without a KOT entry in the model
//! (at or above [`MAX_KOT`]), or no free TD slot (the model holds
//! [`super::MAX_TDS`]).
//!
//! TDH.MNG.KEY.CONFIG: RCX = the TDR. A PT_TDR page (operand RCX); the TD not
//! fatal (`TDX_TD_FATAL`), HKID_ASSIGNED (`TDX_LIFECYCLE_STATE_INCORRECT`),
//! not yet configured on this LP's package (`TDX_KEY_CONFIGURED`). Once every
//! package TDH.SYS.KEY.CONFIG configured has the key, the TD is
//! KEYS_CONFIGURED. Programming the key never fails in the model.
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sys::Sys;
use super::super::{Gprs, RCX, RDX};
use super::{explicit_4k, finish, KotState, Lifecycle, Stop, Td, Tds, MAX_KOT};
use crate::abi::status::{code, OPERAND_ID_RCX, OPERAND_ID_RDX};
use crate::platform::{Lp, PhysMem};

impl Tds {
    /// TDH.MNG.CREATE.
    pub(crate) fn mng_create(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &mut dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_mng_create(sys, regs[RCX], regs[RDX], mem))
    }

    fn try_mng_create(
        &mut self,
        sys: &Sys,
        tdr: u64,
        hkid_info: u64,
        mem: &mut dyn PhysMem,
    ) -> Result<u64, Stop> {
        let hkid = hkid_info & 0xffff;
        if hkid_info >> 16 != 0 || !sys.keys.is_private(hkid) {
            return Err(Some(code::OPERAND_INVALID | OPERAND_ID_RDX as u64));
        }
        explicit_4k(sys, mem, tdr, OPERAND_ID_RCX, PageType::Nda)?;
        if hkid as usize >= MAX_KOT {
            return Err(None);
        }
        if self.kot[hkid as usize].state != KotState::Free {
            return Err(Some(code::HKID_NOT_FREE));
        }
        let slot = self.tds.iter().position(Option::is_none).ok_or(None)?;
        sys.pamt_set(mem, tdr, PamtEntry::new(PageType::Tdr, 0))
            .ok_or(None)?;
        self.kot[hkid as usize].state = KotState::Assigned;
        self.tds[slot] = Some(Td::new(tdr, hkid as u16));
        Ok(code::SUCCESS)
    }

    /// TDH.MNG.KEY.CONFIG on `lp`.
    pub(crate) fn mng_key_config(
        &mut self,
        sys: &Sys,
        lp: Lp,
        regs: &Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_key_config(sys, lp, regs[RCX], mem))
    }

    fn try_key_config(
        &mut self,
        sys: &Sys,
        lp: Lp,
        tdr: u64,
        mem: &dyn PhysMem,
    ) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RCX)?;
        let td = self.td_at(i)?;
        if td.fatal {
            return Err(Some(code::TD_FATAL));
        }
        if td.lifecycle != Lifecycle::HkidAssigned {
            return Err(Some(code::LIFECYCLE_STATE_INCORRECT));
        }
        let bit = 1u32.checked_shl(lp.package).ok_or(None)?;
        if td.pkg_config & bit != 0 {
            return Err(Some(code::KEY_CONFIGURED));
        }
        td.pkg_config |= bit;
        if td.pkg_config == sys.pkg_configured {
            td.lifecycle = Lifecycle::KeysConfigured;
        }
        Ok(code::SUCCESS)
    }
}
