// SPDX-License-Identifier: GPL-2.0

//! Global metadata of the TDX module (TDX 1.5 ABI): the field identifiers
//! TDH.SYS.RD and TDH.SYS.RDALL take, and how a field identifier is built.
//!
//! The emulator's own copy, written from Intel's TDX module source
//! (intel/tdx-module, TDX 1.5: `include/auto_gen/global_sys_fields_lookup.c`
//! and `include/tdx_api_defs.h`). It is kept apart from tdx_host_rs's
//! `rust/abi/metadata.rs` on purpose: the emulator referees the production
//! module, and a wrong constant in production must not be mirrored by its
//! referee.
//!
//! Every identifier below is the `field_id` of an entry of the module's
//! global-scope lookup table (`global_sys_fields_lookup.c`), in the table's
//! order.
//!
//! Field identifier layout (`md_field_id_t`, `include/tdx_api_defs.h`):
//!
//! | bits  | meaning                                                     |
//! |-------|-------------------------------------------------------------|
//! | 23:0  | field code; an array's field `n` is its base code plus `n`  |
//! | 31:24 | reserved, 0                                                 |
//! | 33:32 | element size code: 0 = 1 byte, 1 = 2, 2 = 4, 3 = 8 bytes    |
//! | 37:34 | last element in field (sequences only; 0 for one element)   |
//! | 46:38 | last field in sequence (sequences only; 0 for one element)  |
//! | 49:47 | reserved, 0                                                 |
//! | 50    | increment size (element stride 2 when set)                  |
//! | 51    | write mask valid (writes only)                              |
//! | 54:52 | context code: 0 = global (SYS), 1 = TD, 2 = VCPU            |
//! | 55    | reserved, 0                                                 |
//! | 61:56 | class code                                                  |
//! | 62    | reserved, 0                                                 |
//! | 63    | non-architectural field                                     |
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

/// Bits 23:0: the field code.
pub(crate) const FIELD_CODE_MASK: u64 = 0xff_ffff;
/// Bits 33:32: the element size code.
pub(crate) const ELEMENT_SIZE_SHIFT: u32 = 32;
/// Bits 37:34: the last element in the field (sequence headers).
pub(crate) const LAST_ELEMENT_SHIFT: u32 = 34;
/// Bits 46:38: the last field in the sequence (sequence headers).
pub(crate) const LAST_FIELD_SHIFT: u32 = 38;
/// Bits 54:52: the context code (`CONTEXT_CODE_MASK`).
pub(crate) const CONTEXT_SHIFT: u32 = 52;
pub(crate) const CONTEXT_MASK: u64 = 0x7 << CONTEXT_SHIFT;
/// Bits 61:56: the class code.
pub(crate) const CLASS_SHIFT: u32 = 56;
/// Bit 63: the field is not architectural.
#[cfg(test)]
pub(crate) const NON_ARCH_BIT: u64 = 1 << 63;
/// The reserved bits: 31:24, 49:47, 55 and 62.
pub(crate) const RESERVED_MASK: u64 = 0xff << 24 | 0x7 << 47 | 1 << 55 | 1 << 62;

/// Context code of global-scope (TDX module wide) fields (`MD_CTX_SYS`).
#[cfg(test)]
pub(crate) const CONTEXT_SYS: u8 = 0;
/// No field (`MD_FIELD_ID_NA`); as an input to TDH.SYS.RD, "the first field".
pub(crate) const FIELD_ID_NA: u64 = u64::MAX;

/// The field code, bits 23:0.
pub(crate) const fn field_code(id: u64) -> u32 {
    (id & FIELD_CODE_MASK) as u32
}

/// The element size code, bits 33:32.
pub(crate) const fn element_size_code(id: u64) -> u8 {
    ((id >> ELEMENT_SIZE_SHIFT) & 0x3) as u8
}

/// The bits an element of this field can hold (`md_get_element_size_mask`).
pub(crate) const fn element_mask(id: u64) -> u64 {
    match element_size_code(id) {
        3 => u64::MAX,
        code => (1 << (8 << code)) - 1,
    }
}

/// The last element in the field, bits 37:34.
pub(crate) const fn last_element_in_field(id: u64) -> u8 {
    ((id >> LAST_ELEMENT_SHIFT) & 0xf) as u8
}

/// The last field in the sequence, bits 46:38.
pub(crate) const fn last_field_in_sequence(id: u64) -> u16 {
    ((id >> LAST_FIELD_SHIFT) & 0x1ff) as u16
}

/// The context code, bits 54:52.
#[cfg(test)]
pub(crate) const fn context_code(id: u64) -> u8 {
    ((id & CONTEXT_MASK) >> CONTEXT_SHIFT) as u8
}

/// The class code, bits 61:56.
pub(crate) const fn class_code(id: u64) -> u8 {
    ((id >> CLASS_SHIFT) & 0x3f) as u8
}

/// Whether `id` means "no field": all bits set but the context code
/// (`is_null_field_id`).
pub(crate) const fn is_null(id: u64) -> bool {
    id | CONTEXT_MASK == FIELD_ID_NA
}

/// The identifier of field `index` of an array field such as [`CMR_BASE`]:
/// the module numbers an array's fields by consecutive field codes.
#[cfg(test)]
pub(crate) const fn array_field(base: u64, index: u32) -> u64 {
    base + index as u64
}

// Platform information (class 0).
/// Number of packages (u32).
pub(crate) const NUM_PKGS: u64 = 0x0000_0002_0000_0000;
/// Family/model/stepping of each package: 8 fields (u32).
pub(crate) const PKG_FMS: u64 = 0x0000_0002_0000_0001;

// TDX module version (class 8).
/// 0x8086 (u32).
pub(crate) const VENDOR_ID: u64 = 0x0800_0002_0000_0000;
/// Build date, YYYYMMDD in decimal (u32).
pub(crate) const BUILD_DATE: u64 = 0x8800_0002_0000_0001;
/// Build number (u16).
pub(crate) const BUILD_NUM: u64 = 0x8800_0001_0000_0002;
/// Minor version: 5 on TDX 1.5 (u16).
pub(crate) const MINOR_VERSION: u64 = 0x0800_0001_0000_0003;
/// Major version: 1 on TDX 1.5 (u16).
pub(crate) const MAJOR_VERSION: u64 = 0x0800_0001_0000_0004;
/// Update version (u16).
pub(crate) const UPDATE_VERSION: u64 = 0x0800_0001_0000_0005;
/// Internal version (u16).
pub(crate) const INTERNAL_VERSION: u64 = 0x0800_0001_0000_0006;

// TDX module handoff (class 9).
/// Handoff version of this module (u16).
pub(crate) const MODULE_HV: u64 = 0x8900_0001_0000_0000;
/// Lowest handoff version this module can take over from (u16).
pub(crate) const MIN_UPDATE_HV: u64 = 0x8900_0001_0000_0001;
/// Whether downgrades are refused (u8).
pub(crate) const NO_DOWNGRADE: u64 = 0x8900_0000_0000_0002;
/// Pages reserved for handoff data (u16).
pub(crate) const NUM_HANDOFF_PAGES: u64 = 0x8900_0001_0000_0003;
/// Whether valid handoff data is present (u8).
pub(crate) const HANDOFF_DATA_VALID: u64 = 0x8900_0000_0000_0004;
/// Handoff version of the handoff data (u16).
pub(crate) const HANDOFF_DATA_HV: u64 = 0x8900_0001_0000_0005;
/// Size of the handoff data (u32).
pub(crate) const HANDOFF_DATA_SIZE: u64 = 0x8900_0002_0000_0006;

// TDX module information (class 10).
/// Module attributes (u32).
pub(crate) const SYS_ATTRIBUTES: u64 = 0x0A00_0002_0000_0000;
/// Number of TDX_FEATURES fields: 1 on TDX 1.5 (u8).
pub(crate) const NUM_TDX_FEATURES: u64 = 0x0A00_0000_0000_0001;
/// Features the module supports (u64); see the `TDX_FEATURES0_*` bits.
pub(crate) const TDX_FEATURES0: u64 = 0x0A00_0003_0000_0008;

// CMR information (class 16).
/// Number of CMR entries: the size of the CMR table, 32 (u16).
pub(crate) const NUM_CMRS: u64 = 0x9000_0001_0000_0000;
/// Base of each CMR: 32 fields, use [`array_field`] (u64).
pub(crate) const CMR_BASE: u64 = 0x9000_0003_0000_0080;
/// Size of each CMR, 0 for a null entry: 32 fields (u64).
pub(crate) const CMR_SIZE: u64 = 0x9000_0003_0000_0100;
/// Fields in [`CMR_BASE`] and [`CMR_SIZE`] (`MAX_CMR`).
pub(crate) const CMR_FIELDS: u32 = 32;

// TDMR information (class 17).
/// Most TDMRs TDH.SYS.CONFIG takes (u16).
pub(crate) const MAX_TDMRS: u64 = 0x9100_0001_0000_0008;
/// Reserved areas in each TDMR_INFO (u16).
pub(crate) const MAX_RESERVED_PER_TDMR: u64 = 0x9100_0001_0000_0009;
/// Bytes per PAMT entry of a 4 KiB page (u16).
pub(crate) const PAMT_4K_ENTRY_SIZE: u64 = 0x9100_0001_0000_0010;
/// Bytes per PAMT entry of a 2 MiB page (u16).
pub(crate) const PAMT_2M_ENTRY_SIZE: u64 = 0x9100_0001_0000_0011;
/// Bytes per PAMT entry of a 1 GiB page (u16).
pub(crate) const PAMT_1G_ENTRY_SIZE: u64 = 0x9100_0001_0000_0012;

// TD control structures (class 24).
/// Bytes of a TDR (u16).
pub(crate) const TDR_BASE_SIZE: u64 = 0x9800_0001_0000_0000;
/// Bytes of a TDCS without L2 VMs (u16).
pub(crate) const TDCS_BASE_SIZE: u64 = 0x9800_0001_0000_0100;
/// TDCS bytes per L2 VM (u16).
pub(crate) const TDCS_SIZE_PER_L2_VM: u64 = 0x9800_0001_0000_0101;
/// Bytes of a TDVPS without L2 VMs (u16).
pub(crate) const TDVPS_BASE_SIZE: u64 = 0x9800_0001_0000_0200;
/// TDVPS bytes per L2 VM (u16).
pub(crate) const TDVPS_SIZE_PER_L2_VM: u64 = 0x9800_0001_0000_0201;

// TD configurability (class 25).
/// ATTRIBUTES bits that may be 1 (u64).
pub(crate) const ATTRIBUTES_FIXED0: u64 = 0x1900_0003_0000_0000;
/// ATTRIBUTES bits that must be 1 (u64).
pub(crate) const ATTRIBUTES_FIXED1: u64 = 0x1900_0003_0000_0001;
/// XFAM bits that may be 1 (u64).
pub(crate) const XFAM_FIXED0: u64 = 0x1900_0003_0000_0002;
/// XFAM bits that must be 1 (u64).
pub(crate) const XFAM_FIXED1: u64 = 0x1900_0003_0000_0003;
/// Number of configurable CPUID leaves (u16).
pub(crate) const NUM_CPUID_CONFIG: u64 = 0x9900_0001_0000_0004;
/// CONFIG_FLAGS bits that may be 1 (u64).
pub(crate) const CONFIG_FLAGS_FIXED0: u64 = 0x9900_0003_0000_0006;
/// CONFIG_FLAGS bits that must be 1 (u64).
pub(crate) const CONFIG_FLAGS_FIXED1: u64 = 0x9900_0003_0000_0007;
/// Most VCPUs per TD (u16).
pub(crate) const MAX_VCPUS_PER_TD: u64 = 0x9900_0001_0000_0008;
/// Lowest virtual MAXPA (u8).
pub(crate) const MIN_VIRT_MAXPA: u64 = 0x9900_0000_0000_0009;
/// Configurable CPUID leaf/sub-leaf: 32 fields (u64).
pub(crate) const CPUID_CONFIG_LEAVES: u64 = 0x9900_0003_0000_0400;
/// Configurable CPUID bits: 32 fields of 2 elements (u64).
pub(crate) const CPUID_CONFIG_VALUES: u64 = 0x9900_0003_0000_0500;
/// IA32_ARCH_CAPABILITIES bits a TD may configure (u64).
pub(crate) const IA32_ARCH_CAPABILITIES_CONFIG_MASK: u64 = 0x9900_0003_0000_0600;
/// Number of allowed FMS values (u16).
pub(crate) const NUM_ALLOWED_FMS: u64 = 0x9900_0001_0000_0800;
/// Number of disallowed FMS values (u16).
pub(crate) const NUM_DISALLOWED_FMS: u64 = 0x9900_0001_0000_0801;
/// Allowed FMS values: 64 fields (u64).
pub(crate) const ALLOWED_FMS: u64 = 0x9900_0003_0000_0810;
/// Disallowed FMS values: 64 fields (u64).
pub(crate) const DISALLOWED_FMS: u64 = 0x9900_0003_0000_0850;

// Migration (class 32).
/// Migration attributes (u64).
pub(crate) const MIG_ATTRIBUTES: u64 = 0xA000_0003_0000_0000;
/// Lowest export version (u16).
pub(crate) const MIN_EXPORT_VERSION: u64 = 0x2000_0001_0000_0001;
/// Highest export version (u16).
pub(crate) const MAX_EXPORT_VERSION: u64 = 0x2000_0001_0000_0002;
/// Lowest import version (u16).
pub(crate) const MIN_IMPORT_VERSION: u64 = 0x2000_0001_0000_0003;
/// Highest import version (u16).
pub(crate) const MAX_IMPORT_VERSION: u64 = 0x2000_0001_0000_0004;
/// Most migration streams (u16).
pub(crate) const MAX_MIGS: u64 = 0xA000_0001_0000_0010;
/// Pages of exported immutable state (u8).
pub(crate) const NUM_IMMUTABLE_STATE_PAGES: u64 = 0xA000_0000_0000_0020;
/// Pages of exported TD state (u8).
pub(crate) const NUM_TD_STATE_PAGES: u64 = 0xA000_0000_0000_0021;
/// Pages of exported VCPU state (u8).
pub(crate) const NUM_VP_STATE_PAGES: u64 = 0xA000_0000_0000_0022;

// Service TDs (class 33).
/// Most service TDs per TD (u16).
pub(crate) const MAX_SERV_TDS: u64 = 0xA100_0001_0000_0000;
/// Service TD attribute bits that may be 1 (u64).
pub(crate) const SERVTD_ATTR_FIXED0: u64 = 0xA100_0003_0000_0001;
/// Service TD attribute bits that must be 1 (u64).
pub(crate) const SERVTD_ATTR_FIXED1: u64 = 0xA100_0003_0000_0002;

// TD partitioning (class 34).
/// L2 GPA attribute bits (u16).
pub(crate) const GUEST_L2_GPA_ATTR_MASK: u64 = 0xA200_0001_0000_0000;
/// L2 VM controls that may be 1 (u64).
pub(crate) const VM_CTLS_FIXED0: u64 = 0xA200_0003_0000_0001;
/// L2 VM controls that must be 1 (u64).
pub(crate) const VM_CTLS_FIXED1: u64 = 0xA200_0003_0000_0002;
/// L2 VCPU controls that may be 1 (u64; the module spells it `VPCU`).
pub(crate) const VCPU_L2_CTLS_FIXED0: u64 = 0xA200_0003_0000_0003;
/// L2 VCPU controls that must be 1 (u64).
pub(crate) const VCPU_L2_CTLS_FIXED1: u64 = 0xA200_0003_0000_0004;
/// L2 VCPU debug controls that may be 1 (u64).
pub(crate) const VCPU_L2_DEBUG_CTLS_FIXED0: u64 = 0xA200_0003_0000_0005;
/// L2 VCPU debug controls that must be 1 (u64).
pub(crate) const VCPU_L2_DEBUG_CTLS_FIXED1: u64 = 0xA200_0003_0000_0006;

// TDX_FEATURES0 bits (`tdx_features_enum0_t`, `include/tdx_api_defs.h`).
/// TD migration.
pub(crate) const TDX_FEATURES0_TD_MIGRATION: u64 = 1 << 0;
/// TD-preserving module update.
pub(crate) const TDX_FEATURES0_TD_PRESERVING: u64 = 1 << 1;
/// Service TDs.
pub(crate) const TDX_FEATURES0_SERVICE_TD: u64 = 1 << 2;
/// TDG.VP.RD/WR.
pub(crate) const TDX_FEATURES0_TDG_VP_RDWR: u64 = 1 << 3;
/// Relaxed memory management concurrency.
pub(crate) const TDX_FEATURES0_RELAXED_MEM_MNG_CONCURRENCY: u64 = 1 << 4;
/// Guest-controlled CPUID virtualization.
pub(crate) const TDX_FEATURES0_CPUID_VIRT_GUEST_CTRL: u64 = 1 << 5;
/// TD partitioning (L2 VMs).
pub(crate) const TDX_FEATURES0_TD_PARTITIONING: u64 = 1 << 7;
/// TD entry enhancements.
pub(crate) const TDX_FEATURES0_TD_ENTRY_ENHANCEMENTS: u64 = 1 << 9;
/// Host-priority locks.
pub(crate) const TDX_FEATURES0_HOST_PRIORITY_LOCKS: u64 = 1 << 10;
/// Configurable IA32_ARCH_CAPABILITIES.
pub(crate) const TDX_FEATURES0_CONFIG_IA32_ARCH_CAP: u64 = 1 << 11;
/// Pending EPT violation v2.
pub(crate) const TDX_FEATURES0_PENDING_EPT_VIOLATION_V2: u64 = 1 << 16;
/// FMS configuration.
pub(crate) const TDX_FEATURES0_FMS_CONFIG: u64 = 1 << 17;
/// TDH.VP.ENTER and TDG.VP.VMCALL may be told not to modify RBP.
pub(crate) const TDX_FEATURES0_NO_RBP_MOD: u64 = 1 << 18;
/// L2 TLB invalidation optimization.
pub(crate) const TDX_FEATURES0_L2_TLB_INVD_OPT: u64 = 1 << 19;
/// Topology enumeration.
pub(crate) const TDX_FEATURES0_TOPOLOGY_ENUM: u64 = 1 << 20;
/// ICSSD.
pub(crate) const TDX_FEATURES0_ICSSD: u64 = 1 << 25;
/// Fixed counters 1/2 profiling.
pub(crate) const TDX_FEATURES0_FIXED_CTR12_PROF: u64 = 1 << 26;
/// MAXPA virtualization.
pub(crate) const TDX_FEATURES0_MAXPA_VIRT: u64 = 1 << 27;
/// CPUID leaf 2 virtualization.
pub(crate) const TDX_FEATURES0_CPUID2_VIRT: u64 = 1 << 29;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_linux_ids_decode_as_the_abi_says() {
        // arch/x86/virt/vmx/tdx/tdx.h (Linux 6.12).
        assert_eq!(MAX_TDMRS, 0x9100000100000008);
        assert_eq!(MAX_RESERVED_PER_TDMR, 0x9100000100000009);
        assert_eq!(PAMT_4K_ENTRY_SIZE, 0x9100000100000010);
        assert_eq!(PAMT_2M_ENTRY_SIZE, 0x9100000100000011);
        assert_eq!(PAMT_1G_ENTRY_SIZE, 0x9100000100000012);
        assert_eq!(class_code(MAX_TDMRS), 17);
        assert_eq!(field_code(MAX_TDMRS), 8);
        assert_eq!(element_size_code(MAX_TDMRS), 1);
        assert_ne!(MAX_TDMRS & NON_ARCH_BIT, 0);
        assert_eq!(context_code(MAX_TDMRS), CONTEXT_SYS);
    }

    #[test]
    fn element_masks() {
        assert_eq!(element_mask(NUM_TDX_FEATURES), 0xff);
        assert_eq!(element_mask(MINOR_VERSION), 0xffff);
        assert_eq!(element_mask(VENDOR_ID), 0xffff_ffff);
        assert_eq!(element_mask(TDX_FEATURES0), u64::MAX);
    }

    #[test]
    fn array_fields_are_consecutive_field_codes() {
        assert_eq!(array_field(CMR_BASE, 0), CMR_BASE);
        assert_eq!(array_field(CMR_BASE, 31), 0x9000_0003_0000_009F);
        assert_eq!(field_code(array_field(CMR_SIZE, 3)), 0x103);
        assert_eq!(class_code(array_field(CMR_SIZE, 3)), 16);
    }

    #[test]
    fn sequence_fields_decode() {
        let id = TDX_FEATURES0 | 3 << LAST_ELEMENT_SHIFT | 5 << LAST_FIELD_SHIFT;
        assert_eq!(last_element_in_field(id), 3);
        assert_eq!(last_field_in_sequence(id), 5);
        assert_eq!(last_element_in_field(TDX_FEATURES0), 0);
        assert_eq!(context_code(1 << CONTEXT_SHIFT), 1);
        assert_eq!(class_code(TDX_FEATURES0), 10);
    }

    #[test]
    fn null_ignores_only_the_context_code() {
        assert!(is_null(FIELD_ID_NA));
        assert!(is_null(FIELD_ID_NA & !CONTEXT_MASK));
        assert!(!is_null(FIELD_ID_NA - 1));
        assert!(!is_null(0));
    }

    #[test]
    fn no_id_sets_a_reserved_bit_and_features_bits_are_distinct() {
        for id in [
            NUM_PKGS,
            BUILD_DATE,
            TDX_FEATURES0,
            CMR_SIZE,
            MAX_TDMRS,
            CPUID_CONFIG_VALUES,
            VCPU_L2_DEBUG_CTLS_FIXED1,
        ] {
            assert_eq!(id & RESERVED_MASK, 0, "{id:#x}");
        }
        assert_eq!(TDX_FEATURES0_NO_RBP_MOD, 0x4_0000);
    }
}
