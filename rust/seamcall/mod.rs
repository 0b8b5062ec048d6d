// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL from Rust: the assembly trampolines (`trampolines.S`), the one
//! unsafe function that makes a call through them, and the typed, safe
//! calls of each leaf this module uses (`sys.rs`).
//!
//! The leaf fixes the trampoline ([`Leaf::regs`]): no caller picks the
//! register set, so no leaf that writes a callee-saved register can go
//! through a trampoline that does not restore it.

mod call;
pub(crate) mod retry;
pub(crate) mod sys;

pub(crate) use call::{seamcall, Args};
