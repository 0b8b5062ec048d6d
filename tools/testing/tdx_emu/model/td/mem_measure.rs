// SPDX-License-Identifier: GPL-2.0

//! TDH.MR.EXTEND and TDH.MR.FINALIZE (`tdh_mr_extend()`,
//! `tdh_mr_finalize()`): the TD's build-time measurement, MRTD.
//!
//! TDH.MR.EXTEND: RCX a GPA, RDX the TDR. Checks in Intel's order: the TDR
//! and the TD (`mem.rs`; op state INITIALIZED only); the GPA 256-byte
//! aligned (TDX_OPERAND_INVALID(RCX)), private (the same); the walk to the
//! leaf that maps it, which must be present
//! (TDX_EPT_ENTRY_NOT_PRESENT(RCX), with the entry's architectural view in
//! RCX and `state << 8 | level` in RDX) and MAPPED
//! (TDX_EPT_ENTRY_NOT_PRESENT, no operand, no details). MRTD then takes the
//! MR.EXTEND record of the GPA and the 256 bytes of the TD's page there.
//!
//! TDH.MR.FINALIZE: RCX the TDR (operand RCX); the TD checked as for every
//! memory leaf (op state INITIALIZED); at least one vCPU (TDX_NO_VCPUS).
//! MRTD is final and the TD RUNNABLE: its vCPUs may enter, and TDH.MEM.PAGE.ADD
//! and TDH.MR.EXTEND are refused from now on.
//!
//! Pure `core`.

use super::super::keyids::is_aligned;
use super::super::sept::{State, RWX};
use super::super::sept_walk::{self, LVL_PT};
use super::super::sys::Sys;
use super::super::{Gprs, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::{OpState, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX, OPERAND_ID_RDX};
use crate::platform::PhysMem;

impl Tds {
    /// TDH.MR.EXTEND; `None`: declined.
    pub(crate) fn mr_extend(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let (gpa, tdr) = (regs[RCX], regs[RDX]);
        no_extended_error(regs);
        let td = match self.mem_td(sys, mem, tdr, OPERAND_ID_RDX, Leaf::MrExtend) {
            Ok(td) => td,
            Err(status) => return status,
        };
        if !is_aligned(gpa, 256) || !sept_walk::is_private_gpa(gpa) {
            return Some(code::OPERAND_INVALID | OPERAND_ID_RCX as u64);
        }
        let w = sept_walk::walk(mem, td.sept_root(), gpa, LVL_PT)?;
        let state = State::of(w.entry)?;
        if !state.is_leaf() || w.entry & RWX == 0 {
            return septe_error(regs, code::EPT_ENTRY_NOT_PRESENT, w.entry, w.level);
        }
        if state != State::Mapped {
            return Some(code::EPT_ENTRY_NOT_PRESENT);
        }
        let mut chunk = [0u8; 256];
        if !mem.read(sept_walk::leaf_hpa(w.entry, gpa, w.level), &mut chunk) {
            return None;
        }
        td.mem.mr.extend(gpa, &chunk);
        Some(code::SUCCESS)
    }

    /// TDH.MR.FINALIZE; `None`: declined.
    pub(crate) fn mr_finalize(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let td = match self.mem_td(sys, mem, regs[RCX], OPERAND_ID_RCX, Leaf::MrFinalize) {
            Ok(td) => td,
            Err(status) => return status,
        };
        if td.num_vcpus == 0 {
            return Some(code::NO_VCPUS);
        }
        td.mem.mrtd = Some(td.mem.mr.finalize());
        td.op_state = OpState::Runnable;
        Some(code::SUCCESS)
    }
}
