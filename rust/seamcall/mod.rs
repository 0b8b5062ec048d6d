// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL from Rust: a typed leaf in, a decoded status out.
//!
//! The assembly trampolines (`trampolines.S`) do the instruction; this file
//! only picks one, retries on `TDX_RND_NO_ENTROPY` and decodes RAX.

pub(crate) mod retry;

use crate::abi;
use crate::abi::leaf::LeafCall;
use crate::seamcall::retry::{retry_transient, RetryOn};
use crate::abi::status::{self, ModuleStatus, SeamcallError};

/// SEAMCALL operands, in register-index layout (the generated C struct).
pub(crate) type Args = abi::tdx_module_args;

/// Which registers a leaf takes and gives back; picks the trampoline.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Regs {
    /// RCX, RDX, R8-R11 in; nothing back but the status.
    In,
    /// RCX, RDX, R8-R11 in and out.
    InOut,
    /// RCX, RDX, RBX, RSI, RDI, R8-R15 in and out.
    AllInOut,
}

/// Makes one SEAMCALL, repeated a bounded number of times with the same
/// inputs while the module reports a status transient for this leaf
/// (`TDX_RND_NO_ENTROPY`; the busy statuses too for the initialization
/// leaves, see `RetryOn`).
///
/// Returns the completion status (which may be an informational, non-error
/// code) or why the call failed. On failure `args` holds what the trampoline
/// left there: the outputs of an error status, the inputs otherwise.
///
/// # Safety
///
/// A SEAMCALL can hand memory to the TDX module or take it back. Every
/// physical address and handle in `args` must be one the caller owns for the
/// use `call`'s ABI gives it, and `call` must write no register outside
/// `regs`' set other than RAX.
pub(crate) unsafe fn seamcall(
    regs: Regs,
    call: LeafCall,
    args: &mut Args,
) -> Result<ModuleStatus, SeamcallError> {
    let trampoline = match regs {
        Regs::In => abi::tdx_rs_seamcall,
        Regs::InOut => abi::tdx_rs_seamcall_ret,
        Regs::AllInOut => abi::tdx_rs_seamcall_saved_ret,
    };
    let rax = retry_transient(args, RetryOn::from(call.leaf), |args| {
        // SAFETY: `args` is a valid, exclusive `tdx_module_args`; the
        // trampoline reads and writes only its operand fields and keeps the
        // C ABI's callee-saved registers. What the leaf does with the
        // operands is covered by this function's own safety contract.
        unsafe { trampoline(call.rax(), args) }
    });
    status::decode(rax)
}
