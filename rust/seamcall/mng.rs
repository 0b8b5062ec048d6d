// SPDX-License-Identifier: GPL-2.0

//! The TD management leaves (TDH.MNG.*). `tdr` is the physical address of
//! a TD's TDR page, a page the module owns (it checks).

use super::{call_rcx, call_rcx_rdx, hand_over_rcx, Handed, Status};
use crate::abi::leaf::Leaf;
use crate::glue::page_ref::PageRef;

/// TDH.MNG.CREATE: RCX the TDR page to take, RDX the HKID.
pub(crate) fn create(tdr: PageRef, hkid: u16) -> Handed {
    hand_over_rcx(Leaf::MngCreate, tdr, u64::from(hkid))
}

/// TDH.MNG.ADDCX: RCX the TDCS page to take, RDX the TDR.
pub(crate) fn addcx(tdr: u64, tdcs: PageRef) -> Handed {
    hand_over_rcx(Leaf::MngAddcx, tdcs, tdr)
}

/// TDH.MNG.KEY.CONFIG on the calling LP's package.
pub(crate) fn key_config(tdr: u64) -> Status {
    call_rcx(Leaf::MngKeyConfig, tdr)
}

/// TDH.MNG.INIT: RDX the TD_PARAMS page (read during the call); the status
/// and RCX, the extended error information.
pub(crate) fn init(tdr: u64, td_params: u64) -> (Status, u64) {
    let (status, args) = call_rcx_rdx(Leaf::MngInit, tdr, td_params);
    (status, args.rcx)
}

/// TDH.MNG.RD: the status and R8, the field's value (0 on an error).
pub(crate) fn rd(tdr: u64, field: u64) -> (Status, u64) {
    let (status, args) = call_rcx_rdx(Leaf::MngRd, tdr, field);
    (status, args.r8)
}

/// TDH.MNG.VPFLUSHDONE.
pub(crate) fn vpflushdone(tdr: u64) -> Status {
    call_rcx(Leaf::MngVpflushdone, tdr)
}

/// TDH.MNG.KEY.FREEID.
pub(crate) fn key_freeid(tdr: u64) -> Status {
    call_rcx(Leaf::MngKeyFreeid, tdr)
}
