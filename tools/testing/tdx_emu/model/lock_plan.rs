// SPDX-License-Identifier: GPL-2.0

//! Which locks each leaf tries, in which order and how, and what a leaf
//! writes before it can fail: from Intel's TDX module source (the 1.5
//! handlers in `src/vmm_dispatcher/api_calls/`).
//!
//! | leaf | lock, mode | failed try |
//! |---|---|---|
//! | TDH.SYS.INIT, .CONFIG, .KEY.CONFIG | global, exclusive | `TDX_SYS_BUSY` |
//! | TDH.SYS.LP.INIT | global, shared | `TDX_SYS_BUSY` |
//! | TDH.SYS.RD, .RDALL | none | - |
//! | TDH.SYS.TDMR.INIT | the TDMR's mutex | `TDX_OPERAND_BUSY` RCX |
//! | TDH.MNG.CREATE, .INIT, .KEY.CONFIG, .VPFLUSHDONE, .KEY.FREEID, TDH.MR.FINALIZE | TDR (RCX), exclusive | `TDX_OPERAND_BUSY` RCX |
//! | TDH.MNG.RD, TDH.MEM.TRACK | TDR (RCX), shared | `TDX_OPERAND_BUSY` RCX |
//! | TDH.MNG.ADDCX, TDH.MEM.PAGE.ADD, TDH.MR.EXTEND | TDR (RDX), exclusive | `TDX_OPERAND_BUSY` RDX |
//! | TDH.MEM.SEPT.ADD, .PAGE.AUG, .RANGE.BLOCK, .PAGE.REMOVE, TDH.VP.CREATE | TDR (RDX), shared | `TDX_OPERAND_BUSY` RDX |
//! | TDH.VP.INIT, .FLUSH | TDVPR (RCX), exclusive | `TDX_OPERAND_BUSY` RCX |
//! | TDH.VP.RD, .WR | TDVPR (RCX), shared | `TDX_OPERAND_BUSY` RCX |
//! | TDH.VP.ADDCX | TDVPR (RDX), exclusive | `TDX_OPERAND_BUSY` RDX |
//!
//! A page lock is a PAMT entry lock, tried after the address checks:
//! only for a 4 KiB aligned address with KeyID 0 inside a configured TDMR
//! (otherwise the leaf fails those checks first, with no lock). Only the
//! first lock of a TD leaf is modeled; the implicit TDR lock of the vCPU
//! leaves, the TDCS, SEPT entry and KET locks (PCONFIG's
//! `TDX_OPERAND_BUSY` on the key table) are not, nor TDH.VP.ENTER's and the
//! TDH.PHYMEM leaves' locks: those calls never see a busy status here.
//! `TDX_KEY_GENERATION_FAILED` is PCONFIG running out of entropy, which
//! no lock explains: it stays an injected status only.
//!
//! Pure `core`.

use super::locks::{Lock, Mode, Want, MAX_WANTS};
use super::sys::Sys;
use super::{Gprs, R10, R8, R9, RCX, RDX};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX, OPERAND_ID_RDX};

const PAGE: u64 = 4096;

/// The locks `leaf` tries, in order, for the call in `regs`; unused slots
/// are `None`.
pub(crate) fn wants(sys: &Sys, leaf: Leaf, regs: &Gprs) -> [Option<Want>; MAX_WANTS] {
    let global = |mode| Want {
        lock: Lock::Global,
        mode,
        busy: code::SYS_BUSY,
    };
    let page = |reg: usize, id: u32, mode| {
        let pa = regs[reg];
        let covered = pa % PAGE == 0
            && sys.keys.is_plain_pa(pa)
            && sys
                .tdmrs()
                .iter()
                .any(|t| t.base <= pa && pa - t.base < t.size);
        covered.then_some(Want {
            lock: Lock::Page(pa),
            mode,
            busy: code::OPERAND_BUSY | u64::from(id),
        })
    };
    let (ex, sh) = (Mode::Exclusive, Mode::Shared);
    let first = match leaf {
        Leaf::SysInit | Leaf::SysConfig | Leaf::SysKeyConfig => Some(global(ex)),
        Leaf::SysLpInit => Some(global(sh)),
        Leaf::SysTdmrInit => {
            let base = regs[RCX];
            let known = sys.keys.is_plain_pa(base) && sys.tdmrs().iter().any(|t| t.base == base);
            known.then_some(Want {
                lock: Lock::Tdmr(base),
                mode: ex,
                busy: code::OPERAND_BUSY | u64::from(OPERAND_ID_RCX),
            })
        }
        Leaf::MngCreate
        | Leaf::MngInit
        | Leaf::MngKeyConfig
        | Leaf::MngVpflushdone
        | Leaf::MngKeyFreeid
        | Leaf::MrFinalize
        | Leaf::VpInit
        | Leaf::VpFlush => page(RCX, OPERAND_ID_RCX, ex),
        Leaf::MngRd | Leaf::MemTrack | Leaf::VpRd | Leaf::VpWr => page(RCX, OPERAND_ID_RCX, sh),
        Leaf::MngAddcx | Leaf::MemPageAdd | Leaf::MrExtend | Leaf::VpAddcx => {
            page(RDX, OPERAND_ID_RDX, ex)
        }
        Leaf::MemSeptAdd
        | Leaf::MemPageAug
        | Leaf::MemRangeBlock
        | Leaf::MemPageRemove
        | Leaf::VpCreate => page(RDX, OPERAND_ID_RDX, sh),
        _ => None,
    };
    [first, None]
}

/// Writes what `leaf`'s handler writes on entry, before any check can fail
/// (for a busy or an injected status; a leaf that runs writes them itself).
pub(crate) fn failure_outputs(leaf: Leaf, regs: &mut Gprs) {
    let zero: &[usize] = match leaf {
        Leaf::SysInit => &[RCX, RDX, R8, R9, R10],
        Leaf::SysLpInit => &[RCX, RDX, R8],
        Leaf::SysTdmrInit => &[RDX],
        Leaf::MngInit => &[RCX],
        Leaf::MemSeptAdd
        | Leaf::MemPageAug
        | Leaf::MemRangeBlock
        | Leaf::MemPageRemove
        | Leaf::MrExtend => &[RCX, RDX],
        Leaf::SysRd => {
            regs[RDX] = u64::MAX;
            &[R8]
        }
        Leaf::SysRdall => {
            regs[R8] = u64::MAX;
            &[]
        }
        _ => &[],
    };
    for &r in zero {
        regs[r] = 0;
    }
}
