// SPDX-License-Identifier: GPL-2.0

//! `tdx_rs_vp_*()`: a TD's vCPUs (TDH.VP.ENTER is `tdx_rs_vp_enter()`, in
//! assembly). The TDVPR page a call names is the caller's `vp->tdvpr_page`;
//! the module checks that it is a TDVPR it owns.

use super::{answer, kept, page_ref, ready_tdr, ready_tdvpr, tdvpr, with_out};
use crate::abi::{page, tdx_rs_td, tdx_rs_vp};
use crate::seamcall::{raw, vp};

/// TDH.VP.CREATE: `vp->tdvpr_page` becomes the module's.
///
/// # Safety
///
/// `td` is NULL or a valid `struct tdx_rs_td` whose `rs_private` is zero
/// or was set by this module, and `td->tdr_page` NULL or a `struct page`;
/// `vp` is NULL or a valid `struct tdx_rs_vp` whose `tdvpr_page` is NULL or
/// a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_create(td: *mut tdx_rs_td, vp: *mut tdx_rs_vp) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { page_ref(tdvpr(vp)?.as_ptr()) }?;
        Ok(kept(vp::create(tdr, tdvpr)))
    })
}

/// TDH.VP.ADDCX: the TDCX page becomes the module's.
///
/// # Safety
///
/// `vp` as for [`tdx_rs_rs_vp_create`]; `tdcx_page` NULL or a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_addcx(vp: *mut tdx_rs_vp, tdcx_page: *mut page) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { ready_tdvpr(vp) }?;
        // SAFETY: the caller's guarantee.
        let tdcx = unsafe { page_ref(tdcx_page) }?;
        Ok(kept(vp::addcx(tdvpr, tdcx)))
    })
}

/// TDH.VP.INIT (version 1): the vCPU's initial RCX and x2APIC ID.
///
/// # Safety
///
/// `vp` as for [`tdx_rs_rs_vp_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_init(vp: *mut tdx_rs_vp, initial_rcx: u64, x2apicid: u32) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { ready_tdvpr(vp) }?;
        Ok(raw(&vp::init(tdvpr, initial_rcx, x2apicid)))
    })
}

/// TDH.VP.RD of `field`; `*data` gets R8 (0 on an error).
///
/// # Safety
///
/// `vp` as for [`tdx_rs_rs_vp_create`]; `data` NULL or valid for a write.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_rd(vp: *mut tdx_rs_vp, field: u64, data: *mut u64) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { ready_tdvpr(vp) }?;
        // SAFETY: the caller's guarantee.
        unsafe { with_out(data, || vp::rd(tdvpr, field)) }
    })
}

/// TDH.VP.WR of the bits of `data` that `mask` selects.
///
/// # Safety
///
/// `vp` as for [`tdx_rs_rs_vp_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_wr(vp: *mut tdx_rs_vp, field: u64, data: u64, mask: u64) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { ready_tdvpr(vp) }?;
        Ok(raw(&vp::wr(tdvpr, field, data, mask)))
    })
}

/// TDH.VP.FLUSH on the calling CPU.
///
/// # Safety
///
/// `vp` as for [`tdx_rs_rs_vp_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_vp_flush(vp: *mut tdx_rs_vp) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdvpr = unsafe { ready_tdvpr(vp) }?;
        Ok(raw(&vp::flush(tdvpr)))
    })
}

// The definitions must have exactly the types `glue/kernel.h` declares.
const _: () = {
    use crate::glue::services::c;
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, *mut tdx_rs_vp) -> u64; 2] =
        [c::tdx_rs_rs_vp_create, tdx_rs_rs_vp_create];
    let _: [unsafe extern "C" fn(*mut tdx_rs_vp, *mut page) -> u64; 2] =
        [c::tdx_rs_rs_vp_addcx, tdx_rs_rs_vp_addcx];
    let _: [unsafe extern "C" fn(*mut tdx_rs_vp, u64, u32) -> u64; 2] =
        [c::tdx_rs_rs_vp_init, tdx_rs_rs_vp_init];
    let _: [unsafe extern "C" fn(*mut tdx_rs_vp, u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_vp_rd, tdx_rs_rs_vp_rd];
    let _: [unsafe extern "C" fn(*mut tdx_rs_vp, u64, u64, u64) -> u64; 2] =
        [c::tdx_rs_rs_vp_wr, tdx_rs_rs_vp_wr];
    let _: [unsafe extern "C" fn(*mut tdx_rs_vp) -> u64; 2] =
        [c::tdx_rs_rs_vp_flush, tdx_rs_rs_vp_flush];
};
