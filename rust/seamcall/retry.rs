// SPDX-License-Identifier: GPL-2.0

//! The bounded retry on transient statuses.
//!
//! `TDX_RND_NO_ENTROPY`: leaves that draw random numbers inside the TDX
//! module (key generation, TDH.SYS.INIT and friends) fail with it when RDRAND
//! or RDSEED runs dry. Any leaf may be retried on it.
//!
//! `TDX_SYS_BUSY` and `TDX_OPERAND_BUSY`: the module could not take a lock
//! another logical processor holds inside a SEAMCALL (the global lock, a
//! TDMR's lock) or the key engine was busy, and changed nothing.
//! `TDX_KEY_GENERATION_FAILED`: TDH.SYS.KEY.CONFIG's PCONFIG ran out of
//! entropy for the key, and the package was left unconfigured. The initialization leaves are retried
//! on them; for the TD leaves a busy status means something else (KVM
//! resolves SEPT contention itself), so they are not.
//!
//! The same call is made again, a bounded number of times, with the same
//! inputs.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

use crate::abi::leaf::Leaf;
use crate::abi::status::code;

/// Total tries, the first one included (as many as the kernel's
/// `RDRAND_RETRY_LOOPS`).
pub(crate) const TRANSIENT_TRIES: u32 = 10;

/// Which statuses a call is retried on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RetryOn {
    /// `TDX_RND_NO_ENTROPY` only.
    NoEntropy,
    /// `TDX_RND_NO_ENTROPY`, `TDX_KEY_GENERATION_FAILED`, `TDX_SYS_BUSY` and
    /// `TDX_OPERAND_BUSY`.
    NoEntropyOrBusy,
}

impl RetryOn {
    /// Whether `rax` is a status worth the same call again.
    pub(crate) const fn is_transient(self, rax: u64) -> bool {
        // The operand id in bits 31:0 does not matter.
        let code = rax & !0xffff_ffff;
        match self {
            RetryOn::NoEntropy => code == code::RND_NO_ENTROPY,
            RetryOn::NoEntropyOrBusy => {
                code == code::RND_NO_ENTROPY
                    || code == code::KEY_GENERATION_FAILED
                    || code == code::SYS_BUSY
                    || code == code::OPERAND_BUSY
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
            | Leaf::SysConfig
            | Leaf::SysKeyConfig
            | Leaf::SysTdmrInit => RetryOn::NoEntropyOrBusy,
            _ => RetryOn::NoEntropy,
        }
    }
}

/// Calls `call(args)` until its status is not transient as `on` says, at
/// most [`TRANSIENT_TRIES`] times, and returns the last status. Before each
/// retry `args` is put back to what it was on entry, so a variant that
/// writes outputs back cannot feed them in as inputs.
pub(crate) fn retry_transient<A: Copy>(
    args: &mut A,
    on: RetryOn,
    mut call: impl FnMut(&mut A) -> u64,
) -> u64 {
    let input = *args;
    let mut tries = 1;
    loop {
        let rax = call(args);
        if !on.is_transient(rax) || tries == TRANSIENT_TRIES {
            return rax;
        }
        *args = input;
        tries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_success_is_returned_at_once() {
        let mut calls = 0;
        let mut a = 7u64;
        assert_eq!(
            retry_transient(&mut a, RetryOn::NoEntropyOrBusy, |_| {
                calls += 1;
                0
            }),
            0
        );
        assert_eq!(calls, 1);
    }

    #[test]
    fn retries_until_entropy_comes_back_with_fresh_inputs() {
        let mut calls = 0;
        let mut a = [1u64, 2];
        let rax = retry_transient(&mut a, RetryOn::NoEntropy, |a| {
            calls += 1;
            assert_eq!(*a, [1, 2], "try {calls} saw another try's outputs");
            a[0] = 0xdead;
            if calls < 4 {
                code::RND_NO_ENTROPY
            } else {
                0
            }
        });
        assert_eq!((rax, calls), (0, 4));
        assert_eq!(a[0], 0xdead, "the successful try's outputs are kept");
    }

    #[test]
    fn busy_statuses_with_an_operand_id_are_retried_when_asked() {
        for status in [
            code::SYS_BUSY,
            code::OPERAND_BUSY | 1,
            code::RND_NO_ENTROPY,
            code::KEY_GENERATION_FAILED,
        ] {
            let mut calls = 0;
            let mut a = 0u8;
            let rax = retry_transient(&mut a, RetryOn::NoEntropyOrBusy, |_| {
                calls += 1;
                if calls < TRANSIENT_TRIES {
                    status
                } else {
                    0
                }
            });
            assert_eq!((rax, calls), (0, TRANSIENT_TRIES), "status {status:#x}");
        }
    }

    #[test]
    fn gives_up_after_the_bound() {
        for on in [RetryOn::NoEntropy, RetryOn::NoEntropyOrBusy] {
            let mut calls = 0;
            let mut a = 0u8;
            let rax = retry_transient(&mut a, on, |_| {
                calls += 1;
                code::RND_NO_ENTROPY
            });
            assert_eq!(rax, code::RND_NO_ENTROPY);
            assert_eq!(calls, TRANSIENT_TRIES);
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
            let mut calls = 0;
            let mut a = 0u8;
            assert_eq!(
                retry_transient(&mut a, on, |_| {
                    calls += 1;
                    status
                }),
                status
            );
            assert_eq!(calls, 1, "{on:?} {status:#x}");
        }
    }
}
