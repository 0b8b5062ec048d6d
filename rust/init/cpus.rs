// SPDX-License-Identifier: GPL-2.0

//! The rules for logical processors (Documentation/tdx_host_rs.rst, "CPU
//! hotplug"), decided here; `glue/cpus.c` only registers the callbacks and
//! walks the kernel's CPU masks.
//!
//! - TDH.SYS.INIT is platform-wide and runs once, on the first CPU that
//!   needs it; every later caller gets its result ([`SysInitOnce`]).
//! - Every logical processor does TDH.SYS.LP.INIT before any other
//!   SEAMCALL. `tdx_rs_enable()` does it on every online CPU and refuses
//!   with `-EBUSY`, changing nothing, while a present CPU is offline that
//!   never did it ([`first_unready`]): the TDX module counts every logical
//!   processor the BIOS enabled, and TDH.SYS.CONFIG waits for all of them.
//! - A CPU that comes online once TDH.SYS.INIT succeeded does
//!   TDH.SYS.LP.INIT before anything else runs there; if that fails, it
//!   does not come online.
//! - While TDs may hold keys, the last online CPU of a package may not go
//!   offline ([`may_go_offline`]): TD keys are programmed, and TD memory
//!   written back, on every package.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

use core::sync::atomic::{AtomicI32, Ordering};

const NOT_STARTED: i32 = i32::MIN;
const RUNNING: i32 = i32::MIN + 1;

/// TDH.SYS.INIT, once: its result (0 or a negative errno) for everyone.
///
/// Callers run with interrupts off (in IPIs among them), so a caller that
/// finds another one running it spins: TDH.SYS.INIT is one SEAMCALL.
pub(crate) struct SysInitOnce(AtomicI32);

impl SysInitOnce {
    pub(crate) const fn new() -> Self {
        Self(AtomicI32::new(NOT_STARTED))
    }

    /// Runs `init` if nobody did, else waits for and returns its result.
    pub(crate) fn run(&self, init: impl FnOnce() -> i32) -> i32 {
        match self
            .0
            .compare_exchange(NOT_STARTED, RUNNING, Ordering::Acquire, Ordering::Acquire)
        {
            Ok(_) => {
                // A result is never one of the two markers.
                let ret = init().clamp(RUNNING + 1, 0);
                self.0.store(ret, Ordering::Release);
                ret
            }
            Err(_) => loop {
                match self.0.load(Ordering::Acquire) {
                    RUNNING => core::hint::spin_loop(),
                    ret => return ret,
                }
            },
        }
    }

    /// Forgets a result of `errno` (and only that one) that left the TDX
    /// module untouched, a #UD: the SEAMCALL never reached it, so the next
    /// caller runs TDH.SYS.INIT again. True if it was forgotten.
    pub(crate) fn forget_failure(&self, errno: i32) -> bool {
        errno < 0
            && self
                .0
                .compare_exchange(errno, NOT_STARTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// Whether TDH.SYS.INIT ran and succeeded.
    pub(crate) fn succeeded(&self) -> bool {
        self.0.load(Ordering::Acquire) == 0
    }
}

/// The first of the `present` CPUs for which `ready` is false.
pub(crate) fn first_unready(
    present: impl Iterator<Item = u32>,
    ready: impl Fn(u32) -> bool,
) -> Option<u32> {
    present.into_iter().find(|cpu| !ready(*cpu))
}

/// Whether a CPU may go offline: not if it is the last online CPU of its
/// package while TDs may hold keys.
pub(crate) const fn may_go_offline(last_online_in_package: bool, tds_may_exist: bool) -> bool {
    !(last_online_in_package && tds_may_exist)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;
    use std::sync::Arc;

    #[test]
    fn sys_init_runs_once_and_everyone_gets_its_result() {
        for result in [0, -5] {
            let once = Arc::new(SysInitOnce::new());
            let runs = Arc::new(AtomicU32::new(0));
            assert!(!once.succeeded());
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (once, runs) = (once.clone(), runs.clone());
                    std::thread::spawn(move || {
                        once.run(|| {
                            runs.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            result
                        })
                    })
                })
                .collect();
            for t in threads {
                assert_eq!(t.join().unwrap(), result);
            }
            assert_eq!(runs.load(Ordering::SeqCst), 1);
            assert_eq!(once.succeeded(), result == 0);
            assert_eq!(once.run(|| unreachable!()), result);
        }
    }

    #[test]
    fn a_result_never_reads_as_a_marker() {
        let once = SysInitOnce::new();
        assert_eq!(once.run(|| i32::MIN), RUNNING + 1);
        assert!(!once.succeeded());
        let once = SysInitOnce::new();
        assert_eq!(once.run(|| 7), 0, "a positive return is success");
    }

    #[test]
    fn only_the_named_failure_is_forgotten() {
        let once = SysInitOnce::new();
        assert!(!once.forget_failure(-13), "nothing ran");
        assert_eq!(once.run(|| -5), -5);
        assert!(!once.forget_failure(-13), "another failure stays");
        assert_eq!(once.run(|| unreachable!()), -5);
        let once = SysInitOnce::new();
        assert_eq!(once.run(|| -13), -13);
        assert!(once.forget_failure(-13));
        assert_eq!(once.run(|| 0), 0, "runs again, and may succeed");
        assert!(!once.forget_failure(0), "a success is never forgotten");
        assert!(once.succeeded());
    }

    #[test]
    fn enable_waits_for_every_present_cpu() {
        let ready = |cpu| cpu != 3;
        assert_eq!(first_unready([0, 1, 2].into_iter(), ready), None);
        assert_eq!(first_unready([0, 1, 2, 3].into_iter(), ready), Some(3));
    }

    #[test]
    fn the_last_cpu_of_a_package_stays_while_tds_may_exist() {
        assert!(may_go_offline(false, true));
        assert!(may_go_offline(true, false));
        assert!(!may_go_offline(true, true));
    }
}
