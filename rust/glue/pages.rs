// SPDX-License-Identifier: GPL-2.0

//! Memory the host hands to the TDX module, as types.
//!
//! - [`PageBuf`]: zeroed kernel pages the module only reads during one
//!   SEAMCALL (TDH.SYS.CONFIG's TDMR_INFO array); freed on drop.
//! - [`ContigPages`]: physically contiguous pages the kernel still owns;
//!   freed on drop.
//! - [`ModulePages`]: pages the TDX module owns (a PAMT once TDH.SYS.CONFIG
//!   names it). Safe code cannot give them back: dropping one leaks it, on
//!   purpose, and counts it; the only way back to the page allocator is
//!   [`ModulePages::reclaim`], which is `unsafe` because only the caller can
//!   know that the module will never touch the pages again, and which writes
//!   the caches back and clears the pages before it frees them.

use super::services::c;
use crate::init::tdmr::PAGE_SIZE;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// Zeroed, page-aligned, physically contiguous kernel memory.
///
/// # Invariants
///
/// `va` points to `len` bytes from `tdx_rs_k_alloc_buf`, owned by this value.
pub(crate) struct PageBuf {
    va: core::ptr::NonNull<u8>,
    len: usize,
}

impl PageBuf {
    pub(crate) fn new(len: usize) -> Result<Self> {
        // SAFETY: FFI call without preconditions.
        let va = unsafe { c::tdx_rs_k_alloc_buf(len as u64) }.cast::<u8>();
        let va = core::ptr::NonNull::new(va).ok_or(ENOMEM)?;
        // INVARIANT: freshly allocated, `len` bytes, ours.
        Ok(Self { va, len })
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: by the type invariant `va` is valid for `len` bytes and
        // owned by `self`, which `&mut self` borrows exclusively.
        unsafe { core::slice::from_raw_parts_mut(self.va.as_ptr(), self.len) }
    }

    /// The physical address of byte `offset`.
    pub(crate) fn phys(&self, offset: usize) -> u64 {
        // SAFETY: FFI call; `va` is a direct-map address (type invariant).
        unsafe { c::tdx_rs_k_virt_to_phys(self.va.as_ptr().cast()) + offset as u64 }
    }
}

impl Drop for PageBuf {
    fn drop(&mut self) {
        // SAFETY: allocated by `tdx_rs_k_alloc_buf` with this length (type
        // invariant) and not used after this. The TDX module never keeps a
        // `PageBuf`: it copies what it reads during the one SEAMCALL.
        unsafe { c::tdx_rs_k_free_buf(self.va.as_ptr().cast(), self.len as u64) }
    }
}

// SAFETY: the buffer is plain memory owned by the value; nothing ties it to
// the allocating thread.
unsafe impl Send for PageBuf {}

/// Physically contiguous pages the kernel owns, not (yet) the TDX module's.
///
/// # Invariants
///
/// `[pa, pa + nr_pages * 4 KiB)` came from `tdx_rs_k_alloc_contig_in`, is owned
/// by this value and has never been handed to the TDX module.
pub(crate) struct ContigPages {
    pa: u64,
    nr_pages: u64,
}

impl ContigPages {
    /// `size` bytes (page multiple) inside `[lo, hi)`, as high as the
    /// kernel can give them; `-ENOMEM` if it cannot.
    pub(crate) fn new(size: u64, lo: u64, hi: u64) -> Result<Self> {
        let nr_pages = size / PAGE_SIZE;
        // SAFETY: FFI call without preconditions.
        let pa = unsafe { c::tdx_rs_k_alloc_contig_in(lo, hi, nr_pages) };
        if pa == 0 {
            return Err(ENOMEM);
        }
        // INVARIANT: freshly allocated, ours, never handed over.
        Ok(Self { pa, nr_pages })
    }

    pub(crate) fn phys(&self) -> u64 {
        self.pa
    }

    /// Gives the pages to the TDX module: from here on they are its, and
    /// safe code can no longer free them. Call it before the SEAMCALL that
    /// names them.
    pub(crate) fn hand_over(self) -> ModulePages {
        let pages = ModulePages {
            pa: self.pa,
            nr_pages: self.nr_pages,
        };
        // The pages now belong to `pages`: `self` must not free them.
        core::mem::forget(self);
        pages
    }
}

impl Drop for ContigPages {
    fn drop(&mut self) {
        // SAFETY: the range is ours and was never the TDX module's (type
        // invariant), so no private-KeyID line of it can sit in a cache.
        unsafe { c::tdx_rs_k_free_contig(self.pa, self.nr_pages) }
    }
}

/// Pages kept allocated on purpose, for good: the TDX module never gave
/// them back (PAMTs, `ModulePages`), or gave them back in a way that does
/// not let them be freed safely (`page_ref::ModulePage`). What
/// `tdx_rs_leaked_pages()` reports.
static LEAKED_PAGES: AtomicU64 = AtomicU64::new(0);

/// Counts `nr` more pages kept on purpose; the total so far.
pub(crate) fn count_leaked(nr: u64) -> u64 {
    LEAKED_PAGES.fetch_add(nr, Ordering::Relaxed) + nr
}

/// Pages kept on purpose so far.
pub(crate) fn leaked_pages() -> u64 {
    LEAKED_PAGES.load(Ordering::Relaxed)
}

/// Physically contiguous pages the TDX module owns.
///
/// # Invariants
///
/// `[pa, pa + nr_pages * 4 KiB)` came from `tdx_rs_k_alloc_contig_in` and was
/// handed to the TDX module; the kernel neither reads, writes nor frees it
/// while this value lives.
pub(crate) struct ModulePages {
    pa: u64,
    nr_pages: u64,
}

impl ModulePages {
    pub(crate) fn phys(&self) -> u64 {
        self.pa
    }

    pub(crate) fn size(&self) -> u64 {
        self.nr_pages * PAGE_SIZE
    }

    /// Gives every range of `pages` back to the page allocator: the caches
    /// are written back and invalidated on every CPU (lines the module wrote
    /// with its private KeyID must not be written back over the memory
    /// later), then each range is cleared (with MOVDIR64B where the CPU has
    /// it, so no poisoned line is ever read) and freed.
    ///
    /// # Safety
    ///
    /// The TDX module will never again read or write any page of `pages`.
    pub(crate) unsafe fn reclaim(pages: KVec<ModulePages>) {
        if pages.is_empty() {
            return;
        }
        super::services::wbinvd_all();
        for p in pages {
            let p = core::mem::ManuallyDrop::new(p);
            // SAFETY: the range is ours (type invariant) and, by the
            // caller's guarantee, the module is done with it; its caches
            // were written back above, so clearing it and freeing it cannot
            // be undone by a late write-back.
            unsafe {
                c::tdx_rs_k_clear_phys(p.pa, p.size());
                c::tdx_rs_k_free_contig(p.pa, p.nr_pages);
            }
        }
    }
}

impl Drop for ModulePages {
    /// The module may still write these pages: they are never freed here.
    fn drop(&mut self) {
        let total = count_leaked(self.nr_pages);
        pr_warn!(
            "leaking {} KiB at {:#x}: the TDX module may still use them ({} KiB leaked so far)\n",
            self.size() / 1024,
            self.pa,
            total * PAGE_SIZE / 1024
        );
    }
}
