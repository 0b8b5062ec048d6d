// SPDX-License-Identifier: GPL-2.0

//! Bringing the TDX module from "loaded by the BIOS" to "ready for TDs".
//!
//! The order is the TDX module's: TDH.SYS.INIT once and TDH.SYS.LP.INIT on
//! every CPU; the global metadata (TDH.SYS.RD); the TDX memory, its TDMRs and
//! their PAMTs; TDH.SYS.CONFIG with the TDMRs and the global KeyID; a cache
//! write-back and TDH.SYS.KEY.CONFIG on one CPU of every package; then
//! TDH.SYS.TDMR.INIT on every TDMR until the module says it is done.
//!
//! Nothing the TDX module may still use is ever freed: once initialization
//! succeeds the PAMTs stay for the life of the kernel and the module pins
//! itself. When it fails, the module cannot use them any more; they are
//! written back from the caches, cleared and freed.

pub(crate) mod sysinfo;
pub(crate) mod tdmr;
pub(crate) mod vp_enter;

use crate::abi::tdx_rs_sysinfo;
use crate::glue::services::{self as k, c, ContigPages, PageBuf};
use crate::abi::leaf::{Leaf, LeafCall};
use crate::seamcall::{seamcall, Args, Regs};
use crate::abi::status::{code, ModuleStatus, SeamcallError, TRAP_GP, TRAP_UD};
use tdmr::{Limits, MemBlock, Tdmr, PAGE_SIZE};
use kernel::prelude::*;

/// The first MiB is never convertible memory.
const LOW_MEMORY_END: u64 = 1 << 20;

/// `-EOPNOTSUPP`, which Linux 6.12's `kernel::error::code` does not name.
fn eopnotsupp() -> Error {
    Error::from_errno(-(kernel::bindings::EOPNOTSUPP as i32))
}

/// Maps a SEAMCALL result to an errno, logging why it failed.
pub(crate) fn check(leaf: Leaf, r: Result<ModuleStatus, SeamcallError>) -> Result<ModuleStatus> {
    let name = leaf.abi_name();
    match r {
        Ok(status) => Ok(status),
        Err(SeamcallError::VmFailInvalid) => {
            pr_err!("{name}: no TDX module loaded\n");
            Err(ENODEV)
        }
        Err(SeamcallError::Trap(TRAP_GP)) => {
            pr_err!("{name}: #GP, TDX disabled by the BIOS\n");
            Err(eopnotsupp())
        }
        Err(SeamcallError::Trap(TRAP_UD)) => {
            pr_err!("{name}: #UD, CPU not in VMX operation or without SEAM\n");
            Err(EACCES)
        }
        Err(e) => {
            pr_err!("{name} failed: {e}\n");
            Err(EIO)
        }
    }
}

/// One SEAMCALL of a leaf that takes no memory and returns no registers.
fn call_in(leaf: Leaf, mut args: Args) -> Result<ModuleStatus> {
    // SAFETY: every caller passes a leaf whose operands name no memory the
    // module would take, or memory handed over as its ABI says (see there).
    check(leaf, unsafe {
        seamcall(Regs::In, LeafCall::new(leaf), &mut args)
    })
}

/// TDH.SYS.INIT: module attributes in RCX, all reserved (zero).
pub(crate) fn sys_init() -> Result {
    call_in(Leaf::SysInit, Args::default()).map(drop)
}

/// TDH.SYS.LP.INIT on the calling CPU.
pub(crate) fn lp_init() -> Result {
    call_in(Leaf::SysLpInit, Args::default()).map(drop)
}

/// TDH.SYS.KEY.CONFIG on the calling CPU's package.
fn key_config() -> Result {
    call_in(Leaf::SysKeyConfig, Args::default()).map(drop)
}

/// Where the module stands, as sysfs shows it.
#[derive(Clone, Copy, Debug)]
enum State {
    /// This platform cannot run TDX; the errno says why.
    Unavailable(Error),
    Uninitialized,
    Initialized,
    /// Initialization failed with this errno; it is not tried again.
    Failed(Error),
}

/// The TDX private KeyIDs.
#[derive(Clone, Copy, Debug, Default)]
struct KeyIds {
    start: u32,
    nr: u32,
}

/// What the module keeps once the TDX module is initialized.
struct Configured {
    sysinfo: tdx_rs_sysinfo,
    tdmrs: KVec<Tdmr>,
    /// The TDX module owns these now: never dropped.
    _pamts: KVec<ContigPages>,
}

/// All of the host side's state; `tdx_rs_enable()` serializes access.
pub(crate) struct Host {
    state: State,
    keyids: KeyIds,
    configured: Option<Configured>,
}

impl Host {
    /// Checks the platform: a TDX KeyID partitioning with at least two TDX
    /// KeyIDs, the first of which becomes the global KeyID.
    pub(crate) fn new() -> Self {
        let (state, keyids) = match k::keyid_partitioning() {
            Err(_) => {
                pr_info!("no TDX KeyID partitioning on this platform\n");
                (State::Unavailable(ENODEV), KeyIds::default())
            }
            Ok((_, nr_tdx)) if nr_tdx < 2 => {
                pr_info!("{nr_tdx} TDX KeyIDs: at least 2 are needed\n");
                (State::Unavailable(eopnotsupp()), KeyIds::default())
            }
            Ok((nr_mktme, nr_tdx)) => (
                State::Uninitialized,
                KeyIds {
                    start: nr_mktme + 1,
                    nr: nr_tdx,
                },
            ),
        };
        Self {
            state,
            keyids,
            configured: None,
        }
    }

    /// Publishes the state for sysfs and `tdx_rs_get_sysinfo()`; the caller
    /// holds the module lock.
    pub(crate) fn publish(&self) {
        let state = match self.state {
            State::Unavailable(_) => c::tdx_rs_state_TDX_RS_STATE_UNAVAILABLE,
            State::Uninitialized => c::tdx_rs_state_TDX_RS_STATE_UNINITIALIZED,
            State::Initialized => c::tdx_rs_state_TDX_RS_STATE_INITIALIZED,
            State::Failed(_) => c::tdx_rs_state_TDX_RS_STATE_FAILED,
        };
        let mut status = c::tdx_rs_status {
            state,
            keyid_start: self.keyids.start,
            nr_keyids: self.keyids.nr,
            ..Default::default()
        };
        if let Some(cfg) = &self.configured {
            status.nr_tdmrs = cfg.tdmrs.len() as u32;
            status.nr_reserved = tdmr::reserved_total(&cfg.tdmrs) as u32;
            status.pamt_kib = tdmr::pamt_kib_total(&cfg.tdmrs);
        }
        status.vp_enter_refusal =
            vp_enter::refusal(self.configured.as_ref().map(|c| c.sysinfo.features0));
        k::publish(&status, self.configured.as_ref().map(|c| &c.sysinfo));
    }

    /// `tdx_rs_enable()`: initializes the TDX module the first time, and
    /// gives every later caller the same answer.
    pub(crate) fn enable(&mut self) -> Result {
        match self.state {
            State::Initialized => return Ok(()),
            State::Unavailable(e) | State::Failed(e) => return Err(e),
            State::Uninitialized => {}
        }
        // TDH.SYS.INIT and every CPU's TDH.SYS.LP.INIT first. -EBUSY (a
        // present CPU offline that never did it) changes nothing: the caller
        // may bring it online and enable again.
        let result = match k::lp_init_all() {
            Err(e) if e.to_errno() == EBUSY.to_errno() => return Err(e),
            Err(e) => Err(e),
            Ok(()) => self.initialize(),
        };
        match result {
            Ok(cfg) => {
                let features0 = cfg.sysinfo.features0;
                let kib = tdmr::pamt_kib_total(&cfg.tdmrs);
                self.configured = Some(cfg);
                self.state = State::Initialized;
                k::pin_module();
                pr_info!("{kib} KB allocated for PAMT\n");
                pr_info!("module initialized\n");
                if vp_enter::refusal(Some(features0)) != 0 {
                    pr_warn!("TDH.VP.ENTER disabled: the TDX module lacks NO_RBP_MOD\n");
                }
            }
            Err(e) => {
                self.state = State::Failed(e);
                pr_err!("module initialization failed ({})\n", e.to_errno());
            }
        }
        self.publish();
        match self.state {
            State::Initialized => Ok(()),
            State::Failed(e) => Err(e),
            _ => Err(EINVAL),
        }
    }

    /// Everything after every CPU's TDH.SYS.LP.INIT.
    fn initialize(&mut self) -> Result<Configured> {
        let sysinfo = sysinfo::read_sysinfo()?;
        let limits = sysinfo::limits(&sysinfo);
        let memory = tdx_memory()?;
        let mut tdmrs = plan_tdmrs(&memory, &limits)?;
        let pamts = allocate_pamts(&mut tdmrs, &memory, &limits)?;
        tdmr::populate_reserved(&mut tdmrs, &memory, &limits).map_err(|e| {
            pr_err!("cannot lay out reserved areas: {e}\n");
            E2BIG
        })?;

        sys_config(&tdmrs, &limits, self.keyids.start)?;
        // The module has the PAMTs now. Should anything below fail it will
        // never use them, but its private-KeyID writes may sit in the
        // caches: write them back before the pages are cleared and freed.
        let rest = config_global_keyid().and_then(|()| init_tdmrs(&tdmrs));
        if let Err(e) = rest {
            k::wbinvd_all();
            drop(pamts);
            return Err(e);
        }
        k::set_tdx_memory(&memory)?;
        Ok(Configured {
            sysinfo,
            tdmrs,
            _pamts: pamts,
        })
    }
}

/// System RAM above the first MiB, page aligned: the memory the TDX module
/// will cover.
fn tdx_memory() -> Result<KVec<MemBlock>> {
    let mut mem = KVec::new();
    k::for_each_ram(|start, end, nid| {
        let start = start.max(LOW_MEMORY_END).next_multiple_of(PAGE_SIZE);
        let end = end & !(PAGE_SIZE - 1);
        if start < end {
            mem.push(MemBlock { start, end, nid }, GFP_KERNEL)?;
        }
        Ok(())
    })?;
    Ok(mem)
}

fn plan_tdmrs(memory: &[MemBlock], limits: &Limits) -> Result<KVec<Tdmr>> {
    let mut all = KVec::from_elem(Tdmr::EMPTY, usize::from(limits.max_tdmrs), GFP_KERNEL)?;
    let n = tdmr::cover(memory, limits, &mut all).map_err(|e| {
        pr_err!("cannot cover TDX memory with TDMRs: {e}\n");
        E2BIG
    })?;
    let mut tdmrs = KVec::with_capacity(n, GFP_KERNEL)?;
    tdmrs.extend_from_slice(&all[..n], GFP_KERNEL)?;
    Ok(tdmrs)
}

/// One physically contiguous PAMT per TDMR, on the TDMR's node.
fn allocate_pamts(
    tdmrs: &mut [Tdmr],
    memory: &[MemBlock],
    limits: &Limits,
) -> Result<KVec<ContigPages>> {
    let mut pamts = KVec::with_capacity(tdmrs.len(), GFP_KERNEL)?;
    for t in tdmrs.iter_mut() {
        let pages = ContigPages::new(t.pamt_total(limits), tdmr::tdmr_nid(t, memory))?;
        t.set_pamt(pages.phys(), limits);
        pamts.push(pages, GFP_KERNEL)?;
    }
    Ok(pamts)
}

/// TDH.SYS.CONFIG: RCX the 512-byte aligned array of TDMR_INFO addresses,
/// RDX how many, R8 the global KeyID.
fn sys_config(tdmrs: &[Tdmr], limits: &Limits, global_keyid: u32) -> Result {
    let info_size = tdmr::tdmr_info_size(limits.max_reserved_per_tdmr);
    let array_size = (tdmrs.len() * 8).next_multiple_of(tdmr::TDMR_INFO_ALIGN);
    let mut buf = PageBuf::new(array_size + tdmrs.len() * info_size)?;
    for (i, t) in tdmrs.iter().enumerate() {
        let offset = array_size + i * info_size;
        let pa = buf.phys(offset);
        let bytes = buf.bytes_mut();
        bytes[i * 8..i * 8 + 8].copy_from_slice(&pa.to_le_bytes());
        tdmr::write_tdmr_info(
            t,
            limits.max_reserved_per_tdmr,
            &mut bytes[offset..offset + info_size],
        )
        .map_err(|_| EINVAL)?;
    }
    let args = Args {
        rcx: buf.phys(0),
        rdx: tdmrs.len() as u64,
        r8: u64::from(global_keyid),
        ..Args::default()
    };
    // `buf` lives until after the call; the module copies what it keeps.
    call_in(Leaf::SysConfig, args).map(drop)
}

/// TDH.SYS.TDMR.INIT on every TDMR, until RDX (the next address to
/// initialize) reaches its end. Each call does a bounded chunk; RDX may
/// stay put for many calls (the module reports it by the GiB).
fn init_tdmrs(tdmrs: &[Tdmr]) -> Result {
    for t in tdmrs {
        // However small the module's chunks, it initializes at least one
        // 4 KiB page's metadata per call.
        let mut calls_left = t.size / PAGE_SIZE;
        loop {
            let mut args = Args {
                rcx: t.base,
                ..Args::default()
            };
            // SAFETY: TDH.SYS.TDMR.INIT takes a TDMR base the module already
            // holds; it writes RDX only.
            let r = unsafe { seamcall(Regs::InOut, LeafCall::new(Leaf::SysTdmrInit), &mut args) };
            let status = check(Leaf::SysTdmrInit, r)?;
            // Informational: the module has nothing left to do here.
            if status.code() == code::TDMR_ALREADY_INITIALIZED || args.rdx >= t.end() {
                break;
            }
            calls_left -= 1;
            if calls_left == 0 {
                pr_err!(
                    "TDH.SYS.TDMR.INIT did not finish the TDMR at {:#x}\n",
                    t.base
                );
                return Err(EIO);
            }
            k::cond_resched();
        }
    }
    Ok(())
}

/// The PAMTs' cache lines, written with KeyID 0, must reach memory before
/// the module uses them through its private KeyID; then TDH.SYS.KEY.CONFIG
/// once on every package.
fn config_global_keyid() -> Result {
    k::wbinvd_all();
    k::on_each_package(key_config)
}
