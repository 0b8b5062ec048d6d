// SPDX-License-Identifier: GPL-2.0

//! The private memory, Secure EPT and measurement leaves (TDH.MEM.*,
//! TDH.MR.*). `tdr` is the physical address of a TD's TDR page, which the
//! module checks; `gpa_level` is RCX of the leaves that take a level: the
//! GPA's bits 51:12 with the level in bits 2:0.

use super::{call_rcx, call_rcx_rdx, hand_over, proof, raw, Args, Handed, Released, Status};
use crate::abi::leaf::Leaf;
use crate::glue::page_ref::PageRef;

/// RCX and RDX after a memory leaf: on an error, the Secure EPT entry and
/// its level (upstream's `ext_err1`, `ext_err2`); after a successful
/// TDH.MEM.PAGE.REMOVE, RCX is the page removed.
#[derive(Clone, Copy, Default)]
pub(crate) struct ExtErr {
    pub(crate) rcx: u64,
    pub(crate) rdx: u64,
}

impl ExtErr {
    fn of(args: &Args) -> Self {
        Self {
            rcx: args.rcx,
            rdx: args.rdx,
        }
    }
}

/// A leaf on the Secure EPT entry `gpa_level` (RCX) that takes `page` in
/// R8: TDH.MEM.SEPT.ADD and TDH.MEM.PAGE.AUG.
fn take_at(leaf: Leaf, tdr: u64, gpa_level: u64, page: PageRef) -> (Handed, ExtErr) {
    let mut args = Args {
        rcx: gpa_level,
        rdx: tdr,
        r8: page.phys(),
        ..Args::default()
    };
    let handed = hand_over(leaf, &mut args, page);
    (handed, ExtErr::of(&args))
}

/// TDH.MEM.SEPT.ADD: R8 the Secure EPT page to take.
pub(crate) fn sept_add(tdr: u64, gpa_level: u64, page: PageRef) -> (Handed, ExtErr) {
    take_at(Leaf::MemSeptAdd, tdr, gpa_level, page)
}

/// TDH.MEM.PAGE.ADD: R8 the private page to take, R9 the page whose
/// contents the module copies into it during the call.
pub(crate) fn page_add(tdr: u64, gpa: u64, page: PageRef, source: u64) -> (Handed, ExtErr) {
    let mut args = Args {
        rcx: gpa,
        rdx: tdr,
        r8: page.phys(),
        r9: source,
        ..Args::default()
    };
    let handed = hand_over(Leaf::MemPageAdd, &mut args, page);
    (handed, ExtErr::of(&args))
}

/// TDH.MEM.PAGE.AUG: R8 the private page to take.
pub(crate) fn page_aug(tdr: u64, gpa_level: u64, page: PageRef) -> (Handed, ExtErr) {
    take_at(Leaf::MemPageAug, tdr, gpa_level, page)
}

/// TDH.MEM.RANGE.BLOCK.
pub(crate) fn range_block(tdr: u64, gpa_level: u64) -> (Status, ExtErr) {
    let (status, args) = call_rcx_rdx(Leaf::MemRangeBlock, gpa_level, tdr);
    (status, ExtErr::of(&args))
}

/// TDH.MEM.TRACK.
pub(crate) fn track(tdr: u64) -> Status {
    call_rcx(Leaf::MemTrack, tdr)
}

/// TDH.MEM.PAGE.REMOVE, and on success the module's word that the page in
/// RCX (TDX module 1.5: the removed page's HPA) is no longer the TD's.
pub(crate) fn page_remove(tdr: u64, gpa_level: u64) -> (Status, Option<Released>, ExtErr) {
    let (status, args) = call_rcx_rdx(Leaf::MemPageRemove, gpa_level, tdr);
    let released = proof::remove_released(raw(&status), args.rcx).map(|pa| Released { pa });
    (status, released, ExtErr::of(&args))
}

/// TDH.MR.EXTEND: RCX the GPA of a 256-byte chunk of a page added.
pub(crate) fn mr_extend(tdr: u64, gpa: u64) -> (Status, ExtErr) {
    let (status, args) = call_rcx_rdx(Leaf::MrExtend, gpa, tdr);
    (status, ExtErr::of(&args))
}

/// TDH.MR.FINALIZE.
pub(crate) fn mr_finalize(tdr: u64) -> Status {
    call_rcx(Leaf::MrFinalize, tdr)
}
