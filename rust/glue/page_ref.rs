// SPDX-License-Identifier: GPL-2.0

//! The caller's pages that the TD life-cycle API hands to the TDX module, as
//! types (the PAMTs, this module's own, are `pages.rs`'s).
//!
//! The caller (KVM) allocates a TDR, TDCS, TDVPR, TDCX, Secure EPT or private
//! page and keeps its own reference on it. For the SEAMCALL that hands it
//! over, this module takes a reference of its own ([`PageRef`]); when the
//! module took the page, that reference becomes a [`ModulePage`], held for
//! the module, and stays taken however early the caller frees its own: the
//! page never reaches the page allocator while the module owns it.
//!
//! Safe code cannot put a [`ModulePage`]'s reference: dropping one keeps the
//! page allocated for good and counts it (`tdx_rs_leaked_pages()`); only
//! [`ModulePage::give_back`], with a [`Released`] that a SEAMCALL wrapper
//! made from the module's own answer, puts it, and even then never as the
//! page's last reference: a page the caller freed early has cache lines and
//! contents only the caller's own give-back protocol (write-back, clearing)
//! makes safe, so it is kept instead, and counted.

use super::pages::count_leaked;
use super::services::c;
use crate::abi::page;
use crate::seamcall::Released;
use core::ptr::NonNull;
use kernel::prelude::*;

/// A reference on a caller's page, taken for the SEAMCALL that hands it to
/// the TDX module, which does not own it yet. Dropping it puts the
/// reference back.
///
/// # Invariants
///
/// `page` is a `struct page` on which this value holds one reference.
pub(crate) struct PageRef {
    page: NonNull<page>,
}

impl PageRef {
    /// Takes a reference on `page`; `None` if its count is zero (a free
    /// page is not the caller's to give).
    ///
    /// # Safety
    ///
    /// `page` points to a `struct page` of the kernel's memory map.
    pub(crate) unsafe fn get(page: NonNull<page>) -> Option<Self> {
        // SAFETY: `page` is a `struct page` (the caller's guarantee); a
        // reference is taken only while its count is not zero.
        let got = unsafe { c::tdx_rs_k_try_get_page(page.as_ptr()) };
        // INVARIANT: the reference just taken is this value's.
        got.then_some(Self { page })
    }

    /// The page's physical address.
    pub(crate) fn phys(&self) -> u64 {
        // SAFETY: `page` is a live `struct page` (type invariant).
        unsafe { c::tdx_rs_k_page_to_phys(self.page.as_ptr()) }
    }

    /// Writes the page's cache lines back and invalidates them: no line of
    /// it may sit dirty under KeyID 0 once the module writes it with a
    /// private KeyID.
    pub(crate) fn clflush(&self) {
        // SAFETY: `page` is a live `struct page` (type invariant); the
        // flush neither reads nor writes its contents.
        unsafe { c::tdx_rs_k_clflush_page(self.page.as_ptr()) }
    }

    /// The module took the page: from now on the reference is held for it.
    pub(crate) fn hand_over(self) -> ModulePage {
        let held = ModulePage { page: self.page };
        // The reference moves to `held`: `self` must not put it.
        core::mem::forget(self);
        // INVARIANT: the reference `self` held, for a page just handed over.
        held
    }
}

impl Drop for PageRef {
    fn drop(&mut self) {
        // SAFETY: the reference is this value's (type invariant) and the
        // module never owned the page, so the page may go to the allocator
        // if the caller's reference is gone too.
        unsafe { c::tdx_rs_k_put_page(self.page.as_ptr()) }
    }
}

// SAFETY: a page reference is not tied to the CPU or thread that took it.
unsafe impl Send for PageRef {}

/// A page reference held for the TDX module, which owns the page.
///
/// # Invariants
///
/// `page` is a `struct page` on which this value holds one reference, taken
/// by a [`PageRef`] whose SEAMCALL handed the page to the TDX module.
pub(crate) struct ModulePage {
    page: NonNull<page>,
}

impl ModulePage {
    /// The module keeps the page: its reference stays taken, held by no
    /// value, until [`ModulePage::take_back`] after the module let it go.
    pub(crate) fn keep(self) {
        core::mem::forget(self);
    }

    /// The reference kept for the page at `pa`; `None` if `pa` has no
    /// `struct page`.
    ///
    /// # Safety
    ///
    /// A [`ModulePage`] of the page at `pa` was kept ([`ModulePage::keep`])
    /// and not taken back since.
    pub(crate) unsafe fn take_back(pa: u64) -> Option<Self> {
        // SAFETY: FFI call without preconditions.
        let page = NonNull::new(unsafe { c::tdx_rs_k_phys_to_page(pa) })?;
        // INVARIANT: the reference kept for this page (the caller's
        // guarantee), now this value's again.
        Some(Self { page })
    }

    pub(crate) fn phys(&self) -> u64 {
        // SAFETY: `page` is a live `struct page` (type invariant).
        unsafe { c::tdx_rs_k_page_to_phys(self.page.as_ptr()) }
    }

    /// Puts the reference back: `released` proves that the module gave the
    /// page back. Kept and counted instead when `released` names another
    /// page, or when this is the page's last reference (its owner freed it
    /// while the module had it).
    pub(crate) fn give_back(self, released: Released) {
        if released.pa() != self.phys() {
            pr_err!(
                "page {:#x} given back as {:#x}: kept\n",
                self.phys(),
                released.pa()
            );
            return;
        }
        // SAFETY: the reference is this value's (type invariant) and the
        // module let the page go (`released`); it is put only if another
        // reference remains, so the page is never freed here.
        if unsafe { c::tdx_rs_k_put_page_unless_last(self.page.as_ptr()) } {
            core::mem::forget(self);
        } else {
            pr_warn!(
                "page {:#x} was freed by its owner while the TDX module had it: kept\n",
                self.phys()
            );
        }
    }
}

impl Drop for ModulePage {
    /// The module may still use the page, or let it go in a way that does
    /// not make it safe to free: it is never put here, and counted.
    fn drop(&mut self) {
        let total = count_leaked(1);
        pr_warn!(
            "keeping page {:#x} for good ({total} pages kept so far)\n",
            self.phys()
        );
    }
}

// SAFETY: a page reference is not tied to the CPU or thread that took it.
unsafe impl Send for ModulePage {}
