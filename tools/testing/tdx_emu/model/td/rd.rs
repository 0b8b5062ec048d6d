// SPDX-License-Identifier: GPL-2.0

//! TD and vCPU metadata in the emulated module: TDH.MNG.RD, TDH.VP.RD and
//! TDH.VP.WR (`tdh_mng_rd_wr.c`, `tdh_vp_rd_wr.c`).
//!
//! TDH.MNG.RD (RCX = TDR, RDX = field ID): R8 = 0 first (version 1 also sets
//! RDX to -1); versions above 1: operand RAX. A PT_TDR page (operand RCX),
//! the TD built and past TDH.MNG.INIT (`check_state_map_tdcs_and_lock()`),
//! the field ID a single element (`TDX_METADATA_FIELD_ID_INCORRECT`); then
//! R8 = the value. Modeled fields: ATTRIBUTES, XFAM and the six elements of
//! MRTD (zero until TDH.MR.FINALIZE stores the measurement). Any other field,
//! and version 1's next-field walk, are declined.
//!
//! TDH.VP.RD / TDH.VP.WR (RCX = TDVPR, RDX = field ID; WR: R8 value, R9
//! mask): R8 = 0 first for a read. A PT_TDVPR page (operand RCX), its TD
//! built and past TDH.MNG.INIT. No TDVPS field is modeled: past these
//! checks both are declined.
//!
//! Pure `core`.

use super::super::sys::Sys;
use super::super::{Gprs, R8, RCX, RDX};
use super::{check_td_state, finish, Stop, Tds};
use crate::abi::leaf::{Leaf, RaxFields};
use crate::abi::metadata::{self as md, CONTEXT_MASK, FIELD_ID_NA, RESERVED_MASK};
use crate::abi::status::{code, OPERAND_ID_RAX, OPERAND_ID_RCX};
use crate::platform::PhysMem;

/// TD-scope field IDs (`tdr_tdcs_fields_lookup.h`).
pub(crate) const TD_ATTRIBUTES: u64 = 0x1110_0003_0000_0000;
pub(crate) const TD_XFAM: u64 = 0x1110_0003_0000_0001;
/// MRTD: six 8-byte elements, field codes 0..=5.
pub(crate) const TD_MRTD: u64 = 0x1310_0003_0000_0000;

/// `md_check_as_single_element_id()`.
fn is_single_element(id: u64) -> bool {
    id & RESERVED_MASK == 0
        && md::last_element_in_field(id) == 0
        && md::last_field_in_sequence(id) == 0
}

impl Tds {
    /// TDH.MNG.RD.
    pub(crate) fn mng_rd(&mut self, sys: &Sys, regs: &mut Gprs, mem: &dyn PhysMem) -> Option<u64> {
        let version = RaxFields::split(regs[0]).version;
        if version > 0 {
            regs[RDX] = FIELD_ID_NA;
        }
        regs[R8] = 0;
        if version > 1 {
            return Some(code::OPERAND_INVALID | OPERAND_ID_RAX as u64);
        }
        let id = regs[RDX];
        let r = self.try_mng_rd(sys, regs[RCX], id, version, mem);
        match r {
            Ok(value) => {
                regs[R8] = value;
                Some(code::SUCCESS)
            }
            Err(stop) => stop,
        }
    }

    fn try_mng_rd(
        &mut self,
        sys: &Sys,
        tdr: u64,
        id: u64,
        version: u8,
        mem: &dyn PhysMem,
    ) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RCX)?;
        let td = self.td_at(i)?;
        check_td_state(td, Leaf::MngRd)?;
        if version > 0 {
            return Err(None);
        }
        // The context is taken as the TD's whatever the caller wrote.
        let id = id & !CONTEXT_MASK | 1 << md::CONTEXT_SHIFT;
        if !is_single_element(id) {
            return Err(Some(code::METADATA_FIELD_ID_INCORRECT));
        }
        let class_and_code = id & !(0x3 << md::ELEMENT_SIZE_SHIFT);
        let base = |f: u64| f & !(0x3 << md::ELEMENT_SIZE_SHIFT);
        if class_and_code == base(TD_ATTRIBUTES) {
            return Ok(td.config.attributes);
        }
        if class_and_code == base(TD_XFAM) {
            return Ok(td.config.xfam);
        }
        let mrtd = md::field_code(id).wrapping_sub(md::field_code(TD_MRTD)) as usize;
        if md::class_code(id) == md::class_code(TD_MRTD) && mrtd < 6 {
            let mut w = [0u8; 8];
            if let Some(m) = td.mem.mrtd() {
                w.copy_from_slice(&m[8 * mrtd..8 * mrtd + 8]);
            }
            return Ok(u64::from_le_bytes(w));
        }
        Err(None)
    }

    /// TDH.VP.RD (`write` false) and TDH.VP.WR.
    pub(crate) fn vp_rdwr(
        &mut self,
        sys: &Sys,
        regs: &mut Gprs,
        mem: &dyn PhysMem,
        write: bool,
    ) -> Option<u64> {
        if !write {
            regs[R8] = 0;
        }
        let leaf = if write { Leaf::VpWr } else { Leaf::VpRd };
        finish(self.try_vp_rdwr(sys, regs[RCX], mem, leaf))
    }

    fn try_vp_rdwr(
        &mut self,
        sys: &Sys,
        tdvpr: u64,
        mem: &dyn PhysMem,
        leaf: Leaf,
    ) -> Result<u64, Stop> {
        let (_, t) = self.explicit_tdvpr(sys, mem, tdvpr, OPERAND_ID_RCX)?;
        check_td_state(self.td_at(t)?, leaf)?;
        Err(None)
    }
}
