// SPDX-License-Identifier: GPL-2.0

//! TDH.MEM.SEPT.ADD (`tdh_mem_sept_add()`): a host page becomes the Secure
//! EPT page under the entry of level `level` (1 to 3) for a GPA.
//!
//! RCX: the level and GPA (`page_info_api_input_t`); RDX: the TDR with bit 0
//! ALLOW_EXISTING (bits 11:1 and 63:52 reserved); R8: the new page (bit 63
//! ignored). Checks in Intel's order: the leaf version (0 only: version 1's
//! L2 SEPT pages and NULL R8 are not modeled and declined; 2 and up is
//! TDX_OPERAND_INVALID(RAX)); RDX's reserved bits (operand RDX); the TDR and
//! the TD (`mem.rs`); the page info and GPA (operand RCX); the walk to
//! `level` (TDX_EPT_WALK_FAILED(RCX)); the entry FREE or NL_MAPPED
//! (TDX_EPT_ENTRY_STATE_INCORRECT(RCX)); a FREE entry takes R8, checked as a
//! free 4 KiB page (operand R8); an NL_MAPPED one succeeds without change
//! with ALLOW_EXISTING, else fails as above. A failure on the entry puts its
//! architectural view in RCX and `state << 8 | level` in RDX.
//!
//! On success the page is filled with FREE entries, its PAMT entry becomes
//! PT_EPT owned by the TD, the TD's child count grows, and the entry points
//! at it (NL_MAPPED).
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept::{non_leaf, State};
use super::super::sept_walk::{self, LVL_PD, LVL_PML4};
use super::super::sys::Sys;
use super::super::{Gprs, R8, RCX, RDX};
use super::mem::{no_extended_error, septe_error};
use super::{explicit_4k, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_R8, OPERAND_ID_RAX, OPERAND_ID_RDX};
use crate::platform::PhysMem;

/// RDX: ALLOW_EXISTING, and the bits that must be 0.
const ALLOW_EXISTING: u64 = 1;
const RDX_RESERVED: u64 = 0xffe | 0xfff << 52;

impl Tds {
    /// TDH.MEM.SEPT.ADD at leaf version `version`; `None`: declined.
    pub(crate) fn mem_sept_add(
        &mut self,
        sys: &Sys,
        mem: &mut dyn PhysMem,
        regs: &mut Gprs,
        version: u8,
    ) -> Option<u64> {
        let (info_raw, rdx, new) = (regs[RCX], regs[RDX], regs[R8]);
        no_extended_error(regs);
        match version {
            0 => {}
            1 => return None,
            _ => return Some(code::OPERAND_INVALID | OPERAND_ID_RAX as u64),
        }
        let new = if new != 0 { new & !(1 << 63) } else { 0 };
        if rdx & RDX_RESERVED != 0 {
            return Some(code::OPERAND_INVALID | OPERAND_ID_RDX as u64);
        }
        let tdr = rdx & !0xfff;
        let entry = self.mem_entry(
            sys,
            mem,
            regs,
            (tdr, info_raw),
            (LVL_PD, LVL_PML4),
            Leaf::MemSeptAdd,
        );
        let (td, _, w) = match entry {
            Ok(found) => found,
            Err(status) => return status,
        };
        let state = State::of(w.entry)?;
        let existing = state == State::NlMapped;
        if !(state == State::Free || existing) {
            return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, w.level);
        }
        if new == 0 {
            return Some(code::OPERAND_INVALID | OPERAND_ID_R8 as u64);
        }
        if existing {
            if rdx & ALLOW_EXISTING != 0 {
                return Some(code::SUCCESS);
            }
            return septe_error(regs, code::EPT_ENTRY_STATE_INCORRECT, w.entry, w.level);
        }
        if let Err(stop) = explicit_4k(sys, mem, new, OPERAND_ID_R8, PageType::Nda) {
            return stop;
        }
        sept_walk::init_page(mem, new)?;
        sys.pamt_set(mem, new, PamtEntry::new(PageType::Ept, tdr))?;
        sept_walk::write(mem, w.at, non_leaf(new))?;
        td.chldcnt += 1;
        Some(code::SUCCESS)
    }
}
