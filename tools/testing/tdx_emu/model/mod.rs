// SPDX-License-Identifier: GPL-2.0

//! The emulated TDX module: what a SEAMCALL does to the registers, to the
//! module's state and to host memory.
//!
//! The rules follow Intel's TDX module (1.5) as published: its SEAMCALL
//! dispatcher (`tdx_vmm_dispatcher()`) checks RAX's reserved bits, then the
//! leaf version, then the platform state, then routes the leaf; a dispatcher
//! error leaves every register but RAX as the host wrote it. The modeled
//! leaves are the initialization sequence: TDH.SYS.INIT, TDH.SYS.LP.INIT,
//! TDH.SYS.RD (and TDH.SYS.RDALL's checks), TDH.SYS.CONFIG,
//! TDH.SYS.KEY.CONFIG and TDH.SYS.TDMR.INIT, each in its own file, and
//! the TD leaves of `td/` over the PAMT of `pamt.rs`. Other
//! leaves are declined (the trap glue lets the #UD through), never answered
//! with a made-up status.
//!
//! A call runs in two steps, [`Model::begin`] and [`Model::finish`], so
//! that the glue can let time pass between them with the model free: begin
//! does the dispatcher's checks and tries the leaf's locks (`locks.rs`,
//! `lock_plan.rs`) as the real module does, answering a busy status when one
//! is held; finish runs the leaf and releases them.
//!
//! Before any of it, the CPU's own check: SEAMCALL outside VMX operation
//! raises #UD (`vmx.rs`), counted apart; the module never sees that call.
//!
//! Test hooks, which have no counterpart in the real module: a mode that makes
//! every call fail with VMfailInvalid or #UD, a register probe, injected
//! faults, call counters and a TDX_FEATURES0 override.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate. Needs
//! the crate to have `abi` (`leaf`, `status`, `metadata`) and `platform`
//! modules.

#[cfg(test)]
mod busy_tests;
mod cmr;
mod critical_path;
mod hooks;
mod keyids;
mod lock_plan;
pub(crate) mod locks;
pub(crate) mod measure;
pub(crate) mod owned;
pub(crate) mod pamt;
#[cfg(test)]
mod platform_tests;
pub(crate) mod sept;
pub(crate) mod sept_walk;
pub(crate) mod sha384;
mod sys;
mod sys_consts;
mod sys_fields;
mod sysconfig;
mod sysinit;
mod sysrd;
// Its list is read by the host crate's TDH.SYS.RDALL reader tests (core_tests.rs).
pub(crate) mod sysrdall;
pub(crate) mod td;
pub(crate) mod td_guest;
pub(crate) mod td_guest_mem;
pub(crate) mod td_program;
mod tdmr_check;
mod tdmr_info;
// Its chunk size is read by the host crate's scaling table (core_tests.rs).
pub(crate) mod tdmr_init;
#[cfg(test)]
pub(crate) mod test_support;
pub(crate) mod vmx;

pub(crate) use hooks::Fault;
pub(crate) use sys::{ConfigRecord, SysState, MAX_LPS, MAX_PKGS};

use crate::abi::leaf::{Leaf, RaxFields};
use crate::abi::status::{code, OPERAND_ID_RAX};
use crate::platform::{Lp, PhysMem, Platform};
use core::ptr::addr_of_mut;
use critical_path::TdmrInitPath;
use hooks::Hooks;
use locks::{Locks, Refused};
use sys::Sys;
use td::Tds;
use vmx::{Vmx, VmxError};

/// The sixteen general purpose registers in register-index order
/// (RAX = 0, RCX = 1, ..., R15 = 15), the layout of `struct tdx_module_args`.
pub(crate) type Gprs = [u64; 16];

pub(crate) const RAX: usize = 0;
pub(crate) const RCX: usize = 1;
pub(crate) const RDX: usize = 2;
pub(crate) const RBX: usize = 3;
pub(crate) const RSP: usize = 4;
pub(crate) const RBP: usize = 5;
pub(crate) const R8: usize = 8;
pub(crate) const R9: usize = 9;
pub(crate) const R10: usize = 10;

/// Leaf numbers `calls_of` counts: 0..=127.
const COUNTED_LEAVES: usize = 128;

/// What the trap glue does with the instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum Outcome {
    /// Registers updated, CF clear, RIP past the instruction.
    Complete = 0,
    /// Registers untouched, CF set, RIP past the instruction.
    VmFailInvalid = 1,
    /// Not handled: the #UD goes on to the exception-table fixup.
    Decline = 2,
}

/// A test-wide override of every call's fate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum Mode {
    /// The model answers.
    Normal = 0,
    /// As if no SEAM module were loaded.
    VmFailInvalid = 1,
    /// As if the CPU had no SEAM support: #UD.
    Decline = 2,
}

impl Mode {
    /// The mode with this raw value (`enum tdx_emu_mode`).
    pub(crate) const fn from_raw(raw: u32) -> Option<Mode> {
        match raw {
            0 => Some(Mode::Normal),
            1 => Some(Mode::VmFailInvalid),
            2 => Some(Mode::Decline),
            _ => None,
        }
    }
}

/// The emulated module and its test hooks.
pub(crate) struct Model {
    mode: Mode,
    hooks: Hooks,
    calls: u64,
    calls_of: [u64; COUNTED_LEAVES],
    busy_of: [u64; COUNTED_LEAVES],
    tdmr_init_path: TdmrInitPath,
    locks: Locks,
    sys: Sys,
    tds: Tds,
    /// The CPUs' VMX operation: outside the module, kept across `reset`.
    vmx: Vmx,
}

impl Model {
    /// A module as the SEAM loader leaves it on `platform`: loaded, not
    /// initialized, on a host that turned VMX operation on everywhere (as
    /// KVM does). Tens of KiB: the kernel builds it in place with
    /// [`Model::write_new`] instead.
    #[cfg(test)]
    pub(crate) fn new(platform: Platform) -> Self {
        let mut m = Self::new_without_vmx(platform);
        for lp in 0..MAX_LPS as u32 {
            m.vmxon(lp).unwrap();
        }
        m
    }

    /// [`Model::new`] with no LP in VMX operation, as after load.
    #[cfg(test)]
    pub(crate) fn new_without_vmx(platform: Platform) -> Self {
        let mut slot = core::mem::MaybeUninit::<Self>::uninit();
        // SAFETY: `slot` is valid for writes and properly aligned;
        // `write_new` initializes every field, so it is then a valid `Model`.
        unsafe {
            Self::write_new(slot.as_mut_ptr(), platform);
            slot.assume_init()
        }
    }

    /// Writes at `slot` a module as the SEAM loader leaves it on
    /// `platform`, field by field, so that no whole model is ever built on
    /// the (kernel) stack.
    ///
    /// # Safety
    ///
    /// `slot` is valid for writes of a `Model` and aligned. Whatever it held
    /// is overwritten without being dropped (no part of a model needs drop).
    pub(crate) unsafe fn write_new(slot: *mut Self, platform: Platform) {
        // SAFETY: the caller's contract: each field pointer is in bounds of
        // `slot`, valid for writes and aligned.
        unsafe {
            addr_of_mut!((*slot).mode).write(Mode::Normal);
            addr_of_mut!((*slot).hooks).write(Hooks::default());
            addr_of_mut!((*slot).calls).write(0);
            addr_of_mut!((*slot).calls_of).write([0; COUNTED_LEAVES]);
            addr_of_mut!((*slot).busy_of).write([0; COUNTED_LEAVES]);
            addr_of_mut!((*slot).tdmr_init_path).write(TdmrInitPath::new());
            Locks::write_new(addr_of_mut!((*slot).locks));
            Sys::write_new(addr_of_mut!((*slot).sys), platform);
            Tds::write_new(addr_of_mut!((*slot).tds));
            addr_of_mut!((*slot).vmx).write(Vmx::new());
        }
    }

    /// [`Model::seamcall_from`] with 0 on top of the caller's stack, for
    /// the tests.
    #[cfg(test)]
    pub(crate) fn seamcall(&mut self, lp: Lp, regs: &mut Gprs, mem: &mut dyn PhysMem) -> Outcome {
        self.seamcall_from(lp, regs, mem, 0)
    }

    /// One SEAMCALL on `lp`, both steps at once: `regs` holds the caller's
    /// registers on entry and the registers the caller sees afterwards on
    /// [`Outcome::Complete`]; `mem` is host memory; `stack_top` is the word
    /// on top of the caller's stack at the instruction, which TDH.VP.ENTER
    /// records for tests.
    #[cfg(test)]
    pub(crate) fn seamcall_from(
        &mut self,
        lp: Lp,
        regs: &mut Gprs,
        mem: &mut dyn PhysMem,
        stack_top: u64,
    ) -> Outcome {
        match self.begin(lp, regs) {
            Some(outcome) => outcome,
            None => self.finish(lp, regs, mem, stack_top),
        }
    }

    /// A call's first step. Order: the CPU's VMX check (#UD, not counted
    /// as a call), mode, injected fault, probe, the dispatcher's checks,
    /// the leaf's locks. `Some`: the call is over
    /// (`regs` as the caller sees them); `None`: `lp` holds the leaf's
    /// locks and the call goes on with [`Model::finish`], `regs` untouched.
    pub(crate) fn begin(&mut self, lp: Lp, regs: &mut Gprs) -> Option<Outcome> {
        if !self.vmx.seamcall_allowed(lp.id) {
            return Some(Outcome::Decline);
        }
        let number = RaxFields::split(regs[RAX]).number;
        self.calls += 1;
        if let Some(count) = self.calls_of.get_mut(number as usize) {
            *count += 1;
        }
        if number == Leaf::SysTdmrInit as u16 {
            self.tdmr_init_path.record(lp.id);
        }
        match self.mode {
            Mode::Normal => {}
            Mode::VmFailInvalid => return Some(Outcome::VmFailInvalid),
            Mode::Decline => return Some(Outcome::Decline),
        }
        match self.hooks.take(number, lp.id) {
            Some(Fault::Status(status)) => {
                if let Some(leaf) = Leaf::from_number(number) {
                    lock_plan::failure_outputs(leaf, regs);
                }
                regs[RAX] = status;
                return Some(Outcome::Complete);
            }
            Some(Fault::VmFailInvalid) => return Some(Outcome::VmFailInvalid),
            Some(Fault::Ud) => return Some(Outcome::Decline),
            None => {}
        }
        if self.hooks.fire_probe(regs) {
            return Some(Outcome::Complete);
        }
        let leaf = match self.check(regs) {
            Ok(leaf) => leaf,
            Err(status) => {
                regs[RAX] = status;
                return Some(Outcome::Complete);
            }
        };
        let wants = lock_plan::wants(&self.sys, leaf, regs);
        match self.locks.try_take(lp.id, wants.into_iter().flatten()) {
            Ok(()) => None,
            Err(Refused::Busy(status)) => {
                self.busy_of[number as usize % COUNTED_LEAVES] += 1;
                lock_plan::failure_outputs(leaf, regs);
                regs[RAX] = status;
                Some(Outcome::Complete)
            }
            Err(Refused::Full) => Some(Outcome::Decline),
        }
    }

    /// A call's second step, after [`Model::begin`] returned `None` for
    /// `lp` and `regs`: the leaf runs, then `lp`'s locks are released.
    pub(crate) fn finish(
        &mut self,
        lp: Lp,
        regs: &mut Gprs,
        mem: &mut dyn PhysMem,
        stack_top: u64,
    ) -> Outcome {
        let version = RaxFields::split(regs[RAX]).version;
        let outcome = match Leaf::from_number(RaxFields::split(regs[RAX]).number)
            .and_then(|leaf| self.run(leaf, version, lp, regs, mem, stack_top))
        {
            Some(status) => {
                regs[RAX] = status;
                Outcome::Complete
            }
            None => Outcome::Decline,
        };
        self.locks.release(lp.id);
        outcome
    }

    /// The dispatcher's checks, in the real module's order: the leaf, or
    /// the status the call ends with.
    fn check(&self, regs: &Gprs) -> Result<Leaf, u64> {
        let operand_invalid_rax = code::OPERAND_INVALID | OPERAND_ID_RAX as u64;
        let fields = RaxFields::split(regs[RAX]);
        if fields.reserved != 0 {
            return Err(operand_invalid_rax);
        }
        let leaf = Leaf::from_number(fields.number);
        if fields.version > 0 && !leaf.is_some_and(Leaf::is_versioned) {
            return Err(operand_invalid_rax);
        }
        let state = self.sys.state;
        if state == SysState::Shutdown && leaf != Some(Leaf::SysLpShutdown) {
            return Err(code::SYS_SHUTDOWN);
        }
        if state != SysState::Ready && !leaf.is_some_and(Leaf::allowed_before_ready) {
            return Err(code::SYS_NOT_READY);
        }
        leaf.ok_or(operand_invalid_rax)
    }

    /// The leaf itself. `None`: declined (a leaf or a case this model does
    /// not implement).
    fn run(
        &mut self,
        leaf: Leaf,
        version: u8,
        lp: Lp,
        regs: &mut Gprs,
        mem: &mut dyn PhysMem,
        stack_top: u64,
    ) -> Option<u64> {
        match leaf {
            Leaf::SysInit => self.sys.sys_init(regs),
            Leaf::SysLpInit => self.sys.sys_lp_init(lp, regs),
            Leaf::SysRd => self.sys.sys_rd(lp, regs),
            Leaf::SysRdall => self.sys.sys_rdall(lp, regs, mem),
            Leaf::SysConfig => self.sys.sys_config(regs, mem),
            Leaf::SysKeyConfig => self.sys.sys_key_config(lp),
            Leaf::SysTdmrInit => self.sys.sys_tdmr_init(regs, mem),
            Leaf::VpEnter => self.tds.vp_enter(&self.sys, mem, lp, regs, stack_top),
            Leaf::MemSeptAdd => self.tds.mem_sept_add(&self.sys, mem, regs, version),
            Leaf::MemPageAdd => self.tds.mem_page_add(&self.sys, mem, regs),
            Leaf::MemPageAug => self.tds.mem_page_aug(&self.sys, mem, regs),
            Leaf::MemRangeBlock => self.tds.mem_range_block(&self.sys, mem, regs),
            Leaf::MemTrack => self.tds.mem_track(&self.sys, mem, regs),
            Leaf::MemPageRemove => self.tds.mem_page_remove(&self.sys, mem, regs),
            Leaf::MrExtend => self.tds.mr_extend(&self.sys, mem, regs),
            Leaf::MrFinalize => self.tds.mr_finalize(&self.sys, mem, regs),
            Leaf::MngCreate => self.tds.mng_create(&self.sys, regs, mem),
            Leaf::MngKeyConfig => self.tds.mng_key_config(&self.sys, lp, regs, mem),
            Leaf::MngAddcx => self.tds.mng_addcx(&self.sys, regs, mem),
            Leaf::MngInit => self.tds.mng_init(&self.sys, regs, mem),
            Leaf::MngRd => self.tds.mng_rd(&self.sys, regs, mem),
            Leaf::MngVpflushdone => self.tds.mng_vpflushdone(&self.sys, regs, mem),
            Leaf::MngKeyFreeid => self.tds.mng_key_freeid(&self.sys, regs, mem),
            Leaf::VpCreate => self.tds.vp_create(&self.sys, regs, mem),
            Leaf::VpAddcx => self.tds.vp_addcx(&self.sys, regs, mem),
            Leaf::VpInit => self.tds.vp_init(&self.sys, lp, regs, mem),
            Leaf::VpRd => self.tds.vp_rdwr(&self.sys, regs, mem, false),
            Leaf::VpWr => self.tds.vp_rdwr(&self.sys, regs, mem, true),
            Leaf::VpFlush => self.tds.vp_flush(&self.sys, lp, regs, mem),
            Leaf::PhymemCacheWb => self.tds.phymem_cache_wb(lp, regs),
            Leaf::PhymemPageReclaim => self.tds.phymem_page_reclaim(&self.sys, regs, mem),
            Leaf::PhymemPageWbinvd => self.tds.phymem_page_wbinvd(&self.sys, regs, mem),
            _ => None,
        }
    }

    /// Sets the test-wide override.
    pub(crate) fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Arms the probe for the next call that reaches it; forgets what an
    /// earlier probe recorded.
    pub(crate) fn arm_probe(&mut self, outputs: &Gprs, mask: u16) {
        self.hooks.arm_probe(outputs, mask);
    }

    /// The inputs the probe recorded, once; `None` if it has not fired.
    pub(crate) fn take_recorded(&mut self) -> Option<Gprs> {
        self.hooks.take_recorded()
    }

    /// Fault injection: the `nth` (1-based, counted from now) call of `leaf`
    /// (any version) and the `times - 1` calls of `leaf` on the same LP
    /// after it fail with `fault`; `nth` 0 cancels `leaf`'s. Up to
    /// `hooks::MAX_PENDING` are pending at once; one more replaces the
    /// oldest.
    pub(crate) fn inject(&mut self, leaf: u16, nth: u32, times: u32, fault: Fault) {
        self.hooks.inject(leaf, nth, times, fault);
    }

    /// Status injection for the next `count` calls of `leaf` (any version);
    /// `count` 0 cancels.
    pub(crate) fn inject_status(&mut self, leaf: u16, status: u64, count: u32) {
        self.hooks.inject_status(leaf, status, count);
    }

    /// SEAMCALLs seen since load or reset, whatever their outcome.
    pub(crate) fn calls(&self) -> u64 {
        self.calls
    }

    /// SEAMCALLs of leaf number `leaf` (RAX bits 15:0, any version) seen
    /// since load or reset; 0 for numbers above 127, which are not counted.
    pub(crate) fn calls_of(&self, leaf: u16) -> u64 {
        self.calls_of.get(leaf as usize).copied().unwrap_or(0)
    }

    /// Calls of leaf number `leaf` that found one of their locks taken
    /// and returned a busy status, since load or reset (0 above 127).
    pub(crate) fn busy_of(&self, leaf: u16) -> u64 {
        self.busy_of.get(leaf as usize).copied().unwrap_or(0)
    }

    /// TDH.SYS.TDMR.INIT's critical path since load or reset: the most
    /// calls one LP made, and how many LPs made any (`critical_path.rs`).
    pub(crate) fn tdmr_init_path(&self) -> (u32, usize) {
        (self.tdmr_init_path.longest(), self.tdmr_init_path.lps())
    }

    /// How many locks `lp` holds (0 outside a call).
    pub(crate) fn locks_held_by(&self, lp: Lp) -> usize {
        self.locks.held_by(lp.id)
    }

    /// How many locks the LPs inside a call hold now.
    pub(crate) fn locks_held(&self) -> usize {
        self.locks.held()
    }

    /// Everything back to the state at load, on the same platform, but
    /// the LPs' VMX operation: that is the CPUs' (the #UD count is reset).
    pub(crate) fn reset(&mut self) {
        let platform = self.sys.platform;
        let vmx = core::mem::replace(&mut self.vmx, Vmx::new());
        // SAFETY: `self` is a valid, aligned, exclusive model.
        unsafe { Self::write_new(self, platform) };
        self.vmx = vmx;
        self.vmx.reset_count();
    }

    /// VMXON on LP `lp` (the test stand-in for the hypervisor's).
    pub(crate) fn vmxon(&mut self, lp: u32) -> Result<(), VmxError> {
        self.vmx.vmxon(lp)
    }

    /// VMXOFF on LP `lp`.
    pub(crate) fn vmxoff(&mut self, lp: u32) -> Result<(), VmxError> {
        self.vmx.vmxoff(lp)
    }

    /// The LPs' VMX operation and the SEAMCALLs it refused (a view).
    pub(crate) fn vmx(&self) -> &Vmx {
        &self.vmx
    }

    /// Where initialization stands.
    pub(crate) fn state(&self) -> SysState {
        self.sys.state
    }

    /// What the successful TDH.SYS.CONFIG configured; `None` before it.
    pub(crate) fn config_record(&self) -> Option<ConfigRecord> {
        self.sys.record
    }

    /// The TDMRs the successful TDH.SYS.CONFIG configured, as the module
    /// recorded them (a test view; empty before it).
    pub(crate) fn configured_tdmrs(&self) -> &[sys::Tdmr] {
        self.sys.tdmrs()
    }

    /// Whether every configured TDMR's PAMT is initialized (false before
    /// TDH.SYS.CONFIG).
    pub(crate) fn tdmrs_initialized(&self) -> bool {
        self.sys.nr_tdmrs > 0 && self.sys.tdmrs().iter().all(|t| t.is_initialized())
    }

    /// Every PAMT the module holds, `(base, size)`, for a test to check that
    /// the host still owns them (a test view).
    pub(crate) fn pamts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.sys
            .tdmrs()
            .iter()
            .flat_map(|t| t.pamt.iter())
            .filter(|r| r.size != 0)
            .map(|r| (r.base, r.size))
    }

    /// The value metadata field TDX_FEATURES0 reads from now on.
    pub(crate) fn set_features0(&mut self, value: u64) {
        self.sys.features0 = value;
    }

    /// Calls `f` with each page the PAMTs list as held for a TD (see
    /// `owned.rs`); `None` if a PAMT could not be read.
    pub(crate) fn owned_pages(
        &self,
        mem: &dyn PhysMem,
        f: &mut dyn FnMut(owned::OwnedPage) -> Option<()>,
    ) -> Option<()> {
        self.sys.owned_pages(mem, f)
    }

    /// The next `n` TDH.PHYMEM.CACHE.WB steps are interrupted (test hook).
    #[cfg(test)]
    pub(crate) fn interrupt_cache_wb(&mut self, n: u32) {
        self.tds.interrupt_cache_wb(n);
    }

    /// The module's TD vCPUs (a test view and test controls).
    pub(crate) fn tds(&self) -> &Tds {
        &self.tds
    }

    /// The TD controls that change what the next TDH.VP.ENTER does.
    pub(crate) fn tds_mut(&mut self) -> &mut Tds {
        &mut self.tds
    }

    #[cfg(test)]
    fn set_state(&mut self, state: SysState) {
        self.sys.state = state;
    }
}

#[cfg(test)]
mod tests {
    use super::tdmr_init::{pamt_word, CHUNK_BYTES};
    use super::test_support::*;
    use super::*;
    use crate::abi::leaf::LeafCall;
    use crate::abi::metadata;
    use crate::platform::Cmr;

    /// 2 packages of 2 LPs; convertible memory [0, 4G).
    fn machine() -> Platform {
        platform(
            4,
            2,
            &[Cmr {
                base: 0,
                size: 4 * G,
            }],
        )
    }

    fn regs_with(rax: u64) -> Gprs {
        let mut r: Gprs = core::array::from_fn(|n| 0x1111_0000 + n as u64);
        r[RAX] = rax;
        r
    }

    fn call(m: &mut Model, rax: u64) -> (Outcome, Gprs) {
        let mut r = regs_with(rax);
        let out = m.seamcall(lp(0, 0), &mut r, &mut FakeMem::new());
        (out, r)
    }

    /// Calls `leaf` on `lp` with these operands; returns the outcome and RAX.
    fn leaf_call(
        m: &mut Model,
        mem: &mut FakeMem,
        on: Lp,
        leaf: Leaf,
        ops: &[(usize, u64)],
    ) -> (Outcome, Gprs) {
        let mut r = [0; 16];
        r[RAX] = LeafCall::new(leaf).rax();
        for &(reg, v) in ops {
            r[reg] = v;
        }
        let out = m.seamcall(on, &mut r, mem);
        (out, r)
    }

    #[test]
    fn errors_change_rax_only() {
        let mut m = Model::new(machine());
        let (out, r) = call(&mut m, 0x7fff);
        assert_eq!(out, Outcome::Complete);
        assert_eq!(r[RAX], code::SYS_NOT_READY);
        assert_eq!(r[1..], regs_with(0)[1..]);
    }

    #[test]
    fn reserved_bits_are_operand_invalid_in_every_state() {
        for state in [
            SysState::InitPending,
            SysState::InitDone,
            SysState::ConfigDone,
            SysState::Ready,
            SysState::Shutdown,
        ] {
            let mut m = Model::new(machine());
            m.set_state(state);
            for rax in [1 << 24 | 33, 1 << 63 | 33, 0xff00_0000_0000_0000] {
                assert_eq!(call(&mut m, rax).1[RAX], code::OPERAND_INVALID);
            }
        }
    }

    #[test]
    fn version_is_checked_before_state() {
        let mut m = Model::new(machine());
        // TDH.SYS.INIT has no versions: operand invalid, not "not modeled".
        let (out, r) = call(&mut m, LeafCall::with_version(Leaf::SysInit, 1).rax());
        assert_eq!((out, r[RAX]), (Outcome::Complete, code::OPERAND_INVALID));
        // TDH.VP.INIT accepts a version but is not served before ready.
        let (_, r) = call(&mut m, LeafCall::with_version(Leaf::VpInit, 1).rax());
        assert_eq!(r[RAX], code::SYS_NOT_READY);
    }

    #[test]
    fn unknown_leaf_depends_on_state_as_in_the_real_dispatcher() {
        let mut m = Model::new(machine());
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);
        m.set_state(SysState::ConfigDone);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);
        m.set_state(SysState::Ready);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::OPERAND_INVALID);
        assert_eq!(call(&mut m, 46).1[RAX], code::OPERAND_INVALID);
        m.set_state(SysState::Shutdown);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_SHUTDOWN);
    }

    #[test]
    fn defined_but_unmodeled_leaves_are_declined() {
        let mut m = Model::new(machine());
        assert_eq!(call(&mut m, Leaf::SysInfo as u64).0, Outcome::Decline);
        assert_eq!(call(&mut m, Leaf::SysUpdate as u64).0, Outcome::Decline);
        // Not served before ready: the real module's answer, no decline.
        assert_eq!(
            call(&mut m, Leaf::MngCreate as u64).1[RAX],
            code::SYS_NOT_READY
        );
        assert_eq!(
            call(&mut m, Leaf::SysTdmrInit as u64).1[RAX],
            code::SYS_NOT_READY
        );
        m.set_state(SysState::Ready);
        assert_eq!(call(&mut m, Leaf::MngWr as u64).0, Outcome::Decline);
    }

    #[test]
    fn vp_enter_before_ready_is_sys_not_ready() {
        let mut m = Model::new(machine());
        let mut r = regs_with(LeafCall::new(Leaf::VpEnter).rax());
        r[RCX] = G;
        let before = r;
        assert_eq!(
            m.seamcall(lp(0, 0), &mut r, &mut FakeMem::new()),
            Outcome::Complete
        );
        assert_eq!(r[RAX], code::SYS_NOT_READY);
        assert_eq!(r[1..], before[1..]);
        m.set_state(SysState::Shutdown);
        assert_eq!(call(&mut m, 0).1[RAX], code::SYS_SHUTDOWN);
    }

    #[test]
    fn modes_override_everything() {
        let mut m = Model::new(machine());
        m.inject(33, 1, 1, Fault::Status(1));
        m.set_mode(Mode::VmFailInvalid);
        let (out, r) = call(&mut m, 33);
        assert_eq!(out, Outcome::VmFailInvalid);
        assert_eq!(r, regs_with(33));
        m.set_mode(Mode::Decline);
        assert_eq!(call(&mut m, 0x7fff).0, Outcome::Decline);
        assert_eq!(m.calls(), 2);
        assert_eq!(Mode::from_raw(3), None);
        // The injection did not count the calls the mode took.
        m.set_mode(Mode::Normal);
        assert_eq!(call(&mut m, 33).1[RAX], 1);
    }

    #[test]
    fn probe_records_inputs_and_writes_masked_outputs_once() {
        let mut m = Model::new(machine());
        let outputs: Gprs = core::array::from_fn(|n| 0xabcd_0000 + n as u64);
        m.arm_probe(&outputs, 0xffff);
        let (out, r) = call(&mut m, 0x1234);
        assert_eq!(out, Outcome::Complete);
        assert_eq!(m.take_recorded(), Some(regs_with(0x1234)));
        assert_eq!(m.take_recorded(), None);
        for n in 0..16 {
            let want = if n == RSP || n == RBP {
                regs_with(0)[n]
            } else {
                outputs[n]
            };
            assert_eq!(r[n], want, "register {n}");
        }
        // Spent: the next call is dispatched normally.
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);

        m.arm_probe(&outputs, 1 << RAX | 1 << 2);
        let (_, r) = call(&mut m, 0x1234);
        assert_eq!(
            (r[RAX], r[1], r[2], r[3]),
            (outputs[RAX], 0x1111_0001, outputs[2], 0x1111_0003)
        );
    }

    #[test]
    fn status_injection_hits_only_its_leaf_and_runs_out() {
        let mut m = Model::new(machine());
        m.inject_status(Leaf::SysInfo as u16, code::RND_NO_ENTROPY, 2);
        assert_eq!(call(&mut m, 0x7fff).1[RAX], code::SYS_NOT_READY);
        let info = LeafCall::new(Leaf::SysInfo).rax();
        assert_eq!(call(&mut m, info).1[RAX], code::RND_NO_ENTROPY);
        assert_eq!(call(&mut m, info).1[RAX], code::RND_NO_ENTROPY);
        assert_eq!(call(&mut m, info).0, Outcome::Decline);
        m.inject_status(Leaf::SysInfo as u16, 1, 0);
        assert_eq!(call(&mut m, info).0, Outcome::Decline);
    }

    #[test]
    fn nth_call_injection_then_probe_then_model() {
        let mut m = Model::new(machine());
        let mut mem = FakeMem::new();
        let lp_init = LeafCall::new(Leaf::SysLpInit).rax();
        m.inject(Leaf::SysLpInit as u16, 2, 1, Fault::VmFailInvalid);
        m.inject(Leaf::SysInit as u16, 1, 1, Fault::Ud);
        let init = leaf_call(&mut m, &mut mem, lp(0, 0), Leaf::SysInit, &[]);
        assert_eq!(init.0, Outcome::Decline, "injected #UD");
        let init = leaf_call(&mut m, &mut mem, lp(0, 0), Leaf::SysInit, &[]);
        assert_eq!(init.1[RAX], code::SUCCESS, "then the model");
        assert_eq!(call(&mut m, lp_init).1[RAX], code::SUCCESS);
        m.arm_probe(&[0; 16], 1);
        assert_eq!(
            call(&mut m, lp_init).0,
            Outcome::VmFailInvalid,
            "before the probe"
        );
        let (out, r) = call(&mut m, lp_init);
        assert_eq!((out, r[RAX]), (Outcome::Complete, 0), "the probe's RAX");
        assert!(m.take_recorded().is_some());
        m.inject(Leaf::SysLpInit as u16, 1, 1, Fault::Status(code::SYS_BUSY));
        let (_, r) = call(&mut m, lp_init);
        assert_eq!(r[RAX], code::SYS_BUSY);
        let mut want = regs_with(0);
        want[RCX] = 0;
        want[RDX] = 0;
        want[R8] = 0;
        assert_eq!(
            r[1..],
            want[1..],
            "an injected status: TDH.SYS.LP.INIT's zeroed outputs, nothing else"
        );
    }

    #[test]
    fn counters_and_reset() {
        let mut m = Model::new(machine());
        call(&mut m, 33);
        call(&mut m, 33 | 1 << 16);
        call(&mut m, 35);
        call(&mut m, 0x7fff);
        assert_eq!(
            (m.calls(), m.calls_of(33), m.calls_of(35), m.calls_of(34)),
            (4, 2, 1, 0)
        );
        assert_eq!(m.calls_of(0x7fff), 0);
        m.set_features0(0);
        m.inject(35, 1, 1, Fault::Ud);
        assert_eq!(m.state(), SysState::InitPending, "RCX was not 0");
        m.reset();
        assert_eq!(
            (m.calls(), m.calls_of(33), m.state()),
            (0, 0, SysState::InitPending)
        );
        assert_eq!(
            call(&mut m, 35).1[RAX],
            code::SYS_LP_INIT_NOT_PENDING,
            "injection gone"
        );
        assert_eq!(m.sys.features0, sys_fields::DEFAULT_FEATURES0);
        assert_eq!(m.sys.platform.nr_lps, 4);
    }

    #[test]
    fn features0_hook_is_what_sys_rd_reads() {
        let mut m = Model::new(machine());
        let mut mem = FakeMem::new();
        leaf_call(&mut m, &mut mem, lp(0, 0), Leaf::SysInit, &[]);
        leaf_call(&mut m, &mut mem, lp(0, 0), Leaf::SysLpInit, &[]);
        let rd = |m: &mut Model, mem: &mut FakeMem| {
            let (_, r) = leaf_call(
                m,
                mem,
                lp(0, 0),
                Leaf::SysRd,
                &[(RDX, metadata::TDX_FEATURES0)],
            );
            (r[RAX], r[R8])
        };
        assert_eq!(
            rd(&mut m, &mut mem),
            (code::SUCCESS, sys_fields::DEFAULT_FEATURES0)
        );
        m.set_features0(metadata::TDX_FEATURES0_NO_RBP_MOD);
        assert_eq!(rd(&mut m, &mut mem), (code::SUCCESS, 1 << 18));
        m.set_features0(0);
        assert_eq!(rd(&mut m, &mut mem), (code::SUCCESS, 0));
    }

    /// The whole initialization, as a host would do it, on 4 LPs in 2
    /// packages with TDMRs [1G, 2G) and [2G, 4G) and both PAMTs in a
    /// reserved area of the first.
    #[test]
    fn whole_initialization() {
        let mut m = Model::new(machine());
        let mut mem = FakeMem::new();
        let lps = [lp(0, 0), lp(1, 0), lp(2, 1), lp(3, 1)];
        let ok = code::SUCCESS;

        assert_eq!(
            leaf_call(&mut m, &mut mem, lps[0], Leaf::SysInit, &[]).1[RAX],
            ok
        );
        for &l in &lps {
            assert_eq!(
                leaf_call(&mut m, &mut mem, l, Leaf::SysLpInit, &[]).1[RAX],
                ok
            );
        }
        assert_eq!(m.state(), SysState::InitDone);

        // Read what TDH.SYS.CONFIG needs, as upstream Linux does.
        let mut read = |id: u64| {
            let (_, r) = leaf_call(&mut m, &mut mem, lps[1], Leaf::SysRd, &[(RDX, id)]);
            assert_eq!(r[RAX], ok, "{id:#x}");
            r[R8]
        };
        assert_eq!(read(metadata::MAX_TDMRS), 64);
        assert_eq!(read(metadata::MAX_RESERVED_PER_TDMR), 16);
        for id in [
            metadata::PAMT_4K_ENTRY_SIZE,
            metadata::PAMT_2M_ENTRY_SIZE,
            metadata::PAMT_1G_ENTRY_SIZE,
        ] {
            assert_eq!(read(id), 16);
        }
        assert_eq!(read(metadata::NUM_CMRS), 32);
        assert_eq!(read(metadata::array_field(metadata::CMR_SIZE, 0)), 4 * G);
        assert_ne!(
            read(metadata::TDX_FEATURES0) & metadata::TDX_FEATURES0_NO_RBP_MOD,
            0
        );
        assert_eq!(
            (read(metadata::MAJOR_VERSION), read(metadata::MINOR_VERSION)),
            (1, 5)
        );

        // TDH.SYS.CONFIG with TDMR_INFOs built by hand.
        // The PAMTs of two_tdmrs(), side by side.
        let block = pamt_block(G) + pamt_block(2 * G);
        let tdmrs = two_tdmrs();
        put_config(&mut mem, 0x10_0000, 0x20_0000, &tdmrs);
        let ops = [(RCX, 0x10_0000), (RDX, 2), (R8, 5)];
        assert_eq!(
            leaf_call(&mut m, &mut mem, lps[2], Leaf::SysConfig, &ops).1[RAX],
            ok
        );
        assert_eq!(m.state(), SysState::ConfigDone);
        assert_eq!(
            m.config_record(),
            Some(ConfigRecord {
                nr_tdmrs: 2,
                nr_reserved_areas: 2,
                pamt_bytes: block,
                global_hkid: 5,
            })
        );

        // TDH.SYS.TDMR.INIT is not served before the keys are configured.
        let tdmr_init = |m: &mut Model, mem: &mut FakeMem, base: u64| {
            let (_, r) = leaf_call(m, mem, lps[0], Leaf::SysTdmrInit, &[(RCX, base)]);
            (r[RAX], r[RDX])
        };
        assert_eq!(tdmr_init(&mut m, &mut mem, G).0, code::SYS_NOT_READY);

        // TDH.SYS.KEY.CONFIG once per package; the last makes it ready.
        let key = |m: &mut Model, mem: &mut FakeMem, l: Lp| {
            leaf_call(m, mem, l, Leaf::SysKeyConfig, &[]).1[RAX]
        };
        assert_eq!(key(&mut m, &mut mem, lps[0]), ok);
        assert_eq!(key(&mut m, &mut mem, lps[1]), code::KEY_CONFIGURED);
        assert_eq!(m.state(), SysState::ConfigDone);
        assert_eq!(key(&mut m, &mut mem, lps[3]), ok);
        assert_eq!(m.state(), SysState::Ready);

        // TDH.SYS.TDMR.INIT until each TDMR is done.
        for (base, size) in [(G, G), (2 * G, 2 * G)] {
            let mut calls = 0;
            loop {
                let (status, rdx) = tdmr_init(&mut m, &mut mem, base);
                if status == code::TDMR_ALREADY_INITIALIZED {
                    assert_eq!(rdx, 0);
                    break;
                }
                assert_eq!(status, ok);
                calls += 1;
                assert_eq!(rdx, base + (calls * CHUNK_BYTES) / G * G);
            }
            assert_eq!(calls, size / CHUNK_BYTES);
        }
        assert!(m.tdmrs_initialized());
        let pamt_4k = tdmrs[1].pamt[0].base;
        assert_eq!(mem.peek_u64(pamt_4k + 4096), pamt_word(pamt_4k + 4096));

        // Past NOT_READY: TDH.MNG.WR is a defined leaf the model declines.
        let (out, _) = leaf_call(&mut m, &mut mem, lps[0], Leaf::MngWr, &[]);
        assert_eq!(out, Outcome::Decline);
        // And initialization does not run twice.
        assert_eq!(
            leaf_call(&mut m, &mut mem, lps[0], Leaf::SysInit, &[]).1[RAX],
            code::SYS_INIT_NOT_PENDING
        );
        assert_eq!(
            key(&mut m, &mut mem, lps[2]),
            code::SYS_KEY_CONFIG_NOT_PENDING
        );
        assert_eq!(m.calls_of(Leaf::SysTdmrInit as u16), 1 + 256 + 1 + 512 + 1);
    }
}
