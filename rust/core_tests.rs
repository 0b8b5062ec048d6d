// SPDX-License-Identifier: GPL-2.0

//! Host build of the modules' pure-`core` files, for `cargo test`. Nothing
//! here is compiled into the kernel; the files below are, unchanged.

#![cfg_attr(not(test), no_std)]
// Each kernel crate uses a different part of these files.
#![allow(dead_code)]

mod leaf;
mod metadata;
mod retry;
mod status;
mod tdmr;
mod vp_enter;

#[path = "emu/model.rs"]
mod model;
#[path = "emu/platform.rs"]
mod platform;
#[path = "emu/report.rs"]
mod report;
