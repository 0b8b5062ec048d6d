// SPDX-License-Identifier: GPL-2.0

//! The platform leaves of the initialization, each a safe function whose
//! parameter types carry what the leaf asks of its caller:
//!
//! - TDH.SYS.INIT, TDH.SYS.LP.INIT and TDH.SYS.KEY.CONFIG name no memory.
//! - TDH.SYS.RD takes a [`FieldId`] and names no memory.
//! - TDH.SYS.RDALL takes a page of [`MdListPages`]: kernel pages the module
//!   writes its metadata list into during the call, and never keeps.
//! - TDH.SYS.CONFIG takes a [`TdmrInfoArray`]: the TDMR_INFO entries in a
//!   buffer that outlives the call (the module copies them), each entry's
//!   three PAMT ranges checked to lie inside the [`ModulePages`] it
//!   borrows, pages already given to the module.
//! - TDH.SYS.TDMR.INIT names a TDMR base; the module only writes the PAMT
//!   it already owns, and refuses a base it does not hold.

use super::{seamcall, Args, Status};
use crate::abi::leaf::{Leaf, LeafCall};
use crate::abi::metadata::FieldId;
use crate::abi::status::{ModuleStatus, SeamcallError};
use crate::glue::pages::{ModulePages, PageBuf};
use crate::init::rdall::{LIST_BYTES, MAX_LISTS};
use crate::init::tdmr::{self, Range, Tdmr, TDMR_INFO_ALIGN};
use kernel::prelude::*;

/// TDH.SYS.INIT: module attributes in RCX, all reserved (zero).
pub(crate) fn sys_init() -> Status {
    // SAFETY: TDH.SYS.INIT names no memory; RCX (attributes) is zero.
    unsafe { seamcall(LeafCall::new(Leaf::SysInit), &mut Args::default()) }
}

/// TDH.SYS.LP.INIT on the calling logical processor.
pub(crate) fn lp_init() -> Status {
    // SAFETY: TDH.SYS.LP.INIT takes no operand and names no memory.
    unsafe { seamcall(LeafCall::new(Leaf::SysLpInit), &mut Args::default()) }
}

/// TDH.SYS.KEY.CONFIG on the calling logical processor's package.
pub(crate) fn key_config() -> Status {
    // SAFETY: TDH.SYS.KEY.CONFIG takes no operand; it programs the global
    // KeyID that TDH.SYS.CONFIG already gave the module.
    unsafe { seamcall(LeafCall::new(Leaf::SysKeyConfig), &mut Args::default()) }
}

/// TDH.SYS.RD: the status and R8, the field's value (meaningful with
/// `TDX_SUCCESS` only; an informational status means R8 is not the field).
pub(crate) fn sys_rd(field: FieldId) -> Result<(ModuleStatus, u64), SeamcallError> {
    let mut args = Args {
        rdx: field.raw(),
        ..Args::default()
    };
    // SAFETY: TDH.SYS.RD names no memory; it writes RDX and R8 only.
    let status = unsafe { seamcall(LeafCall::new(Leaf::SysRd), &mut args) }?;
    Ok((status, args.r8))
}

/// The pages TDH.SYS.RDALL writes its lists into: [`MAX_LISTS`] pages of
/// [`LIST_BYTES`], zeroed, page-aligned, physically contiguous kernel
/// memory the host owns throughout (the module writes one during a call,
/// and keeps none).
pub(crate) struct MdListPages {
    buf: PageBuf,
}

impl MdListPages {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            buf: PageBuf::new(MAX_LISTS * LIST_BYTES)?,
        })
    }

    /// The bytes of each page, in order.
    pub(crate) fn lists(&mut self) -> [&[u8]; MAX_LISTS] {
        let bytes: &[u8] = self.buf.bytes_mut();
        core::array::from_fn(|i| &bytes[i * LIST_BYTES..(i + 1) * LIST_BYTES])
    }
}

/// TDH.SYS.RDALL from field `start` into page `i` of `pages`: the status
/// and R8, the next field to list (read whatever the status: with
/// `TDX_METADATA_LIST_OVERFLOW` it is the continuation). `-EINVAL` without
/// a call if there is no page `i`.
pub(crate) fn sys_rdall(pages: &mut MdListPages, i: usize, start: u64) -> Result<(Status, u64)> {
    if i >= MAX_LISTS {
        return Err(EINVAL);
    }
    // RDX: page `i` of `pages.buf`, 4 KiB aligned (the buffer is
    // page-aligned and `LIST_BYTES` is a page), inside the buffer (`i` <
    // `MAX_LISTS`), plain kernel memory without KeyID bits.
    let mut args = Args {
        rdx: pages.buf.phys(i * LIST_BYTES),
        r8: start,
        ..Args::default()
    };
    // SAFETY: RDX names one page this function borrows mutably (no other
    // access during the call); the module writes at most that page
    // (`md_dump_list()`'s list is at most `LIST_BYTES`), keeps nothing after
    // the call, and of the registers writes R8 only.
    let status = unsafe { seamcall(LeafCall::new(Leaf::SysRdall), &mut args) };
    Ok((status, args.r8))
}

/// TDH.SYS.TDMR.INIT on the TDMR at `base`: the status and RDX, the next
/// address the module will initialize.
pub(crate) fn tdmr_init(base: u64) -> Result<(ModuleStatus, u64), SeamcallError> {
    let mut args = Args {
        rcx: base,
        ..Args::default()
    };
    // SAFETY: TDH.SYS.TDMR.INIT writes only the PAMT of the TDMR at `base`,
    // memory the module owns since TDH.SYS.CONFIG; for a base it does not
    // hold it fails and writes nothing. It writes RDX only.
    let status = unsafe { seamcall(LeafCall::new(Leaf::SysTdmrInit), &mut args) }?;
    Ok((status, args.rdx))
}

/// What TDH.SYS.CONFIG reads: a 512-byte aligned array of the physical
/// addresses of TDMR_INFO entries, each 512-byte aligned, in one buffer.
///
/// # Invariants
///
/// `buf` holds `nr` addresses, each of a TDMR_INFO inside `buf`; each of
/// the three PAMT ranges an entry names lies inside one of the
/// [`ModulePages`] this value borrows.
pub(crate) struct TdmrInfoArray<'a> {
    buf: PageBuf,
    nr: usize,
    _pamts: &'a [ModulePages],
}

impl<'a> TdmrInfoArray<'a> {
    /// Lays out `tdmrs`, the i-th of which must have its three PAMT ranges
    /// inside `pamts[i]` (`-EINVAL` otherwise), with room for
    /// `max_reserved_per_tdmr` reserved areas per entry.
    pub(crate) fn new(
        tdmrs: &[Tdmr],
        pamts: &'a [ModulePages],
        max_reserved_per_tdmr: u16,
    ) -> Result<Self> {
        if tdmrs.len() != pamts.len() {
            return Err(EINVAL);
        }
        let info_size = tdmr::tdmr_info_size(max_reserved_per_tdmr);
        let array_size = (tdmrs.len() * 8).next_multiple_of(TDMR_INFO_ALIGN);
        let mut buf = PageBuf::new(array_size + tdmrs.len() * info_size)?;
        for (i, (t, pamt)) in tdmrs.iter().zip(pamts).enumerate() {
            // Each of the three PAMT ranges TDMR_INFO names must lie inside
            // the pages handed over for this TDMR.
            let (start, end) = (pamt.phys(), pamt.phys() + pamt.size());
            let inside = |r: &Range| r.base >= start && r.base <= end && r.size <= end - r.base;
            if !t.pamt.iter().all(inside) {
                pr_err!(
                    "TDMR at {:#x}: its PAMT is not the one handed over\n",
                    t.base
                );
                return Err(EINVAL);
            }
            let offset = array_size + i * info_size;
            let pa = buf.phys(offset);
            let bytes = buf.bytes_mut();
            bytes[i * 8..i * 8 + 8].copy_from_slice(&pa.to_le_bytes());
            tdmr::write_tdmr_info(
                t,
                max_reserved_per_tdmr,
                &mut bytes[offset..offset + info_size],
            )
            .map_err(|_| EINVAL)?;
        }
        // INVARIANT: every entry written above, every PAMT checked.
        Ok(Self {
            buf,
            nr: tdmrs.len(),
            _pamts: pamts,
        })
    }
}

/// TDH.SYS.CONFIG: RCX the TDMR_INFO array, RDX how many, R8 the global
/// KeyID.
pub(crate) fn sys_config(tdmrs: &TdmrInfoArray<'_>, global_keyid: u32) -> Status {
    let mut args = Args {
        rcx: tdmrs.buf.phys(0),
        rdx: tdmrs.nr as u64,
        r8: u64::from(global_keyid),
        ..Args::default()
    };
    // SAFETY: RCX and the entries it points to lie in `tdmrs.buf`, which
    // lives past the call, and the module copies them during it. The only
    // memory the module keeps is the PAMTs the entries name: by the type
    // invariant, pages already given to the module (`ModulePages`) that
    // `tdmrs` borrows from their owner.
    unsafe { seamcall(LeafCall::new(Leaf::SysConfig), &mut args) }
}
