// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL completion statuses the emulated module returns in RAX.
//!
//! The emulator's own copy, written from Intel's TDX module source (TDX 1.5,
//! `include/auto_gen/tdx_error_codes_defs.h`). It is kept apart from
//! tdx_host_rs's `rust/abi/status.rs` on purpose: the emulator referees the
//! production module, and a wrong constant in production must not be
//! mirrored by its referee.
//!
//! A status (`api_error_code_t`) is the completion code in bits 63:32 and
//! details, usually an operand id, in bits 31:0.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

/// Operand ids the module puts in bits 31:0 (`OPERAND_ID_*`): RAX is 0,
/// then the register-index order (RCX 1, RDX 2, ... R15 15).
pub(crate) const OPERAND_ID_RAX: u32 = 0;
pub(crate) const OPERAND_ID_RCX: u32 = 1;
pub(crate) const OPERAND_ID_RDX: u32 = 2;
pub(crate) const OPERAND_ID_R8: u32 = 8;
pub(crate) const OPERAND_ID_R9: u32 = 9;

/// The completion codes the model returns or its tests inject: the upper
/// 32 bits of the status, with the operand details cleared.
pub(crate) mod code {
    pub(crate) const SUCCESS: u64 = 0x0000_0000_0000_0000;
    pub(crate) const INTERRUPTED_RESUMABLE: u64 = 0x8000_0003_0000_0000;
    pub(crate) const OPERAND_INVALID: u64 = 0xC000_0100_0000_0000;
    pub(crate) const OPERAND_ADDR_RANGE_ERROR: u64 = 0xC000_0101_0000_0000;
    pub(crate) const OPERAND_BUSY: u64 = 0x8000_0200_0000_0000;
    pub(crate) const SYS_BUSY: u64 = 0x8000_0202_0000_0000;
    #[cfg(test)]
    pub(crate) const RND_NO_ENTROPY: u64 = 0x8000_0203_0000_0000;
    pub(crate) const PAGE_METADATA_INCORRECT: u64 = 0xC000_0300_0000_0000;
    pub(crate) const TD_ASSOCIATED_PAGES_EXIST: u64 = 0xC000_0400_0000_0000;
    pub(crate) const SYS_INIT_NOT_PENDING: u64 = 0xC000_0500_0000_0000;
    pub(crate) const SYS_LP_INIT_NOT_DONE: u64 = 0xC000_0502_0000_0000;
    pub(crate) const SYS_LP_INIT_DONE: u64 = 0xC000_0503_0000_0000;
    pub(crate) const SYS_NOT_READY: u64 = 0xC000_0505_0000_0000;
    pub(crate) const SYS_SHUTDOWN: u64 = 0xC000_0506_0000_0000;
    pub(crate) const SYS_KEY_CONFIG_NOT_PENDING: u64 = 0xC000_0507_0000_0000;
    pub(crate) const SYS_LP_INIT_NOT_PENDING: u64 = 0xC000_050B_0000_0000;
    pub(crate) const SYS_CONFIG_NOT_PENDING: u64 = 0xC000_050C_0000_0000;
    pub(crate) const TD_FATAL: u64 = 0xE000_0604_0000_0000;
    pub(crate) const TDCS_NOT_ALLOCATED: u64 = 0xC000_0606_0000_0000;
    pub(crate) const LIFECYCLE_STATE_INCORRECT: u64 = 0xC000_0607_0000_0000;
    pub(crate) const OP_STATE_INCORRECT: u64 = 0xC000_0608_0000_0000;
    pub(crate) const TDCX_NUM_INCORRECT: u64 = 0xC000_0610_0000_0000;
    pub(crate) const VCPU_STATE_INCORRECT: u64 = 0xC000_0700_0000_0000;
    pub(crate) const VCPU_ASSOCIATED: u64 = 0x8000_0701_0000_0000;
    pub(crate) const VCPU_NOT_ASSOCIATED: u64 = 0x8000_0702_0000_0000;
    pub(crate) const MAX_VCPUS_EXCEEDED: u64 = 0xC000_0705_0000_0000;
    pub(crate) const TD_KEYS_NOT_CONFIGURED: u64 = 0x8000_0810_0000_0000;
    pub(crate) const KEY_CONFIGURED: u64 = 0x0000_0815_0000_0000;
    pub(crate) const WBCACHE_NOT_COMPLETE: u64 = 0x8000_0817_0000_0000;
    pub(crate) const HKID_NOT_FREE: u64 = 0xC000_0820_0000_0000;
    pub(crate) const NO_HKID_READY_TO_WBCACHE: u64 = 0x0000_0821_0000_0000;
    pub(crate) const WBCACHE_RESUME_ERROR: u64 = 0xC000_0823_0000_0000;
    pub(crate) const FLUSHVP_NOT_DONE: u64 = 0x8000_0824_0000_0000;
    pub(crate) const INVALID_TDMR: u64 = 0xC000_0A00_0000_0000;
    pub(crate) const NON_ORDERED_TDMR: u64 = 0xC000_0A01_0000_0000;
    pub(crate) const TDMR_OUTSIDE_CMRS: u64 = 0xC000_0A02_0000_0000;
    pub(crate) const TDMR_ALREADY_INITIALIZED: u64 = 0x0000_0A03_0000_0000;
    pub(crate) const INVALID_PAMT: u64 = 0xC000_0A10_0000_0000;
    pub(crate) const PAMT_OUTSIDE_CMRS: u64 = 0xC000_0A11_0000_0000;
    pub(crate) const PAMT_OVERLAP: u64 = 0xC000_0A12_0000_0000;
    pub(crate) const INVALID_RESERVED_IN_TDMR: u64 = 0xC000_0A20_0000_0000;
    pub(crate) const NON_ORDERED_RESERVED_IN_TDMR: u64 = 0xC000_0A21_0000_0000;
    pub(crate) const CMR_LIST_INVALID: u64 = 0xC000_0A22_0000_0000;
    // The Secure EPT's and the memory leaves'.
    pub(crate) const NO_VCPUS: u64 = 0xC000_0609_0000_0000;
    pub(crate) const EPT_WALK_FAILED: u64 = 0xC000_0B00_0000_0000;
    pub(crate) const EPT_ENTRY_NOT_PRESENT: u64 = 0xC000_0B03_0000_0000;
    pub(crate) const GPA_RANGE_NOT_BLOCKED: u64 = 0xC000_0B06_0000_0000;
    pub(crate) const GPA_RANGE_ALREADY_BLOCKED: u64 = 0x0000_0B07_0000_0000;
    pub(crate) const TLB_TRACKING_NOT_DONE: u64 = 0xC000_0B08_0000_0000;
    pub(crate) const PAGE_ALREADY_ACCEPTED: u64 = 0x0000_0B0A_0000_0000;
    pub(crate) const PAGE_SIZE_MISMATCH: u64 = 0xC000_0B0B_0000_0000;
    pub(crate) const EPT_ENTRY_STATE_INCORRECT: u64 = 0xC000_0B0D_0000_0000;
    pub(crate) const METADATA_FIELD_ID_INCORRECT: u64 = 0xC000_0C00_0000_0000;
    pub(crate) const METADATA_LIST_OVERFLOW: u64 = 0xC000_0C04_0000_0000;
    pub(crate) const METADATA_FIRST_FIELD_ID_IN_CONTEXT: u64 = 0x0000_0C0B_0000_0000;
}
