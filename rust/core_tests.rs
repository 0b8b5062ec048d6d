// SPDX-License-Identifier: GPL-2.0

//! Host build of the production tree's pure-`core` files, for `cargo test`.
//! Nothing here is compiled into the kernel; the files below are, unchanged.
//! The emulator's files have their own host crate, `tools/testing/tdx_emu/`.

#![cfg_attr(not(test), no_std)]
// Dead code is checked by the kernel build, which uses all of these files;
// here only the tests use them.
#![allow(dead_code)]

// The production tree's pure-`core` files, at their places in it.
mod abi {
    pub(crate) mod leaf;
    pub(crate) mod md_list;
    pub(crate) mod metadata;
    pub(crate) mod status;
}
mod init {
    pub(crate) mod cpus;
    pub(crate) mod explain;
    pub(crate) mod keyids;
    pub(crate) mod rdall;
    // Its re-exports are for the kernel module's callers; here only the
    // tests use them.
    #[allow(unused_imports)]
    pub(crate) mod tdmr;
    pub(crate) mod tdmr_order;
    pub(crate) mod vp_enter;
}
mod seamcall {
    pub(crate) mod proof;
    pub(crate) mod retry;
}
mod td {
    pub(crate) mod args;
    pub(crate) mod state;
}

/// The explain table's texts for `tools/tdx_preflight/`, which depends on
/// this crate by path.
pub mod preflight_api;
