// SPDX-License-Identifier: GPL-2.0

//! TDH.MEM.PAGE.ADD (`tdh_mem_page_add()`): while the TD is being built (op
//! state INITIALIZED), a host page becomes a private 4 KiB page of the TD
//! at a GPA, with the content of a source page, and the GPA is measured.
//!
//! RCX: level 0 and the GPA; RDX: the TDR; R8: the target page; R9: the
//! source page. Checks in Intel's order: the TDR and the TD (`mem.rs`; after
//! TDH.MR.FINALIZE: TDX_OP_STATE_INCORRECT); the page info and GPA (operand
//! RCX); the walk to level 0 (TDX_EPT_WALK_FAILED(RCX)); the entry FREE
//! (TDX_EPT_ENTRY_STATE_INCORRECT(RCX)); the source 4 KiB aligned, below
//! MAXPA, with a shared KeyID (operand R9); the target a free 4 KiB page
//! (operand R8). A failure on the entry puts its architectural view in RCX
//! and `state << 8 | level` in RDX.
//!
//! On success the source's 4 KiB are copied into the target, the entry maps
//! it (MAPPED, RWX), MRTD takes the PAGE.ADD record of the GPA, the TD's
//! child count grows, and the target's PAMT entry becomes PT_REG owned by
//! the TD.
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept::{leaf, State, RWX};
use super::super::sept_walk::{self, LVL_PT};
use super::super::sys::Sys;
use super::super::{Gprs, R8, R9, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::{explicit_4k, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_R8, OPERAND_ID_R9};
use crate::platform::PhysMem;

impl Tds {
    /// TDH.MEM.PAGE.ADD; `None`: declined.
    pub(crate) fn mem_page_add(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
    ) -> Option<u64> {
        let (info_raw, tdr, target, source) = (regs[RCX], regs[RDX], regs[R8], regs[R9]);
        no_extended_error(regs);
        let entry = self.mem_entry(
            sys,
            mem,
            regs,
            (tdr, info_raw),
            (LVL_PT, LVL_PT),
            Leaf::MemPageAdd,
        );
        let (td, info, w) = match entry {
            Ok(found) => found,
            Err(status) => return status,
        };
        if State::of(w.entry)? != State::Free {
            return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, w.level);
        }
        if !sys.keys.is_shared_hpa(source, 4096) {
            return Some(code::OPERAND_INVALID | OPERAND_ID_R9 as u64);
        }
        if let Err(stop) = explicit_4k(sys, mem, target, OPERAND_ID_R8, PageType::Nda) {
            return stop;
        }
        // 256 bytes at a time (the model runs on the trap's stack). A read
        // or write that fails declines; the target is still the host's then.
        let mut chunk = [0u8; 256];
        for off in (0..4096).step_by(chunk.len()) {
            if !mem.read(source + off, &mut chunk) || !mem.write(target + off, &chunk) {
                return None;
            }
        }
        sept_walk::write(mem, w.at, leaf(target, State::Mapped, RWX))?;
        td.mem.mr.page_add(info.gpa);
        td.chldcnt += 1;
        sys.pamt_set(mem, target, PamtEntry::new(PageType::Reg, tdr))?;
        Some(code::SUCCESS)
    }
}
