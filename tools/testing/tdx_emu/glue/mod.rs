// SPDX-License-Identifier: GPL-2.0

//! The seam between the trap glue (`trap.c`) and the model.
//!
//! `trap.c` owns the lock; every `tdx_emu_rs_*` callback here and in
//! [`td`] runs with it held, which is what makes handing out `&mut Model`
//! sound.

mod td;
mod vmx;

use crate::handoff_param::parse_handoff;
use crate::model::{Fault, Gprs, Mode, Model};
use crate::module_version::{ModuleVersion, DEFAULT_VERSION};
use crate::platform::{Lp, PhysMem, Platform};
use crate::platform_param::{self, Params};
use kernel::error::to_result;
use kernel::ffi;
use kernel::prelude::*;
use kernel::str::CStr;

/// `glue.h` and `include/linux/tdx_emu.h`, as bindgen saw them: generated
/// code, whose naming and unused items are bindgen's, not ours.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]
mod c {
    use kernel::ffi;
    include!(concat!(
        env!("TDX_RS_OBJTREE"),
        "/tools/testing/tdx_emu/glue/glue_generated.rs"
    ));
}

/// The die notifier, registered for as long as this value lives, with the
/// model it answers from.
///
/// # Invariants
///
/// `model` came from [`KBox::into_raw`] and is owned by this value; between
/// `new` and `drop`, `trap.c` holds it and only uses it under its lock.
pub(crate) struct TrapRegistration {
    model: *mut Model,
}

// SAFETY: the value itself never touches `model` but in `drop`; every other
// use happens in `trap.c` under its lock, from whichever CPU traps.
unsafe impl Send for TrapRegistration {}
// SAFETY: `&TrapRegistration` gives no access to `model` at all.
unsafe impl Sync for TrapRegistration {}

impl TrapRegistration {
    pub(crate) fn new(model: KBox<Model>) -> Result<Self> {
        let model = KBox::into_raw(model);
        // SAFETY: `model` is valid until `drop` below, which unregisters
        // before it frees it.
        let ret = unsafe { c::tdx_emu_trap_register(model.cast()) };
        if let Err(e) = to_result(ret) {
            // SAFETY: registration failed, so nobody else holds `model`.
            drop(unsafe { KBox::from_raw(model) });
            return Err(e);
        }
        // INVARIANT: `model` is owned and registered.
        Ok(Self { model })
    }
}

impl Drop for TrapRegistration {
    fn drop(&mut self) {
        // SAFETY: registered in `new`; returns once no CPU runs the notifier.
        unsafe { c::tdx_emu_trap_unregister() };
        // SAFETY: by the type invariant we own `model`, and `trap.c` dropped
        // its copy of the pointer above.
        drop(unsafe { KBox::from_raw(self.model) });
    }
}

/// # Safety
///
/// `model` is the pointer `trap.c` was registered with, and the caller holds
/// the model lock for as long as the returned reference lives.
pub(crate) unsafe fn model<'a>(model: *mut c::tdx_emu_model) -> &'a mut Model {
    // SAFETY: the caller's contract.
    unsafe { &mut *model.cast::<Model>() }
}

/// # Safety
///
/// `gprs` points to 16 valid, exclusive `u64`s for the returned lifetime.
pub(crate) unsafe fn gprs<'a>(gprs: *mut u64) -> &'a mut Gprs {
    // SAFETY: the caller's contract; `Gprs` is `[u64; 16]`.
    unsafe { &mut *gprs.cast::<Gprs>() }
}

/// Host memory through the kernel's direct map (`trap.c`).
pub(crate) struct KernelMem;

impl PhysMem for KernelMem {
    fn read(&self, pa: u64, buf: &mut [u8]) -> bool {
        // SAFETY: FFI call; `buf` is valid for `buf.len()` bytes of writes.
        unsafe { c::tdx_emu_k_phys_read(pa, buf.as_mut_ptr().cast(), buf.len() as u64) }
    }

    fn write(&mut self, pa: u64, data: &[u8]) -> bool {
        // SAFETY: FFI call; `data` is valid for `data.len()` bytes of reads.
        unsafe { c::tdx_emu_k_phys_write(pa, data.as_ptr().cast(), data.len() as u64) }
    }
}

/// The machine the emulated module is "loaded" on, from the module
/// parameters `trap.c` holds; a missing or malformed one fails the load
/// with one line that says what is wrong.
pub(crate) fn platform() -> Result<Platform> {
    let mut p = c::tdx_emu_platform::default();
    // SAFETY: FFI call; `p` is valid for writes.
    to_result(unsafe { c::tdx_emu_k_platform(&mut p) })?;
    // SAFETY: FFI call; no arguments.
    let cmrs = unsafe { c::tdx_emu_k_cmrs_param() };
    let cmrs = (!cmrs.is_null()).then(|| {
        // SAFETY: a non-NULL charp module parameter is a NUL-terminated
        // string, which stays while the module is loaded: parameters of a
        // loaded module are read-only (0444).
        unsafe { CStr::from_char_ptr(cmrs) }.as_bytes()
    });
    let params = Params {
        cmrs,
        lps: p.nr_lps,
        packages: p.nr_packages,
    };
    let checked = platform_param::check(&params).map_err(|e| {
        pr_err!("{e}\n");
        EINVAL
    })?;
    // SAFETY: FFI call; no arguments.
    let version = unsafe { c::tdx_emu_k_version_param() };
    let version = if version.is_null() {
        DEFAULT_VERSION
    } else {
        // SAFETY: as for `cmrs` above.
        let text = unsafe { CStr::from_char_ptr(version) }.as_bytes();
        ModuleVersion::parse(text).map_err(|e| {
            pr_err!("{e}\n");
            EINVAL
        })?
    };
    // SAFETY: FFI call; no arguments.
    let handoff = unsafe { c::tdx_emu_k_handoff_param() };
    let handoff = if handoff.is_null() {
        None
    } else {
        // SAFETY: as for `cmrs` above.
        let text = unsafe { CStr::from_char_ptr(handoff) }.as_bytes();
        Some(parse_handoff(text).map_err(|e| {
            pr_err!("{e}\n");
            EINVAL
        })?)
    };
    Ok(Platform {
        nr_lps: checked.lps,
        nr_packages: checked.packages,
        cmrs: checked.cmrs.cmrs,
        nr_cmrs: checked.cmrs.len,
        nr_mktme_keyids: p.nr_mktme_keyids,
        nr_tdx_keyids: p.nr_tdx_keyids,
        max_pa: p.max_pa,
        fms: p.fms,
        version,
        handoff,
    })
}

/// A call's first step: an `Outcome`, or `TDX_EMU_RUN` (no locks) or
/// `TDX_EMU_RUN_HELD` (`lp` now holds the leaf's locks) when the call goes
/// on with [`tdx_emu_rs_seamcall_finish`].
///
/// # Safety
///
/// Called by `trap.c` with the lock held; `regs` holds 16 registers.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_seamcall_begin(
    m: *mut c::tdx_emu_model,
    regs: *mut u64,
    lp: u32,
    package: u32,
) -> u32 {
    let lp = Lp { id: lp, package };
    // SAFETY: the lock is held (our contract), so the model is ours.
    let m = unsafe { model(m) };
    // SAFETY: our contract: `regs` holds 16 registers.
    let regs = unsafe { gprs(regs) };
    match m.begin(lp, regs) {
        Some(outcome) => outcome as u32,
        None if m.locks_held_by(lp) > 0 => c::TDX_EMU_RUN_HELD,
        None => c::TDX_EMU_RUN,
    }
}

/// A call's second step, on the LP and registers its begin returned
/// `TDX_EMU_RUN` for.
///
/// # Safety
///
/// Called by `trap.c` with the lock held; `regs` holds 16 registers.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_seamcall_finish(
    m: *mut c::tdx_emu_model,
    regs: *mut u64,
    lp: u32,
    package: u32,
    stack_top: u64,
) -> u32 {
    let lp = Lp { id: lp, package };
    // SAFETY: our contract covers both.
    unsafe { model(m).finish(lp, gprs(regs), &mut KernelMem, stack_top) as u32 }
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_set_mode(m: *mut c::tdx_emu_model, mode: u32) -> ffi::c_int {
    let Some(mode) = Mode::from_raw(mode) else {
        return EINVAL.to_errno();
    };
    // SAFETY: our contract.
    unsafe { model(m).set_mode(mode) };
    0
}

/// # Safety
///
/// Called by `trap.c` with the lock held; `outputs` holds 16 registers.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_probe_arm(
    m: *mut c::tdx_emu_model,
    outputs: *const u64,
    mask: u16,
) {
    // SAFETY: our contract; the probe only reads `outputs`.
    unsafe { model(m).arm_probe(gprs(outputs.cast_mut()), mask) }
}

/// # Safety
///
/// Called by `trap.c` with the lock held; `inputs` has room for 16 registers.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_probe_take(m: *mut c::tdx_emu_model, inputs: *mut u64) -> bool {
    // SAFETY: our contract.
    let Some(recorded) = (unsafe { model(m).take_recorded() }) else {
        return false;
    };
    // SAFETY: our contract.
    unsafe { *gprs(inputs) = recorded };
    true
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_inject_status(
    m: *mut c::tdx_emu_model,
    leaf: u16,
    status: u64,
    count: u32,
) {
    // SAFETY: our contract.
    unsafe { model(m).inject_status(leaf, status, count) }
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_inject(
    m: *mut c::tdx_emu_model,
    leaf: u16,
    nth: u32,
    times: u32,
    fault: u32,
    status: u64,
) -> ffi::c_int {
    let fault = match fault {
        c::tdx_emu_fault_TDX_EMU_FAULT_STATUS => Fault::Status(status),
        c::tdx_emu_fault_TDX_EMU_FAULT_VMFAILINVALID => Fault::VmFailInvalid,
        c::tdx_emu_fault_TDX_EMU_FAULT_UD => Fault::Ud,
        _ => return EINVAL.to_errno(),
    };
    if nth == 0 || times == 0 {
        return EINVAL.to_errno();
    }
    // SAFETY: our contract.
    unsafe { model(m).inject(leaf, nth, times, fault) };
    0
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_calls(m: *mut c::tdx_emu_model) -> u64 {
    // SAFETY: our contract.
    unsafe { model(m).calls() }
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_calls_of(m: *mut c::tdx_emu_model, leaf: u16) -> u64 {
    // SAFETY: our contract.
    unsafe { model(m).calls_of(leaf) }
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_locks_held(m: *mut c::tdx_emu_model) -> u32 {
    // SAFETY: our contract.
    unsafe { model(m) }.locks_held() as u32
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_busy_of(m: *mut c::tdx_emu_model, leaf: u16) -> u64 {
    // SAFETY: our contract.
    unsafe { model(m).busy_of(leaf) }
}

/// # Safety
///
/// Called by `trap.c` with the lock held; `record` is valid for writes.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_config_record(
    m: *mut c::tdx_emu_model,
    record: *mut c::tdx_emu_config_record,
) -> bool {
    // SAFETY: our contract.
    let Some(r) = (unsafe { model(m).config_record() }) else {
        return false;
    };
    let out = c::tdx_emu_config_record {
        nr_tdmrs: r.nr_tdmrs,
        nr_reserved_areas: r.nr_reserved_areas,
        pamt_bytes: r.pamt_bytes,
        global_hkid: u64::from(r.global_hkid),
    };
    // SAFETY: our contract.
    unsafe { record.write(out) };
    true
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_set_features0(m: *mut c::tdx_emu_model, features0: u64) {
    // SAFETY: our contract.
    unsafe { model(m).set_features0(features0) }
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_reset(m: *mut c::tdx_emu_model) {
    // SAFETY: our contract.
    unsafe { model(m).reset() }
}

/// # Safety
///
/// Called by `trap.c` with the lock held; `buf` is valid for `len` bytes.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_report(
    m: *mut c::tdx_emu_model,
    buf: *mut ffi::c_char,
    len: u64,
) -> u64 {
    // SAFETY: our contract.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len as usize) };
    // SAFETY: our contract.
    crate::report::write(unsafe { model(m) }, out) as u64
}

/// # Safety
///
/// Called by `trap.c` with the lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_tdmrs_initialized(m: *mut c::tdx_emu_model) -> bool {
    // SAFETY: the lock is held (the caller's guarantee), so the model is ours.
    unsafe { model(m) }.tdmrs_initialized()
}

/// # Safety
///
/// Called by `trap.c` with the lock held; `bases` and `sizes` are valid for
/// `max` writes each.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_pamts(
    m: *mut c::tdx_emu_model,
    bases: *mut u64,
    sizes: *mut u64,
    max: u32,
) -> u32 {
    let mut n = 0;
    // SAFETY: the lock is held (the caller's guarantee), so the model is ours.
    for (base, size) in unsafe { model(m) }.pamts().take(max as usize) {
        // SAFETY: `n < max`, and both arrays hold `max` entries.
        unsafe {
            bases.add(n).write(base);
            sizes.add(n).write(size);
        }
        n += 1;
    }
    n as u32
}

// The definitions above must have exactly the types `glue.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model) -> bool; 2] = [
        c::tdx_emu_rs_tdmrs_initialized,
        tdx_emu_rs_tdmrs_initialized,
    ];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut u64, *mut u64, u32) -> u32; 2] =
        [c::tdx_emu_rs_pamts, tdx_emu_rs_pamts];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut u64, u32, u32) -> u32; 2] =
        [c::tdx_emu_rs_seamcall_begin, tdx_emu_rs_seamcall_begin];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut u64, u32, u32, u64) -> u32; 2] =
        [c::tdx_emu_rs_seamcall_finish, tdx_emu_rs_seamcall_finish];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u16) -> u64; 2] =
        [c::tdx_emu_rs_busy_of, tdx_emu_rs_busy_of];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model) -> u32; 2] =
        [c::tdx_emu_rs_locks_held, tdx_emu_rs_locks_held];
    assert!(c::TDX_EMU_MAX_CALLERS as usize == crate::model::locks::MAX_CALLERS);
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u32) -> ffi::c_int; 2] =
        [c::tdx_emu_rs_set_mode, tdx_emu_rs_set_mode];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *const u64, u16); 2] =
        [c::tdx_emu_rs_probe_arm, tdx_emu_rs_probe_arm];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut u64) -> bool; 2] =
        [c::tdx_emu_rs_probe_take, tdx_emu_rs_probe_take];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u16, u64, u32); 2] =
        [c::tdx_emu_rs_inject_status, tdx_emu_rs_inject_status];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u16, u32, u32, u32, u64) -> ffi::c_int; 2] =
        [c::tdx_emu_rs_inject, tdx_emu_rs_inject];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model) -> u64; 2] =
        [c::tdx_emu_rs_calls, tdx_emu_rs_calls];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u16) -> u64; 2] =
        [c::tdx_emu_rs_calls_of, tdx_emu_rs_calls_of];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut c::tdx_emu_config_record) -> bool; 2] =
        [c::tdx_emu_rs_config_record, tdx_emu_rs_config_record];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u64); 2] =
        [c::tdx_emu_rs_set_features0, tdx_emu_rs_set_features0];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model); 2] =
        [c::tdx_emu_rs_reset, tdx_emu_rs_reset];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, *mut ffi::c_char, u64) -> u64; 2] =
        [c::tdx_emu_rs_report, tdx_emu_rs_report];
};
