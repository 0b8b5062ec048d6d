// SPDX-License-Identifier: GPL-2.0

//! The TD management leaves (TDH.MNG.*). `tdr` is the physical address of
//! a TD's TDR page, a page the module owns (it checks).

use super::{call, hand_over, Args, Handed, Status};
use crate::abi::leaf::Leaf;
use crate::glue::page_ref::PageRef;

/// TDH.MNG.CREATE: RCX the TDR page to take, RDX the HKID.
pub(crate) fn create(tdr: PageRef, hkid: u16) -> Handed {
    let mut args = Args {
        rcx: tdr.phys(),
        rdx: u64::from(hkid),
        ..Args::default()
    };
    hand_over(Leaf::MngCreate, &mut args, tdr)
}

/// TDH.MNG.ADDCX: RCX the TDCS page to take, RDX the TDR.
pub(crate) fn addcx(tdr: u64, tdcs: PageRef) -> Handed {
    let mut args = Args {
        rcx: tdcs.phys(),
        rdx: tdr,
        ..Args::default()
    };
    hand_over(Leaf::MngAddcx, &mut args, tdcs)
}

/// TDH.MNG.KEY.CONFIG on the calling LP's package.
pub(crate) fn key_config(tdr: u64) -> Status {
    let mut args = Args {
        rcx: tdr,
        ..Args::default()
    };
    call(Leaf::MngKeyConfig, &mut args)
}

/// TDH.MNG.INIT: RDX the TD_PARAMS page (read during the call); the status
/// and RCX, the extended error information.
pub(crate) fn init(tdr: u64, td_params: u64) -> (Status, u64) {
    let mut args = Args {
        rcx: tdr,
        rdx: td_params,
        ..Args::default()
    };
    let status = call(Leaf::MngInit, &mut args);
    (status, args.rcx)
}

/// TDH.MNG.RD: the status and R8, the field's value (0 on an error).
pub(crate) fn rd(tdr: u64, field: u64) -> (Status, u64) {
    let mut args = Args {
        rcx: tdr,
        rdx: field,
        ..Args::default()
    };
    let status = call(Leaf::MngRd, &mut args);
    (status, args.r8)
}

/// TDH.MNG.VPFLUSHDONE.
pub(crate) fn vpflushdone(tdr: u64) -> Status {
    let mut args = Args {
        rcx: tdr,
        ..Args::default()
    };
    call(Leaf::MngVpflushdone, &mut args)
}

/// TDH.MNG.KEY.FREEID.
pub(crate) fn key_freeid(tdr: u64) -> Status {
    let mut args = Args {
        rcx: tdr,
        ..Args::default()
    };
    call(Leaf::MngKeyFreeid, &mut args)
}
