// SPDX-License-Identifier: GPL-2.0

//! tdx_host_rs: the host side of Intel TDX.
//!
//! This crate is the module's Rust half; the SEAMCALL trampolines it exports
//! to C (`tdx_rs_seamcall`, `tdx_rs_seamcall_ret`,
//! `tdx_rs_seamcall_saved_ret`, namespace `TDX_HOST_RS`) are assembly in
//! `ffi/seamcall.S`, over the `struct tdx_module_args` of
//! `include/linux/tdx_host_rs.h`, and so is `tdx_rs_vp_enter`, which runs
//! TDH.VP.ENTER on KVM's own register array.

use kernel::prelude::*;

mod abi;
mod entry;
mod init;
mod kernel_glue;
mod sysinfo;
mod vp_enter;
// The pure-`core` files below are shared with the emulator and the host test
// crate; each user takes a different part of them.
#[allow(dead_code)]
mod leaf;
#[allow(dead_code)]
mod metadata;
#[allow(dead_code)]
mod retry;
#[allow(dead_code)]
mod seamcall;
#[allow(dead_code)]
mod status;
#[allow(dead_code)]
mod tdmr;

module! {
    type: TdxHostRs,
    name: "tdx_host_rs",
    author: "The tdx_host_rs developers",
    description: "Intel TDX host support in Rust",
    license: "GPL",
}

struct TdxHostRs {
    _registration: entry::Registration,
}

impl kernel::Module for TdxHostRs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let registration = entry::Registration::new(KBox::new(init::Host::new(), GFP_KERNEL)?)?;
        pr_info!("SEAMCALL trampolines ready (struct tdx_module_args: register-index layout)\n");
        Ok(TdxHostRs {
            _registration: registration,
        })
    }
}
