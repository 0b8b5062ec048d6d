// SPDX-License-Identifier: GPL-2.0

//! The one unsafe function that makes a SEAMCALL through the trampolines.

use super::retry::{retry_transient, RetryOn};
use crate::abi;
use crate::abi::leaf::{LeafCall, Regs};
use crate::abi::status::{self, ModuleStatus, SeamcallError};

/// SEAMCALL operands, in register-index layout (the generated C struct).
pub(crate) type Args = abi::tdx_module_args;

/// Makes one SEAMCALL through the trampoline `call.leaf` needs, repeated a
/// bounded number of times with the same inputs while the module reports a
/// status transient for this leaf (`TDX_RND_NO_ENTROPY`; the busy statuses
/// too for the initialization leaves, after a pause, see [`RetryOn`]).
///
/// Returns the completion status (which may be an informational, non-error
/// code) or why the call failed. On failure `args` holds what the trampoline
/// left there: the outputs of an error status, the inputs otherwise.
///
/// # Safety
///
/// A SEAMCALL can hand memory to the TDX module or take it back: every
/// physical address in `args` must be one the caller owns for the use that
/// `call.leaf`'s ABI gives it, for as long as that use lasts (for memory the
/// module keeps, until it gives the memory back). TDH.VP.ENTER also needs
/// interrupts off and, in RCX, the TDVPR of a vCPU of a TD the caller runs;
/// this module makes it only through `tdx_rs_vp_enter()`.
pub(crate) unsafe fn seamcall(
    call: LeafCall,
    args: &mut Args,
) -> Result<ModuleStatus, SeamcallError> {
    let trampoline = match call.leaf.regs() {
        Regs::In => abi::tdx_rs_seamcall,
        Regs::InOut => abi::tdx_rs_seamcall_ret,
        Regs::AllInOut => abi::tdx_rs_seamcall_saved_ret,
    };
    let rax = retry_transient(
        args,
        RetryOn::from(call.leaf),
        |args| {
            // SAFETY: `args` is a valid, exclusive `tdx_module_args`. The
            // trampoline reads and writes only the operand fields of its register
            // set, and keeps the C ABI's callee-saved registers: `Leaf::regs`
            // gives every leaf that writes one of them the saved-register
            // trampoline. The memory the operands name is the caller's to give
            // (this function's safety contract).
            unsafe { trampoline(call.rax(), args) }
        },
        |us| {
            // SAFETY: FFI call; a busy-wait, allowed with interrupts off, as
            // some initialization leaves run.
            unsafe { kernel::bindings::__udelay(us as kernel::ffi::c_ulong) }
        },
    );
    status::decode(rax)
}
