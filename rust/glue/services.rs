// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers over the kernel services of `kernel.c`.
//!
//! This file and `abi.rs` are the only places the initialization code meets
//! raw pointers; everything above them is safe Rust.

use crate::init::tdmr::MemBlock;
use kernel::error::{to_result, Result};
use kernel::prelude::*;

/// `kernel.h`, as bindgen saw it.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    clippy::all,
    missing_docs
)]
pub(crate) mod c {
    use crate::abi::*;
    use kernel::ffi;
    include!(concat!(env!("TDX_RS_OBJTREE"), "/rust/kernel_generated.rs"));
}

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
        // invariant) and not used after this.
        unsafe { c::tdx_rs_k_free_buf(self.va.as_ptr().cast(), self.len as u64) }
    }
}

// SAFETY: the buffer is plain memory owned by the value; nothing ties it to
// the allocating thread.
unsafe impl Send for PageBuf {}

/// Physically contiguous pages given to the TDX module (a PAMT).
///
/// # Invariants
///
/// `[pa, pa + nr_pages * 4 KiB)` came from `tdx_rs_k_alloc_contig` and is
/// owned by this value.
pub(crate) struct ContigPages {
    pa: u64,
    nr_pages: u64,
}

impl ContigPages {
    /// `size` bytes (page multiple), preferably on node `nid`.
    pub(crate) fn new(size: u64, nid: i32) -> Result<Self> {
        let nr_pages = size / crate::init::tdmr::PAGE_SIZE;
        // SAFETY: FFI call without preconditions.
        let pa = unsafe { c::tdx_rs_k_alloc_contig(nr_pages, nid) };
        if pa == 0 {
            return Err(ENOMEM);
        }
        // INVARIANT: freshly allocated, ours.
        Ok(Self { pa, nr_pages })
    }

    pub(crate) fn phys(&self) -> u64 {
        self.pa
    }
}

impl Drop for ContigPages {
    /// Clears the pages (the TDX module may have written them with its
    /// private KeyID) and gives them back.
    fn drop(&mut self) {
        let size = self.nr_pages * crate::init::tdmr::PAGE_SIZE;
        // SAFETY: the range is ours (type invariant); nobody else uses it:
        // the TDX module is never handed pages it may still use and then
        // dropped (see `init.rs`).
        unsafe {
            c::tdx_rs_k_clear_phys(self.pa, size);
            c::tdx_rs_k_free_contig(self.pa, self.nr_pages);
        }
    }
}

/// IA32_MKTME_KEYID_PARTITIONING: (MKTME KeyIDs, TDX KeyIDs).
pub(crate) fn keyid_partitioning() -> Result<(u32, u32)> {
    let (mut mktme, mut tdx) = (0u32, 0u32);
    // SAFETY: FFI call; both pointers are valid for writes.
    to_result(unsafe { c::tdx_rs_k_keyid_partitioning(&mut mktme, &mut tdx) })?;
    Ok((mktme, tdx))
}

pub(crate) fn wbinvd_all() {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_rs_k_wbinvd_all() }
}

pub(crate) fn cond_resched() {
    // SAFETY: FFI call; the callers run in process context.
    unsafe { c::tdx_rs_k_cond_resched() }
}

/// TDH.SYS.INIT (once) and TDH.SYS.LP.INIT on every online CPU.
pub(crate) fn lp_init_all() -> Result {
    // SAFETY: FFI call; `tdx_rs_enable()` holds the CPU hotplug lock.
    to_result(unsafe { c::tdx_rs_k_lp_init_all() })
}

/// Calls `f` for every System RAM range, ascending: `(start, end, nid)`.
pub(crate) fn for_each_ram<F: FnMut(u64, u64, i32) -> Result>(mut f: F) -> Result {
    /// # Safety
    ///
    /// `ctx` is the `&mut F` that `for_each_ram` hands to the walk.
    unsafe extern "C" fn one<F: FnMut(u64, u64, i32) -> Result>(
        start: u64,
        end: u64,
        nid: i32,
        ctx: *mut core::ffi::c_void,
    ) -> kernel::ffi::c_int {
        // SAFETY: `ctx` is the `&mut F` passed below, alive for the walk.
        let f = unsafe { &mut *ctx.cast::<F>() };
        match f(start, end, nid) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
    let ctx = (&mut f as *mut F).cast::<core::ffi::c_void>();
    // SAFETY: FFI call; `one::<F>` gets back exactly this `ctx`, which
    // outlives the walk.
    to_result(unsafe { c::tdx_rs_k_walk_ram(Some(one::<F>), ctx) })
}

/// Calls `f` on one online CPU of every package, one package at a time.
pub(crate) fn on_each_package(f: fn() -> Result) -> Result {
    /// # Safety
    ///
    /// `ctx` is the `fn() -> Result` that `on_each_package` hands over.
    unsafe extern "C" fn one(ctx: *mut core::ffi::c_void) -> kernel::ffi::c_int {
        // SAFETY: `ctx` is the `fn` pointer passed below, cast back.
        let f = unsafe { core::mem::transmute::<*mut core::ffi::c_void, fn() -> Result>(ctx) };
        match f() {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
    let ctx = f as *const () as *mut core::ffi::c_void;
    // SAFETY: FFI call; `one` gets back exactly the `fn` given here.
    to_result(unsafe { c::tdx_rs_k_on_each_package(Some(one), ctx) })
}

/// From now on the module may never be unloaded.
pub(crate) fn pin_module() {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_rs_k_pin_module() }
}

/// Publishes the state for sysfs and `tdx_rs_get_sysinfo()`.
pub(crate) fn publish(status: &c::tdx_rs_status, sysinfo: Option<&crate::abi::tdx_rs_sysinfo>) {
    let sysinfo = sysinfo.map_or(core::ptr::null(), |s| s as *const _);
    // SAFETY: FFI call with the module lock held (every caller runs under
    // `tdx_rs_enable()` or before registration); both pointers are valid for
    // the call, which copies them.
    unsafe { c::tdx_rs_k_publish(status, sysinfo) }
}

/// Hands the TDX memory list to the memory hotplug check.
pub(crate) fn set_tdx_memory(mem: &[MemBlock]) -> Result {
    let mut ranges = KVec::with_capacity(mem.len(), GFP_KERNEL)?;
    for m in mem {
        ranges.push(
            c::tdx_rs_mem_range {
                start: m.start,
                end: m.end,
            },
            GFP_KERNEL,
        )?;
    }
    // SAFETY: FFI call with the module lock held; `ranges` is valid for the
    // call, which copies it.
    to_result(unsafe { c::tdx_rs_k_set_tdx_memory(ranges.as_ptr(), ranges.len() as u32) })
}
