// SPDX-License-Identifier: GPL-2.0

//! Tests over whole hosts: the fixtures against their `expect` files, and a
//! good host generated from each of the emulator's platform profiles.

mod fixtures;
pub(crate) mod host;
mod profiles;
