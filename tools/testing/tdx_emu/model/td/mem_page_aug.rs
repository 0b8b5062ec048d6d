// SPDX-License-Identifier: GPL-2.0

//! TDH.MEM.PAGE.AUG (`tdh_mem_page_aug()`): a host page joins the TD's
//! private memory at a GPA, PENDING until the guest accepts it with
//! TDG.MEM.PAGE.ACCEPT (`td_guest_mem.rs`). Intel serves it in op states
//! INITIALIZED and RUNNABLE alike.
//!
//! RCX: the level (0 or 1) and the GPA; RDX: the TDR; R8: the page. Checks in
//! Intel's order: the TDR and the TD (`mem.rs`); the page info and GPA
//! (operand RCX); the walk to the level (TDX_EPT_WALK_FAILED(RCX)); the
//! entry FREE or REMOVED (TDX_EPT_ENTRY_STATE_INCORRECT(RCX)); the page free
//! (operand R8). A failure on the entry puts its architectural view in RCX
//! and `state << 8 | level` in RDX. A 2 MiB page (level 1) passes the walk
//! and the entry checks, then is declined: the model keeps 4 KiB pages only.
//!
//! On success the entry maps the page PENDING with no permissions, the TD's
//! child count grows, and the page's PAMT entry becomes PT_REG owned by the
//! TD.
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept::{leaf, State};
use super::super::sept_walk::{self, LVL_PD, LVL_PT};
use super::super::sys::Sys;
use super::super::{Gprs, R8, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::{explicit_4k, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_R8};
use crate::platform::PhysMem;

impl Tds {
    /// TDH.MEM.PAGE.AUG; `None`: declined.
    pub(crate) fn mem_page_aug(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let (info_raw, tdr, page) = (regs[RCX], regs[RDX], regs[R8]);
        no_extended_error(regs);
        let entry = self.mem_entry(
            sys,
            mem,
            regs,
            (tdr, info_raw),
            (LVL_PT, LVL_PD),
            Leaf::MemPageAug,
        );
        let (td, info, w) = match entry {
            Ok(found) => found,
            Err(status) => return status,
        };
        if !matches!(State::of(w.entry)?, State::Free | State::Removed) {
            return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, w.level);
        }
        if info.level != LVL_PT {
            return None;
        }
        if let Err(stop) = explicit_4k(sys, mem, page, OPERAND_ID_R8, PageType::Nda) {
            return stop;
        }
        sept_walk::write(mem, w.at, leaf(page, State::Pending, 0))?;
        td.chldcnt += 1;
        sys.pamt_set(mem, page, PamtEntry::new(PageType::Reg, tdr))?;
        Some(code::SUCCESS)
    }
}
