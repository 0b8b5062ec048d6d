// SPDX-License-Identifier: GPL-2.0

//! The Rust side of the exported API: what `exports.c` calls, and the
//! registration that gives it the host state.

use crate::init::{self, Host};
use crate::glue::services::c;
use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::prelude::*;

fn to_c(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `host` is the pointer `Registration` registered, and the caller holds
/// the module lock.
unsafe fn host<'a>(host: *mut c::tdx_rs_host) -> &'a mut Host {
    // SAFETY: the caller's contract.
    unsafe { &mut *host.cast::<Host>() }
}

/// # Safety
///
/// See [`host`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_enable(h: *mut c::tdx_rs_host) -> c_int {
    // SAFETY: our contract.
    to_c(unsafe { host(h) }.enable())
}

/// # Safety
///
/// See [`host`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_publish(h: *mut c::tdx_rs_host) {
    // SAFETY: our contract.
    unsafe { host(h) }.publish()
}

#[no_mangle]
extern "C" fn tdx_rs_rs_sys_init() -> c_int {
    to_c(init::sys_init())
}

#[no_mangle]
extern "C" fn tdx_rs_rs_lp_init() -> c_int {
    to_c(init::lp_init())
}

// The definitions above must have exactly the types `kernel.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn(*mut c::tdx_rs_host) -> c_int; 2] =
        [c::tdx_rs_rs_enable, tdx_rs_rs_enable];
    let _: [unsafe extern "C" fn(*mut c::tdx_rs_host); 2] =
        [c::tdx_rs_rs_publish, tdx_rs_rs_publish];
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_sys_init, tdx_rs_rs_sys_init];
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_lp_init, tdx_rs_rs_lp_init];
};

/// The host state, handed to `exports.c` for as long as this value lives.
///
/// # Invariants
///
/// `host` came from [`KBox::into_raw`] and is owned by this value; while it
/// is registered, `exports.c` uses it only under its lock.
pub(crate) struct Registration {
    host: *mut Host,
}

// SAFETY: the value never touches `host` but in `drop`; every other use is in
// `exports.c`, under its lock, from any thread.
unsafe impl Send for Registration {}
// SAFETY: `&Registration` gives no access to `host`.
unsafe impl Sync for Registration {}

impl Registration {
    pub(crate) fn new(host: KBox<Host>) -> Result<Self> {
        let host = KBox::into_raw(host);
        // SAFETY: `host` stays valid until `drop` unregisters it.
        if let Err(e) = to_result(unsafe { c::tdx_rs_k_register(host.cast()) }) {
            // SAFETY: registration failed: nobody else holds `host`.
            drop(unsafe { KBox::from_raw(host) });
            return Err(e);
        }
        // INVARIANT: owned and registered.
        Ok(Self { host })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered in `new`; returns once `exports.c` dropped it.
        unsafe { c::tdx_rs_k_unregister() };
        // SAFETY: owned (type invariant), and no longer shared.
        drop(unsafe { KBox::from_raw(self.host) });
    }
}
