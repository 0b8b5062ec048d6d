// SPDX-License-Identifier: GPL-2.0

//! Host build of the emulator's pure-`core` files, for `cargo test`. Nothing
//! here is compiled into the kernel; the files below are, unchanged, at the
//! places `tdx_emu_main.rs` gives them.

#![cfg_attr(not(test), no_std)]
// The glue that uses much of the model is kernel-only: dead code is checked
// by the kernel build of tdx_emu, not here.
#![allow(dead_code)]

mod abi;
mod handoff_param;
mod model;
mod module_version;
mod platform;
mod platform_param;
mod report;
mod td_conf;

/// TDMR bytes one TDH.SYS.TDMR.INIT initializes in the model, for the host
/// planner's scaling table (`rust/init/tdmr/scale.rs`), the one reader of
/// this crate as a library.
pub const TDMR_INIT_CHUNK_BYTES: u64 = model::tdmr_init::CHUNK_BYTES;
