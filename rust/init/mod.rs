// SPDX-License-Identifier: GPL-2.0

//! Bringing the TDX module from "loaded by the BIOS" to "ready for TDs".
//!
//! The order is the TDX module's: TDH.SYS.INIT once and TDH.SYS.LP.INIT on
//! every CPU (`lps.rs`); the global metadata (TDH.SYS.RD, `sysinfo.rs`); the
//! TDX memory, its TDMRs and their PAMTs (`tdmr/`); TDH.SYS.CONFIG with
//! the TDMRs and the global KeyID; a cache write-back and
//! TDH.SYS.KEY.CONFIG on one CPU of every package; then TDH.SYS.TDMR.INIT on
//! every TDMR until the module says it is done, different TDMRs on
//! different CPUs at once (`tdmr_init.rs`).
//!
//! Every allocation is done before the TDX module may use the PAMTs, so
//! nothing can fail once TDH.SYS.TDMR.INIT has finished. The PAMTs are the
//! module's from TDH.SYS.CONFIG on ([`ModulePages`]): once initialization
//! succeeds they stay for the life of the kernel and the module pins itself.
//! When it fails before the module is ready, the module can never use them,
//! and they are written back, cleared and freed; when TDH.SYS.TDMR.INIT
//! fails, the module is ready and they are kept (leaked and counted).
//!
//! [`Host`] holds all of the state and policy: the TDX KeyIDs and the guest
//! ones handed out, the TDX memory, whether TDs may exist. It lives behind a
//! lock (`glue/entry.rs`); every method here runs with it held.

pub(crate) mod cpus;
mod dry_run;
pub(crate) use dry_run::TextBuf;
pub(crate) mod explain;
pub(crate) mod keyids;
pub(crate) mod lps;
pub(crate) mod rdall;
pub(crate) mod sysinfo;
pub(crate) mod tdmr;
mod tdmr_init;
pub(crate) mod tdmr_order;
pub(crate) mod vp_enter;

use crate::abi::leaf::Leaf;
use crate::abi::status::{SeamcallError, TRAP_GP, TRAP_UD};
use crate::abi::tdx_rs_sysinfo;
use crate::glue::pages::{ContigPages, ModulePages};
use crate::glue::services::{self as k, c};
use crate::seamcall::sys::{self, TdmrInfoArray};
use kernel::prelude::*;
use keyids::{Freed, GuestKeyIds, KeyIdRange};
use lps::Lps;
use tdmr::{Limits, MemBlock, Range, Tdmr, PAGE_SIZE};

/// The first MiB is never convertible memory.
const LOW_MEMORY_END: u64 = 1 << 20;

/// `-EOPNOTSUPP`, which Linux 6.12's `kernel::error::code` does not name.
fn eopnotsupp() -> Error {
    Error::from_errno(-(kernel::bindings::EOPNOTSUPP as i32))
}

/// Maps a SEAMCALL result to an errno, logging why it failed, then what
/// that means and what to do (`explain.rs`).
pub(crate) fn check<T>(leaf: Leaf, r: Result<T, SeamcallError>) -> Result<T> {
    let name = leaf.abi_name();
    let e = match r {
        Ok(done) => return Ok(done),
        Err(e) => e,
    };
    let errno = match e {
        SeamcallError::VmFailInvalid => {
            pr_err!("{name}: no TDX module loaded\n");
            ENODEV
        }
        SeamcallError::Trap(TRAP_GP) => {
            pr_err!("{name}: #GP, TDX disabled by the BIOS\n");
            eopnotsupp()
        }
        SeamcallError::Trap(TRAP_UD) => {
            pr_err!("{name}: #UD, CPU not in VMX operation or without SEAM\n");
            EACCES
        }
        e => {
            pr_err!("{name} failed: {e}\n");
            EIO
        }
    };
    pr_err!("{}\n", explain::explain(leaf, e.raw()));
    Err(errno)
}

/// TDH.SYS.KEY.CONFIG on the calling CPU's package.
fn key_config() -> Result {
    check(Leaf::SysKeyConfig, sys::key_config()).map(drop)
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

/// What the module keeps once the TDX module is initialized.
struct Configured {
    /// Never changed nor freed once initialized: C may read it at any time
    /// without the lock (`tdx_rs_get_sysinfo()`).
    sysinfo: &'static tdx_rs_sysinfo,
    tdmrs: KVec<Tdmr>,
    /// The TDX memory: only it may come online later.
    memory: KVec<MemBlock>,
    guest_keyids: GuestKeyIds<KVec<u64>>,
    /// The TDX module owns these: never given back.
    _pamts: KVec<ModulePages>,
}

/// All of the host side's state.
pub(crate) struct Host {
    state: State,
    keyids: KeyIdRange,
    configured: Option<Configured>,
    /// What the TDX module said of itself the last time it was asked
    /// (TDH.SYS.RD), whether the initialization went on or not: the dry run
    /// plans with it.
    module: Option<dry_run::ModuleInputs>,
}

impl Host {
    /// Checks the platform: a TDX KeyID partitioning with at least two TDX
    /// KeyIDs, the first of which becomes the global KeyID.
    pub(crate) fn new() -> Self {
        let (state, keyids) = match k::keyid_partitioning() {
            Err(_) => {
                pr_info!("no TDX KeyID partitioning on this platform\n");
                pr_info!("{}\n", explain::Platform::NoKeyIdPartitioning.text());
                (State::Unavailable(ENODEV), KeyIdRange::default())
            }
            Ok((_, nr_tdx)) if nr_tdx < 2 => {
                pr_info!("{nr_tdx} TDX KeyIDs: at least 2 are needed\n");
                pr_info!("{}\n", explain::Platform::TooFewKeyIds.text());
                (State::Unavailable(eopnotsupp()), KeyIdRange::default())
            }
            Ok((nr_mktme, nr_tdx)) => (
                State::Uninitialized,
                KeyIdRange {
                    start: nr_mktme + 1,
                    nr: nr_tdx,
                },
            ),
        };
        Self {
            state,
            keyids,
            configured: None,
            module: None,
        }
    }

    /// What sysfs shows.
    pub(crate) fn status(&self) -> c::tdx_rs_status {
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
        status
    }

    /// The module's self-description once initialized.
    pub(crate) fn sysinfo(&self) -> Option<&'static tdx_rs_sysinfo> {
        self.configured.as_ref().map(|c| c.sysinfo)
    }

    /// A guest KeyID: the lowest free one, `-ENOSPC` when all are out,
    /// `-ENODEV` before the module is initialized.
    pub(crate) fn alloc_guest_keyid(&mut self) -> Result<u32> {
        let cfg = self.configured.as_mut().ok_or(ENODEV)?;
        cfg.guest_keyids.alloc().ok_or(ENOSPC)
    }

    /// Takes a guest KeyID back, unless it is not out or a TD holds it.
    pub(crate) fn free_guest_keyid(&mut self, keyid: u32) -> Freed {
        self.configured
            .as_mut()
            .map_or(Freed::NotAllocated, |cfg| cfg.guest_keyids.free(keyid))
    }

    /// Whether `keyid` is a guest KeyID handed out.
    pub(crate) fn guest_keyid_allocated(&self, keyid: u32) -> bool {
        self.configured
            .as_ref()
            .is_some_and(|cfg| cfg.guest_keyids.is_allocated(keyid))
    }

    /// A TD holds `keyid` from now on (TDH.MNG.CREATE succeeded).
    pub(crate) fn bind_guest_keyid(&mut self, keyid: u32) -> bool {
        self.configured
            .as_mut()
            .is_some_and(|cfg| cfg.guest_keyids.bind(keyid))
    }

    /// Its TD let `keyid` go (TDH.MNG.KEY.FREEID succeeded).
    pub(crate) fn unbind_guest_keyid(&mut self, keyid: u32) -> bool {
        self.configured
            .as_mut()
            .is_some_and(|cfg| cfg.guest_keyids.unbind(keyid))
    }

    /// Whether TDs may hold keys: initialized, and a guest KeyID is out.
    pub(crate) fn tds_may_exist(&self) -> bool {
        self.configured
            .as_ref()
            .is_some_and(|cfg| cfg.guest_keyids.any())
    }

    /// Whether `[start, end)` may come online: once the TDX module is
    /// initialized its memory is fixed, and memory outside it must not come
    /// online (a TD could be handed it).
    pub(crate) fn memory_may_go_online(&self, start: u64, end: u64) -> bool {
        match &self.configured {
            None => true,
            Some(cfg) => cfg.memory.iter().any(|m| m.contains(start, end)),
        }
    }

    /// `tdx_rs_enable()`: initializes the TDX module the first time, and
    /// gives every later caller the same answer. The caller holds the CPU
    /// hotplug lock.
    pub(crate) fn enable(&mut self, lps: &Lps) -> Result {
        match self.state {
            State::Initialized => return Ok(()),
            State::Unavailable(e) | State::Failed(e) => return Err(e),
            State::Uninitialized => {}
        }
        // TDH.SYS.INIT and every CPU's TDH.SYS.LP.INIT first. -EBUSY (a
        // present CPU offline that never did it) and -EACCES (a CPU not in
        // VMX operation: its SEAMCALL never reached the TDX module) change
        // nothing: the caller may fix that and enable again.
        let result = match lps.init_all() {
            Err(e) if [EBUSY, EACCES].iter().any(|x| x.to_errno() == e.to_errno()) => {
                pr_err!(
                    "module not initialized ({}): it stays uninitialized\n",
                    e.to_errno()
                );
                return Err(e);
            }
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
                k::set_vp_enter_refusal(vp_enter::refusal(Some(features0)));
                crate::td::set_ready(self.keyids.global());
                pr_info!("{kib} KB allocated for PAMT\n");
                pr_info!("module initialized\n");
                if !vp_enter::td_may_keep_rbp(features0) {
                    pr_info!("the TDX module lacks NO_RBP_MOD: TD exits may zero RBP, which TDH.VP.ENTER's trampoline restores\n");
                }
                Ok(())
            }
            Err(e) => {
                self.state = State::Failed(e);
                pr_err!("module initialization failed ({})\n", e.to_errno());
                Err(e)
            }
        }
    }

    /// Everything after every CPU's TDH.SYS.LP.INIT.
    fn initialize(&mut self) -> Result<Configured> {
        // Boxed: handed out through a `'static` reference once initialized.
        let sysinfo = sysinfo::read_sysinfo()?;
        let limits = sysinfo::limits(&sysinfo);
        let cmrs = sysinfo::cmrs(&sysinfo)?;
        for c in cmrs.iter() {
            pr_info!("CMR: [{:#x}, {:#x})\n", c.base, c.end());
        }
        self.module = dry_run::ModuleInputs::new(limits, &cmrs).ok();
        let memory = tdx_memory()?;
        let mut tdmrs = plan_tdmrs(&memory, &cmrs, &limits)?;
        let pamts = allocate_pamts(&mut tdmrs, &memory, &limits)?;
        tdmr::populate_reserved(&mut tdmrs, &memory, &cmrs, &limits).map_err(|e| {
            pr_err!("cannot lay out reserved areas: {e}\n");
            pr_err!("{}\n", explain::plan(&e));
            plan_errno(e)
        })?;
        let plan: tdmr::PlanSummary = tdmr::summarize(&tdmrs, &memory);
        pr_info!(
            "{} TDMRs, at most {} reserved areas in one, {} PAMT bytes for other nodes' memory\n",
            plan.tdmrs,
            plan.worst_reserved,
            plan.foreign_pamt_bytes
        );
        let words = self.keyids.bitmap_words();
        let used = KVec::from_elem(0u64, words, GFP_KERNEL)?;
        let bound = KVec::from_elem(0u64, words, GFP_KERNEL)?;
        let guest_keyids = GuestKeyIds::new(self.keyids, used, bound).ok_or(EINVAL)?;
        let mut handed = KVec::with_capacity(pamts.len(), GFP_KERNEL)?;
        let mut order = KVec::from_elem(0usize, tdmrs.len(), GFP_KERNEL)?;

        // From here on the PAMTs are the module's.
        for p in pamts {
            // Within the capacity reserved above: cannot fail.
            handed.push(p.hand_over(), GFP_KERNEL)?;
        }
        // The module is ready (TDX 1.5: at the last TDH.SYS.KEY.CONFIG) only
        // once every step up to the key configuration succeeded.
        let ready = TdmrInfoArray::new(&tdmrs, &handed, limits.max_reserved_per_tdmr)
            .and_then(|info| {
                check(
                    Leaf::SysConfig,
                    sys::sys_config(&info, self.keyids.global()),
                )
            })
            .and_then(|_| config_global_keyid());
        if let Err(e) = ready {
            // The state is `Failed` for good: this module, the one caller of
            // the initialization leaves, takes the TDX module no further.
            // SAFETY: the module never became ready. No SEAMCALL named these
            // pages, or TDH.SYS.CONFIG failed and holds nothing, or a
            // TDH.SYS.KEY.CONFIG failed, and a module with an unconfigured
            // package refuses every leaf that would use a PAMT. `reclaim`
            // writes back its cached lines before clearing and freeing.
            unsafe { ModulePages::reclaim(handed) };
            return Err(e);
        }
        // Nothing below allocates. A ready module may use the PAMTs: if
        // TDH.SYS.TDMR.INIT fails they are kept, leaked and counted
        // (`ModulePages::drop`), never freed.
        tdmr_init::init_tdmrs(&tdmrs, &mut order)?;
        Ok(Configured {
            sysinfo: KBox::leak(sysinfo),
            tdmrs,
            memory,
            guest_keyids,
            _pamts: handed,
        })
    }
}

/// The errno of a planning error: `-E2BIG` when the memory needs more
/// TDMRs or reserved areas than the TDX module takes, `-EINVAL` otherwise.
fn plan_errno(e: tdmr::PlanError) -> Error {
    match e {
        tdmr::PlanError::TooManyTdmrs { .. } | tdmr::PlanError::TooManyReserved { .. } => E2BIG,
        _ => EINVAL,
    }
}

/// System RAM above the first MiB, page aligned, cut where its node changes
/// (`tdx_rs_k_walk_ram()`), sorted, blocks of one node that touch joined: the memory the TDX module will cover.
fn tdx_memory() -> Result<KVec<MemBlock>> {
    let mut pieces = KVec::new();
    k::for_each_ram(|start, end, nid| {
        let start = start.max(LOW_MEMORY_END).next_multiple_of(PAGE_SIZE);
        let end = end & !(PAGE_SIZE - 1);
        if start < end {
            pieces.push(MemBlock { start, end, nid }, GFP_KERNEL)?;
        }
        Ok(())
    })?;
    let n = tdmr::normalize(&mut pieces).map_err(|e| {
        pr_err!("cannot list TDX memory: {e}\n");
        plan_errno(e)
    })?;
    let mut mem = KVec::with_capacity(n, GFP_KERNEL)?;
    mem.extend_from_slice(&pieces[..n], GFP_KERNEL)?;
    Ok(mem)
}

fn plan_tdmrs(memory: &[MemBlock], cmrs: &[Range], limits: &Limits) -> Result<KVec<Tdmr>> {
    let mut all = KVec::from_elem(Tdmr::EMPTY, usize::from(limits.max_tdmrs), GFP_KERNEL)?;
    let n = tdmr::cover(memory, cmrs, limits, &mut all).map_err(|e| {
        pr_err!("cannot cover TDX memory with TDMRs: {e}\n");
        pr_err!("{}\n", explain::plan(&e));
        plan_errno(e)
    })?;
    let mut tdmrs = KVec::with_capacity(n, GFP_KERNEL)?;
    tdmrs.extend_from_slice(&all[..n], GFP_KERNEL)?;
    Ok(tdmrs)
}

/// One physically contiguous PAMT per TDMR, in TDMR order: in the first of
/// its windows (`tdmr::pamt_windows()`: its node's memory above 4 GiB, then
/// below, then other nodes') where the kernel can give it, top down.
fn allocate_pamts(
    tdmrs: &mut [Tdmr],
    memory: &[MemBlock],
    limits: &Limits,
) -> Result<KVec<ContigPages>> {
    let mut pamts = KVec::with_capacity(tdmrs.len(), GFP_KERNEL)?;
    for i in 0..tdmrs.len() {
        let (tdmr, placed) = (&tdmrs[i], &tdmrs[..i]);
        let size = tdmr.pamt_total(limits);
        let nid = tdmr::tdmr_nid(tdmr, memory);
        let mut got = None;
        let mut warned = false;
        for w in tdmr::pamt_windows(nid, size, memory, placed) {
            if w.nid != nid && !warned {
                pr_warn!(
                    "TDMR {i} [{:#x}, {:#x}): no room for its {} KiB PAMT on node {nid}, trying node {}\n",
                    tdmr.base,
                    tdmr.end(),
                    size / 1024,
                    w.nid
                );
                warned = true;
            }
            if let Ok(pages) = ContigPages::new(size, w.lo, w.hi) {
                got = Some(pages);
                break;
            }
        }
        let Some(pages) = got else {
            pr_err!("{}\n", tdmr::PlanError::NoRoomForPamt { tdmr: i });
            return Err(ENOMEM);
        };
        tdmrs[i].set_pamt(pages.phys(), limits);
        pamts.push(pages, GFP_KERNEL)?;
    }
    Ok(pamts)
}

/// The PAMTs' cache lines, written with KeyID 0, must reach memory before
/// the module uses them through its private KeyID; then TDH.SYS.KEY.CONFIG
/// once on every package.
fn config_global_keyid() -> Result {
    k::wbinvd_all();
    k::on_each_package(key_config)
}
