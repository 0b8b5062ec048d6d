// SPDX-License-Identifier: GPL-2.0

//! TDH.MEM.PAGE.REMOVE (`tdh_mem_page_remove()`): a private page leaves
//! the TD and goes back to the host.
//!
//! RCX: the level (0 to 2) and GPA; RDX: the TDR. Checks in Intel's order:
//! the TDR and the TD (`mem.rs`); the page info and GPA (operand RCX); the
//! walk to the level (TDX_EPT_WALK_FAILED(RCX)); the entry a leaf in MAPPED,
//! BLOCKED, PENDING or PENDING_BLOCKED (TDX_EPT_ENTRY_STATE_INCORRECT(RCX));
//! then, once the TD is RUNNABLE (a guest may hold a translation), the TLB
//! tracking rule: the entry blocked (TDX_GPA_RANGE_NOT_BLOCKED(RCX)) and a
//! TDH.MEM.TRACK done since (TDX_TLB_TRACKING_NOT_DONE(RCX), no entry
//! details). Before finalization a mapped page may go unblocked, as in
//! Intel's module. A failure on the entry puts its architectural view in
//! RCX and `state << 8 | level` in RDX. Pages above 4 KiB cannot be mapped
//! in the model; removing one at level 1 or 2 walks and then is declined.
//!
//! On success the entry is FREE, the TD's child count drops, the page's
//! PAMT entry is PT_NDA again and RCX is the page's address.
//!
//! Pure `core`.

use super::super::pamt::read_entry;
use super::super::pamt::PageType;
use super::super::sept::{State, FREE};
use super::super::sept_walk::{self, LVL_PT};
use super::super::sys::Sys;
use super::super::tdmr_info::PageSize;
use super::super::{Gprs, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::{OpState, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::PhysMem;

impl Tds {
    /// TDH.MEM.PAGE.REMOVE; `None`: declined.
    pub(crate) fn mem_page_remove(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let (info_raw, tdr) = (regs[RCX], regs[RDX]);
        no_extended_error(regs);
        let entry = self.mem_entry(
            sys,
            mem,
            regs,
            (tdr, info_raw),
            (LVL_PT, 2),
            Leaf::MemPageRemove,
        );
        let (td, info, w) = match entry {
            Ok(found) => found,
            Err(status) => return status,
        };
        let state = State::of(w.entry)?;
        if !state.is_leaf() {
            return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, info.level);
        }
        if info.level != LVL_PT {
            return None;
        }
        let page = sept_walk::leaf_hpa(w.entry, info.gpa, LVL_PT);
        let mut e = read_entry(mem, sys.pamt_entry_at(page, PageSize::Size4K)?)?;
        if state.needs_tracking() && td.op_state == OpState::Runnable {
            if !state.is_blocked() {
                return septe_error(regs, code::GPA_RANGE_NOT_BLOCKED, w.entry, info.level);
            }
            if !td.mem.is_tracked(e.bepoch) {
                return Some(code::TLB_TRACKING_NOT_DONE | OPERAND_ID_RCX as u64);
            }
        }
        sept_walk::write(mem, w.at, FREE)?;
        td.chldcnt -= 1;
        e.pt = PageType::Nda as u8;
        sys.pamt_set(mem, page, e)?;
        regs[RCX] = page;
        Some(code::SUCCESS)
    }
}
