// SPDX-License-Identifier: GPL-2.0

//! The emulated module's global metadata: the module's lookup table of
//! global-scope fields (`global_sys_lookup`, TDX 1.5
//! `include/auto_gen/global_sys_fields_lookup.c`), how TDH.SYS.RD finds a
//! field and the next one (`md_find_entry_idx()`,
//! `md_get_next_element_in_context()`, `metadata_generic.c`), and the values
//! the model gives (`md_sys_get_elements()`, `metadata_sys.c`).
//!
//! The model knows every field's identifier; [`value`] gives the values it
//! has, the build constants through `sys_consts.rs`; reading another field
//! is declined (`sys_consts.rs` lists those).
//!
//! Pure `core`.

use super::cmr::cmr_table;
use super::sys::{Sys, MAX_TDMRS};
use super::sys_consts;
use super::tdmr_info::{MAX_RESERVED_AREAS, PAMT_ENTRY_SIZE};
use crate::abi::metadata::{self as md, *};
use crate::module_version::ModuleVersion;
use crate::td_conf as conf;

/// One lookup table entry: `fields` fields of `elements` elements each,
/// numbered by consecutive field codes from `id`'s.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) id: u64,
    pub(crate) fields: u16,
    pub(crate) elements: u16,
}

const fn one(id: u64) -> Entry {
    Entry {
        id,
        fields: 1,
        elements: 1,
    }
}

const fn array(id: u64, fields: u16, elements: u16) -> Entry {
    Entry {
        id,
        fields,
        elements,
    }
}

/// `global_sys_lookup`, in the module's order.
pub(crate) const TABLE: [Entry; 67] = [
    one(NUM_PKGS),
    array(PKG_FMS, 8, 1),
    one(VENDOR_ID),
    one(BUILD_DATE),
    one(BUILD_NUM),
    one(MINOR_VERSION),
    one(MAJOR_VERSION),
    one(UPDATE_VERSION),
    one(INTERNAL_VERSION),
    one(MODULE_HV),
    one(MIN_UPDATE_HV),
    one(NO_DOWNGRADE),
    one(NUM_HANDOFF_PAGES),
    one(HANDOFF_DATA_VALID),
    one(HANDOFF_DATA_HV),
    one(HANDOFF_DATA_SIZE),
    one(SYS_ATTRIBUTES),
    one(NUM_TDX_FEATURES),
    one(TDX_FEATURES0),
    one(NUM_CMRS),
    array(CMR_BASE, 32, 1),
    array(CMR_SIZE, 32, 1),
    one(md::MAX_TDMRS),
    one(MAX_RESERVED_PER_TDMR),
    one(PAMT_4K_ENTRY_SIZE),
    one(PAMT_2M_ENTRY_SIZE),
    one(PAMT_1G_ENTRY_SIZE),
    one(TDR_BASE_SIZE),
    one(TDCS_BASE_SIZE),
    one(TDCS_SIZE_PER_L2_VM),
    one(TDVPS_BASE_SIZE),
    one(TDVPS_SIZE_PER_L2_VM),
    one(ATTRIBUTES_FIXED0),
    one(ATTRIBUTES_FIXED1),
    one(XFAM_FIXED0),
    one(XFAM_FIXED1),
    one(NUM_CPUID_CONFIG),
    one(CONFIG_FLAGS_FIXED0),
    one(CONFIG_FLAGS_FIXED1),
    one(MAX_VCPUS_PER_TD),
    one(MIN_VIRT_MAXPA),
    array(CPUID_CONFIG_LEAVES, 32, 1),
    array(CPUID_CONFIG_VALUES, 32, 2),
    one(IA32_ARCH_CAPABILITIES_CONFIG_MASK),
    one(NUM_ALLOWED_FMS),
    one(NUM_DISALLOWED_FMS),
    array(ALLOWED_FMS, 64, 1),
    array(DISALLOWED_FMS, 64, 1),
    one(MIG_ATTRIBUTES),
    one(MIN_EXPORT_VERSION),
    one(MAX_EXPORT_VERSION),
    one(MIN_IMPORT_VERSION),
    one(MAX_IMPORT_VERSION),
    one(MAX_MIGS),
    one(NUM_IMMUTABLE_STATE_PAGES),
    one(NUM_TD_STATE_PAGES),
    one(NUM_VP_STATE_PAGES),
    one(MAX_SERV_TDS),
    one(SERVTD_ATTR_FIXED0),
    one(SERVTD_ATTR_FIXED1),
    one(GUEST_L2_GPA_ATTR_MASK),
    one(VM_CTLS_FIXED0),
    one(VM_CTLS_FIXED1),
    one(VCPU_L2_CTLS_FIXED0),
    one(VCPU_L2_CTLS_FIXED1),
    one(VCPU_L2_DEBUG_CTLS_FIXED0),
    one(VCPU_L2_DEBUG_CTLS_FIXED1),
];

/// TDX_FEATURES0 as the TDX 1.5 module reports it (`md_sys_get_elements()`),
/// on a platform without SEAMVERIFYREPORT (so no local attestation).
pub(crate) const DEFAULT_FEATURES0: u64 = TDX_FEATURES0_TD_MIGRATION
    | TDX_FEATURES0_TD_PRESERVING
    | TDX_FEATURES0_SERVICE_TD
    | TDX_FEATURES0_TDG_VP_RDWR
    | TDX_FEATURES0_RELAXED_MEM_MNG_CONCURRENCY
    | TDX_FEATURES0_CPUID_VIRT_GUEST_CTRL
    | TDX_FEATURES0_TD_PARTITIONING
    | TDX_FEATURES0_TD_ENTRY_ENHANCEMENTS
    | TDX_FEATURES0_HOST_PRIORITY_LOCKS
    | TDX_FEATURES0_CONFIG_IA32_ARCH_CAP
    | TDX_FEATURES0_PENDING_EPT_VIOLATION_V2
    | TDX_FEATURES0_FMS_CONFIG
    | TDX_FEATURES0_NO_RBP_MOD
    | TDX_FEATURES0_L2_TLB_INVD_OPT
    | TDX_FEATURES0_TOPOLOGY_ENUM
    | TDX_FEATURES0_ICSSD
    | TDX_FEATURES0_FIXED_CTR12_PROF
    | TDX_FEATURES0_MAXPA_VIRT
    | TDX_FEATURES0_CPUID2_VIRT;

/// Element index (across all fields) of `id` in `entry`.
const fn element_index(entry: &Entry, id: u64) -> u64 {
    (field_code(id) - field_code(entry.id)) as u64
}

/// Whether entry `idx` is in `version`'s `global_sys_lookup`. MIN_VIRT_MAXPA
/// came with 1.5.06: the 1.5.05 tree's table has 66 entries, without it.
/// The 1.5.01 tree's has 65: it lacks MAX_VCPUS_PER_TD too, which the model
/// still reports for every version (not modeled: TD creation takes its
/// limit from it).
pub(crate) fn present(version: ModuleVersion, idx: usize) -> bool {
    TABLE[idx].id != MIN_VIRT_MAXPA || version == ModuleVersion::V1_5_06
}

/// `md_find_entry_idx()`: the entry of `version`'s table whose class holds
/// `id`'s field code.
pub(crate) fn find(version: ModuleVersion, id: u64) -> Option<usize> {
    TABLE.iter().enumerate().position(|(i, e)| {
        let first = field_code(e.id) as u64;
        let end = first + e.elements as u64 * e.fields as u64;
        present(version, i)
            && class_code(e.id) == class_code(id)
            && (first..end).contains(&(field_code(id) as u64))
    })
}

/// The first entry of `version`'s table at or after `idx`.
pub(crate) fn entry_from(version: ModuleVersion, idx: usize) -> Option<usize> {
    (idx..TABLE.len()).find(|&i| present(version, i))
}

/// `md_get_next_element_in_context()` for the global context: the element
/// after `id` (same identifier with the next field code while the entry has
/// more), the first field of the next entry, or [`FIELD_ID_NA`] after the last;
/// for a null `id`, the first field. `id` must be null or found by [`find`].
pub(crate) fn next_element(version: ModuleVersion, id: u64) -> u64 {
    if is_null(id) {
        return TABLE[0].id;
    }
    let Some(idx) = find(version, id) else {
        return FIELD_ID_NA;
    };
    let entry = &TABLE[idx];
    if element_index(entry, id) < entry.fields as u64 * entry.elements as u64 - 1 {
        return id + 1;
    }
    entry_from(version, idx + 1).map_or(FIELD_ID_NA, |next| TABLE[next].id)
}

/// The value of element `id` of entry `idx`, masked to the element size as
/// the module's read mask does; `None` if the model does not give this
/// field a value.
pub(crate) fn value(sys: &Sys, idx: usize, id: u64) -> Option<u64> {
    let entry = &TABLE[idx];
    let field = (element_index(entry, id) / entry.elements as u64) as usize;
    let cmr = cmr_table(&sys.platform).get(field);
    let v = match entry.id {
        NUM_PKGS => sys.platform.nr_packages as u64,
        VENDOR_ID => 0x8086,
        // The version the platform names (`module_version.rs`).
        BUILD_DATE => sys.platform.version.build().1,
        BUILD_NUM => sys.platform.version.build().0,
        MAJOR_VERSION => sys.platform.version.numbers().0,
        MINOR_VERSION => sys.platform.version.numbers().1,
        UPDATE_VERSION => sys.platform.version.numbers().2,
        INTERNAL_VERSION => 0,
        SYS_ATTRIBUTES => 0,
        NUM_TDX_FEATURES => 1,
        TDX_FEATURES0 => sys.features0,
        // `md_sys_get_elements()` (TDX 1.5.06 `metadata_sys.c`) answers
        // NUM_CMRS with MAX_CMR (32), the size of the table, not the CMRs in
        // use, and CMR_BASE/CMR_SIZE element i with the SEAM loader's
        // `sysinfo_table->cmr_data[i]` (`loader_data.h`): the platform's CMRs,
        // then zero-size entries. Readers skip the zero-size ones.
        NUM_CMRS => CMR_FIELDS as u64,
        CMR_BASE => cmr.map_or(0, |c| c.base),
        CMR_SIZE => cmr.map_or(0, |c| c.size),
        md::MAX_TDMRS => MAX_TDMRS as u64,
        MAX_RESERVED_PER_TDMR => MAX_RESERVED_AREAS as u64,
        PAMT_4K_ENTRY_SIZE | PAMT_2M_ENTRY_SIZE | PAMT_1G_ENTRY_SIZE => PAMT_ENTRY_SIZE,
        TDR_BASE_SIZE => conf::TDR_BASE_SIZE,
        TDCS_BASE_SIZE => conf::TDCS_BASE_SIZE,
        TDCS_SIZE_PER_L2_VM => conf::TDCS_SIZE_PER_L2_VM,
        TDVPS_BASE_SIZE => conf::TDVPS_BASE_SIZE,
        TDVPS_SIZE_PER_L2_VM => conf::TDVPS_SIZE_PER_L2_VM,
        ATTRIBUTES_FIXED0 => conf::ATTRIBUTES_FIXED0,
        ATTRIBUTES_FIXED1 => conf::ATTRIBUTES_FIXED1,
        XFAM_FIXED0 => conf::XFAM_FIXED0,
        XFAM_FIXED1 => conf::XFAM_FIXED1,
        CONFIG_FLAGS_FIXED0 => conf::CONFIG_FLAGS_FIXED0,
        CONFIG_FLAGS_FIXED1 => conf::CONFIG_FLAGS_FIXED1,
        NUM_CPUID_CONFIG => conf::NUM_CPUID_CONFIG as u64,
        md::MAX_VCPUS_PER_TD => conf::MAX_VCPUS_PER_TD,
        // Past the configurable leaves: all ones, no bits (`metadata_sys.c`).
        CPUID_CONFIG_LEAVES => conf::CPUID_CONFIG_LEAVES
            .get(field)
            .copied()
            .unwrap_or(u64::MAX),
        CPUID_CONFIG_VALUES => {
            let element = (element_index(entry, id) % entry.elements as u64) as usize;
            conf::CPUID_CONFIG_VALUES
                .get(field)
                .map_or(0, |v| v[element])
        }
        _ => sys_consts::value(sys, entry.id, field)?,
    };
    Some(v & element_mask(entry.id))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::platform;
    use super::*;
    use crate::module_version::ModuleVersion;
    use crate::platform::Cmr;

    const V6: ModuleVersion = ModuleVersion::V1_5_06;

    #[test]
    fn every_entry_is_a_global_field_and_ids_are_unique() {
        for (i, e) in TABLE.iter().enumerate() {
            assert_eq!(context_code(e.id), CONTEXT_SYS);
            assert_eq!(e.id & RESERVED_MASK, 0);
            assert_eq!(find(V6, e.id), Some(i), "{:#x}", e.id);
        }
    }

    #[test]
    fn find_matches_class_and_field_code_only() {
        // The size code and non-architectural bit do not take part.
        assert_eq!(find(V6, MAX_TDMRS_ID_WRONG_SIZE), find(V6, md::MAX_TDMRS));
        assert_eq!(find(V6, array_field(CMR_BASE, 31)), find(V6, CMR_BASE));
        assert_eq!(find(V6, array_field(CMR_BASE, 32)), None);
        assert_eq!(find(V6, 0x9100_0001_0000_0013), None);
        assert_eq!(find(V6, array_field(CPUID_CONFIG_VALUES, 63)), Some(42));
    }

    const MAX_TDMRS_ID_WRONG_SIZE: u64 = md::MAX_TDMRS & !NON_ARCH_BIT | 3 << 32;

    #[test]
    fn next_walks_elements_then_entries() {
        assert_eq!(next_element(V6, FIELD_ID_NA), NUM_PKGS);
        assert_eq!(next_element(V6, NUM_PKGS), PKG_FMS);
        assert_eq!(next_element(V6, PKG_FMS), PKG_FMS + 1);
        assert_eq!(next_element(V6, PKG_FMS + 7), VENDOR_ID);
        assert_eq!(next_element(V6, NUM_CMRS), CMR_BASE);
        assert_eq!(next_element(V6, array_field(CMR_BASE, 31)), CMR_SIZE);
        assert_eq!(next_element(V6, md::MAX_TDMRS), MAX_RESERVED_PER_TDMR);
        assert_eq!(
            next_element(V6, CPUID_CONFIG_VALUES + 63),
            IA32_ARCH_CAPABILITIES_CONFIG_MASK
        );
        assert_eq!(next_element(V6, VCPU_L2_DEBUG_CTLS_FIXED1), FIELD_ID_NA);
        // MIN_VIRT_MAXPA is 1.5.06's only.
        assert_eq!(next_element(V6, md::MAX_VCPUS_PER_TD), MIN_VIRT_MAXPA);
        for v in [ModuleVersion::V1_5_01, ModuleVersion::V1_5_05] {
            assert_eq!(next_element(v, md::MAX_VCPUS_PER_TD), CPUID_CONFIG_LEAVES);
            assert_eq!(find(v, MIN_VIRT_MAXPA), None);
        }
        // Within an entry, the caller's other bits stay.
        assert_eq!(
            next_element(V6, MAX_TDMRS_ID_WRONG_SIZE),
            MAX_RESERVED_PER_TDMR
        );
        assert_eq!(
            next_element(V6, CMR_BASE & !NON_ARCH_BIT),
            (CMR_BASE & !NON_ARCH_BIT) + 1
        );
    }

    #[test]
    fn values() {
        let cmrs = [
            Cmr {
                base: 0,
                size: 1 << 31,
            },
            Cmr {
                base: 1 << 32,
                size: 1 << 30,
            },
        ];
        let sys = Sys::new(platform(4, 2, &cmrs));
        let read = |id| value(&sys, find(V6, id).unwrap(), id);
        assert_eq!(read(NUM_PKGS), Some(2));
        assert_eq!(read(MAJOR_VERSION), Some(1));
        assert_eq!(read(MINOR_VERSION), Some(5));
        assert_eq!(read(UPDATE_VERSION), Some(6));
        // The version follows the platform's `version=`.
        for (v, update, build) in [
            (ModuleVersion::V1_5_01, 1, 595),
            (ModuleVersion::V1_5_05, 5, 698),
        ] {
            let mut p = platform(4, 2, &cmrs);
            p.version = v;
            let sys = Sys::new(p);
            let read = |id| value(&sys, find(v, id).unwrap(), id);
            assert_eq!(read(MINOR_VERSION), Some(5));
            assert_eq!(read(UPDATE_VERSION), Some(update));
            assert_eq!(read(BUILD_NUM), Some(build));
        }
        assert_eq!(read(VENDOR_ID), Some(0x8086));
        assert_eq!(read(NUM_TDX_FEATURES), Some(1));
        assert_eq!(read(TDX_FEATURES0), Some(DEFAULT_FEATURES0));
        assert_ne!(DEFAULT_FEATURES0 & TDX_FEATURES0_NO_RBP_MOD, 0);
        assert_eq!(read(NUM_CMRS), Some(32));
        assert_eq!(read(array_field(CMR_BASE, 1)), Some(1 << 32));
        assert_eq!(read(array_field(CMR_SIZE, 0)), Some(1 << 31));
        assert_eq!(read(array_field(CMR_SIZE, 2)), Some(0));
        assert_eq!(read(md::MAX_TDMRS), Some(64));
        assert_eq!(read(MAX_RESERVED_PER_TDMR), Some(16));
        assert_eq!(read(PAMT_1G_ENTRY_SIZE), Some(16));
        // TD control structures and configurability: the modeled 1.5.06.
        assert_eq!(read(TDR_BASE_SIZE), Some(4096));
        assert_eq!(read(TDCS_BASE_SIZE), Some(6 * 4096));
        assert_eq!(read(TDVPS_BASE_SIZE), Some(6 * 4096));
        assert_eq!(read(ATTRIBUTES_FIXED0), Some(0x8000_0000_7000_0001));
        assert_eq!(read(ATTRIBUTES_FIXED1), Some(0));
        assert_eq!(read(XFAM_FIXED0), Some(0x6_dbe7));
        assert_eq!(read(XFAM_FIXED1), Some(3));
        assert_eq!(read(NUM_CPUID_CONFIG), Some(12));
        assert_eq!(read(md::MAX_VCPUS_PER_TD), Some(576));
        assert_eq!(
            read(array_field(CPUID_CONFIG_LEAVES, 0)),
            Some(0xffff_ffff_0000_0001)
        );
        assert_eq!(
            read(array_field(CPUID_CONFIG_LEAVES, 4)),
            Some(0x3_0000_0004)
        );
        assert_eq!(read(array_field(CPUID_CONFIG_LEAVES, 12)), Some(u64::MAX));
        // CPUID_CONFIG_VALUES: two elements per field.
        assert_eq!(
            read(array_field(CPUID_CONFIG_VALUES, 0)),
            Some(0x00ff_0000_0fff_3fff)
        );
        assert_eq!(
            read(array_field(CPUID_CONFIG_VALUES, 1)),
            Some(0xb844_0000_3104_4d88)
        );
        assert_eq!(
            read(array_field(CPUID_CONFIG_VALUES, 11)),
            Some(0x0005_411c_0241_7f65)
        );
        assert_eq!(read(array_field(CPUID_CONFIG_VALUES, 24)), Some(0));
        assert_eq!(read(MIN_VIRT_MAXPA), Some(45));
    }
}
