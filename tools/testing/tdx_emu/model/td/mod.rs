// SPDX-License-Identifier: GPL-2.0

//! The emulated module's TDs: what the real module keeps in each TD's TDR and
//! TDCS pages and each vCPU's TDVPS (`tdr_t`, `tdcs_t`, `tdvps_t`,
//! `td_control_structures.h`, `tdx_tdvps.h`), and in its global Key
//! Ownership Table (`kot`, `tdx_global_data.h`), kept here in bounded arrays:
//! at most [`MAX_TDS`] TDs and [`MAX_VCPUS`] vCPUs over all TDs, and KOT
//! entries for KeyIDs below [`MAX_KOT`]. A leaf that would need more is
//! declined (the model is full; the real module has no such limit).
//!
//! Which pages belong to which TD is not kept here but in the PAMT
//! (`pamt.rs`), in host memory, as the real module keeps it; a TD or vCPU is
//! found by its TDR or TDVPR address only after the PAMT check passed.
//!
//! The leaves are `impl Tds` blocks, one file each; `mem*.rs` holds the
//! memory state of a TD.
//!
//! Pure `core`.

mod create;
#[cfg(test)]
mod guest_tests;
mod init;
mod keys;
#[cfg(test)]
mod life_tests;
pub(crate) mod mem;
pub(crate) mod mem_block;
#[cfg(test)]
pub(crate) mod mem_fixture;
pub(crate) mod mem_measure;
pub(crate) mod mem_page_add;
pub(crate) mod mem_page_aug;
pub(crate) mod mem_remove;
pub(crate) mod mem_sept_add;
#[cfg(test)]
mod mem_tests;
mod phymem;
pub(crate) mod rd;
mod vcpu;
pub(crate) mod vp_enter;
pub(crate) mod vp_exit;

use self::mem::TdMem;
use super::pamt::{PageType, PamtEntry};
use super::sys::Sys;
use super::td_program::Program;
use crate::abi::leaf::Leaf;
use crate::abi::status::code;
use crate::platform::PhysMem;
use core::ptr::addr_of_mut;

pub(crate) use vp_enter::{ExitRecord, VcpuReport};

/// TDs the model holds at once.
pub(crate) const MAX_TDS: usize = 4;
/// vCPUs the model holds at once, over all TDs.
pub(crate) const MAX_VCPUS: usize = 8;
/// KeyIDs `0..MAX_KOT` have a KOT entry in the model; TDH.MNG.CREATE with a
/// private KeyID above is declined.
pub(crate) const MAX_KOT: usize = 256;
/// Most TDCS pages (`MAX_NUM_TDCS_PAGES`).
pub(crate) const MAX_TDCS_PAGES: usize = 9;
/// TDCS pages of a TD without L2 VMs (`MIN_NUM_TDCS_PAGES`).
pub(crate) const MIN_TDCS_PAGES: usize = 6;
/// The TDCS page that is the Secure EPT root (`SEPT_ROOT_PAGE_INDEX`).
pub(crate) const SEPT_ROOT_TDCX_INDEX: usize = 3;
/// TDVPS pages of a vCPU without L2 VMs, the TDVPR included
/// (`MIN_TDVPS_PAGES`).
pub(crate) const MIN_TDVPS_PAGES: usize = 6;
/// Packages the module tracks (a 32-bit bitmap, as `pkg_config_bitmap`).
pub(crate) const MAX_PACKAGES: usize = 32;

/// A TD's life (`td_lifecycle_state_t`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Lifecycle {
    /// TDH.MNG.CREATE assigned the HKID.
    HkidAssigned = 0,
    /// TDH.MNG.KEY.CONFIG ran on every package.
    KeysConfigured = 1,
    /// TDH.MNG.VPFLUSHDONE: no vCPU runs, the caches are being written back.
    Blocked = 2,
    /// TDH.MNG.KEY.FREEID: the HKID is free, the pages can be reclaimed.
    Teardown = 3,
}

/// The TDCS operation state (`op_state_e`), the values a TD reaches without
/// migration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum OpState {
    /// Before TDH.MNG.INIT.
    Uninitialized = 0,
    /// TDH.MNG.INIT ran: the TD is being built and measured.
    Initialized = 1,
    /// TDH.MR.FINALIZE ran: vCPUs may enter.
    Runnable = 2,
}

/// The TD_PARAMS fields TDH.MNG.INIT keeps (TDCS).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct TdConfig {
    pub(crate) attributes: u64,
    pub(crate) xfam: u64,
    pub(crate) max_vcpus: u32,
    /// Guest physical address width: 48 or 52.
    pub(crate) gpaw: u32,
    /// EPTP as the module builds it (the SEPT root with its controls).
    pub(crate) eptp: u64,
    pub(crate) config_flags: u64,
    pub(crate) tsc_frequency: u64,
}

/// One TD: its TDR fields and the TDCS fields the model keeps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Td {
    /// The TDR page: the TD's name in every leaf and the owner of its pages.
    pub(crate) tdr: u64,
    /// The TD's private KeyID.
    pub(crate) hkid: u16,
    pub(crate) lifecycle: Lifecycle,
    /// The TD is unusable (`fatal`).
    pub(crate) fatal: bool,
    /// Bit n: TDH.MNG.KEY.CONFIG ran on package n.
    pub(crate) pkg_config: u32,
    /// `tdcx[..num_tdcx]`: the TDCS pages TDH.MNG.ADDCX added.
    pub(crate) num_tdcx: u32,
    pub(crate) tdcx: [u64; MAX_TDCS_PAGES],
    /// Pages this TD owns besides its TDR (`chldcnt`).
    pub(crate) chldcnt: u64,
    pub(crate) op_state: OpState,
    pub(crate) config: TdConfig,
    /// vCPUs created (`num_vcpus`) and associated with an LP.
    pub(crate) num_vcpus: u32,
    pub(crate) num_assoc_vcpus: u32,
    /// The memory leaves' state.
    pub(crate) mem: TdMem,
}

impl Td {
    /// A TD as TDH.MNG.CREATE leaves it.
    pub(crate) const fn new(tdr: u64, hkid: u16) -> Self {
        Self {
            tdr,
            hkid,
            lifecycle: Lifecycle::HkidAssigned,
            fatal: false,
            pkg_config: 0,
            num_tdcx: 0,
            tdcx: [0; MAX_TDCS_PAGES],
            chldcnt: 0,
            op_state: OpState::Uninitialized,
            config: TdConfig {
                attributes: 0,
                xfam: 0,
                max_vcpus: 0,
                gpaw: 0,
                eptp: 0,
                config_flags: 0,
                tsc_frequency: 0,
            },
            num_vcpus: 0,
            num_assoc_vcpus: 0,
            mem: TdMem::new(),
        }
    }
}

/// A vCPU's state (`TDVPS.STATE`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum VcpuState {
    /// Created, TDH.VP.INIT not done.
    Uninitialized = 0,
    /// TDH.VP.INIT done: may be entered.
    Ready = 2,
}

/// TDVPX pages: the TDVPS pages after the TDVPR.
pub(crate) const MAX_TDVPX: usize = MIN_TDVPS_PAGES - 1;

/// How the vCPU last left the TD.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LastExit {
    /// Never entered.
    None,
    /// TDG.VP.VMCALL with this bitmap.
    Vmcall(u64),
    /// An asynchronous exit (EPT violation, external interrupt): the
    /// guest resumes where it was.
    Async,
}

/// One TD vCPU: its TDVPS fields the model keeps, and its guest.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vcpu {
    /// The TDVPR page: the vCPU's name in every leaf.
    pub(crate) tdvpr: u64,
    /// Its TD's TDR page (the owner of the TDVPR and TDVPX pages).
    pub(crate) tdr: u64,
    /// Its index in the TD (`vcpu_index`), in creation order.
    pub(crate) index: u32,
    /// TDVPS pages added so far, the TDVPR included (`num_tdvps_pages`).
    pub(crate) num_tdvps: u32,
    pub(crate) tdvpx: [u64; MAX_TDVPX],
    pub(crate) state: VcpuState,
    /// The LP it is associated with (`assoc_lpid`).
    pub(crate) assoc: Option<u32>,
    /// The guest's RCX at its first entry (TDH.VP.INIT's RDX).
    pub(crate) initial_rcx: u64,
    /// The guest's x2APIC ID.
    pub(crate) x2apic_id: u32,
    pub(crate) last_exit: LastExit,
    /// The guest: its program, started at `initial_rcx` at the first entry.
    pub(crate) guest: Program,
    pub(crate) report: VcpuReport,
    /// The guest's registers at the last TD exit.
    pub(crate) last: ExitRecord,
}

impl Vcpu {
    /// A vCPU as TDH.VP.CREATE leaves it.
    pub(crate) const fn new(tdvpr: u64, tdr: u64, index: u32) -> Self {
        Self {
            tdvpr,
            tdr,
            index,
            num_tdvps: 1,
            tdvpx: [0; MAX_TDVPX],
            state: VcpuState::Uninitialized,
            assoc: None,
            initial_rcx: 0,
            x2apic_id: 0,
            last_exit: LastExit::None,
            guest: Program::new(0),
            report: VcpuReport::new(),
            last: ExitRecord { guest: [0; 16] },
        }
    }
}

/// A KOT entry's state (`KOT_STATE_*`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum KotState {
    Free = 0,
    Assigned = 1,
    Flushed = 2,
}

/// One KOT entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct KotEntry {
    pub(crate) state: KotState,
    /// Packages that still owe a TDH.PHYMEM.CACHE.WB (`wbinvd_bitmap`).
    pub(crate) wbinvd: u32,
}

/// One package's TDH.PHYMEM.CACHE.WB progress (`wbt_entries`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct WbEntry {
    /// Sub-blocks written back so far; 0: no interrupted cycle.
    pub(crate) intr_point: u32,
    /// The KeyIDs that were FLUSHED when the cycle started.
    pub(crate) hkids: [u64; MAX_KOT / 64],
}

/// Every TD and vCPU of the module, with the KOT.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tds {
    pub(crate) tds: [Option<Td>; MAX_TDS],
    pub(crate) vcpus: [Option<Vcpu>; MAX_VCPUS],
    pub(crate) kot: [KotEntry; MAX_KOT],
    pub(crate) wbt: [WbEntry; MAX_PACKAGES],
    /// Test hook: TDH.PHYMEM.CACHE.WB steps still to be "interrupted".
    pub(crate) cache_wb_interrupts: u32,
    /// Test control: an external interrupt (its vector) the host takes
    /// during the next guest run (`vp_enter.rs`).
    pub(crate) pending_interrupt: Option<u8>,
    /// Set by a TDH.VP.ENTER that ended in a TD exit, for the glue to take.
    pub(crate) td_exit_taken: bool,
}

impl Tds {
    #[cfg(test)]
    pub(crate) const fn new() -> Self {
        Self {
            tds: [None; MAX_TDS],
            vcpus: [None; MAX_VCPUS],
            kot: [KotEntry {
                state: KotState::Free,
                wbinvd: 0,
            }; MAX_KOT],
            wbt: [WbEntry {
                intr_point: 0,
                hkids: [0; MAX_KOT / 64],
            }; MAX_PACKAGES],
            cache_wb_interrupts: 0,
            pending_interrupt: None,
            td_exit_taken: false,
        }
    }

    /// Writes `Tds::new()` at `slot` element by element (never the whole
    /// table on the stack).
    ///
    /// # Safety
    ///
    /// `slot` is valid for writes of a `Tds` and aligned; what it held is
    /// overwritten without being dropped.
    pub(crate) unsafe fn write_new(slot: *mut Self) {
        // SAFETY: the caller's contract: every element pointer is in bounds
        // of `slot`, writable and aligned.
        unsafe {
            let tds = addr_of_mut!((*slot).tds).cast::<Option<Td>>();
            for i in 0..MAX_TDS {
                tds.add(i).write(None);
            }
            let vcpus = addr_of_mut!((*slot).vcpus).cast::<Option<Vcpu>>();
            for i in 0..MAX_VCPUS {
                vcpus.add(i).write(None);
            }
            addr_of_mut!((*slot).kot).write(
                [KotEntry {
                    state: KotState::Free,
                    wbinvd: 0,
                }; MAX_KOT],
            );
            addr_of_mut!((*slot).wbt).write(
                [WbEntry {
                    intr_point: 0,
                    hkids: [0; MAX_KOT / 64],
                }; MAX_PACKAGES],
            );
            addr_of_mut!((*slot).cache_wb_interrupts).write(0);
            addr_of_mut!((*slot).pending_interrupt).write(None);
            addr_of_mut!((*slot).td_exit_taken).write(false);
        }
    }

    /// The vCPU whose TDVPR page is `tdvpr`.
    pub(crate) fn get(&self, tdvpr: u64) -> Option<&Vcpu> {
        self.vcpus.iter().flatten().find(|v| v.tdvpr == tdvpr)
    }

    /// The vCPU at `tdvpr` and its TD, both mutable.
    pub(crate) fn vcpu_and_td(&mut self, tdvpr: u64) -> Option<(&mut Vcpu, &mut Td)> {
        let v = self.vcpus.iter_mut().flatten().find(|v| v.tdvpr == tdvpr)?;
        let t = self.tds.iter_mut().flatten().find(|t| t.tdr == v.tdr)?;
        Some((v, t))
    }

    /// The guest registers at the `n`th (0-based) TD exit of the vCPU at
    /// `tdvpr`, if that was its last exit.
    pub(crate) fn exit_record(&self, tdvpr: u64, n: u64) -> Option<ExitRecord> {
        let v = self.get(tdvpr)?;
        (n + 1 == v.report.exits).then_some(v.last)
    }
}

/// How a leaf stops early: `Some(status)` completes with that status,
/// `None` declines.
pub(crate) type Stop = Option<u64>;

/// A leaf's result as the dispatcher wants it.
pub(crate) fn finish(r: Result<u64, Stop>) -> Option<u64> {
    r.map_or_else(|stop| stop, Some)
}

/// Whether TDCS op state `op` lets leaf `leaf` run
/// (`op_state_is_seamcall_allowed()`, `seamcall_state_lookup`), for the
/// three op states a TD reaches without migration.
pub(crate) fn op_state_allows(leaf: Leaf, op: OpState) -> bool {
    use Leaf::*;
    use OpState::*;
    match leaf {
        MngAddcx | MngInit => op == Uninitialized,
        VpAddcx | VpCreate | VpInit | MemPageAdd | MrExtend | MrFinalize => op == Initialized,
        VpEnter => op == Runnable,
        VpFlush => true,
        _ => op != Uninitialized,
    }
}

/// The checks every leaf that works on a built TD makes of the TDR's state
/// (`check_td_in_correct_build_state()`): not fatal, keys configured, every
/// TDCS page added.
pub(crate) fn check_td_built(td: &Td) -> Result<(), u64> {
    if td.fatal {
        return Err(code::TD_FATAL);
    }
    if td.lifecycle != Lifecycle::KeysConfigured {
        return Err(code::TD_KEYS_NOT_CONFIGURED);
    }
    if (td.num_tdcx as usize) < MIN_TDCS_PAGES {
        return Err(code::TDCS_NOT_ALLOCATED);
    }
    Ok(())
}

/// [`check_td_built`] and the op-state check of
/// `check_state_map_tdcs_and_lock()` for `leaf`.
pub(crate) fn check_td_state(td: &Td, leaf: Leaf) -> Result<(), Stop> {
    check_td_built(td).map_err(Some)?;
    if !op_state_allows(leaf, td.op_state) {
        return Err(Some(code::OP_STATE_INCORRECT));
    }
    Ok(())
}

/// `check_and_lock_explicit_4k_private_hpa()` as a leaf step: the PAMT entry
/// of `pa`, which must be of type `pt`.
pub(crate) fn explicit_4k(
    sys: &Sys,
    mem: &dyn PhysMem,
    pa: u64,
    operand: u32,
    pt: PageType,
) -> Result<PamtEntry, Stop> {
    match sys.check_explicit_4k(mem, pa, operand, pt) {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(None),
        Err(status) => Err(Some(status)),
    }
}

impl Tds {
    /// `check_lock_and_map_explicit_tdr()`: `tdr` (operand `operand`) is a
    /// PT_TDR page; the index of its TD. A PT_TDR page the model has no TD
    /// for cannot happen; it is declined.
    pub(crate) fn explicit_tdr(
        &self,
        sys: &Sys,
        mem: &dyn PhysMem,
        tdr: u64,
        operand: u32,
    ) -> Result<usize, Stop> {
        explicit_4k(sys, mem, tdr, operand, PageType::Tdr)?;
        self.td_index(tdr).ok_or(None)
    }

    /// The index of the TD at `tdr`.
    pub(crate) fn td_index(&self, tdr: u64) -> Option<usize> {
        self.tds
            .iter()
            .position(|t| t.is_some_and(|t| t.tdr == tdr))
    }

    /// The index of the vCPU at `tdvpr`.
    pub(crate) fn vcpu_index(&self, tdvpr: u64) -> Option<usize> {
        self.vcpus
            .iter()
            .position(|v| v.is_some_and(|v| v.tdvpr == tdvpr))
    }

    /// A PT_TDVPR page (operand `operand`), then its owner TD
    /// (`lock_and_map_implicit_tdr()`): the vCPU's and the TD's indices.
    pub(crate) fn explicit_tdvpr(
        &self,
        sys: &Sys,
        mem: &dyn PhysMem,
        tdvpr: u64,
        operand: u32,
    ) -> Result<(usize, usize), Stop> {
        let e = explicit_4k(sys, mem, tdvpr, operand, PageType::Tdvpr)?;
        let v = self.vcpu_index(tdvpr).ok_or(None)?;
        let t = self.td_index(e.owner).ok_or(None)?;
        Ok((v, t))
    }

    /// The TD at index `i` (from [`Tds::td_index`]).
    pub(crate) fn td_at(&mut self, i: usize) -> Result<&mut Td, Stop> {
        self.tds.get_mut(i).and_then(Option::as_mut).ok_or(None)
    }

    /// The vCPU at index `i` (from [`Tds::vcpu_index`]).
    pub(crate) fn vcpu_at(&mut self, i: usize) -> Result<&mut Vcpu, Stop> {
        self.vcpus.get_mut(i).and_then(Option::as_mut).ok_or(None)
    }
}
