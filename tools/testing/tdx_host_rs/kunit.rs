// SPDX-License-Identifier: GPL-2.0

//! KUnit suites written in Rust, built by hand: Linux 6.12 has no
//! `#[kunit_tests]`. A suite is a `static mut` `kunit_suite` whose address
//! sits in the `.kunit_test_suites` section; the module loader finds it there
//! and KUnit runs it once the module is live.

use kernel::bindings;
use kernel::str::CStr;

/// One test case; `run` gets the `struct kunit *` of the running test.
pub(crate) const fn case(
    name: &'static CStr,
    run: extern "C" fn(*mut bindings::kunit),
) -> bindings::kunit_case {
    bindings::kunit_case {
        run_case: Some(run),
        name: name.as_char_ptr(),
        // SAFETY: all-zero is KUnit's own initial value for the rest.
        ..unsafe { core::mem::zeroed() }
    }
}

/// The all-zero case that ends a case array.
pub(crate) const fn end() -> bindings::kunit_case {
    // SAFETY: KUnit stops at the case whose `run_case` is NULL.
    unsafe { core::mem::zeroed() }
}

/// A suite over a NULL-terminated case array; `init` runs before each case.
pub(crate) const fn suite(
    name: &str,
    cases: *mut bindings::kunit_case,
    init: extern "C" fn(*mut bindings::kunit) -> kernel::ffi::c_int,
) -> bindings::kunit_suite {
    // SAFETY: all-zero is KUnit's own initial value for every field.
    let mut suite: bindings::kunit_suite = unsafe { core::mem::zeroed() };
    let bytes = name.as_bytes();
    let mut i = 0;
    // Leave the last byte zero: the name is a C string.
    while i < bytes.len() && i < suite.name.len() - 1 {
        suite.name[i] = bytes[i] as kernel::ffi::c_char;
        i += 1;
    }
    suite.test_cases = cases;
    suite.init = Some(init);
    suite
}

/// Fails (and ends) the running KUnit case when `$cond` is false.
macro_rules! kunit_expect {
    ($cond:expr) => {
        kernel::kunit_assert!("tdx_rs_rust_api", "tools/testing/tdx_host_rs", 0, $cond)
    };
}
pub(crate) use kunit_expect;
