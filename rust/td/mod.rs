// SPDX-License-Identifier: GPL-2.0

//! The life of a TD: the functions KVM's TDX support calls (upstream's
//! `tdh_*()`, renamed `tdx_rs_*()`), exported by `glue/td_exports.c`. Each
//! one checks its arguments, makes its leaf through the typed wrappers of
//! `seamcall/`, keeps the page references the ownership rules ask for, and
//! returns RAX, or a `TDX_RS_*` software status when it refused before any
//! SEAMCALL:
//!
//! - `TDX_RS_NOT_READY` before `tdx_rs_enable()` succeeded;
//! - `TDX_RS_SEAMCALL_BAD_ARGS` for a NULL or misaligned pointer, or an
//!   argument that does not fit its operand (`args.rs`);
//! - `TDX_RS_TD_STATE` for a TD this module did not create, or whose TDR
//!   it already gave back (`state.rs`);
//! - `TDX_RS_BAD_KEYID` for TDH.MNG.CREATE with an HKID not handed out.
//!
//! The memory functions run under KVM's mmu_lock, in atomic context:
//! nothing here sleeps or allocates, but TDH.MNG.CREATE and
//! TDH.MNG.KEY.FREEID, which take the host's lock for the KeyID they bind
//! or release (KVM calls them where it may sleep).

mod args;
mod mem;
mod mng;
mod phymem;
mod state;
mod vp;

use crate::abi::status::{NOT_READY, SEAMCALL_BAD_ARGS, TD_STATE};
use crate::abi::{page, tdx_rs_td, tdx_rs_vp};
use crate::glue::page_ref::{ModulePage, PageRef};
use crate::glue::services::c;
use crate::seamcall::{raw, raw_handed, Handed, Released, Status};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The global KeyID once `tdx_rs_enable()` succeeded, 0 before (a KeyID
/// that is never the global one: TDX KeyIDs follow the MKTME ones).
static GLOBAL_KEYID: AtomicU32 = AtomicU32::new(0);

/// The TDX module is ready for TDs; its global KeyID is `global_keyid`.
pub(crate) fn set_ready(global_keyid: u32) {
    GLOBAL_KEYID.store(global_keyid, Ordering::Release);
}

/// Why a call was refused, or its RAX: both are what the caller gets.
type Rax = Result<u64, u64>;

/// The global KeyID, or `TDX_RS_NOT_READY`.
fn ready() -> Result<u32, u64> {
    match GLOBAL_KEYID.load(Ordering::Acquire) {
        0 => Err(NOT_READY),
        keyid => Ok(keyid),
    }
}

/// The RAX a call returns, refused or not: `call`'s answer.
fn answer(call: impl FnOnce() -> Rax) -> u64 {
    match call() {
        Ok(v) | Err(v) => v,
    }
}

fn aligned<T>(p: *const T) -> bool {
    (p as usize) % core::mem::align_of::<T>() == 0
}

/// A caller's output operand: not NULL, aligned.
///
/// # Safety
///
/// `p` is NULL or valid for a write of a u64 for the call.
unsafe fn out<'a>(p: *mut u64) -> Result<&'a mut u64, u64> {
    if !aligned(p) {
        return Err(SEAMCALL_BAD_ARGS);
    }
    // SAFETY: aligned, and NULL or valid for the write (the caller's
    // guarantee); `as_mut` turns NULL into `None`.
    unsafe { p.as_mut() }.ok_or(SEAMCALL_BAD_ARGS)
}

/// A caller's page: not NULL.
fn non_null(p: *mut page) -> Result<NonNull<page>, u64> {
    NonNull::new(p).ok_or(SEAMCALL_BAD_ARGS)
}

/// A reference of this module's on a caller's page, for a hand-over.
///
/// # Safety
///
/// `p` is NULL or a `struct page` of the kernel's memory map.
unsafe fn page_ref(p: *mut page) -> Result<PageRef, u64> {
    // SAFETY: a `struct page` (the caller's guarantee).
    unsafe { PageRef::get(non_null(p)?) }.ok_or(SEAMCALL_BAD_ARGS)
}

/// A caller's page's physical address.
fn phys(p: NonNull<page>) -> u64 {
    // SAFETY: FFI call on a `struct page` (the exported functions'
    // contract: every page pointer they take is NULL or one).
    unsafe { c::tdx_rs_k_page_to_phys(p.as_ptr()) }
}

/// A caller's `struct tdx_rs_td`, as this module reads it.
struct Td<'a> {
    tdr_page: *mut page,
    /// `rs_private`: only this module's functions touch it, atomically.
    state: &'a AtomicU64,
}

impl Td<'_> {
    /// # Safety
    ///
    /// `td` is NULL or points to a `struct tdx_rs_td` valid for the call,
    /// whose `rs_private` only this module's functions access.
    unsafe fn new(td: *mut tdx_rs_td) -> Result<Self, u64> {
        if td.is_null() || !aligned(td) {
            return Err(SEAMCALL_BAD_ARGS);
        }
        // SAFETY: `td` is valid for the call (the caller's guarantee).
        let tdr_page = unsafe { (*td).tdr_page };
        // SAFETY: `rs_private` is a valid, 8-byte aligned u64 (a u64 field
        // of an aligned `struct tdx_rs_td`) for the call, and only this
        // module's functions access it, all atomically (the caller's
        // guarantee).
        let state = unsafe { AtomicU64::from_ptr(core::ptr::addr_of_mut!((*td).rs_private)) };
        Ok(Self { tdr_page, state })
    }

    /// The TDR of a TD this module created and still holds: the one every
    /// call names. `td->tdr_page` must still be it.
    fn tdr(&self) -> Result<u64, u64> {
        let pa = state::tdr_pa(self.state.load(Ordering::Acquire)).ok_or(TD_STATE)?;
        if phys(non_null(self.tdr_page)?) != pa {
            return Err(TD_STATE);
        }
        Ok(pa)
    }
}

/// The TDR of the TD `td` names, once the module is ready: how every call
/// on a created TD starts (`TDX_RS_NOT_READY`, then [`Td::new`]'s checks,
/// then [`Td::tdr`]'s).
///
/// # Safety
///
/// As for [`Td::new`].
unsafe fn ready_tdr(td: *mut tdx_rs_td) -> Result<u64, u64> {
    ready()?;
    // SAFETY: the caller's guarantee.
    unsafe { Td::new(td) }?.tdr()
}

/// A leaf that takes the TD alone: its RAX.
///
/// # Safety
///
/// As for [`Td::new`].
unsafe fn on_td(td: *mut tdx_rs_td, leaf: fn(u64) -> Status) -> u64 {
    answer(|| {
        // SAFETY: the caller's guarantee.
        let tdr = unsafe { ready_tdr(td) }?;
        Ok(raw(&leaf(tdr)))
    })
}

/// The end of a leaf with one output, after the caller's own checks: `p`
/// is checked ([`out`]), then `leaf` makes the SEAMCALL; the value it
/// reports goes to `*p`.
///
/// # Safety
///
/// As for [`out`].
unsafe fn with_out(p: *mut u64, leaf: impl FnOnce() -> (Status, u64)) -> Rax {
    // SAFETY: the caller's guarantee.
    let p = unsafe { out(p) }?;
    let (status, value) = leaf();
    *p = value;
    Ok(raw(&status))
}

/// A hand-over's RAX; on success the page stays the module's (the
/// reference taken for it is kept until the module gives the page back).
fn kept(handed: Handed) -> u64 {
    let status = raw_handed(&handed);
    if let Ok((_, held)) = handed {
        held.keep();
    }
    status
}

/// Puts the reference kept for a page the module just gave back.
///
/// # Safety
///
/// The page at `released.pa()` was handed over by one of this module's
/// wrappers, which kept a reference for it, and that reference was not
/// taken back since.
unsafe fn give_back(released: Released) {
    // SAFETY: the caller's guarantee.
    if let Some(held) = unsafe { ModulePage::take_back(released.pa()) } {
        held.give_back(released);
    }
}

/// A caller's `struct tdx_rs_vp`: its TDVPR page's physical address.
///
/// # Safety
///
/// `vp` is NULL or points to a `struct tdx_rs_vp` valid for the call.
unsafe fn tdvpr(vp: *mut tdx_rs_vp) -> Result<NonNull<page>, u64> {
    if vp.is_null() || !aligned(vp) {
        return Err(SEAMCALL_BAD_ARGS);
    }
    // SAFETY: `vp` is valid for the call (the caller's guarantee).
    non_null(unsafe { (*vp).tdvpr_page })
}

/// The TDVPR `vp` names, once the module is ready: how every call on a
/// vCPU starts.
///
/// # Safety
///
/// As for [`tdvpr`].
unsafe fn ready_tdvpr(vp: *mut tdx_rs_vp) -> Result<u64, u64> {
    ready()?;
    // SAFETY: the caller's guarantee.
    Ok(phys(unsafe { tdvpr(vp) }?))
}

/// `tdx_rs_leaked_pages()`: pages kept allocated on purpose, for good.
#[no_mangle]
extern "C" fn tdx_rs_rs_leaked_pages() -> u64 {
    crate::glue::pages::leaked_pages()
}

// The definitions must have exactly the types `glue/kernel.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn() -> u64; 2] = [c::tdx_rs_rs_leaked_pages, tdx_rs_rs_leaked_pages];
};
