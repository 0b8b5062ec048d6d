// SPDX-License-Identifier: GPL-2.0

//! `tdx_rs_phymem_*()`: taking pages back from a TD in teardown, and the
//! cache write-backs before they may be reused.

use super::{answer, args, give_back, non_null, out, phys, ready, state, Td};
use crate::abi::status::SEAMCALL_BAD_ARGS;
use crate::abi::{page, tdx_rs_td};
use crate::glue::page_ref::ModulePage;
use crate::glue::services::c;
use crate::seamcall::proof::{self, TdrAfterWbinvd};
use crate::seamcall::{phymem, raw};
use core::sync::atomic::Ordering;

/// `pa` tagged with `hkid` as TDH.PHYMEM.PAGE.WBINVD takes it.
fn keyed(pa: u64, hkid: u64) -> Result<u64, u64> {
    // SAFETY: FFI call without preconditions.
    let phys_bits = unsafe { c::tdx_rs_k_phys_bits() };
    args::keyed_pa(pa, hkid, phys_bits).ok_or(SEAMCALL_BAD_ARGS)
}

/// TDH.PHYMEM.PAGE.RECLAIM of `page`; `*tdx_pt`, `*tdx_owner`, `*tdx_size`
/// get RCX, RDX and R8 (the page's type, owner and size). On success the
/// page is given back (the reference kept since its hand-over is put),
/// but a TDR: that one after `tdx_rs_phymem_page_wbinvd_tdr()`.
///
/// # Safety
///
/// `page` is NULL or a `struct page`; the three outputs NULL or valid for
/// a write.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_phymem_page_reclaim(
    page: *mut page,
    tdx_pt: *mut u64,
    tdx_owner: *mut u64,
    tdx_size: *mut u64,
) -> u64 {
    answer(|| {
        ready()?;
        let pa = phys(non_null(page)?);
        // SAFETY: the caller's guarantee.
        let (pt, owner, size) = unsafe { (out(tdx_pt)?, out(tdx_owner)?, out(tdx_size)?) };
        let (status, released, o) = phymem::page_reclaim(pa);
        (*pt, *owner, *size) = (o.page_type, o.owner, o.size);
        if let Some(released) = released {
            // SAFETY: the module just gave back the page at `pa`
            // (`released.pa()`), a page it owned as a TD's page other than
            // a TDR; each such page is handed over only by this module's
            // wrappers, which kept a reference for it, and none was taken
            // back since: the module owned the page until now, and only a
            // RECLAIM or a REMOVE of it, once, ends that.
            unsafe { give_back(released) };
        }
        Ok(raw(&status))
    })
}

/// TDH.PHYMEM.CACHE.WB on the calling CPU's package; `resume` after
/// `TDX_INTERRUPTED_RESUMABLE`.
#[no_mangle]
extern "C" fn tdx_rs_rs_phymem_cache_wb(resume: bool) -> u64 {
    answer(|| {
        ready()?;
        Ok(raw(&phymem::cache_wb(resume)))
    })
}

/// TDH.PHYMEM.PAGE.WBINVD of the TD's TDR with the global KeyID. Its
/// success proves the TDR reclaimed (the leaf refuses a page the module
/// owns) and its cache lines written back: the TDR is given back. When
/// it fails but for `TDX_PAGE_METADATA_INCORRECT` (the module still owns
/// the TDR: not reclaimed yet, call again after), the TDR cannot be given
/// back safely and is kept for good, and counted.
///
/// # Safety
///
/// `td` is NULL or a valid `struct tdx_rs_td` whose `rs_private` is zero
/// or was set by this module, `td->tdr_page` NULL or a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_phymem_page_wbinvd_tdr(td: *mut tdx_rs_td) -> u64 {
    answer(|| {
        let global = ready()?;
        // SAFETY: the caller's guarantee.
        let td = unsafe { Td::new(td) }?;
        let tdr = td.tdr()?;
        let (status, released) = phymem::page_wbinvd(tdr, keyed(tdr, global.into())?);
        let fate = proof::tdr_after_wbinvd(raw(&status));
        if fate != TdrAfterWbinvd::StillOwned
            && td
                .state
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, state::tdr_dropped)
                .is_ok()
        {
            // SAFETY: `TDR_HELD` was set, and this call alone cleared it:
            // the reference TDH.MNG.CREATE kept for the TDR at `tdr` is
            // still kept, and taken back once, here.
            if let Some(held) = unsafe { ModulePage::take_back(tdr) } {
                match released {
                    Some(released) => held.give_back(released),
                    // Given up: kept for good, and counted.
                    None => drop(held),
                }
            }
        }
        Ok(raw(&status))
    })
}

/// TDH.PHYMEM.PAGE.WBINVD of `page` with KeyID `hkid` (after
/// TDH.MEM.PAGE.REMOVE gave it back). No reference changes.
///
/// # Safety
///
/// `page` is NULL or a `struct page`.
#[no_mangle]
unsafe extern "C" fn tdx_rs_rs_phymem_page_wbinvd_hkid(hkid: u64, page: *mut page) -> u64 {
    answer(|| {
        ready()?;
        let pa = phys(non_null(page)?);
        let (status, _) = phymem::page_wbinvd(pa, keyed(pa, hkid)?);
        Ok(raw(&status))
    })
}

// The definitions must have exactly the types `glue/kernel.h` declares.
const _: () = {
    let _: [unsafe extern "C" fn(*mut page, *mut u64, *mut u64, *mut u64) -> u64; 2] = [
        c::tdx_rs_rs_phymem_page_reclaim,
        tdx_rs_rs_phymem_page_reclaim,
    ];
    let _: [unsafe extern "C" fn(bool) -> u64; 2] =
        [c::tdx_rs_rs_phymem_cache_wb, tdx_rs_rs_phymem_cache_wb];
    let _: [unsafe extern "C" fn(*mut tdx_rs_td) -> u64; 2] = [
        c::tdx_rs_rs_phymem_page_wbinvd_tdr,
        tdx_rs_rs_phymem_page_wbinvd_tdr,
    ];
    let _: [unsafe extern "C" fn(u64, *mut page) -> u64; 2] = [
        c::tdx_rs_rs_phymem_page_wbinvd_hkid,
        tdx_rs_rs_phymem_page_wbinvd_hkid,
    ];
};
