// SPDX-License-Identifier: GPL-2.0

//! The bounded retry on `TDX_RND_NO_ENTROPY`.
//!
//! Leaves that draw random numbers inside the TDX module (key generation,
//! TDH.SYS.INIT and friends) fail with `TDX_RND_NO_ENTROPY` when RDRAND or
//! RDSEED runs dry. That is transient: the same call is made again, a bounded
//! number of times, with the same inputs.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

use crate::status::code;

/// Total tries, the first one included (as many as the kernel's
/// `RDRAND_RETRY_LOOPS`).
pub(crate) const ENTROPY_TRIES: u32 = 10;

/// Calls `call(args)` until its status is something other than
/// `TDX_RND_NO_ENTROPY`, at most [`ENTROPY_TRIES`] times, and returns the last
/// status. Before each retry `args` is put back to what it was on entry, so a
/// variant that writes outputs back cannot feed them in as inputs.
pub(crate) fn retry_on_no_entropy<A: Copy>(
    args: &mut A,
    mut call: impl FnMut(&mut A) -> u64,
) -> u64 {
    let input = *args;
    let mut tries = 1;
    loop {
        let rax = call(args);
        if rax & !0xffff_ffff != code::RND_NO_ENTROPY || tries == ENTROPY_TRIES {
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
            retry_on_no_entropy(&mut a, |_| {
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
        let rax = retry_on_no_entropy(&mut a, |a| {
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
    fn gives_up_after_the_bound() {
        let mut calls = 0;
        let mut a = 0u8;
        let rax = retry_on_no_entropy(&mut a, |_| {
            calls += 1;
            code::RND_NO_ENTROPY
        });
        assert_eq!(rax, code::RND_NO_ENTROPY);
        assert_eq!(calls, ENTROPY_TRIES);
    }

    #[test]
    fn other_errors_are_not_retried() {
        for status in [
            code::OPERAND_BUSY,
            code::SYS_BUSY,
            code::OPERAND_INVALID,
            1 << 63,
        ] {
            let mut calls = 0;
            let mut a = 0u8;
            assert_eq!(
                retry_on_no_entropy(&mut a, |_| {
                    calls += 1;
                    status
                }),
                status
            );
            assert_eq!(calls, 1);
        }
    }
}
