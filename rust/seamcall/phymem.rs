// SPDX-License-Identifier: GPL-2.0

//! The physical memory leaves (TDH.PHYMEM.*): taking pages back from a TD
//! in teardown and the cache write-backs that must precede reuse.

use super::{call, proof, raw, Args, Released, Status};
use crate::abi::leaf::Leaf;

/// RCX, RDX and R8 after TDH.PHYMEM.PAGE.RECLAIM: the page's type, owner
/// (its TD's TDR) and size, as the PAMT had them.
#[derive(Clone, Copy, Default)]
pub(crate) struct Reclaimed {
    pub(crate) page_type: u64,
    pub(crate) owner: u64,
    pub(crate) size: u64,
}

/// TDH.PHYMEM.PAGE.RECLAIM of the page at `pa`. On success the page is no
/// longer the module's: the [`Released`] says so, except for a TDR, whose
/// cache lines under the global KeyID must be written back first
/// (TDH.PHYMEM.PAGE.WBINVD, [`page_wbinvd`]).
pub(crate) fn page_reclaim(pa: u64) -> (Status, Option<Released>, Reclaimed) {
    let mut args = Args {
        rcx: pa,
        ..Args::default()
    };
    let status = call(Leaf::PhymemPageReclaim, &mut args);
    let out = Reclaimed {
        page_type: args.rcx,
        owner: args.rdx,
        size: args.r8,
    };
    let released = proof::reclaim_released(raw(&status), out.page_type).then_some(Released { pa });
    (status, released, out)
}

/// TDH.PHYMEM.CACHE.WB on the calling LP's package; `resume` continues an
/// interrupted one.
pub(crate) fn cache_wb(resume: bool) -> Status {
    let mut args = Args {
        rcx: u64::from(resume),
        ..Args::default()
    };
    call(Leaf::PhymemCacheWb, &mut args)
}

/// TDH.PHYMEM.PAGE.WBINVD of the page at `pa`, through KeyID-tagged
/// address `keyed` (`pa` with a KeyID in the bits above the physical
/// address). It succeeds only on a page the module does not own: on
/// success the page is written back and not the module's.
pub(crate) fn page_wbinvd(pa: u64, keyed: u64) -> (Status, Option<Released>) {
    let mut args = Args {
        rcx: keyed,
        ..Args::default()
    };
    let status = call(Leaf::PhymemPageWbinvd, &mut args);
    let released = proof::wbinvd_released(raw(&status)).then_some(Released { pa });
    (status, released)
}
