// SPDX-License-Identifier: GPL-2.0

//! tdx_emu: a software model of the TDX module, for tests only.
//!
//! `glue/trap.c` catches SEAMCALL's #UD and hands the registers to
//! [`model`]; the C-exported controls of `include/linux/tdx_emu.h` steer the
//! model. It depends on nothing of tdx_host_rs, not even a source file: it
//! stands where the TDX module would, with its own copy of the TDX ABI facts
//! it needs ([`abi`]).

use kernel::prelude::*;

mod abi;
mod glue;
mod handoff_param;
mod model;
mod module_version;
mod platform;
mod platform_param;
mod report;
mod td_conf;

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
        let platform = glue::platform()?;
        let mut model = KBox::<model::Model>::new_uninit(GFP_KERNEL)?;
        // SAFETY: the box is valid for writes of a `Model` and aligned;
        // `write_new` initializes all of it.
        let model = unsafe {
            model::Model::write_new(model.as_mut_ptr(), platform);
            model.assume_init()
        };
        let trap = glue::TrapRegistration::new(model)?;
        pr_warn!("emulating the TDX module: SEAMCALL answered in software (test only)\n");
        Ok(TdxEmu { _trap: trap })
    }
}
