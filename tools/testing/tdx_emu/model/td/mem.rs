// SPDX-License-Identifier: GPL-2.0

//! A TD's memory: what the memory leaves (TDH.MEM.*, TDH.MR.*) keep per TD
//! (the TD epoch, the measurement), and the checks every one of them starts
//! with. The leaves are `impl Tds` blocks in `mem_*.rs`, one concern each;
//! the Secure EPT they work on is `sept.rs` and `sept_walk.rs`.
//!
//! Every memory leaf begins as Intel's does: RCX and RDX are zeroed (no
//! extended error), the TDR operand is checked as a PT_TDR page
//! (`check_lock_and_map_explicit_tdr()`), then the TD's build state
//! (`check_td_in_correct_build_state()`) and whether its op state allows the
//! leaf (`seamcall_state_lookup`, `auto_gen/op_state_lookup.c`).
//!
//! The Secure EPT root is the TDCS page at `SEPT_ROOT_TDCX_INDEX`, which
//! TDH.MNG.ADDCX filled with FREE entries ([`sept_walk::init_page`]). A TD
//! whose EPTP asks for 5 levels, or whose GPA width is 52, is declined: only
//! 4-level Secure EPT with GPAW 48 is modeled.
//!
//! TLB tracking: the model runs one SEAMCALL at a time and TDH.VP.ENTER runs
//! the guest to its TD exit within the call, so between two SEAMCALLs no
//! vCPU is inside the TD and both of Intel's epoch reference counts are 0.
//! Hence TDH.MEM.TRACK never meets TDX_PREVIOUS_TLB_EPOCH_BUSY, and a page
//! blocked in epoch `b` counts as tracked once the TD epoch passed `b`
//! (`is_tlb_tracked()`).
//!
//! Pure `core`.

use super::super::measure::Mrtd;
use super::super::sept_walk::{self, PageInfo, Walk, LVL_PML4};
use super::super::sys::Sys;
use super::super::{Gprs, RCX, RDX};
use super::{check_td_state, Td, Tds};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX, OPERAND_ID_RDX};
use crate::platform::PhysMem;

/// Bytes of a SHA-384 digest (MRTD).
pub(crate) const MRTD_BYTES: usize = 48;

/// Per-TD memory state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TdMem {
    /// The Secure EPT root: the TDCS page at `SEPT_ROOT_TDCX_INDEX`, set by
    /// TDH.MNG.ADDCX, which fills it with FREE entries; 0 before.
    pub(crate) sept_root: u64,
    /// The TD's TLB epoch (`TD_EPOCH`), 1 after TDH.MNG.INIT, advanced by
    /// TDH.MEM.TRACK.
    pub(crate) epoch: u64,
    /// The measurement being built (`td_sha_ctx`).
    pub(crate) mr: Mrtd,
    /// MRTD once TDH.MR.FINALIZE ran.
    pub(crate) mrtd: Option<[u8; MRTD_BYTES]>,
}

impl TdMem {
    /// A TD's memory state at TDH.MNG.CREATE.
    pub(crate) const fn new() -> Self {
        Self {
            sept_root: 0,
            epoch: 1,
            mr: Mrtd::new(),
            mrtd: None,
        }
    }

    /// MRTD, once the TD's measurement is finalized.
    pub(crate) const fn mrtd(&self) -> Option<&[u8; MRTD_BYTES]> {
        self.mrtd.as_ref()
    }

    /// `is_tlb_tracked()` with both reference counts 0 (see the module
    /// doc): a TDH.MEM.TRACK ran since the page was blocked in `bepoch`.
    pub(crate) const fn is_tracked(&self, bepoch: u64) -> bool {
        bepoch < self.epoch
    }
}

/// What a leaf's prologue found: the TD (`None` means declined).
pub(crate) type Found<'a> = Result<&'a mut Td, Option<u64>>;

impl Tds {
    /// The prologue of a memory leaf: the TDR at `tdr` (operand `operand`),
    /// its TD built, `leaf` allowed in its op state, its Secure EPT one the
    /// model walks. `Err(Some(status))`: the leaf fails so;
    /// `Err(None)`: declined.
    pub(crate) fn mem_td(
        &mut self,
        sys: &Sys,
        mem: &dyn PhysMem,
        tdr: u64,
        operand: u32,
        leaf: Leaf,
    ) -> Found<'_> {
        let i = self.explicit_tdr(sys, mem, tdr, operand)?;
        let td = self.td_at(i)?;
        check_td_state(td, leaf)?;
        let pwl = (td.config.eptp >> 3 & 7) as u8;
        if pwl > LVL_PML4 || td.config.gpaw == 52 {
            return Err(None);
        }
        Ok(td)
    }

    /// The prologue of a leaf on one Secure EPT entry, in Intel's order:
    /// [`Tds::mem_td`] of the TDR at `tdr` (operand RDX); the page info in
    /// `info_raw`, of a level in `levels` (`min, max`, [`Td::page_info`]);
    /// the walk to that level, which must reach it, else
    /// TDX_EPT_WALK_FAILED(RCX) on the entry where it stopped
    /// ([`septe_error`]). A walk through memory that is not is declined.
    pub(crate) fn mem_entry(
        &mut self,
        sys: &Sys,
        mem: &dyn PhysMem,
        regs: &mut Gprs,
        (tdr, info_raw): (u64, u64),
        levels: (u8, u8),
        leaf: Leaf,
    ) -> Result<(&mut Td, PageInfo, Walk), Option<u64>> {
        let td = self.mem_td(sys, mem, tdr, OPERAND_ID_RDX, leaf)?;
        let info = Td::page_info(info_raw, levels.0, levels.1)?;
        let w = sept_walk::walk(mem, td.sept_root(), info.gpa, info.level).ok_or(None)?;
        if w.level != info.level {
            return Err(septe_error(regs, code::EPT_WALK_FAILED, w.entry, w.level));
        }
        Ok((td, info, w))
    }
}

impl Td {
    /// The Secure EPT root page.
    pub(crate) const fn sept_root(&self) -> u64 {
        self.mem.sept_root
    }

    /// The page-info operand of a leaf (RCX) with levels `min..=max`, then
    /// the private-GPA check: either failure is TDX_OPERAND_INVALID(RCX).
    pub(crate) fn page_info(raw: u64, min: u8, max: u8) -> Result<PageInfo, Option<u64>> {
        let invalid = Some(code::OPERAND_INVALID | OPERAND_ID_RCX as u64);
        let info = PageInfo::decode(raw, min, max).ok_or(invalid)?;
        if !sept_walk::is_private_gpa(info.gpa) {
            return Err(invalid);
        }
        Ok(info)
    }
}

/// Zeroes RCX and RDX, as every memory leaf does before its checks.
pub(crate) fn no_extended_error(regs: &mut Gprs) {
    regs[RCX] = 0;
    regs[RDX] = 0;
}

/// A failure on the SEPT entry `entry` at `level`: RCX and RDX get its
/// architectural view, RAX `status` with operand RCX.
pub(crate) fn septe_error(regs: &mut Gprs, status: u64, entry: u64, level: u8) -> Option<u64> {
    let (rcx, rdx) = super::super::sept::arch_details(entry, level);
    regs[RCX] = rcx;
    regs[RDX] = rdx;
    Some(status | OPERAND_ID_RCX as u64)
}
