// SPDX-License-Identifier: GPL-2.0

//! The bounded retry on transient statuses.
//!
//! `TDX_RND_NO_ENTROPY`: leaves that draw random numbers inside the TDX
//! module (key generation, TDH.SYS.INIT and friends) fail with it when RDRAND
//! or RDSEED runs dry. Any leaf may be retried on it, at once, as the kernel
//! retries RDRAND.
//!
//! `TDX_KEY_GENERATION_FAILED`: TDH.SYS.KEY.CONFIG's PCONFIG ran out of
//! entropy for the key, and the package was left unconfigured: retried like
//! `TDX_RND_NO_ENTROPY`.
//!
//! `TDX_SYS_BUSY` and `TDX_OPERAND_BUSY`: the module tried a lock another
//! logical processor holds inside its own SEAMCALL (the global lock, a
//! TDMR's lock, the key engine), gave up and changed nothing. The holder
//! keeps it for as long as its call runs, so an immediate retry mostly meets
//! the same holder: busy statuses are retried after a pause that doubles
//! from 1 us up to [`BUSY_PAUSE_MAX_US`], at most [`BUSY_TRIES`] tries
//! (about 22 ms of pauses in all: a holder that keeps the lock longer than
//! that is not another initialization step but something wrong). Only the initialization leaves are
//! retried on them; for the TD leaves a busy status means something else
//! (KVM resolves SEPT contention itself), so they are not.
//!
//! The same call is made again with the same inputs.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

use crate::abi::leaf::Leaf;
use crate::abi::status::code;

/// Tries on `TDX_RND_NO_ENTROPY` and `TDX_KEY_GENERATION_FAILED`, the first
/// one included (as many as the kernel's `RDRAND_RETRY_LOOPS`).
pub(crate) const TRANSIENT_TRIES: u32 = 10;

/// Tries on `TDX_SYS_BUSY` and `TDX_OPERAND_BUSY`, the first one included.
pub(crate) const BUSY_TRIES: u32 = 32;

/// The longest pause before a retry on a busy status, in microseconds.
pub(crate) const BUSY_PAUSE_MAX_US: u32 = 1000;

/// Which statuses a call is retried on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RetryOn {
    /// `TDX_RND_NO_ENTROPY` only.
    NoEntropy,
    /// `TDX_RND_NO_ENTROPY`, `TDX_KEY_GENERATION_FAILED`, `TDX_SYS_BUSY` and
    /// `TDX_OPERAND_BUSY`.
    NoEntropyOrBusy,
}

/// What to do after a status.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Transient {
    /// Done: return the status.
    No,
    /// Entropy: retry at once, up to [`TRANSIENT_TRIES`] tries.
    Entropy,
    /// A lock: retry after a pause, up to [`BUSY_TRIES`] tries.
    Busy,
}

impl RetryOn {
    /// Whether `rax` is a status worth the same call again, and how.
    pub(crate) const fn classify(self, rax: u64) -> Transient {
        // The operand id in bits 31:0 does not matter.
        let code = rax & !0xffff_ffff;
        match self {
            _ if code == code::RND_NO_ENTROPY => Transient::Entropy,
            RetryOn::NoEntropy => Transient::No,
            RetryOn::NoEntropyOrBusy => {
                if code == code::KEY_GENERATION_FAILED {
                    Transient::Entropy
                } else if code == code::SYS_BUSY || code == code::OPERAND_BUSY {
                    Transient::Busy
                } else {
                    Transient::No
                }
            }
        }
    }
}

impl From<Leaf> for RetryOn {
    /// The initialization leaves are retried on busy statuses too.
    fn from(leaf: Leaf) -> Self {
        match leaf {
            Leaf::SysInit
            | Leaf::SysLpInit
            | Leaf::SysRd
            | Leaf::SysRdall
            | Leaf::SysConfig
            | Leaf::SysKeyConfig
            | Leaf::SysTdmrInit => RetryOn::NoEntropyOrBusy,
            _ => RetryOn::NoEntropy,
        }
    }
}

/// The pause before try `tries + 1` after a busy status on try `tries`.
pub(crate) const fn busy_pause_us(tries: u32) -> u32 {
    let doubled = 1u32 << if tries > 31 { 31 } else { tries - 1 };
    if doubled < BUSY_PAUSE_MAX_US {
        doubled
    } else {
        BUSY_PAUSE_MAX_US
    }
}

/// Calls `call(args)` until its status is not transient as `on` says, and
/// returns the last status: at most [`TRANSIENT_TRIES`] tries while the
/// status is an entropy one, at most [`BUSY_TRIES`] while it is a busy one,
/// with `pause(us)` before each retry on a busy status. Before each retry
/// `args` is put back to what it was on entry, so a variant that writes
/// outputs back (a failing leaf writes some too) cannot feed them in as
/// inputs.
pub(crate) fn retry_transient<A: Copy>(
    args: &mut A,
    on: RetryOn,
    mut call: impl FnMut(&mut A) -> u64,
    mut pause: impl FnMut(u32),
) -> u64 {
    let input = *args;
    let mut tries = 1;
    loop {
        let rax = call(args);
        match on.classify(rax) {
            Transient::No => return rax,
            Transient::Entropy if tries >= TRANSIENT_TRIES => return rax,
            Transient::Busy if tries >= BUSY_TRIES => return rax,
            Transient::Entropy => {}
            Transient::Busy => pause(busy_pause_us(tries)),
        }
        *args = input;
        tries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_pause(us: u32) {
        panic!("paused {us} us");
    }

    /// Runs the retry over calls that answer `status` until call `ok_at`
    /// (never if 0), then success: (last status, calls).
    fn run(on: RetryOn, status: u64, ok_at: u32, pause: impl FnMut(u32)) -> (u64, u32) {
        let mut calls = 0;
        let mut a = 0u8;
        let rax = retry_transient(
            &mut a,
            on,
            |_| {
                calls += 1;
                if calls == ok_at {
                    0
                } else {
                    status
                }
            },
            pause,
        );
        (rax, calls)
    }

    #[test]
    fn first_success_is_returned_at_once() {
        let on = RetryOn::NoEntropyOrBusy;
        assert_eq!(run(on, code::SYS_BUSY, 1, no_pause), (0, 1));
    }

    #[test]
    fn retries_until_entropy_comes_back_with_fresh_inputs_and_no_pause() {
        let mut calls = 0;
        let mut a = [1u64, 2];
        let rax = retry_transient(
            &mut a,
            RetryOn::NoEntropy,
            |a| {
                calls += 1;
                assert_eq!(*a, [1, 2], "try {calls} saw another try's outputs");
                a[0] = 0xdead;
                if calls < 4 {
                    code::RND_NO_ENTROPY
                } else {
                    0
                }
            },
            no_pause,
        );
        assert_eq!((rax, calls), (0, 4));
        assert_eq!(a[0], 0xdead, "the successful try's outputs are kept");
    }

    #[test]
    fn busy_statuses_wait_doubling_pauses_and_get_their_own_budget() {
        for status in [code::SYS_BUSY, code::OPERAND_BUSY | 1] {
            let mut pauses = [0u32; BUSY_TRIES as usize];
            let mut n = 0;
            let on = RetryOn::NoEntropyOrBusy;
            let got = run(on, status, BUSY_TRIES, |us| {
                pauses[n] = us;
                n += 1;
            });
            assert_eq!(got, (0, BUSY_TRIES), "status {status:#x}");
            assert_eq!(n as u32, BUSY_TRIES - 1);
            let doubling = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000];
            assert_eq!(pauses[..12], doubling);
            let total: u32 = pauses.iter().sum();
            assert_eq!(total, 1023 + (BUSY_TRIES - 11) * BUSY_PAUSE_MAX_US);
        }
    }

    #[test]
    fn entropy_statuses_are_retried_at_once_within_their_budget() {
        for status in [code::RND_NO_ENTROPY, code::KEY_GENERATION_FAILED] {
            let on = RetryOn::NoEntropyOrBusy;
            let got = run(on, status, 0, no_pause);
            assert_eq!(got, (status, TRANSIENT_TRIES), "{status:#x}");
        }
    }

    #[test]
    fn gives_up_after_the_bound() {
        for (on, status, tries) in [
            (RetryOn::NoEntropy, code::RND_NO_ENTROPY, TRANSIENT_TRIES),
            (
                RetryOn::NoEntropyOrBusy,
                code::RND_NO_ENTROPY,
                TRANSIENT_TRIES,
            ),
            (RetryOn::NoEntropyOrBusy, code::SYS_BUSY, BUSY_TRIES),
        ] {
            let got = run(on, status, 0, |_| {});
            assert_eq!(got, (status, tries), "{on:?} {status:#x}");
        }
    }

    #[test]
    fn only_initialization_leaves_retry_busy() {
        assert_eq!(RetryOn::from(Leaf::SysKeyConfig), RetryOn::NoEntropyOrBusy);
        assert_eq!(RetryOn::from(Leaf::SysTdmrInit), RetryOn::NoEntropyOrBusy);
        assert_eq!(RetryOn::from(Leaf::VpEnter), RetryOn::NoEntropy);
    }

    #[test]
    fn other_errors_are_not_retried() {
        let cases = [
            (RetryOn::NoEntropy, code::OPERAND_BUSY),
            (RetryOn::NoEntropy, code::SYS_BUSY),
            (RetryOn::NoEntropy, code::OPERAND_INVALID),
            (RetryOn::NoEntropy, code::KEY_GENERATION_FAILED),
            (RetryOn::NoEntropyOrBusy, code::OPERAND_INVALID | 1),
            (RetryOn::NoEntropyOrBusy, code::SYS_CONFIG_NOT_PENDING),
            (RetryOn::NoEntropyOrBusy, 1 << 63),
        ];
        for (on, status) in cases {
            assert_eq!(
                run(on, status, 0, no_pause),
                (status, 1),
                "{on:?} {status:#x}"
            );
        }
    }
}
