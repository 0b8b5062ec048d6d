// SPDX-License-Identifier: GPL-2.0

//! tdx_host_rs: the host side of Intel TDX.
//!
//! This crate is the module's Rust half; the SEAMCALL trampolines it exports
//! to C (`tdx_rs_seamcall`, `tdx_rs_seamcall_ret`,
//! `tdx_rs_seamcall_saved_ret`, namespace `TDX_HOST_RS`) are assembly in
//! `seamcall/trampolines.S`, over the `struct tdx_module_args` of
//! `include/linux/tdx_host_rs.h`, and so is `tdx_rs_vp_enter`, which runs
//! TDH.VP.ENTER on KVM's own register array.

use kernel::prelude::*;

// The layers, bottom up: the ABI (the C header, leaves, statuses, metadata
// field IDs); the SEAMCALL trampolines and the calls made through them; the
// initialization with its TDMR planner; the TD life cycle; the glue to the
// kernel and to C.
mod abi;
mod glue;
mod init;
mod seamcall;
mod td;

module! {
    type: TdxHostRs,
    name: "tdx_host_rs",
    author: "The tdx_host_rs developers",
    description: "Intel TDX host support in Rust",
    license: "GPL",
}

struct TdxHostRs {
    _registration: glue::entry::Registration,
}

impl kernel::Module for TdxHostRs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let registration = glue::entry::Registration::new()?;
        pr_info!("SEAMCALL trampolines ready (struct tdx_module_args: register-index layout)\n");
        // Registered: `tdx_rs_enable()` works from here on.
        glue::services::init_at_load();
        Ok(TdxHostRs {
            _registration: registration,
        })
    }
}
