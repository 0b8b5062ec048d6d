// SPDX-License-Identifier: GPL-2.0

//! tdx_emu: a software model of the TDX module, for tests only.
//!
//! `trap.c` catches SEAMCALL's #UD and hands the registers to [`model`]; the
//! C-exported controls of `include/linux/tdx_emu.h` steer the model. The
//! module also carries a KUnit suite for tdx_host_rs' Rust SEAMCALL API.

use kernel::prelude::*;

mod glue;
mod kunit;
#[allow(dead_code)]
mod model;
mod safe_api_kunit;

// The files below are shared with tdx_host_rs and the host test crate.
#[path = "../abi.rs"]
mod abi;
#[allow(dead_code)]
#[path = "../leaf.rs"]
mod leaf;
#[allow(dead_code)]
#[path = "../retry.rs"]
mod retry;
#[allow(dead_code)]
#[path = "../seamcall.rs"]
mod seamcall;
#[allow(dead_code)]
#[path = "../status.rs"]
mod status;

module! {
    type: TdxEmu,
    name: "tdx_emu",
    author: "The tdx_host_rs developers",
    description: "Software model of the Intel TDX module (test only)",
    license: "GPL",
}

struct TdxEmu {
    _trap: glue::TrapRegistration,
}

impl kernel::Module for TdxEmu {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let trap = glue::TrapRegistration::new(KBox::new(model::Model::new(), GFP_KERNEL)?)?;
        pr_warn!("emulating the TDX module: SEAMCALL answered in software (test only)\n");
        Ok(TdxEmu { _trap: trap })
    }
}
