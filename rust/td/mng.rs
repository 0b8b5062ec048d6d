// SPDX-License-Identifier: GPL-2.0

//! `tdx_rs_mng_*()`: creating, keying, initializing and releasing a TD.

use super::{answer, kept, on_td, page_ref, ready, ready_tdr, state, with_out, Td};
use crate::abi::status::{BAD_KEYID, SEAMCALL_BAD_ARGS, TD_STATE};
use crate::abi::{page, tdx_rs_td};
use crate::glue::entry::with_host;
use crate::seamcall::{mng, raw, raw_handed};
use core::sync::atomic::Ordering;

/// TDH.MNG.CREATE: the TDR becomes the module's, the HKID the TD's. The
/// HKID must be one `tdx_rs_guest_keyid_alloc()` handed out (a bound one
/// goes to the module, which refuses it). May sleep.
///
/// # Safety
///
/// `td` is NULL or a valid `struct tdx_rs_td` whose `rs_private` is zero
/// or was set by this module, and `td->tdr_page` NULL or a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_create(td: *mut tdx_rs_td, hkid: u16) -> u64 {
    answer(|| {
        ready()?;
        // SAFETY: the caller's guarantee.
        let td = unsafe { Td::new(td) }?;
        with_host(|host| {
            if td.state.load(Ordering::Acquire) != 0 {
                return Err(TD_STATE);
            }
            if !host.guest_keyid_allocated(u32::from(hkid)) {
                return Err(BAD_KEYID);
            }
            // SAFETY: `td->tdr_page` is NULL or a `struct page`.
            let tdr = unsafe { page_ref(td.tdr_page) }?;
            let created = state::created(tdr.phys(), hkid).ok_or(SEAMCALL_BAD_ARGS)?;
            let handed = mng::create(tdr, hkid);
            let status = raw_handed(&handed);
            if let Ok((_, held)) = handed {
                held.keep();
                host.bind_guest_keyid(u32::from(hkid));
                td.state.store(created, Ordering::Release);
            }
            Ok(status)
        })
        .unwrap_or(Err(crate::abi::status::NOT_READY))
    })
}

/// TDH.MNG.ADDCX: the TDCS page becomes the module's.
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`]; `tdcs_page` NULL or a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_addcx(td: *mut tdx_rs_td, tdcs_page: *mut page) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        // SAFETY: the caller's guarantee.
        let tdcs = unsafe { page_ref(tdcs_page) }?;
        Ok(kept(mng::addcx(tdr, tdcs)))
    })
}

/// TDH.MNG.KEY.CONFIG on the calling CPU's package.
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_key_config(td: *mut tdx_rs_td) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { on_td(td, mng::key_config) }
}

/// TDH.MNG.VPFLUSHDONE.
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_vpflushdone(td: *mut tdx_rs_td) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { on_td(td, mng::vpflushdone) }
}

/// TDH.MNG.INIT with the TD_PARAMS page at physical address `td_params`;
/// `*extended_err` gets RCX.
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`]; `extended_err` NULL or valid for a
/// write.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_init(
    td: *mut tdx_rs_td,
    td_params: u64,
    extended_err: *mut u64,
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        // SAFETY: the caller's guarantee.
        unsafe { with_out(extended_err, || mng::init(tdr, td_params)) }
    })
}

/// TDH.MNG.RD of `field`; `*data` gets R8 (0 on an error).
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`]; `data` NULL or valid for a write.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_rd(td: *mut tdx_rs_td, field: u64, data: *mut u64) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        // SAFETY: the caller's guarantee.
        unsafe { with_out(data, || mng::rd(tdr, field)) }
    })
}

/// TDH.MNG.KEY.FREEID: on success the TD's HKID is no longer bound, and
/// `tdx_rs_guest_keyid_free()` frees it. May sleep.
///
/// # Safety
///
/// `td` as for [`tdx_rs_rs_mng_create`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mng_key_freeid(td: *mut tdx_rs_td) -> u64 {
    answer(|| {
        ready()?;
        // SAFETY: the caller's guarantee.
        let td = unsafe { Td::new(td) }?;
        let tdr = td.tdr()?;
        with_host(|host| {
            let status = mng::key_freeid(tdr);
            if status.is_ok() {
                // Unbound once, by whoever saw it bound.
                if let Ok(old) =
                    td.state
                        .fetch_update(Ordering::AcqRel, Ordering::Acquire, state::key_freed)
                {
                    if let Some(hkid) = state::bound_hkid(old) {
                        host.unbind_guest_keyid(u32::from(hkid));
                    }
                }
            }
            raw(&status)
        })
        .ok_or(crate::abi::status::NOT_READY)
    })
}

// The definitions must have exactly the types `glue/kernel.h` declares.
const _: () = {
    use crate::glue::services::c;
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u16) -> u64; 2] =
        [c::tdx_rs_rs_mng_create, tdx_rs_rs_mng_create];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, *mut page) -> u64; 2] =
        [c::tdx_rs_rs_mng_addcx, tdx_rs_rs_mng_addcx];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] =
        [c::tdx_rs_rs_mng_key_config, tdx_rs_rs_mng_key_config];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_mng_init, tdx_rs_rs_mng_init];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_mng_rd, tdx_rs_rs_mng_rd];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] =
        [c::tdx_rs_rs_mng_vpflushdone, tdx_rs_rs_mng_vpflushdone];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] =
        [c::tdx_rs_rs_mng_key_freeid, tdx_rs_rs_mng_key_freeid];
};
