// SPDX-License-Identifier: GPL-2.0

//! The Rust side of the exported C API: the home of the module's state, and
//! the entry points `exports.c` and `cpus.c` call. Each one is a thin shim
//! over a method of [`Host`] (taken through its lock's guard) or of [`Lps`].

use super::services::c;
use crate::abi::tdx_rs_sysinfo;
use crate::init::cpus;
use crate::init::keyids::Freed;
use crate::init::{lps::Lps, Host};
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::Mutex;

/// Everything the C entry points reach.
#[pin_data]
struct Shared {
    /// The host state: reachable only through its guard.
    #[pin]
    host: Mutex<Host>,
    /// The logical processors: used with interrupts off, outside the lock.
    lps: Lps,
}

/// The registered [`Shared`], or null.
///
/// # Invariants
///
/// Non-null exactly while a [`Registration`] lives, and then it points to
/// that registration's `Shared`, which outlives every C caller: the sysfs
/// files, the CPU hotplug callbacks and the memory notifier are removed
/// before it is cleared, and the exported functions are only called by
/// modules that hold a reference on this one.
static SHARED: AtomicPtr<Shared> = AtomicPtr::new(core::ptr::null_mut());

// Every CPU reaches `Shared` at once through `SHARED`.
const _: () = {
    const fn is_sync<T: Sync>() {}
    is_sync::<Shared>();
};

fn shared() -> Option<&'static Shared> {
    let p = SHARED.load(Ordering::Acquire);
    // SAFETY: by the invariant of `SHARED`, a non-null pointer is a live
    // `Shared` for as long as any entry point can run.
    unsafe { p.as_ref() }
}

fn to_c(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `tdx_rs_enable()`, with the CPU hotplug lock held.
#[no_mangle]
extern "C" fn tdx_rs_rs_enable() -> c_int {
    let Some(s) = shared() else {
        return ENODEV.to_errno();
    };
    to_c(s.host.lock().enable(&s.lps))
}

/// What sysfs shows, copied into `*out`.
///
/// # Safety
///
/// `out` is valid for a write of a `struct tdx_rs_status`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_status(out: *mut c::tdx_rs_status) {
    let status = shared().map_or_else(Default::default, |s| s.host.lock().status());
    // SAFETY: `out` is valid for the write (the caller's guarantee).
    unsafe { out.write(status) };
}

/// `tdx_rs_get_sysinfo()`: set once the module is initialized and never
/// changed or freed after (the module is pinned then), so the pointer stays
/// valid after the lock is dropped.
#[no_mangle]
extern "C" fn tdx_rs_rs_sysinfo() -> *const tdx_rs_sysinfo {
    shared()
        .and_then(|s| s.host.lock().sysinfo().map(|i| i as *const _))
        .unwrap_or(core::ptr::null())
}

/// `tdx_rs_guest_keyid_alloc()`: the KeyID or a negative errno.
#[no_mangle]
extern "C" fn tdx_rs_rs_keyid_alloc() -> c_int {
    let Some(s) = shared() else {
        return ENODEV.to_errno();
    };
    match s.host.lock().alloc_guest_keyid() {
        // The KeyID space is 15 bits wide at most.
        Ok(keyid) => keyid as c_int,
        Err(e) => e.to_errno(),
    }
}

/// `tdx_rs_guest_keyid_free()`: 0 when freed, `-ENOENT` when `keyid` was
/// not handed out, `-EBUSY` when a TD holds it (it stays allocated).
#[no_mangle]
extern "C" fn tdx_rs_rs_keyid_free(keyid: u32) -> c_int {
    let freed = shared().map_or(Freed::NotAllocated, |s| {
        s.host.lock().free_guest_keyid(keyid)
    });
    match freed {
        Freed::Yes => 0,
        Freed::NotAllocated => ENOENT.to_errno(),
        Freed::Bound => EBUSY.to_errno(),
    }
}

/// Runs `f` on the host state under its lock; `None` when the module is
/// not registered. May sleep.
pub(crate) fn with_host<R>(f: impl FnOnce(&mut Host) -> R) -> Option<R> {
    shared().map(|s| f(&mut s.host.lock()))
}

/// The memory notifier: may `[start, end)` come online.
#[no_mangle]
extern "C" fn tdx_rs_rs_memory_online(start: u64, end: u64) -> bool {
    shared().map_or(true, |s| s.host.lock().memory_may_go_online(start, end))
}

/// `tdx_rs_cpu_enable()`, interrupts off.
#[no_mangle]
extern "C" fn tdx_rs_rs_cpu_enable() -> c_int {
    shared().map_or(ENODEV.to_errno(), |s| to_c(s.lps.enable_this_cpu()))
}

/// A CPU coming online, interrupts off.
#[no_mangle]
extern "C" fn tdx_rs_rs_cpu_online() -> c_int {
    shared().map_or(0, |s| to_c(s.lps.cpu_online()))
}

/// CPU `cpu`, of package `pkg`, going offline: `-EBUSY` keeps it online.
#[no_mangle]
extern "C" fn tdx_rs_rs_cpu_offline(cpu: u32, pkg: c_int, last_in_package: bool) -> c_int {
    let tds = shared().is_some_and(|s| s.host.lock().tds_may_exist());
    if cpus::may_go_offline(last_in_package, tds) {
        return 0;
    }
    pr_warn!(
        "CPU {cpu} is the last online CPU of package {pkg} and guest KeyIDs are in use: it stays online\n"
    );
    EBUSY.to_errno()
}

/// The planner's dry run (`rust/init/dry_run.rs`) as text in `buf`; the
/// bytes written, at most `len`.
///
/// # Safety
///
/// `buf` points to `len` initialized bytes, valid for reads and writes and
/// not otherwise used during the call.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_plan(buf: *mut kernel::ffi::c_char, len: u64) -> u64 {
    let Some(s) = shared() else {
        return 0;
    };
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    // SAFETY: `buf` holds `len` initialized bytes, valid for reads and
    // writes and used by nothing else during the call (the caller's
    // guarantee: `plan_open()` passes a zeroed buffer of its own); `u8` and
    // `c_char` have one layout.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    let mut text = crate::init::TextBuf::new(buf);
    if let Err(e) = s.host.lock().dry_run(&mut text) {
        use core::fmt::Write;
        let _ = writeln!(text, "dry run failed: {}", e.to_errno());
    }
    text.finish() as u64
}

// The definitions above must have exactly the types `kernel.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_enable, tdx_rs_rs_enable];
    let _: [unsafe extern "C" fn(*mut c::tdx_rs_status); 2] =
        [c::tdx_rs_rs_status, tdx_rs_rs_status];
    let _: [unsafe extern "C" fn() -> *const tdx_rs_sysinfo; 2] =
        [c::tdx_rs_rs_sysinfo, tdx_rs_rs_sysinfo];
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_keyid_alloc, tdx_rs_rs_keyid_alloc];
    let _: [unsafe extern "C" fn(u32) -> c_int; 2] =
        [c::tdx_rs_rs_keyid_free, tdx_rs_rs_keyid_free];
    let _: [unsafe extern "C" fn(u64, u64) -> bool; 2] =
        [c::tdx_rs_rs_memory_online, tdx_rs_rs_memory_online];
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_cpu_enable, tdx_rs_rs_cpu_enable];
    let _: [unsafe extern "C" fn() -> c_int; 2] = [c::tdx_rs_rs_cpu_online, tdx_rs_rs_cpu_online];
    let _: [unsafe extern "C" fn(u32, c_int, bool) -> c_int; 2] =
        [c::tdx_rs_rs_cpu_offline, tdx_rs_rs_cpu_offline];
    let _: [unsafe extern "C" fn(*mut kernel::ffi::c_char, u64) -> u64; 2] =
        [c::tdx_rs_rs_plan, tdx_rs_rs_plan];
};

/// The state, reachable from C for as long as this value lives.
///
/// # Invariants
///
/// `shared` is what [`SHARED`] points to, and the C side (sysfs, CPU
/// hotplug, the memory notifier) is registered.
pub(crate) struct Registration {
    shared: Pin<KBox<Shared>>,
}

impl Registration {
    pub(crate) fn new() -> Result<Self> {
        let host = Host::new();
        let lps = Lps::new()?;
        let shared = KBox::pin_init(
            pin_init!(Shared {
                host <- new_mutex!(host, "tdx_host_rs::host"),
                lps,
            }),
            GFP_KERNEL,
        )?;
        // Set before the C side is registered: CPU hotplug calls back at
        // once for every online CPU.
        SHARED.store((&*shared as *const Shared).cast_mut(), Ordering::Release);
        // SAFETY: FFI call without preconditions; `SHARED` is set.
        if let Err(e) = to_result(unsafe { c::tdx_rs_k_register() }) {
            SHARED.store(core::ptr::null_mut(), Ordering::Release);
            return Err(e);
        }
        // INVARIANT: `SHARED` points to `shared`; the C side is registered.
        Ok(Self { shared })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: FFI call; registered in `new`. It returns once no sysfs
        // reader, CPU hotplug callback or memory notifier runs any more.
        unsafe { c::tdx_rs_k_unregister() };
        SHARED.store(core::ptr::null_mut(), Ordering::Release);
        // `self.shared` is freed after this, when nothing can reach it.
        let _ = &self.shared;
    }
}
