// SPDX-License-Identifier: GPL-2.0

//! The TDX module ABI as the emulator knows it: leaf numbers, completion
//! statuses and global metadata field IDs (pure `core`).
//!
//! The emulator's own copy, written from Intel's TDX module source. It shares
//! no file with tdx_host_rs on purpose: the emulator referees the production
//! module, and a wrong constant in production must not be mirrored by its
//! referee.

pub(crate) mod leaf;
pub(crate) mod metadata;
pub(crate) mod status;
