// SPDX-License-Identifier: GPL-2.0

//! The TD controls' side of the seam (`td_controls.c`): read back what a TD
//! vCPU's guest went through, keyed by its TDVPR page. Every callback runs with the
//! model lock held, as in the rest of the glue.

use super::{c, gprs, model, KernelMem};
use crate::model::owned::OwnedPage;
use kernel::ffi;
use kernel::prelude::*;

/// # Safety
///
/// Called by `td_controls.c` with the model lock held; `report` is valid
/// for writes.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_td_vcpu_report(
    m: *mut c::tdx_emu_model,
    tdvpr: u64,
    report: *mut c::tdx_emu_td_report,
) -> ffi::c_int {
    // SAFETY: our contract.
    let Some(v) = unsafe { model(m) }.tds().get(tdvpr) else {
        return ENOENT.to_errno();
    };
    let r = v.report;
    let g = &v.guest;
    let mismatch = g.mismatch.unwrap_or_default();
    let out = c::tdx_emu_td_report {
        entries: r.entries,
        exits: r.exits,
        refused_vmcalls: r.refused_vmcalls,
        stack_top: r.stack_top,
        nr_steps: g.nr_steps(),
        steps_done: g.steps_done,
        finished: u32::from(g.finished()),
        fatal: u32::from(g.fatal().is_some()),
        bad_step: mismatch.step,
        bad_reg: mismatch.reg,
        expected: mismatch.expected,
        got: mismatch.got,
        ept_violations: r.ept_violations,
        interrupts: r.interrupts,
        accepts: r.accepts,
        fatal_code: g.fatal().unwrap_or(0),
    };
    // SAFETY: our contract.
    unsafe { report.write(out) };
    0
}

/// # Safety
///
/// Called by `td_controls.c` with the model lock held.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_arm_interrupt(m: *mut c::tdx_emu_model, vector: u8) {
    // SAFETY: our contract.
    unsafe { model(m) }.tds_mut().arm_interrupt(vector);
}

/// # Safety
///
/// Called by `trap.c` with the model lock held, after each SEAMCALL.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_take_td_exit(m: *mut c::tdx_emu_model) -> bool {
    // SAFETY: our contract.
    unsafe { model(m) }.tds_mut().take_td_exit()
}

/// # Safety
///
/// Called by `td_controls.c` with the model lock held; `out` has room for
/// 16 registers.
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_td_exit_regs(
    m: *mut c::tdx_emu_model,
    tdvpr: u64,
    n: u64,
    out: *mut u64,
) -> ffi::c_int {
    // SAFETY: our contract.
    let Some(record) = unsafe { model(m) }.tds().exit_record(tdvpr, n) else {
        return ENOENT.to_errno();
    };
    // SAFETY: our contract.
    unsafe { *gprs(out) = record.guest };
    0
}

/// # Safety
///
/// Called by `td_controls.c` with the model lock held; `pages` is valid for
/// writes of `max` entries (or `max` is at most 0).
#[no_mangle]
unsafe extern "C" fn tdx_emu_rs_owned_pages(
    m: *mut c::tdx_emu_model,
    pages: *mut c::tdx_emu_owned_page,
    max: ffi::c_long,
) -> ffi::c_long {
    let max = usize::try_from(max).unwrap_or(0);
    let mut n: usize = 0;
    let mut put = |p: OwnedPage| {
        if n < max {
            let out = c::tdx_emu_owned_page {
                pa: p.pa,
                owner: p.owner,
                page_type: p.pt.into(),
                reserved: 0,
            };
            // SAFETY: `n < max` and our contract: entry `n` is writable.
            unsafe { pages.add(n).write(out) };
        }
        n += 1;
        Some(())
    };
    // SAFETY: our contract.
    match unsafe { model(m) }.owned_pages(&KernelMem, &mut put) {
        Some(()) => ffi::c_long::try_from(n).unwrap_or(ffi::c_long::MAX),
        None => EIO.to_errno() as ffi::c_long,
    }
}

// The definitions above must have exactly the types `glue.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn(
        *mut c::tdx_emu_model,
        u64,
        *mut c::tdx_emu_td_report,
    ) -> ffi::c_int; 2] = [c::tdx_emu_rs_td_vcpu_report, tdx_emu_rs_td_vcpu_report];
    let _: [unsafe extern "C" fn(
        *mut c::tdx_emu_model,
        *mut c::tdx_emu_owned_page,
        ffi::c_long,
    ) -> ffi::c_long; 2] = [c::tdx_emu_rs_owned_pages, tdx_emu_rs_owned_pages];
    let _: [unsafe extern "C" fn(*mut c::tdx_emu_model, u64, u64, *mut u64) -> ffi::c_int; 2] =
        [c::tdx_emu_rs_td_exit_regs, tdx_emu_rs_td_exit_regs];
};
