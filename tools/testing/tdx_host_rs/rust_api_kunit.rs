// SPDX-License-Identifier: GPL-2.0

//! tdx_rs_rust_api_kunit: the KUnit suite `tdx_rs_rust_api`, tdx_host_rs'
//! Rust SEAMCALL call (the very `rust/seamcall/call.rs` and `retry.rs`
//! tdx_host_rs builds, compiled into this test module too) through the
//! exported trampolines, against the emulator.

use kernel::prelude::*;

// tdx_host_rs' own ABI and SEAMCALL call, compiled into this test module,
// which uses only part of them: the kernel build of tdx_host_rs is where
// their dead code is checked.
#[allow(dead_code)]
#[path = "../../../rust/abi/mod.rs"]
mod abi;
#[path = "../../../rust/seamcall/call.rs"]
mod call;
mod kunit;
#[allow(dead_code)]
#[path = "../../../rust/seamcall/retry.rs"]
mod retry;

/// `include/linux/tdx_emu.h`, as bindgen saw it.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]
mod c {
    use kernel::ffi;
    include!(concat!(
        env!("TDX_RS_OBJTREE"),
        "/tools/testing/tdx_host_rs/emu_generated.rs"
    ));
}

module! {
    type: RustApiKunit,
    name: "tdx_rs_rust_api_kunit",
    author: "The tdx_host_rs developers",
    description: "tdx_host_rs: the Rust SEAMCALL API against the emulator (KUnit)",
    license: "GPL",
}

struct RustApiKunit;

impl kernel::Module for RustApiKunit {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // The suite runs once the module is live, from its section entry.
        Ok(RustApiKunit)
    }
}

use crate::abi::leaf::{Leaf, LeafCall, Regs};
use crate::abi::status::{code, ModuleStatus, SeamcallError, TRAP_UD};
use crate::call::{seamcall, Args};
use crate::retry::{BUSY_TRIES, TRANSIENT_TRIES};
use kernel::{bindings, c_str};
use kunit::kunit_expect;

/// One leaf per trampoline: the leaf picks it.
const ONE_PER_TRAMPOLINE: [Leaf; 3] = [Leaf::SysKeyConfig, Leaf::SysRd, Leaf::VpEnter];
const _: () = {
    assert!(matches!(ONE_PER_TRAMPOLINE[0].regs(), Regs::In));
    assert!(matches!(ONE_PER_TRAMPOLINE[1].regs(), Regs::InOut));
    assert!(matches!(ONE_PER_TRAMPOLINE[2].regs(), Regs::AllInOut));
};
const RAX_BIT: u16 = 1 << 0;
const RCX_BIT: u16 = 1 << 1;
const RDX_BIT: u16 = 1 << 2;

fn args_with(rcx: u64, rdx: u64) -> Args {
    Args {
        rcx,
        rdx,
        ..Args::default()
    }
}

/// One SEAMCALL; the operands used here name no memory.
fn call(leaf: LeafCall, args: &mut Args) -> Result<ModuleStatus, SeamcallError> {
    // SAFETY: no operand of these calls is an address: the emulator takes
    // no memory from them (TDH.VP.ENTER is only made in the failure modes
    // or before initialization, where it is refused).
    unsafe { seamcall(leaf, args) }
}

fn set_mode(mode: u32) {
    // SAFETY: FFI call without preconditions.
    let ret = unsafe { c::tdx_emu_set_mode(mode) };
    kunit_expect!(ret == 0);
}

fn calls() -> u64 {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_emu_calls() }
}

extern "C" fn reset(_test: *mut bindings::kunit) -> kernel::ffi::c_int {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_emu_reset() };
    0
}

extern "C" fn vmfailinvalid_is_decoded(_test: *mut bindings::kunit) {
    set_mode(c::tdx_emu_mode_TDX_EMU_MODE_VMFAILINVALID);
    for leaf in ONE_PER_TRAMPOLINE {
        let mut args = args_with(1, 2);
        let r = call(LeafCall::new(leaf), &mut args);
        kunit_expect!(r == Err(SeamcallError::VmFailInvalid));
        kunit_expect!(args.rcx == 1 && args.rdx == 2);
    }
}

extern "C" fn ud_is_decoded(_test: *mut bindings::kunit) {
    set_mode(c::tdx_emu_mode_TDX_EMU_MODE_UD);
    for leaf in ONE_PER_TRAMPOLINE {
        let mut args = args_with(1, 2);
        let r = call(LeafCall::new(leaf), &mut args);
        kunit_expect!(r == Err(SeamcallError::Trap(TRAP_UD)));
        kunit_expect!(args.rcx == 1 && args.rdx == 2);
    }
}

extern "C" fn not_ready_is_decoded(_test: *mut bindings::kunit) {
    // The module is not initialized: leaves other than TDH.SYS.* are refused.
    let mut args = Args::default();
    let r = call(LeafCall::new(Leaf::VpEnter), &mut args);
    let Err(SeamcallError::Module(s)) = r else {
        kunit_expect!(false);
        return;
    };
    kunit_expect!(s.code() == code::SYS_NOT_READY);
    kunit_expect!(s.class() == 0x05);
    kunit_expect!(s.name() == Some("TDX_SYS_NOT_READY"));
}

extern "C" fn bad_version_is_operand_invalid(_test: *mut bindings::kunit) {
    let mut args = Args::default();
    let r = call(
        LeafCall {
            leaf: Leaf::SysInit,
            version: 1,
        },
        &mut args,
    );
    let Err(SeamcallError::Module(s)) = r else {
        kunit_expect!(false);
        return;
    };
    kunit_expect!(s.code() == code::OPERAND_INVALID);
    // Operand id 0 is RAX (the TDX module ABI's numbering).
    kunit_expect!(s.operand() == 0);
    kunit_expect!(s.non_recoverable());
}

extern "C" fn informational_status_is_ok(_test: *mut bindings::kunit) {
    let outputs = [code::KEY_CONFIGURED; 16];
    // SAFETY: `outputs` holds 16 registers.
    unsafe { c::tdx_emu_probe_arm(outputs.as_ptr(), RAX_BIT) };
    let mut args = Args::default();
    let r = call(LeafCall::new(Leaf::SysKeyConfig), &mut args);
    kunit_expect!(r.map(|s| s.name()) == Ok(Some("TDX_KEY_CONFIGURED")));
}

extern "C" fn no_entropy_is_retried(_test: *mut bindings::kunit) {
    let mut outputs = [0u64; 16];
    outputs[1] = 0xc0ffee;
    outputs[2] = 0xdecade;
    // SAFETY: FFI calls; `outputs` holds 16 registers.
    unsafe {
        c::tdx_emu_inject_status(Leaf::SysRd as u16, code::RND_NO_ENTROPY, 3);
        c::tdx_emu_probe_arm(outputs.as_ptr(), RAX_BIT | RCX_BIT | RDX_BIT);
    }
    let before = calls();
    let mut args = args_with(0x11, 0x22);
    let r = call(LeafCall::new(Leaf::SysRd), &mut args);
    kunit_expect!(r.map(|s| s.raw()) == Ok(0));
    kunit_expect!(calls() - before == 4);
    let mut inputs = [0u64; 16];
    // SAFETY: `inputs` has room for 16 registers.
    kunit_expect!(unsafe { c::tdx_emu_probe_take(inputs.as_mut_ptr()) });
    kunit_expect!(inputs[0] == Leaf::SysRd as u64 && inputs[1] == 0x11 && inputs[2] == 0x22);
    kunit_expect!(args.rcx == 0xc0ffee && args.rdx == 0xdecade);
}

extern "C" fn no_entropy_retry_is_bounded(_test: *mut bindings::kunit) {
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_emu_inject_status(Leaf::SysRd as u16, code::RND_NO_ENTROPY, 1000) };
    let before = calls();
    let mut args = Args::default();
    let r = call(LeafCall::new(Leaf::SysRd), &mut args);
    kunit_expect!(matches!(r, Err(SeamcallError::Module(s)) if s.raw() == code::RND_NO_ENTROPY));
    kunit_expect!(calls() - before == u64::from(TRANSIENT_TRIES));
}

extern "C" fn busy_is_retried_within_its_own_budget(_test: *mut bindings::kunit) {
    let outputs = [0u64; 16];
    // SAFETY: FFI calls; `outputs` holds 16 registers.
    unsafe {
        c::tdx_emu_inject_status(
            Leaf::SysKeyConfig as u16,
            code::SYS_BUSY,
            TRANSIENT_TRIES + 2,
        );
        c::tdx_emu_probe_arm(outputs.as_ptr(), RAX_BIT);
    }
    let before = calls();
    let mut args = Args::default();
    let r = call(LeafCall::new(Leaf::SysKeyConfig), &mut args);
    kunit_expect!(r.map(|s| s.raw()) == Ok(0));
    kunit_expect!(calls() - before == u64::from(TRANSIENT_TRIES + 3));
    // SAFETY: FFI call without preconditions.
    unsafe { c::tdx_emu_inject_status(Leaf::SysKeyConfig as u16, code::SYS_BUSY, 1000) };
    let before = calls();
    let r = call(LeafCall::new(Leaf::SysKeyConfig), &mut args);
    kunit_expect!(matches!(r, Err(SeamcallError::Module(s)) if s.raw() == code::SYS_BUSY));
    kunit_expect!(calls() - before == u64::from(BUSY_TRIES));
}

static mut CASES: [bindings::kunit_case; 9] = [
    kunit::case(c_str!("vmfailinvalid_is_decoded"), vmfailinvalid_is_decoded),
    kunit::case(c_str!("ud_is_decoded"), ud_is_decoded),
    kunit::case(c_str!("not_ready_is_decoded"), not_ready_is_decoded),
    kunit::case(
        c_str!("bad_version_is_operand_invalid"),
        bad_version_is_operand_invalid,
    ),
    kunit::case(
        c_str!("informational_status_is_ok"),
        informational_status_is_ok,
    ),
    kunit::case(c_str!("no_entropy_is_retried"), no_entropy_is_retried),
    kunit::case(
        c_str!("no_entropy_retry_is_bounded"),
        no_entropy_retry_is_bounded,
    ),
    kunit::case(
        c_str!("busy_is_retried_within_its_own_budget"),
        busy_is_retried_within_its_own_budget,
    ),
    kunit::end(),
];

static mut SUITE: bindings::kunit_suite = kunit::suite(
    "tdx_rs_rust_api",
    core::ptr::addr_of_mut!(CASES).cast(),
    reset,
);

#[used]
#[link_section = ".kunit_test_suites"]
static mut SUITE_ENTRY: *mut bindings::kunit_suite = core::ptr::addr_of_mut!(SUITE);
