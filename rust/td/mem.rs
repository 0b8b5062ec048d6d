// SPDX-License-Identifier: GPL-2.0

//! `tdx_rs_mem_*()` and `tdx_rs_mr_*()`: a TD's private memory, its Secure
//! EPT and its measurement. Called under KVM's mmu_lock: nothing here
//! sleeps or allocates. `*ext_err1` and `*ext_err2` get RCX and RDX after
//! the leaf, as upstream's do: the Secure EPT entry and level on an error.

use super::{answer, args, give_back, kept, non_null, on_td, out, page_ref, phys, ready_tdr, Rax};
use crate::abi::status::SEAMCALL_BAD_ARGS;
use crate::abi::{page, tdx_rs_td};
use crate::glue::page_ref::PageRef;
use crate::seamcall::mem::{self, ExtErr};
use crate::seamcall::{raw, Handed, Status};
use kernel::ffi::c_int;

/// The two extended error outputs, checked before any SEAMCALL.
struct ExtOut<'a>(&'a mut u64, &'a mut u64);

impl ExtOut<'_> {
    /// # Safety
    ///
    /// Each of `e1` and `e2` is NULL or valid for a write of a u64.
    unsafe fn new(e1: *mut u64, e2: *mut u64) -> Result<Self, u64> {
        // SAFETY: the caller's guarantee.
        Ok(Self(unsafe { out(e1) }?, unsafe { out(e2) }?))
    }

    fn set(self, e: ExtErr) {
        *self.0 = e.rcx;
        *self.1 = e.rdx;
    }
}

/// RCX of a leaf with a level.
fn gpa_level(gpa: u64, level: i64) -> Result<u64, u64> {
    args::gpa_level(gpa, level).ok_or(SEAMCALL_BAD_ARGS)
}

/// The end of a leaf that takes `page`, after the caller's own checks: the
/// two extended error outputs are checked, then a reference is taken on
/// `page`; `leaf` makes the SEAMCALL with it, its RCX and RDX go to the
/// outputs, and on success the page stays the module's.
///
/// # Safety
///
/// `ext_err1`, `ext_err2` NULL or valid for a write of a u64; `page` NULL
/// or a `struct page`.
unsafe fn hand_page(
    ext_err1: *mut u64,
    ext_err2: *mut u64,
    page: *mut page,
    leaf: impl FnOnce(PageRef) -> (Handed, ExtErr),
) -> Rax {
    // SAFETY: the caller's guarantee.
    let ext = unsafe { ExtOut::new(ext_err1, ext_err2) }?;
    // SAFETY: the caller's guarantee.
    let page = unsafe { page_ref(page) }?;
    let (handed, e) = leaf(page);
    ext.set(e);
    Ok(kept(handed))
}

/// The end of a leaf that takes no page, after the caller's own checks:
/// the two extended error outputs are checked; `leaf` makes the SEAMCALL,
/// its RCX and RDX go to the outputs.
///
/// # Safety
///
/// `ext_err1`, `ext_err2` NULL or valid for a write of a u64.
unsafe fn with_ext(
    ext_err1: *mut u64,
    ext_err2: *mut u64,
    leaf: impl FnOnce() -> (Status, ExtErr),
) -> Rax {
    // SAFETY: the caller's guarantee.
    let ext = unsafe { ExtOut::new(ext_err1, ext_err2) }?;
    let (status, e) = leaf();
    ext.set(e);
    Ok(raw(&status))
}

/// A leaf on a level's Secure EPT entry that takes a page: TDH.MEM.SEPT.ADD
/// and TDH.MEM.PAGE.AUG.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
unsafe fn level_page(
    td: *mut tdx_rs_td,
    gpa: u64,
    level: c_int,
    page: *mut page,
    (ext_err1, ext_err2): (*mut u64, *mut u64),
    leaf: fn(u64, u64, PageRef) -> (Handed, ExtErr),
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        let rcx = gpa_level(gpa, level.into())?;
        // SAFETY: the caller's guarantee.
        unsafe { hand_page(ext_err1, ext_err2, page, |page| leaf(tdr, rcx, page)) }
    })
}

/// TDH.MEM.SEPT.ADD: `page` becomes a Secure EPT page of the TD.
///
/// # Safety
///
/// `td` is NULL or a valid `struct tdx_rs_td` whose `rs_private` is zero
/// or was set by this module, `td->tdr_page` NULL or a `struct page`; every
/// page pointer NULL or a `struct page`; `ext_err1`, `ext_err2` NULL or
/// valid for a write.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_sept_add(
    td: *mut tdx_rs_td,
    gpa: u64,
    level: c_int,
    page: *mut page,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { level_page(td, gpa, level, page, (ext_err1, ext_err2), mem::sept_add) }
}

/// TDH.MEM.PAGE.ADD: `page` becomes a private page of the TD, with the
/// contents of `source`.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_page_add(
    td: *mut tdx_rs_td,
    gpa: u64,
    page: *mut page,
    source: *mut page,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        let source = phys(non_null(source)?);
        // SAFETY: the caller's guarantee.
        unsafe {
            hand_page(ext_err1, ext_err2, page, |page| {
                mem::page_add(tdr, gpa, page, source)
            })
        }
    })
}

/// TDH.MEM.PAGE.AUG: `page` becomes a pending private page of the TD.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_page_aug(
    td: *mut tdx_rs_td,
    gpa: u64,
    level: c_int,
    page: *mut page,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { level_page(td, gpa, level, page, (ext_err1, ext_err2), mem::page_aug) }
}

/// TDH.MEM.RANGE.BLOCK.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_range_block(
    td: *mut tdx_rs_td,
    gpa: u64,
    level: c_int,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        let rcx = gpa_level(gpa, level.into())?;
        // SAFETY: the caller's guarantee.
        unsafe { with_ext(ext_err1, ext_err2, || mem::range_block(tdr, rcx)) }
    })
}

/// TDH.MEM.PAGE.REMOVE: on success the page the module names in RCX is
/// given back (the reference kept since its PAGE.ADD or PAGE.AUG is put).
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_page_remove(
    td: *mut tdx_rs_td,
    gpa: u64,
    level: u64,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        let rcx = gpa_level(gpa, i64::try_from(level).unwrap_or(-1))?;
        // SAFETY: the caller's guarantee.
        let ext = unsafe { ExtOut::new(ext_err1, ext_err2) }?;
        let (status, released, e) = mem::page_remove(tdr, rcx);
        ext.set(e);
        if let Some(released) = released {
            // SAFETY: the module just removed the page at `released.pa()`
            // from the TD: it owned it as a private page, which only
            // TDH.MEM.PAGE.ADD or PAGE.AUG makes one, and this module's
            // wrappers of those kept a reference for it; none was taken
            // back since, as the module owned the page until now and only
            // a REMOVE or a RECLAIM of it, once, ends that.
            unsafe { give_back(released) };
        }
        Ok(raw(&status))
    })
}

/// TDH.MR.EXTEND of the 256-byte chunk at `gpa`.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mr_extend(
    td: *mut tdx_rs_td,
    gpa: u64,
    ext_err1: *mut u64,
    ext_err2: *mut u64,
) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        // SAFETY: the caller's guarantee.
        unsafe { with_ext(ext_err1, ext_err2, || mem::mr_extend(tdr, gpa)) }
    })
}

/// TDH.MEM.TRACK.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mem_track(td: *mut tdx_rs_td) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { on_td(td, mem::track) }
}

/// TDH.MR.FINALIZE.
///
/// # Safety
///
/// As for [`tdx_rs_rs_mem_sept_add`].
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_mr_finalize(td: *mut tdx_rs_td) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe { on_td(td, mem::mr_finalize) }
}

// The definitions must have exactly the types `glue/kernel.h` declares.
const _: () = {
    use crate::glue::services::c;
    type Level =
        unsafe extern "C" fn(*mut tdx_rs_td, u64, c_int, *mut page, *mut u64, *mut u64) -> u64;
    let _: [Level; 2] = [c::tdx_rs_rs_mem_sept_add, tdx_rs_rs_mem_sept_add];
    let _: [Level; 2] = [c::tdx_rs_rs_mem_page_aug, tdx_rs_rs_mem_page_aug];
    let _: [unsafe extern "C" fn(
        *mut tdx_rs_td,
        u64,
        *mut page,
        *mut page,
        *mut u64,
        *mut u64,
    ) -> u64; 2] = [c::tdx_rs_rs_mem_page_add, tdx_rs_rs_mem_page_add];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u64, c_int, *mut u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_mem_range_block, tdx_rs_rs_mem_range_block];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u64, u64, *mut u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_mem_page_remove, tdx_rs_rs_mem_page_remove];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td, u64, *mut u64, *mut u64) -> u64; 2] =
        [c::tdx_rs_rs_mr_extend, tdx_rs_rs_mr_extend];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] =
        [c::tdx_rs_rs_mem_track, tdx_rs_rs_mem_track];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] =
        [c::tdx_rs_rs_mr_finalize, tdx_rs_rs_mr_finalize];
};
