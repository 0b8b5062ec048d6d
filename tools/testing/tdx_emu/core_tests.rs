// SPDX-License-Identifier: GPL-2.0

//! Host build of the emulator's pure-`core` files, for `cargo test`. Nothing
//! here is compiled into the kernel; the files below are, unchanged, at the
//! places `tdx_emu_main.rs` gives them.

#![cfg_attr(not(test), no_std)]
// The glue that uses much of the model is kernel-only: dead code is checked
// by the kernel build of tdx_emu, not here.
#![allow(dead_code)]

mod abi;
mod handoff_param;
mod model;
mod module_version;
mod platform;
mod platform_param;
mod report;
mod td_conf;

/// TDMR bytes one TDH.SYS.TDMR.INIT initializes in the model, for the host
/// planner's scaling table (`rust/init/tdmr/scale.rs`), the one reader of
/// this crate as a library.
pub const TDMR_INIT_CHUNK_BYTES: u64 = model::tdmr_init::CHUNK_BYTES;

/// What TDH.SYS.RDALL writes for a made-up platform, for the host crate's
/// tests of its reader (`rust/init/rdall/tests.rs`): a two-package
/// Sapphire Rapids (CPUID.01H:EAX 0x806F8, 8 LPs) with CMRs `cmrs`
/// (`[start, end)`), TDX module 1.5.`update` (1, 5 or 6), a first load's
/// hand-over. The list from field `start` into `out`; the status and R8,
/// `None` where the model declines (or `update` is not modeled).
pub fn sys_rdall_list(
    update: u8,
    cmrs: &[(u64, u64)],
    start: u64,
    out: &mut [u8],
) -> Option<(u64, u64)> {
    use module_version::ModuleVersion;
    use platform::{Cmr, Handoff, Platform, MAX_CMRS};
    let version = ModuleVersion::ALL
        .into_iter()
        .find(|v| v.numbers() == (1, 5, u64::from(update)))?;
    let mut table = [Cmr::default(); MAX_CMRS];
    for (slot, &(start, end)) in table.iter_mut().zip(cmrs) {
        *slot = Cmr {
            base: start,
            size: end - start,
        };
    }
    let p = Platform {
        nr_lps: 8,
        nr_packages: 2,
        cmrs: table,
        nr_cmrs: cmrs.len().min(MAX_CMRS),
        nr_mktme_keyids: 31,
        nr_tdx_keyids: 32,
        max_pa: 46,
        fms: 0x806F8,
        version,
        handoff: Some(Handoff {
            pages_minus_1: 31,
            valid: false,
            hv: 0,
            size: 0,
        }),
    };
    let d = model::sysrdall::list_of(p, start, out)?;
    Some((d.status, d.next))
}
