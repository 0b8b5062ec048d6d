// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL from Rust: the assembly trampolines (`trampolines.S`), the one
//! unsafe function that makes a call through them, and the typed, safe
//! calls of each leaf this module uses: the initialization's (`sys.rs`) and
//! the TD life cycle's (`mng.rs`, `vp.rs`, `mem.rs`, `phymem.rs`).
//!
//! The leaf fixes the trampoline ([`Leaf::regs`]): no caller picks the
//! register set, so no leaf that writes a callee-saved register can go
//! through a trampoline that does not restore it.
//!
//! A leaf that hands a page to the TDX module takes it as a [`PageRef`] and
//! gives back, when the module took it, a [`ModulePage`]; a leaf whose
//! success proves that the module let a page go says so with a
//! [`Released`], which only the wrappers here can make.
//!
//! [`Leaf::regs`]: crate::abi::leaf::Leaf::regs

mod call;
pub(crate) mod mem;
pub(crate) mod mng;
pub(crate) mod phymem;
pub(crate) mod proof;
pub(crate) mod retry;
pub(crate) mod sys;
pub(crate) mod vp;

pub(crate) use call::{seamcall, Args};

use crate::abi::leaf::{Leaf, LeafCall};
use crate::abi::status::{ModuleStatus, SeamcallError};
use crate::glue::page_ref::{ModulePage, PageRef};

/// The result of a SEAMCALL: the completion status or why it failed.
pub(crate) type Status = Result<ModuleStatus, SeamcallError>;

/// The result of a leaf that hands a page over: on success, the reference
/// now held for the module; on failure the module did not take the page
/// (a leaf that fails changes nothing) and the reference was put back.
pub(crate) type Handed = Result<(ModuleStatus, ModulePage), SeamcallError>;

/// RAX as the caller sees it: the status, or the software status of why no
/// SEAMCALL completed.
pub(crate) fn raw(status: &Status) -> u64 {
    match status {
        Ok(s) => s.raw(),
        Err(e) => e.raw(),
    }
}

/// The same for a hand-over.
pub(crate) fn raw_handed(handed: &Handed) -> u64 {
    match handed {
        Ok((s, _)) => s.raw(),
        Err(e) => e.raw(),
    }
}

/// The TDX module's proof that it gave the page at `pa` back: made only
/// here, by the wrappers, when `proof.rs` says their leaf's answer proves
/// it (TDH.PHYMEM.PAGE.RECLAIM of a page other than a TDR,
/// TDH.MEM.PAGE.REMOVE, TDH.PHYMEM.PAGE.WBINVD).
pub(crate) struct Released {
    pa: u64,
}

impl Released {
    pub(crate) fn pa(&self) -> u64 {
        self.pa
    }
}

/// Makes `leaf`, which names `page` in `args` as a page to take, and
/// returns what the module did with it. The page's cache lines are written
/// back first.
fn hand_over(leaf: Leaf, args: &mut Args, page: PageRef) -> Handed {
    page.clflush();
    // SAFETY: the only memory `leaf` takes is `page`, on which `page` holds
    // a reference that stays held for the module once it took the page;
    // any other address in `args` names a page the module already owns,
    // which it checks.
    let status = unsafe { seamcall(LeafCall::new(leaf), args) }?;
    Ok((status, page.hand_over()))
}

/// Makes `leaf`, which hands no memory over and takes none back: it names
/// pages the module owns (it checks them), or reads memory of the caller's
/// during the call.
fn call(leaf: Leaf, args: &mut Args) -> Status {
    // SAFETY: `leaf` hands no page to the module and gives none back (the
    // callers in this folder make only such leaves through here); the
    // memory it may read is the caller's for the call.
    unsafe { seamcall(LeafCall::new(leaf), args) }
}

/// [`call`] of a leaf whose one operand is RCX (the other registers 0).
fn call_rcx(leaf: Leaf, rcx: u64) -> Status {
    call_rcx_rdx(leaf, rcx, 0).0
}

/// [`call`] of a leaf whose operands are RCX and RDX (the other registers
/// 0): the status and the registers after the leaf.
fn call_rcx_rdx(leaf: Leaf, rcx: u64, rdx: u64) -> (Status, Args) {
    let mut args = Args {
        rcx,
        rdx,
        ..Args::default()
    };
    let status = call(leaf, &mut args);
    (status, args)
}

/// [`hand_over`] of a leaf that takes `page` in RCX, with `rdx` in RDX
/// (the other registers 0).
fn hand_over_rcx(leaf: Leaf, page: PageRef, rdx: u64) -> Handed {
    let mut args = Args {
        rcx: page.phys(),
        rdx,
        ..Args::default()
    };
    hand_over(leaf, &mut args, page)
}
