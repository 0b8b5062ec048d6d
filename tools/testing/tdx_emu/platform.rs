// SPDX-License-Identifier: GPL-2.0

//! What the emulated TDX module knows about the machine it runs on, and how
//! it reaches host memory. Filled in at load from the module parameters
//! (`platform_param.rs`), which describe a machine, never the kernel under
//! test; by the tests with made-up machines. A CMR need not be memory the
//! guest has: the model never touches convertible memory on its own.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

use crate::module_version::ModuleVersion;

/// The logical processor a SEAMCALL runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Lp {
    /// 0 .. `Platform::nr_lps`.
    pub(crate) id: u32,
    /// 0 .. `Platform::nr_packages`.
    pub(crate) package: u32,
}

/// One convertible memory range (CMR): `[base, base + size)`, 4 KiB aligned.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Cmr {
    pub(crate) base: u64,
    pub(crate) size: u64,
}

/// The most CMRs the model holds (the TDX 1.5 ABI allows 32).
pub(crate) const MAX_CMRS: usize = 32;

/// The machine as the SEAM loader measured it when the module was loaded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Platform {
    /// Logical processors: each must do TDH.SYS.LP.INIT before TDH.SYS.CONFIG.
    pub(crate) nr_lps: u32,
    /// Packages: TDH.SYS.KEY.CONFIG must run once on each.
    pub(crate) nr_packages: u32,
    /// Convertible memory, sorted and non-overlapping; `cmrs[..nr_cmrs]`.
    pub(crate) cmrs: [Cmr; MAX_CMRS],
    pub(crate) nr_cmrs: usize,
    /// IA32_MKTME_KEYID_PARTITIONING: KeyIDs 1..=nr_mktme_keyids are
    /// MKTME's; the next `nr_tdx_keyids` are TDX private KeyIDs.
    pub(crate) nr_mktme_keyids: u32,
    pub(crate) nr_tdx_keyids: u32,
    /// The CPU's physical address width (CPUID.80000008H:EAX[7:0],
    /// MAXPHYADDR): the KeyID bits are its top bits.
    pub(crate) max_pa: u32,
    /// The CPU's family, model and stepping (CPUID.01H:EAX), as MCHECK
    /// records it for every package (`socket_cpuid_table`).
    pub(crate) fms: u32,
    /// The TDX module version the emulator behaves as (`version=`).
    pub(crate) version: ModuleVersion,
    /// What the SEAM loader hands over about TD-preserving updates
    /// (`handoff=`), if given.
    pub(crate) handoff: Option<Handoff>,
}

/// The SEAM loader's `sysinfo_table.num_handoff_pages` and the hand-off
/// data header at the base of the module's data region
/// (`handoff_data_header_t`, `loader_data.h`), which TDH.SYS.SHUTDOWN of a
/// previous module writes and TDH.SYS.UPDATE consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Handoff {
    /// Pages for hand-off data at the start of the data region, minus one.
    pub(crate) pages_minus_1: u16,
    /// The header's VALID (a `bool_t`), HV and SIZE.
    pub(crate) valid: bool,
    pub(crate) hv: u16,
    pub(crate) size: u32,
}

/// Host physical memory as the TDX module sees it (through the global
/// private KeyID, which the host cannot read back as plain text).
pub(crate) trait PhysMem {
    /// Reads `buf.len()` bytes at physical address `pa`; false (and `buf`
    /// unspecified) if any byte is not memory the module may access.
    fn read(&self, pa: u64, buf: &mut [u8]) -> bool;
    /// Writes `data` at physical address `pa`; false if any byte is not
    /// memory the module may access (nothing is written then).
    fn write(&mut self, pa: u64, data: &[u8]) -> bool;
}
