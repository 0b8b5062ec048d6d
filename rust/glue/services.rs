// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers over the kernel services of `kernel.c` and `cpus.c`: what
//! Linux 6.12's kernel crate does not offer a module (CPU masks and IPIs,
//! contiguous allocations, the iomem walk, the KeyID MSR).

use kernel::error::{to_result, Result};
use kernel::ffi::{c_int, c_void};

/// `kernel.h`, as bindgen saw it: generated code, whose naming and unused
/// items are bindgen's, not ours.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]
pub(crate) mod c {
    use crate::abi::*;
    use kernel::ffi;
    include!(concat!(env!("TDX_RS_OBJTREE"), "/rust/kernel_generated.rs"));
}

fn to_c(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// IA32_MKTME_KEYID_PARTITIONING: (MKTME KeyIDs, TDX KeyIDs).
pub(crate) fn keyid_partitioning() -> Result<(u32, u32)> {
    let (mut mktme, mut tdx) = (0u32, 0u32);
    // SAFETY: FFI call; both pointers are valid for writes.
    to_result(unsafe { c::tdx_rs_k_keyid_partitioning(&mut mktme, &mut tdx) })?;
    Ok((mktme, tdx))
}

/// Writes back and invalidates the caches of every CPU.
pub(crate) fn wbinvd_all() {
    // SAFETY: FFI call without preconditions; it waits for every CPU, and
    // can only fail on a kernel without SMP support for IPIs, where there is
    // no other CPU to write back.
    let _ = unsafe { kernel::bindings::wbinvd_on_all_cpus() };
}

pub(crate) fn cond_resched() {
    // SAFETY: FFI call; the callers run in process context.
    unsafe { c::tdx_rs_k_cond_resched() }
}

/// From now on the module may never be unloaded.
/// `init_at_load=1`: `tdx_rs_enable()` now, its outcome logged; the module
/// loads whatever it is. Called once the C side is registered.
pub(crate) fn init_at_load() {
    // SAFETY: FFI call; the caller has registered the C side, which
    // `tdx_rs_enable()` reaches.
    unsafe { c::tdx_rs_k_init_at_load() }
}

pub(crate) fn pin_module() {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_rs_k_pin_module() }
}

/// What `tdx_rs_vp_enter()` returns instead of entering, 0 to enter.
pub(crate) fn set_vp_enter_refusal(refusal: u64) {
    // SAFETY: FFI call without preconditions (a single aligned store).
    unsafe { c::tdx_rs_k_set_vp_enter_refusal(refusal) }
}

/// The number of possible CPU ids.
pub(crate) fn nr_cpu_ids() -> u32 {
    // SAFETY: `nr_cpu_ids` is set while the kernel boots, before any module
    // loads, and only read from then on.
    unsafe { kernel::bindings::nr_cpu_ids }
}

/// The calling CPU, and whether interrupts are off, which keeps it so.
pub(crate) fn this_cpu() -> (u32, bool) {
    // SAFETY: FFI calls without preconditions.
    unsafe { (c::tdx_rs_k_this_cpu(), c::tdx_rs_k_irqs_disabled()) }
}

/// Calls `f` for every piece of System RAM, ascending: `(start, end, nid)`,
/// each range cut where its node changes, each piece once
/// (`tdx_rs_k_walk_ram()`).
pub(crate) fn for_each_ram<F: FnMut(u64, u64, i32) -> Result>(mut f: F) -> Result {
    /// # Safety
    ///
    /// `ctx` is the `&mut F` that `for_each_ram` hands to the walk.
    unsafe extern "C" fn one<F: FnMut(u64, u64, i32) -> Result>(
        start: u64,
        end: u64,
        nid: i32,
        ctx: *mut c_void,
    ) -> c_int {
        // SAFETY: `ctx` is the `&mut F` passed below, alive for the walk,
        // and the walk calls back one range at a time.
        let f = unsafe { &mut *ctx.cast::<F>() };
        to_c(f(start, end, nid))
    }
    let ctx = (&mut f as *mut F).cast::<c_void>();
    // SAFETY: FFI call; `one::<F>` gets back exactly this `ctx`, which
    // outlives the walk.
    to_result(unsafe { c::tdx_rs_k_walk_ram(Some(one::<F>), ctx) })
}

/// Calls `f` on one online CPU of every package, one package at a time.
pub(crate) fn on_each_package(f: fn() -> Result) -> Result {
    /// # Safety
    ///
    /// `ctx` is the `fn() -> Result` that `on_each_package` hands over.
    unsafe extern "C" fn one(ctx: *mut c_void) -> c_int {
        // SAFETY: `ctx` is the `fn` pointer passed below, cast back to the
        // type it had.
        let f = unsafe { core::mem::transmute::<*mut c_void, fn() -> Result>(ctx) };
        to_c(f())
    }
    let ctx = f as *const () as *mut c_void;
    // SAFETY: FFI call; `one` gets back exactly the `fn` given here.
    to_result(unsafe { c::tdx_rs_k_on_each_package(Some(one), ctx) })
}

/// A Rust function and its context, handed to C as one pointer by the
/// calls that run it on several CPUs ([`on_each_cpu`], [`on_cpus_at_once`]).
struct CpuCall<'a, T> {
    ctx: &'a T,
    f: fn(&T) -> Result,
}

impl<T: Sync> CpuCall<'_, T> {
    /// The C callback that runs the call on the CPU it is given to.
    ///
    /// # Safety
    ///
    /// `call` is a `&CpuCall<T>` that stays alive until every CPU given it
    /// has returned.
    unsafe extern "C" fn run(call: *mut c_void) -> c_int {
        // SAFETY: our contract; the call is only read.
        let call = unsafe { &*call.cast::<CpuCall<'_, T>>() };
        to_c((call.f)(call.ctx))
    }

    /// The pointer [`CpuCall::run`] takes back; valid while `self` is.
    fn as_ptr(&self) -> *mut c_void {
        (self as *const Self).cast_mut().cast::<c_void>()
    }
}

/// Calls `f` on every online CPU at once, with interrupts off (an IPI);
/// the first error any of them returned. The caller holds the CPU hotplug
/// lock.
pub(crate) fn on_each_cpu<T: Sync>(ctx: &T, f: fn(&T) -> Result) -> Result {
    let call = CpuCall { ctx, f };
    // SAFETY: FFI call; `CpuCall::<T>::run` gets back exactly `call`'s
    // pointer, and `call` outlives the call (it waits for every CPU).
    // `T: Sync` lets every CPU read `ctx` at once.
    to_result(unsafe { c::tdx_rs_k_on_each_cpu(Some(CpuCall::<T>::run), call.as_ptr()) })
}

/// Calls `f` on up to `workers` online CPUs at once (at most
/// [`MAX_WORKERS`]), each in process context bound to its CPU, and waits for
/// them all; the first error, in CPU order. Allocates nothing. The caller
/// holds the CPU hotplug lock.
pub(crate) fn on_cpus_at_once<T: Sync>(ctx: &T, workers: usize, f: fn(&T) -> Result) -> Result {
    let call = CpuCall { ctx, f };
    let workers = workers.min(MAX_WORKERS) as u32;
    // SAFETY: FFI call; `CpuCall::<T>::run` gets back exactly `call`'s
    // pointer, and `call` outlives the call (it waits for every worker).
    // `T: Sync` lets the workers read `ctx` at once.
    to_result(unsafe {
        c::tdx_rs_k_on_cpus_at_once(Some(CpuCall::<T>::run), call.as_ptr(), workers)
    })
}

/// The most workers [`on_cpus_at_once`] starts.
pub(crate) const MAX_WORKERS: usize = c::TDX_RS_K_MAX_WORKERS as usize;

/// The present CPUs, ascending. The caller holds the CPU hotplug lock.
pub(crate) fn present_cpus() -> impl Iterator<Item = u32> {
    let mut prev: c_int = -1;
    core::iter::from_fn(move || {
        // SAFETY: FFI call without preconditions.
        let next = unsafe { c::tdx_rs_k_next_present_cpu(prev) };
        (next >= 0).then(|| {
            prev = next;
            next as u32
        })
    })
}
