// SPDX-License-Identifier: GPL-2.0

//! The VMX controls' side of the seam (`vmx_controls.c`): VMXON and VMXOFF
//! of the test stand-in for the hypervisor, and what they left. Every
//! callback runs with the model lock held, as in the rest of the glue.

use super::{c, model};
use crate::model::vmx::VmxError;
use kernel::ffi;
use kernel::prelude::*;

/// The errno `tdx_emu_vmxon()` and `tdx_emu_vmxoff()` return.
fn errno(r: Result<(), VmxError>) -> ffi::c_int {
    match r {
        Ok(()) => 0,
        Err(VmxError::AlreadyOn) => EBUSY.to_errno(),
        Err(VmxError::NotOn) => EINVAL.to_errno(),
        Err(VmxError::NoSuchLp) => ERANGE.to_errno(),
    }
}

/// # Safety
///
/// Called by `vmx_controls.c` with the model lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_vmxon(m: *mut c::tdx_emu_model, lp: u32) -> ffi::c_int {
    // SAFETY: our contract.
    errno(unsafe { model(m) }.vmxon(lp))
}

/// # Safety
///
/// Called by `vmx_controls.c` with the model lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_vmxoff(m: *mut c::tdx_emu_model, lp: u32) -> ffi::c_int {
    // SAFETY: our contract.
    errno(unsafe { model(m) }.vmxoff(lp))
}

/// # Safety
///
/// Called by `vmx_controls.c` with the model lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_in_vmx(m: *mut c::tdx_emu_model, lp: u32) -> bool {
    // SAFETY: our contract.
    unsafe { model(m) }.vmx().is_on(lp)
}

/// # Safety
///
/// Called by `vmx_controls.c` with the model lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_ud_outside_vmx(m: *mut c::tdx_emu_model) -> u64 {
    // SAFETY: our contract.
    unsafe { model(m) }.vmx().ud_outside()
}

// The definitions above must have exactly the types `glue.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u32) -> ffi::c_int; 4] = [
        c::tdx_emu_rs_vmxon,
        tdx_emu_rs_vmxon,
        c::tdx_emu_rs_vmxoff,
        tdx_emu_rs_vmxoff,
    ];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u32) -> bool; 2] =
        [c::tdx_emu_rs_in_vmx, tdx_emu_rs_in_vmx];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model) -> u64; 2] =
        [c::tdx_emu_rs_ud_outside_vmx, tdx_emu_rs_ud_outside_vmx];
};
