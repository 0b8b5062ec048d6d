// SPDX-License-Identifier: GPL-2.0

//! TDH.MEM.RANGE.BLOCK and TDH.MEM.TRACK (`tdh_mem_range_block()`,
//! `tdh_mem_track()`): the two steps before a mapped page may leave a
//! running TD.
//!
//! TDH.MEM.RANGE.BLOCK: RCX the level (0 up to the tree's root level) and
//! GPA, RDX the TDR. Checks in Intel's order: the TDR and the TD (`mem.rs`);
//! the page info and GPA (operand RCX); the walk to the level
//! (TDX_EPT_WALK_FAILED(RCX)); the entry NL_MAPPED, MAPPED or PENDING, else
//! TDX_GPA_RANGE_ALREADY_BLOCKED(RCX) for a blocked one and
//! TDX_EPT_ENTRY_STATE_INCORRECT(RCX) for the rest, with the entry's
//! architectural view in RCX and `state << 8 | level` in RDX. The entry
//! becomes NL_BLOCKED, BLOCKED (both with RWX cleared) or PENDING_BLOCKED,
//! and the PAMT entry of the page it maps (of the SEPT page, for a
//! non-leaf) records the TD epoch as BEPOCH.
//!
//! TDH.MEM.TRACK: RCX the TDR (operand RCX), the TD checked as for every
//! memory leaf; then the TD epoch advances (see `mem.rs` for why the
//! previous epoch is never busy in the model).
//!
//! Pure `core`.

use super::super::pamt::read_entry;
use super::super::sept::{with_state, State, HPA_MASK, RWX};
use super::super::sept_walk::{self, LVL_PML4, LVL_PT};
use super::super::sys::Sys;
use super::super::tdmr_info::PageSize;
use super::super::{Gprs, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::Tds;
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::PhysMem;

impl Tds {
    /// TDH.MEM.RANGE.BLOCK; `None`: declined.
    pub(crate) fn mem_range_block(
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
            (LVL_PT, LVL_PML4),
            Leaf::MemRangeBlock,
        );
        let (td, info, w) = match entry {
            Ok(found) => found,
            Err(status) => return status,
        };
        let blocked = match State::of(w.entry)? {
            State::NlMapped => with_state(w.entry, State::NlBlocked) & !RWX,
            State::Mapped => with_state(w.entry, State::Blocked) & !RWX,
            State::Pending => with_state(w.entry, State::PendingBlocked),
            s if s.is_blocked() => {
                return septe_error(regs, code::GPA_RANGE_ALREADY_BLOCKED, w.entry, info.level)
            }
            _ => return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, info.level),
        };
        // A leaf above 4 KiB cannot exist in the model (PAGE.AUG declines
        // it), so the page's PAMT entry is always a 4 KiB one.
        let page = w.entry & HPA_MASK;
        let mut e = read_entry(mem, sys.pamt_entry_at(page, PageSize::Size4K)?)?;
        e.bepoch = td.mem.epoch;
        sept_walk::write(mem, w.at, blocked)?;
        sys.pamt_set(mem, page, e)?;
        Some(code::SUCCESS)
    }

    /// TDH.MEM.TRACK; `None`: declined.
    pub(crate) fn mem_track(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let td = match self.mem_td(sys, mem, regs[RCX], OPERAND_ID_RCX, Leaf::MemTrack) {
            Ok(td) => td,
            Err(status) => return status,
        };
        td.mem.epoch += 1;
        Some(code::SUCCESS)
    }
}
