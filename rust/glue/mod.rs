// SPDX-License-Identifier: GPL-2.0

//! The glue: the kernel services the Rust side needs that Linux 6.12's
//! kernel crate does not offer (`kernel.c`, `cpus.c`, `services.rs`), the
//! memory handed to the TDX module as types (`pages.rs`: this module's own;
//! `page_ref.rs`: the caller's pages of the TD life cycle), and the entry
//! points the exported C API (`exports.c`, `cpus.c`) calls (`entry.rs`);
//! `td_exports.c` exports the TD life cycle's functions (`rust/td/`).

pub(crate) mod entry;
pub(crate) mod page_ref;
pub(crate) mod pages;
pub(crate) mod services;
