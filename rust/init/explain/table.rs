// SPDX-License-Identifier: GPL-2.0

//! The statuses: every status each initialization leaf returns in TDX module
//! 1.5.06, from Intel's source (`src/vmm_dispatcher/tdx_vmm_dispatcher.c`
//! and `src/vmm_dispatcher/api_calls/tdh_sys_*.c`; values from
//! `include/auto_gen/tdx_error_codes_defs.h`), and the host's software
//! statuses. TDH.SYS.RDALL's `TDX_OPERAND_INVALID` on RAX is not a failure
//! the host explains: it reads the metadata with TDH.SYS.RD instead
//! (`rust/init/rdall.rs`).
//!
//! A busy or no-entropy status reaches a row only after
//! `rust/seamcall/retry.rs` retried it. A TDX module that failed after
//! TDH.SYS.INIT cannot be initialized again before a reboot.

use super::{Detail, Row, Text};
use crate::abi::leaf::Leaf::{self, *};
use crate::abi::status::{self, code, SeamcallError};

/// Statuses the initialization leaves return that `status.rs` does not
/// name (Intel's values).
mod init_code {
    pub(crate) const SYS_INCOMPATIBLE_SIGSTRUCT: u64 = 0xC000_050A_0000_0000;
    pub(crate) const INCOMPATIBLE_SEAM_CAPABILITIES: u64 = 0xC000_050D_0000_0000;
    pub(crate) const NUM_ACTIVATED_HKIDS_NOT_SUPPORTED: u64 = 0xC000_0825_0000_0000;
    pub(crate) const INCORRECT_CPUID_VALUE: u64 = 0xC000_0900_0000_0000;
    pub(crate) const LIMIT_CPUID_MAXVAL_SET: u64 = 0xC000_0901_0000_0000;
    pub(crate) const INCONSISTENT_CPUID_FIELD: u64 = 0xC000_0902_0000_0000;
    pub(crate) const CPUID_LEAF_1F_FORMAT_UNRECOGNIZED: u64 = 0xC000_0904_0000_0000;
    pub(crate) const INVALID_WBINVD_SCOPE: u64 = 0xC000_0905_0000_0000;
    pub(crate) const CPUID_LEAF_NOT_SUPPORTED: u64 = 0xC000_0908_0000_0000;
    pub(crate) const SMRR_NOT_LOCKED: u64 = 0xC000_0910_0000_0000;
    pub(crate) const INVALID_SMRR_CONFIGURATION: u64 = 0xC000_0911_0000_0000;
    pub(crate) const SMRR_OVERLAPS_CMR: u64 = 0xC000_0912_0000_0000;
    pub(crate) const SMRR_LOCK_NOT_SUPPORTED: u64 = 0xC000_0913_0000_0000;
    pub(crate) const SMRR_NOT_SUPPORTED: u64 = 0xC000_0914_0000_0000;
    pub(crate) const INCONSISTENT_MSR: u64 = 0xC000_0920_0000_0000;
    pub(crate) const INCORRECT_MSR_VALUE: u64 = 0xC000_0921_0000_0000;
    pub(crate) const METADATA_FIELD_NOT_READABLE: u64 = 0xC000_0C02_0000_0000;
    pub(crate) const METADATA_FIELD_SKIP: u64 = 0x0000_0C0C_0000_0000;
    pub(crate) const METADATA_LIST_OVERFLOW: u64 = crate::init::rdall::LIST_OVERFLOW;
}
use init_code::*;

pub(super) const ALL: &[Leaf] = &[
    SysInit,
    SysLpInit,
    SysRd,
    SysRdall,
    SysConfig,
    SysKeyConfig,
    SysTdmrInit,
];
/// The leaves that take the TDX module's global lock.
const GLOBAL_LOCK: &[Leaf] = &[SysInit, SysLpInit, SysConfig, SysKeyConfig];

/// `OPERAND_ID_*` of the operands the initialization leaves name.
const RAX: u32 = 0;
const RCX: u32 = 1;
const RDX: u32 = 2;
const R8: u32 = 8;
pub(super) const KET: u32 = 187;

/// The host's own statuses have bits 63:32 of `status::SW_ERROR`.
const SW: u64 = status::SW_ERROR;

const fn row(
    leaves: &'static [Leaf],
    code: u64,
    low: Option<u32>,
    detail: Detail,
    name: &'static str,
    cause: &'static str,
    fix: &'static str,
) -> Row {
    Row {
        leaves,
        code,
        low,
        detail,
        name,
        text: Text { cause, fix },
    }
}

pub(super) const BIOS_TDX: &str =
    "in the BIOS enable TME, TME-MT (multi-key TME), TDX, the TDX SEAM \
    loader and a TDX KeyID split of at least 2 KeyIDs; update the BIOS if it offers none of these";
const ONE_PER_BOOT: &str = "initialize TDX from one component once per boot (this driver, or \
    KVM's own TDX support, not both), then reboot: a reboot resets the TDX module";
pub(super) const REPORT: &str = "report it with this log: it is a bug in tdx_host_rs";
const BIOS_UPDATE: &str = "update the BIOS (and CPU microcode) to the vendor's latest release \
    with TDX support, then load its default CPU settings";
const SAME_CPUS: &str = "give every CPU package the same microcode and BIOS settings: update \
    the BIOS, and do not change this setting from the OS on some CPUs only";
const RETRY: &str = "reboot and try again; if it persists, check that the CPU's random number \
    generator (RDRAND/RDSEED) works and update the BIOS and microcode";
const CMRS: &str = "compare System RAM in /proc/iomem with the CMRs the TDX module reports: leave memory the BIOS does \
    not report as convertible (e.g. CXL or hot-added memory) out of the memory map (memmap=) or \
    offline, or update the BIOS; if all System RAM is inside the CMRs, report this log";

/// Every row; the first match wins.
pub(super) const ROWS: &[Row] = &[
    // Made by this driver's trampolines (rust/seamcall/trampolines.S).
    row(ALL, SW, Some(0xffff_0000), Detail::None, "TDX_RS_SEAMCALL_VMFAILINVALID",
        "no TDX module is loaded: TDX is enabled but the BIOS's SEAM loader loaded no module (none \
         in the BIOS or on the EFI system partition, or it was rejected)",
        "enable the TDX SEAM loader in the BIOS, and update the BIOS to one that carries a TDX \
         module 1.5 or later (or install the vendor's TDX module file where the loader reads it); \
         then power-cycle"),
    row(ALL, SW, Some(status::TRAP_UD as u32), Detail::None, "TDX_RS_SEAMCALL_UD",
        "SEAMCALL raised #UD: this CPU is not in VMX operation (VMXON not done: the caller of \
         tdx_rs_enable() must have VMX on, on every CPU) or has no SEAM mode",
        "enable VT-x and TDX in the BIOS, and initialize TDX from KVM (or its consumer) after it \
         enabled VMX on every CPU"),
    row(ALL, SW, Some(status::TRAP_GP as u32), Detail::None, "TDX_RS_SEAMCALL_GP",
        "SEAMCALL raised #GP: TDX is not enabled in the BIOS (no SEAM range)", BIOS_TDX),
    // The dispatcher, before any leaf (tdx_vmm_dispatcher.c).
    row(ALL, code::OPERAND_INVALID, Some(RAX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the TDX module does not know this leaf or leaf version: it is older than the TDX 1.5 ABI \
         this driver uses",
        "update the TDX module to 1.5 or later (a BIOS update, or the module file its SEAM loader \
         loads)"),
    row(ALL, code::SYS_SHUTDOWN, None, Detail::None, "TDX_SYS_SHUTDOWN",
        "the TDX module was shut down (TDH.SYS.SHUTDOWN, to update it) and takes no call until a \
         new module is loaded",
        "finish the TDX module update, or reboot"),
    // The leaves that take the global lock.
    row(GLOBAL_LOCK, code::SYS_BUSY, None, Detail::None, "TDX_SYS_BUSY",
        "another CPU held the TDX module's global lock through every retry: something else calls \
         the TDX module during this initialization",
        ONE_PER_BOOT),
    // TDH.SYS.INIT (tdh_sys_init.c).
    row(&[SysInit], code::OPERAND_INVALID, Some(RCX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the reserved operand was not 0", REPORT),
    row(&[SysInit], code::SYS_INIT_NOT_PENDING, None, Detail::None, "TDX_SYS_INIT_NOT_PENDING",
        "TDH.SYS.INIT already ran since the last reset: KVM's own TDX support (kvm_intel.tdx=1), \
         an earlier load of this driver, or the kernel before a kexec initialized the TDX module",
        ONE_PER_BOOT),
    row(&[SysInit], INCORRECT_MSR_VALUE, None, Detail::Msr, "TDX_INCORRECT_MSR_VALUE",
        "the BIOS left an MSR the TDX module checks with a value it refuses (IA32_TME_ACTIVATE: \
         TME not enabled and locked; IA32_MISC_ENABLE: perfmon or BTS unavailable)",
        BIOS_UPDATE),
    row(&[SysInit, SysLpInit], LIMIT_CPUID_MAXVAL_SET, None, Detail::None,
        "TDX_LIMIT_CPUID_MAXVAL_SET",
        "'Limit CPUID Maximum' is enabled (IA32_MISC_ENABLE bit 22)",
        "disable 'Limit CPUID Maximum' in the BIOS"),
    row(&[SysInit], CPUID_LEAF_NOT_SUPPORTED, None, Detail::CpuidLeaf,
        "TDX_CPUID_LEAF_NOT_SUPPORTED",
        "the CPU does not report a CPUID leaf the TDX module needs",
        "disable 'Limit CPUID Maximum' in the BIOS and update the BIOS and microcode"),
    row(&[SysInit], INCORRECT_CPUID_VALUE, None, Detail::None, "TDX_INCORRECT_CPUID_VALUE",
        "a CPUID value differs from what the TDX module requires (the leaf is in RCX): typically a \
         BIOS too old for this TDX module",
        BIOS_UPDATE),
    row(&[SysInit], CPUID_LEAF_1F_FORMAT_UNRECOGNIZED, None, Detail::None,
        "TDX_CPUID_LEAF_1F_FORMAT_UNRECOGNIZED",
        "CPUID leaf 0x1F (topology) lists its levels in an order the TDX module does not accept",
        BIOS_UPDATE),
    row(&[SysInit], INVALID_WBINVD_SCOPE, None, Detail::None, "TDX_INVALID_WBINVD_SCOPE",
        "the last-level cache is not shared by a whole package (CPUID leaves 4 and 0x1F): the TDX \
         module needs WBINVD to act on a package",
        BIOS_UPDATE),
    row(&[SysInit], NUM_ACTIVATED_HKIDS_NOT_SUPPORTED, None, Detail::MaxKeyIds,
        "TDX_NUM_ACTIVATED_HKIDS_NOT_SUPPORTED",
        "the BIOS activated more KeyIDs (MKTME and TDX together) than the TDX module supports",
        "lower the number of KeyIDs (the TME-MT / TDX KeyID split) in the BIOS"),
    row(&[SysInit], code::CMR_LIST_INVALID, None, Detail::None, "TDX_CMR_LIST_INVALID",
        "the convertible memory list (CMRs) the BIOS's MCHECK gave the TDX module is unaligned, \
         unordered, overlapping or above the physical address width",
        "update the BIOS; report it to the server's vendor"),
    row(&[SysInit], SMRR_NOT_SUPPORTED, None, Detail::None, "TDX_SMRR_NOT_SUPPORTED",
        "the CPU reports no SMRR", BIOS_UPDATE),
    row(&[SysInit], SMRR_LOCK_NOT_SUPPORTED, None, Detail::None, "TDX_SMRR_LOCK_NOT_SUPPORTED",
        "the CPU reports no SMRR lock", BIOS_UPDATE),
    row(&[SysInit], SMRR_NOT_LOCKED, None, Detail::Smrr, "TDX_SMRR_NOT_LOCKED",
        "the BIOS left an SMRR unlocked", BIOS_UPDATE),
    row(&[SysInit], INVALID_SMRR_CONFIGURATION, None, Detail::Smrr,
        "TDX_INVALID_SMRR_CONFIGURATION",
        "an SMRR's mask is not contiguous or its base not aligned to its size", BIOS_UPDATE),
    row(&[SysInit], SMRR_OVERLAPS_CMR, None, Detail::SmrrCmr, "TDX_SMRR_OVERLAPS_CMR",
        "SMM memory (an SMRR) overlaps convertible memory (a CMR): a firmware bug",
        "update the BIOS; report it to the server's vendor"),
    row(&[SysInit], INCOMPATIBLE_SEAM_CAPABILITIES, None, Detail::None,
        "TDX_INCOMPATIBLE_SEAM_CAPABILITIES",
        "the CPU's SEAM loader does not offer the TD-preserving update support this TDX module \
         requires",
        BIOS_UPDATE),
    row(&[SysInit], SYS_INCOMPATIBLE_SIGSTRUCT, None, Detail::None,
        "TDX_SYS_INCOMPATIBLE_SIGSTRUCT",
        "the loaded TDX module's build parameters do not match its signature structure (handoff \
         version, minimum update version, downgrade rule)",
        "load an official TDX module build: update the BIOS or the module file"),
    row(&[SysInit, SysLpInit], code::RND_NO_ENTROPY, None, Detail::None, "TDX_RND_NO_ENTROPY",
        "RDRAND or RDSEED had no entropy through every retry", RETRY),
    // TDH.SYS.LP.INIT (tdh_sys_lp_init.c).
    row(&[SysLpInit], code::SYS_LP_INIT_NOT_PENDING, None, Detail::None,
        "TDX_SYS_LP_INIT_NOT_PENDING",
        "the TDX module takes TDH.SYS.LP.INIT only between TDH.SYS.INIT and TDH.SYS.CONFIG: it was \
         configured already (an earlier load of this driver, KVM's own TDX support, or the kernel \
         before a kexec)",
        ONE_PER_BOOT),
    row(&[SysLpInit], code::SYS_LP_INIT_DONE, None, Detail::None, "TDX_SYS_LP_INIT_DONE",
        "this CPU did TDH.SYS.LP.INIT already since the last reset (an earlier load of this \
         driver, or another component)",
        ONE_PER_BOOT),
    row(&[SysLpInit], INCOMPATIBLE_SEAM_CAPABILITIES, None, Detail::None,
        "TDX_INCOMPATIBLE_SEAM_CAPABILITIES",
        "this CPU's SEAM capabilities differ from those of the CPU that did TDH.SYS.INIT",
        SAME_CPUS),
    row(&[SysLpInit], INCONSISTENT_MSR, None, Detail::Msr, "TDX_INCONSISTENT_MSR",
        "an MSR on this CPU differs from the value TDH.SYS.INIT read on the first CPU", SAME_CPUS),
    row(&[SysLpInit], INCONSISTENT_CPUID_FIELD, None, Detail::None,
        "TDX_INCONSISTENT_CPUID_FIELD",
        "a CPUID value on this CPU differs from the first CPU's (the leaf is in RCX): mixed CPU \
         steppings or microcode",
        SAME_CPUS),
    row(&[SysLpInit], code::INVALID_PKG_ID, None, Detail::Package, "TDX_INVALID_PKG_ID",
        "this CPU's package id is beyond the 8 packages the TDX module supports",
        "check the BIOS's CPU topology (x2APIC ID) settings and update the BIOS"),
    // TDH.SYS.RD (tdh_sys_rd.c; TDX module 1.0's dispatcher for SYS_NOT_READY).
    row(&[SysRd, SysRdall], code::SYS_LP_INIT_NOT_DONE, None, Detail::None,
        "TDX_SYS_LP_INIT_NOT_DONE",
        "the metadata was read on a CPU that did not do TDH.SYS.LP.INIT", REPORT),
    row(&[SysRd, SysRdall], code::SYS_NOT_READY, None, Detail::None, "TDX_SYS_NOT_READY",
        "the TDX module is 1.0: it has neither TDH.SYS.RD nor TDH.SYS.RDALL, and its dispatcher refuses an unknown leaf \
         as not ready (canonical/tdx#83, #331)",
        "update the TDX module to 1.5 or later: a BIOS update, or a newer module file for the \
         SEAM loader"),
    row(&[SysRd], code::METADATA_FIELD_ID_INCORRECT, None, Detail::None,
        "TDX_METADATA_FIELD_ID_INCORRECT",
        "the TDX module does not know a global metadata field this driver reads: its version \
         lacks it",
        "update the TDX module to the latest 1.5 release for this CPU (BIOS or module file)"),
    row(&[SysRd], METADATA_FIELD_NOT_READABLE, None, Detail::None,
        "TDX_METADATA_FIELD_NOT_READABLE",
        "the TDX module does not let the host read a field this driver reads", REPORT),
    row(&[SysRd], METADATA_FIELD_SKIP, None, Detail::None, "TDX_METADATA_FIELD_SKIP",
        "the TDX module has no value for a CPUID configuration entry this driver reads", REPORT),
    row(&[SysRd], code::METADATA_FIRST_FIELD_ID_IN_CONTEXT, None, Detail::None,
        "TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT",
        "this driver asked TDH.SYS.RD for the null field id", REPORT),
    // TDH.SYS.RDALL (tdh_sys_rdall.c, md_dump_list() in metadata_generic.c).
    row(&[SysRdall], code::OPERAND_INVALID, Some(RDX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the page for TDH.SYS.RDALL's list is not a 4 KiB aligned address without KeyID bits \
         below the physical address width",
        REPORT),
    row(&[SysRdall], code::METADATA_FIELD_ID_INCORRECT, None, Detail::None,
        "TDX_METADATA_FIELD_ID_INCORRECT",
        "TDH.SYS.RDALL refused the field to start from, which was the null field id or the one \
         the TDX module returned",
        REPORT),
    row(&[SysRdall], METADATA_LIST_OVERFLOW, None, Detail::None, "TDX_METADATA_LIST_OVERFLOW",
        "the TDX module's global metadata fills more than the two pages this driver reads it \
         into with TDH.SYS.RDALL",
        "update tdx_host_rs to a release that reads this TDX module; report it with this log"),
    // TDH.SYS.CONFIG (tdh_sys_config.c).
    row(&[SysConfig], code::SYS_CONFIG_NOT_PENDING, None, Detail::None,
        "TDX_SYS_CONFIG_NOT_PENDING",
        "the TDX module counts every logical processor the BIOS enabled and waits until each did \
         TDH.SYS.LP.INIT; this kernel did it on every CPU it knows, so it does not know them all",
        "boot without nr_cpus=, maxcpus=, possible_cpus= or nosmt and bring every CPU online, or \
         disable the unused cores or threads in the BIOS"),
    row(&[SysConfig], code::OPERAND_INVALID, Some(RCX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the TDMR_INFO array or one of its entries is not 512-byte aligned, above the physical \
         address width, in the SEAM range or with KeyID bits",
        REPORT),
    row(&[SysConfig], code::OPERAND_INVALID, Some(RDX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the number of TDMRs is 0 or above the TDX module's MAX_TDMRS", REPORT),
    row(&[SysConfig], code::OPERAND_INVALID, Some(R8), Detail::Operand, "TDX_OPERAND_INVALID",
        "the global KeyID is not a TDX private KeyID of the split the TDX module read", REPORT),
    row(&[SysConfig], code::INVALID_TDMR, None, Detail::Tdmr, "TDX_INVALID_TDMR",
        "a TDMR is empty, not 1 GiB aligned, or reaches the KeyID bits", REPORT),
    row(&[SysConfig], code::NON_ORDERED_TDMR, None, Detail::Tdmr, "TDX_NON_ORDERED_TDMR",
        "a TDMR is below or overlaps the one before it", REPORT),
    row(&[SysConfig], code::INVALID_RESERVED_IN_TDMR, None, Detail::TdmrArea,
        "TDX_INVALID_RESERVED_IN_TDMR",
        "a reserved area is not 4 KiB aligned or not inside its TDMR", REPORT),
    row(&[SysConfig], code::NON_ORDERED_RESERVED_IN_TDMR, None, Detail::TdmrArea,
        "TDX_NON_ORDERED_RESERVED_IN_TDMR",
        "reserved areas are out of order, overlap, or follow an empty one", REPORT),
    row(&[SysConfig], code::INVALID_PAMT, None, Detail::TdmrPamt, "TDX_INVALID_PAMT",
        "a PAMT is unaligned, too small for its TDMR, or reaches the KeyID bits", REPORT),
    row(&[SysConfig], code::PAMT_OVERLAP, None, Detail::TdmrPamtTdmr, "TDX_PAMT_OVERLAP",
        "a PAMT overlaps another PAMT, or memory of a TDMR that no reserved area covers", REPORT),
    row(&[SysConfig], code::PAMT_OUTSIDE_CMRS, None, Detail::TdmrPamt, "TDX_PAMT_OUTSIDE_CMRS",
        "a PAMT lies outside every CMR: it was allocated from System RAM that is not convertible \
         memory, or a planner bug",
        CMRS),
    row(&[SysConfig], code::TDMR_OUTSIDE_CMRS, None, Detail::Tdmr, "TDX_TDMR_OUTSIDE_CMRS",
        "a part of a TDMR that no reserved area covers is outside every CMR: System RAM that is \
         not convertible memory, or a planner bug",
        CMRS),
    // TDH.SYS.KEY.CONFIG (tdh_sys_key_config.c, program_mktme_keys()).
    row(&[SysKeyConfig], code::SYS_KEY_CONFIG_NOT_PENDING, None, Detail::None,
        "TDX_SYS_KEY_CONFIG_NOT_PENDING",
        "TDH.SYS.KEY.CONFIG came before TDH.SYS.CONFIG succeeded, or after every package was \
         configured",
        REPORT),
    row(&[SysKeyConfig], code::KEY_GENERATION_FAILED, None, Detail::None,
        "TDX_KEY_GENERATION_FAILED",
        "PCONFIG could not generate the package's TDX key (no entropy) through every retry", RETRY),
    row(&[SysKeyConfig], code::OPERAND_BUSY, Some(KET), Detail::Operand, "TDX_OPERAND_BUSY",
        "the package's key table stayed busy through every retry: something else programs memory \
         encryption keys at the same time",
        "reboot and try again, with no other user of MKTME keys running"),
    // TDH.SYS.TDMR.INIT (the dispatcher, tdh_sys_tdmr_init.c).
    row(&[SysTdmrInit], code::SYS_NOT_READY, None, Detail::None, "TDX_SYS_NOT_READY",
        "the TDX module is not ready: a package did not get its key (TDH.SYS.KEY.CONFIG)", REPORT),
    row(&[SysTdmrInit], code::OPERAND_INVALID, Some(RCX), Detail::Operand, "TDX_OPERAND_INVALID",
        "the address is not the base of a TDMR the TDX module was configured with", REPORT),
    row(&[SysTdmrInit], code::OPERAND_BUSY, Some(RCX), Detail::Operand, "TDX_OPERAND_BUSY",
        "another CPU initialized the same TDMR through every retry", ONE_PER_BOOT),
];

/// The name of bits 63:32 of `rax` in `status.rs` or in any row.
pub(super) fn name_of(rax: u64) -> Option<&'static str> {
    let code = rax & !0xffff_ffff;
    let named = match status::decode(code) {
        Ok(s) | Err(SeamcallError::Module(s)) => s.name(),
        Err(_) => None,
    };
    named.or_else(|| {
        ROWS.iter()
            .find(|row| row.code == code && code != SW)
            .map(|row| row.name)
    })
}
