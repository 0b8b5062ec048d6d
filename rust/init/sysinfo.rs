// SPDX-License-Identifier: GPL-2.0

//! The TDX module's global metadata, into the typed `struct tdx_rs_sysinfo`
//! of the C header: with TDH.SYS.RDALL, the whole global context in one
//! call (at most `rdall::MAX_LISTS`, following the continuation), or field
//! by field with TDH.SYS.RD where the module has no TDH.SYS.RDALL
//! (`rdall.rs` says when).

use super::check;
use super::rdall::{self, Lists, RdallError, Step};
use crate::abi::leaf::Leaf;
use crate::abi::metadata::{self as md, FieldId};
use crate::abi::status::code;
use crate::abi::{tdx_rs_sysinfo, TDX_RS_MAX_CMRS, TDX_RS_MAX_CPUID_CONFIG};
use crate::init::tdmr::{Limits, Range};
use crate::seamcall::sys::{self, MdListPages};
use kernel::prelude::*;

/// Where the fields come from: one field's value, or the error.
type Source<'a> = &'a dyn Fn(FieldId) -> Result<u64>;

/// The TDH.SYS.RDALL calls into `pages`: how many lists they wrote, or
/// `None` if the module has no TDH.SYS.RDALL.
fn list_all(pages: &mut MdListPages) -> Result<Option<usize>> {
    let mut start = rdall::FIRST;
    for made in 1..=rdall::MAX_LISTS {
        let (status, r8) = sys::sys_rdall(pages, made - 1, start)?;
        match rdall::step(made, status, r8) {
            Ok(Step::Done) => return Ok(Some(made)),
            Ok(Step::Continue(next)) => start = next,
            Ok(Step::Fallback) => {
                pr_info!("TDH.SYS.RDALL: the TDX module has no such leaf; reading the metadata with TDH.SYS.RD\n");
                return Ok(None);
            }
            Err(RdallError::Seamcall(e)) => return check(Leaf::SysRdall, Err(e)),
            Err(RdallError::TooManyLists) => {
                let e = super::explain::explain(Leaf::SysRdall, rdall::LIST_OVERFLOW);
                pr_err!("TDH.SYS.RDALL: a list overflowed {made} pages\n{e}\n");
                return Err(EIO);
            }
            Err(e) => {
                pr_err!("TDH.SYS.RDALL: {e:?}: the metadata is not read\n");
                return Err(EIO);
            }
        }
    }
    // `step()` ends the calls by `MAX_LISTS`.
    Err(EIO)
}

/// Reads every field this module uses: the lists of TDH.SYS.RDALL, or
/// TDH.SYS.RD field by field where the module lacks the leaf.
///
/// The structure (3.7 KiB, mostly `td_conf`'s CPUID configurations) is
/// filled in its box: a copy of it on the stack of `Host::initialize()` or
/// its callers would take a quarter of a 16 KiB kernel stack.
pub(crate) fn read_sysinfo() -> Result<KBox<tdx_rs_sysinfo>> {
    let mut s = zeroed_box()?;
    let mut pages = MdListPages::new()?;
    let Some(nr) = list_all(&mut pages)? else {
        fill(&read, &mut s)?;
        return Ok(s);
    };
    let all = pages.lists();
    let lists = Lists::new(&all[..nr]).map_err(|e| {
        pr_err!("TDH.SYS.RDALL wrote a malformed list: {e:?}\n");
        EIO
    })?;
    pr_info!(
        "global metadata: {} elements from {nr} TDH.SYS.RDALL call(s)\n",
        lists.elements()
    );
    let read = |field: FieldId| {
        lists.get(field.raw()).ok_or_else(|| {
            pr_err!("TDH.SYS.RDALL listed no field {:#x}\n", field.raw());
            EIO
        })
    };
    fill(&read, &mut s)?;
    Ok(s)
}

/// One field with TDH.SYS.RD. Only `TDX_SUCCESS` carries the value: an
/// informational status (the first field of a context, a field to skip)
/// means R8 is not the field.
fn read(field: FieldId) -> Result<u64> {
    let (status, value) = check(Leaf::SysRd, sys::sys_rd(field))?;
    if status.raw() != code::SUCCESS {
        pr_err!(
            "TDH.SYS.RD of field {:#x}: {status}, not the field\n",
            field.raw()
        );
        pr_err!("{}\n", super::explain::explain(Leaf::SysRd, status.raw()));
        return Err(EIO);
    }
    Ok(value)
}

fn read16(read: Source<'_>, field: FieldId) -> Result<u16> {
    u16::try_from(read(field)?).map_err(|_| EIO)
}

// SAFETY: `struct tdx_rs_sysinfo` (include/linux/tdx_host_rs.h) and the
// structures it holds (`tdx_rs_cmr`, `tdx_rs_sysinfo_td_ctrl`,
// `tdx_rs_sysinfo_td_conf`) have only integer fields and arrays of integers:
// no pointer, reference, `bool` or enum, so all-zero bytes are a valid value.
unsafe impl kernel::init::Zeroable for tdx_rs_sysinfo {}

/// A zeroed `struct tdx_rs_sysinfo`, written in place in its box: no copy of
/// it on the stack.
fn zeroed_box() -> Result<KBox<tdx_rs_sysinfo>> {
    KBox::init(kernel::init::zeroed(), GFP_KERNEL)
}

/// Every field this module uses, from `read`, into `s` (zeroed).
fn fill(read: Source<'_>, s: &mut tdx_rs_sysinfo) -> Result {
    let read16 = |field| read16(read, field);
    s.major_version = read16(md::MAJOR_VERSION)?;
    s.minor_version = read16(md::MINOR_VERSION)?;
    s.update_version = read16(md::UPDATE_VERSION)?;
    s.internal_version = read16(md::INTERNAL_VERSION)?;
    s.features0 = read(md::TDX_FEATURES0)?;
    s.max_tdmrs = read16(md::MAX_TDMRS)?;
    s.max_reserved_per_tdmr = read16(md::MAX_RESERVED_PER_TDMR)?;
    s.pamt_entry_size = [
        read16(md::PAMT_4K_ENTRY_SIZE)?,
        read16(md::PAMT_2M_ENTRY_SIZE)?,
        read16(md::PAMT_1G_ENTRY_SIZE)?,
    ];
    let nr_cmrs = read(md::NUM_CMRS)?;
    if nr_cmrs > u64::from(TDX_RS_MAX_CMRS) {
        pr_err!("the module reports {nr_cmrs} CMRs, more than {TDX_RS_MAX_CMRS}\n");
        return Err(EIO);
    }
    // A 1.5 module reports NUM_CMRS = 32: its CMRs, then empty entries.
    // Only the CMRs are kept; `nr_cmrs` counts them.
    for i in 0..nr_cmrs as u32 {
        let base = read(md::CMR_BASE.element(i))?;
        let size = read(md::CMR_SIZE.element(i))?;
        if size == 0 {
            continue;
        }
        let cmr = &mut s.cmrs[s.nr_cmrs as usize];
        (cmr.base, cmr.size) = (base, size);
        s.nr_cmrs += 1;
    }
    read_td_ctrl(read, s)?;
    read_td_conf(read, s)
}

/// The TD control structure sizes (upstream's `td_ctrl`).
fn read_td_ctrl(read: Source<'_>, s: &mut tdx_rs_sysinfo) -> Result {
    let read16 = |field| read16(read, field);
    s.td_ctrl.tdr_base_size = read16(md::TDR_BASE_SIZE)?;
    s.td_ctrl.tdcs_base_size = read16(md::TDCS_BASE_SIZE)?;
    s.td_ctrl.tdvps_base_size = read16(md::TDVPS_BASE_SIZE)?;
    Ok(())
}

/// What a TD may be configured with (upstream's `td_conf`). More
/// configurable CPUID leaves than `struct tdx_rs_sysinfo` holds is an
/// error: a TD_PARAMS built from a truncated list would be refused.
fn read_td_conf(read: Source<'_>, s: &mut tdx_rs_sysinfo) -> Result {
    let read16 = |field| read16(read, field);
    let c = &mut s.td_conf;
    c.attributes_fixed0 = read(md::ATTRIBUTES_FIXED0)?;
    c.attributes_fixed1 = read(md::ATTRIBUTES_FIXED1)?;
    c.xfam_fixed0 = read(md::XFAM_FIXED0)?;
    c.xfam_fixed1 = read(md::XFAM_FIXED1)?;
    c.num_cpuid_config = read16(md::NUM_CPUID_CONFIG)?;
    c.max_vcpus_per_td = read16(md::MAX_VCPUS_PER_TD)?;
    let n = u32::from(c.num_cpuid_config);
    if n > TDX_RS_MAX_CPUID_CONFIG {
        pr_err!(
            "the module reports {n} CPUID configurations, more than {TDX_RS_MAX_CPUID_CONFIG}\n"
        );
        return Err(EIO);
    }
    for i in 0..n {
        let idx = i as usize;
        c.cpuid_config_leaves[idx] = read(md::CPUID_CONFIG_LEAVES.element(i))?;
        for half in 0..2 {
            c.cpuid_config_values[idx][half as usize] = read(md::cpuid_config_value(i, half))?;
        }
    }
    Ok(())
}

/// The TDMR limits the planner needs.
pub(crate) fn limits(s: &tdx_rs_sysinfo) -> Limits {
    Limits {
        max_tdmrs: s.max_tdmrs,
        max_reserved_per_tdmr: s.max_reserved_per_tdmr,
        pamt_entry_size: s.pamt_entry_size,
    }
}

/// The CMRs, as the planner takes them.
pub(crate) fn cmrs(s: &tdx_rs_sysinfo) -> Result<KVec<Range>> {
    let nr = (s.nr_cmrs as usize).min(s.cmrs.len());
    let mut cmrs = KVec::with_capacity(nr, GFP_KERNEL)?;
    for c in &s.cmrs[..nr] {
        cmrs.push(
            Range {
                base: c.base,
                size: c.size,
            },
            GFP_KERNEL,
        )?;
    }
    Ok(cmrs)
}
