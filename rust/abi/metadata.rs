// SPDX-License-Identifier: GPL-2.0

//! The global metadata fields of the TDX module (TDX 1.5 ABI) that this
//! module reads with TDH.SYS.RD, as [`FieldId`]s.
//!
//! Each identifier is the `field_id` of an entry of the module's global-scope
//! lookup table (intel/tdx-module, TDX 1.5,
//! `include/auto_gen/global_sys_fields_lookup.c`). Field identifier layout
//! (`md_field_id_t`, `include/tdx_api_defs.h`): bits 23:0 the field code (an
//! array's field `n` is its base code plus `n`), 33:32 the element size code,
//! 54:52 the context (0: global), 61:56 the class, 63 non-architectural; the
//! other bits are zero in a field the host names.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

/// A global metadata field identifier, as TDH.SYS.RD takes it in RDX.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct FieldId(u64);

impl FieldId {
    /// The value RDX carries.
    pub(crate) const fn raw(self) -> u64 {
        self.0
    }

    /// Field `index` of an array field such as [`CMR_BASE`]: the module
    /// numbers an array's fields by consecutive field codes.
    pub(crate) const fn element(self, index: u32) -> FieldId {
        FieldId(self.0 + index as u64)
    }
}

// TDX module version (class 8).
/// Minor version (u16).
pub(crate) const MINOR_VERSION: FieldId = FieldId(0x0800_0001_0000_0003);
/// Major version (u16).
pub(crate) const MAJOR_VERSION: FieldId = FieldId(0x0800_0001_0000_0004);
/// Update version (u16).
pub(crate) const UPDATE_VERSION: FieldId = FieldId(0x0800_0001_0000_0005);
/// Internal version (u16).
pub(crate) const INTERNAL_VERSION: FieldId = FieldId(0x0800_0001_0000_0006);

// TDX module features (class 10).
/// TDX_FEATURES0 (u64).
pub(crate) const TDX_FEATURES0: FieldId = FieldId(0x0A00_0003_0000_0008);
/// TDX_FEATURES0 bit 18: a TD exit hands RBP back as the host left it.
pub(crate) const TDX_FEATURES0_NO_RBP_MOD: u64 = 1 << 18;

// Convertible memory ranges (class 16).
/// Number of CMRs (u16).
pub(crate) const NUM_CMRS: FieldId = FieldId(0x9000_0001_0000_0000);
/// CMR base addresses, an array of u64.
pub(crate) const CMR_BASE: FieldId = FieldId(0x9000_0003_0000_0080);
/// CMR sizes, an array of u64.
pub(crate) const CMR_SIZE: FieldId = FieldId(0x9000_0003_0000_0100);

// TDMR limits (class 17).
/// Largest number of TDMRs (u16).
pub(crate) const MAX_TDMRS: FieldId = FieldId(0x9100_0001_0000_0008);
/// Largest number of reserved areas per TDMR (u16).
pub(crate) const MAX_RESERVED_PER_TDMR: FieldId = FieldId(0x9100_0001_0000_0009);
/// PAMT entry sizes in bytes for 4 KiB, 2 MiB and 1 GiB pages (u16 each).
pub(crate) const PAMT_4K_ENTRY_SIZE: FieldId = FieldId(0x9100_0001_0000_0010);
pub(crate) const PAMT_2M_ENTRY_SIZE: FieldId = FieldId(0x9100_0001_0000_0011);
pub(crate) const PAMT_1G_ENTRY_SIZE: FieldId = FieldId(0x9100_0001_0000_0012);

// TD control structure sizes (class 24), in bytes (u16 each).
/// TDR size.
pub(crate) const TDR_BASE_SIZE: FieldId = FieldId(0x9800_0001_0000_0000);
/// TDCS size: TDH.MNG.ADDCX adds this many bytes of 4 KiB pages.
pub(crate) const TDCS_BASE_SIZE: FieldId = FieldId(0x9800_0001_0000_0100);
/// TDVPS size: the TDVPR page and the TDCX pages of one vCPU.
pub(crate) const TDVPS_BASE_SIZE: FieldId = FieldId(0x9800_0001_0000_0200);

// TD configurability (class 25).
/// TD ATTRIBUTES bits that may be 1 (u64).
pub(crate) const ATTRIBUTES_FIXED0: FieldId = FieldId(0x1900_0003_0000_0000);
/// TD ATTRIBUTES bits that must be 1 (u64).
pub(crate) const ATTRIBUTES_FIXED1: FieldId = FieldId(0x1900_0003_0000_0001);
/// XFAM bits that may be 1 (u64).
pub(crate) const XFAM_FIXED0: FieldId = FieldId(0x1900_0003_0000_0002);
/// XFAM bits that must be 1 (u64).
pub(crate) const XFAM_FIXED1: FieldId = FieldId(0x1900_0003_0000_0003);
/// Number of configurable CPUID leaves (u16).
pub(crate) const NUM_CPUID_CONFIG: FieldId = FieldId(0x9900_0001_0000_0004);
/// Largest number of vCPUs of a TD (u16).
pub(crate) const MAX_VCPUS_PER_TD: FieldId = FieldId(0x9900_0001_0000_0008);
/// The configurable CPUID leaves, an array of u64: leaf in bits 31:0,
/// subleaf in bits 63:32.
pub(crate) const CPUID_CONFIG_LEAVES: FieldId = FieldId(0x9900_0003_0000_0400);
/// Their configurable bits, an array of two u64 per leaf (EBX:EAX,
/// EDX:ECX).
pub(crate) const CPUID_CONFIG_VALUES: FieldId = FieldId(0x9900_0003_0000_0500);

/// Field `half` (0: EBX:EAX, 1: EDX:ECX) of configurable CPUID leaf `index`.
pub(crate) const fn cpuid_config_value(index: u32, half: u32) -> FieldId {
    CPUID_CONFIG_VALUES.element(index * 2 + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESERVED_BITS: u64 = 0xff << 24 | 0x7 << 47 | 1 << 55 | 1 << 62;

    #[test]
    fn upstream_linux_ids_are_ours() {
        // arch/x86/virt/vmx/tdx/tdx.h (Linux 6.12).
        assert_eq!(MAX_TDMRS.raw(), 0x9100000100000008);
        assert_eq!(MAX_RESERVED_PER_TDMR.raw(), 0x9100000100000009);
        assert_eq!(PAMT_4K_ENTRY_SIZE.raw(), 0x9100000100000010);
        assert_eq!(PAMT_2M_ENTRY_SIZE.raw(), 0x9100000100000011);
        assert_eq!(PAMT_1G_ENTRY_SIZE.raw(), 0x9100000100000012);
        assert_eq!(TDX_FEATURES0.raw(), 0x0A00000300000008);
    }

    #[test]
    fn upstream_td_ctrl_and_td_conf_ids_are_ours() {
        // arch/x86/virt/vmx/tdx/tdx_global_metadata.c (Linux 6.16).
        assert_eq!(TDR_BASE_SIZE.raw(), 0x9800000100000000);
        assert_eq!(TDCS_BASE_SIZE.raw(), 0x9800000100000100);
        assert_eq!(TDVPS_BASE_SIZE.raw(), 0x9800000100000200);
        assert_eq!(ATTRIBUTES_FIXED0.raw(), 0x1900000300000000);
        assert_eq!(ATTRIBUTES_FIXED1.raw(), 0x1900000300000001);
        assert_eq!(XFAM_FIXED0.raw(), 0x1900000300000002);
        assert_eq!(XFAM_FIXED1.raw(), 0x1900000300000003);
        assert_eq!(NUM_CPUID_CONFIG.raw(), 0x9900000100000004);
        assert_eq!(MAX_VCPUS_PER_TD.raw(), 0x9900000100000008);
        assert_eq!(CPUID_CONFIG_LEAVES.element(5).raw(), 0x9900000300000400 + 5);
        // Two values per leaf: leaf i's pair at 0x500 + 2i and 0x500 + 2i + 1.
        assert_eq!(cpuid_config_value(0, 0).raw(), 0x9900000300000500);
        assert_eq!(cpuid_config_value(0, 1).raw(), 0x9900000300000501);
        assert_eq!(cpuid_config_value(7, 1).raw(), 0x9900000300000500 + 15);
        // The last of 128 leaves stays inside the array's field codes.
        assert_eq!(cpuid_config_value(127, 1).raw() & 0xff_ffff, 0x5ff);
    }

    #[test]
    fn array_fields_are_consecutive_field_codes() {
        assert_eq!(CMR_BASE.element(0), CMR_BASE);
        assert_eq!(CMR_BASE.element(31).raw(), 0x9000_0003_0000_009F);
        assert_eq!(CMR_SIZE.element(3).raw() & 0xff_ffff, 0x103);
    }

    #[test]
    fn no_id_sets_a_reserved_bit_and_all_are_global() {
        for id in [
            MINOR_VERSION,
            MAJOR_VERSION,
            UPDATE_VERSION,
            INTERNAL_VERSION,
            TDX_FEATURES0,
            NUM_CMRS,
            CMR_BASE,
            CMR_SIZE,
            MAX_TDMRS,
            MAX_RESERVED_PER_TDMR,
            PAMT_4K_ENTRY_SIZE,
            PAMT_2M_ENTRY_SIZE,
            PAMT_1G_ENTRY_SIZE,
            TDR_BASE_SIZE,
            TDCS_BASE_SIZE,
            TDVPS_BASE_SIZE,
            ATTRIBUTES_FIXED0,
            ATTRIBUTES_FIXED1,
            XFAM_FIXED0,
            XFAM_FIXED1,
            NUM_CPUID_CONFIG,
            MAX_VCPUS_PER_TD,
            CPUID_CONFIG_LEAVES,
            CPUID_CONFIG_VALUES,
        ] {
            assert_eq!(id.raw() & RESERVED_BITS, 0, "{:#x}", id.raw());
            assert_eq!(id.raw() >> 52 & 0x7, 0, "{:#x}", id.raw());
        }
        assert_eq!(TDX_FEATURES0_NO_RBP_MOD, 0x4_0000);
    }
}
