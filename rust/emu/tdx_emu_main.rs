// SPDX-License-Identifier: GPL-2.0

//! tdx_emu: a software model of the TDX module, for tests only.
//!
//! `trap.c` catches SEAMCALL's #UD and hands the registers to [`model`]; the
//! C-exported controls of `include/linux/tdx_emu.h` steer the model. It
//! depends on nothing of tdx_host_rs: it stands where the TDX module would.

use kernel::prelude::*;

mod glue;
mod glue_td;
#[allow(dead_code)]
mod model;
#[allow(dead_code)]
mod platform;
mod report;

// The files below are shared with tdx_host_rs and the host test crate.
#[allow(dead_code)]
#[path = "../abi/leaf.rs"]
mod leaf;
#[allow(dead_code)]
#[path = "../abi/metadata.rs"]
mod metadata;
#[allow(dead_code)]
#[path = "../abi/status.rs"]
mod status;
mod abi {
    #[allow(unused_imports)]
    pub(crate) use crate::{leaf, metadata, status};
}

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
        let model = KBox::new(model::Model::new(glue::platform()?), GFP_KERNEL)?;
        let trap = glue::TrapRegistration::new(model)?;
        pr_warn!("emulating the TDX module: SEAMCALL answered in software (test only)\n");
        Ok(TdxEmu { _trap: trap })
    }
}
