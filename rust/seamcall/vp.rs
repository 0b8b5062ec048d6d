// SPDX-License-Identifier: GPL-2.0

//! The vCPU leaves (TDH.VP.*, but TDH.VP.ENTER: `tdx_rs_vp_enter()`).
//! `tdvpr` is the physical address of a vCPU's TDVPR page, `tdr` its TD's
//! TDR page: pages the module owns (it checks).

use super::{call, call_rcx, call_rcx_rdx, hand_over_rcx, Args, Handed, Status};
use crate::abi::leaf::Leaf;
use crate::glue::page_ref::PageRef;

/// TDH.VP.CREATE: RCX the TDVPR page to take, RDX the TDR.
pub(crate) fn create(tdr: u64, tdvpr: PageRef) -> Handed {
    hand_over_rcx(Leaf::VpCreate, tdvpr, tdr)
}

/// TDH.VP.ADDCX: RCX the TDCX page to take, RDX the TDVPR.
pub(crate) fn addcx(tdvpr: u64, tdcx: PageRef) -> Handed {
    hand_over_rcx(Leaf::VpAddcx, tdcx, tdvpr)
}

/// TDH.VP.INIT (version 1): RDX the vCPU's initial RCX, R8 its x2APIC ID.
pub(crate) fn init(tdvpr: u64, initial_rcx: u64, x2apicid: u32) -> Status {
    let mut args = Args {
        rcx: tdvpr,
        rdx: initial_rcx,
        r8: u64::from(x2apicid),
        ..Args::default()
    };
    call(Leaf::VpInit, &mut args)
}

/// TDH.VP.RD: the status and R8, the field's value (0 on an error).
pub(crate) fn rd(tdvpr: u64, field: u64) -> (Status, u64) {
    let (status, args) = call_rcx_rdx(Leaf::VpRd, tdvpr, field);
    (status, args.r8)
}

/// TDH.VP.WR: R8 the value, R9 the mask of the bits to write.
pub(crate) fn wr(tdvpr: u64, field: u64, data: u64, mask: u64) -> Status {
    let mut args = Args {
        rcx: tdvpr,
        rdx: field,
        r8: data,
        r9: mask,
        ..Args::default()
    };
    call(Leaf::VpWr, &mut args)
}

/// TDH.VP.FLUSH on the calling LP.
pub(crate) fn flush(tdvpr: u64) -> Status {
    call_rcx(Leaf::VpFlush, tdvpr)
}
