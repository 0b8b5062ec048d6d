// SPDX-License-Identifier: GPL-2.0

//! Global metadata the TDX 1.5 module gives from build constants and from
//! the family/model/stepping tables (`md_sys_get_elements()` and its 1.5.01
//! form `md_sys_get_first_element_val_and_ptr()`, `metadata_sys.c`;
//! `cpuid_fms.c`), for the fields `sys_fields.rs` does not serve itself.
//!
//! Sources, all Intel's TDX 1.5 tree: the hand-over version numbers are
//! `proj_defs.mk`'s defaults, which a release keeps (BUILD.md reproduces a
//! release from its date, build number and update version alone);
//! `cpuid_fms.h` and `cpuid_fms.c` (`allowed_fms`, `get_allowed_fms()`,
//! `get_num_allowed_fms()`); `msr_defs.h`; `migration.h`;
//! `td_control_structures.h`; `service_td.h`; `tdx_tdvps.h`;
//! `tdx_api_defs.h`; 1.5.06's `x86_defs.h` (MIN_VIRT_MAXPA).
//!
//! Not served (the model has no value, so a read declines): the hand-over
//! fields the SEAM loader and the data region set (NUM_HANDOFF_PAGES from
//! the loader's `sysinfo_table`, HANDOFF_DATA_VALID/HV/SIZE from the header
//! at the data region's base), which no platform parameter gives, and
//! MIN_VIRT_MAXPA, a 1.5.06 constant the 1.5.01 tree does not have.
//! NUM_ALLOWED_FMS and ALLOWED_FMS only where Intel's table knows the
//! CPU's family and model: elsewhere `find_table_start()` stops the module.
//!
//! Pure `core`.

use super::sys::Sys;
use crate::abi::metadata::*;

/// `allowed_fms`: each generation's family and model with its latest
/// stepping, newest first (CWF, GNR-D, GNR-SP, SRF, EMR, SPR).
const ALLOWED: [u32; 6] = [0xD06D0, 0xA06E0, 0xA06D0, 0xA06F0, 0xC06F2, 0x806F8];
/// `CPUID_S_MASK`: the stepping.
const STEPPING: u32 = 0xf;

/// `find_table_start()`: the entry with the CPU's family and model.
fn table_start(fms: u32) -> Option<usize> {
    ALLOWED
        .iter()
        .position(|a| a & !STEPPING == fms & !STEPPING)
}

/// The value of field `field` of the entry whose first field is `entry_id`,
/// or `None` where the model gives none.
pub(crate) fn value(sys: &Sys, entry_id: u64, field: usize) -> Option<u64> {
    let p = &sys.platform;
    Some(match entry_id {
        // MCHECK's `socket_cpuid_table`: one entry per package; the model
        // runs all packages on the one CPU type it runs on.
        PKG_FMS => {
            if field < p.nr_packages as usize {
                u64::from(p.fms)
            } else {
                0
            }
        }
        // TDX_MODULE_HV, TDX_MIN_UPDATE_HV, TDX_NO_DOWNGRADE: 0.
        MODULE_HV | MIN_UPDATE_HV | NO_DOWNGRADE => 0,
        // The SEAM loader's `num_handoff_pages` (copied by TDH.SYS.INIT)
        // and the hand-off header at the data region's base, as the
        // platform gives them (`handoff=`).
        NUM_HANDOFF_PAGES => u64::from(p.handoff?.pages_minus_1),
        HANDOFF_DATA_VALID => u64::from(p.handoff?.valid),
        HANDOFF_DATA_HV => u64::from(p.handoff?.hv),
        HANDOFF_DATA_SIZE => u64::from(p.handoff?.size),
        // 1.5.06 `x86_defs.h`: the lowest virtual MAXPA a TD may have (the
        // field is not in older tables: `sys_fields::present()`).
        MIN_VIRT_MAXPA => 45,
        // `get_num_allowed_fms()`: the table from the CPU's entry on.
        NUM_ALLOWED_FMS => (ALLOWED.len() - table_start(p.fms)?) as u64,
        // `get_allowed_fms()`: the platform's own FMS first (the lowest
        // stepping of all packages, all the same here), then the older
        // generations, then 0.
        ALLOWED_FMS => {
            let start = table_start(p.fms)?;
            match field {
                0 => u64::from(p.fms),
                f => ALLOWED.get(start + f).map_or(0, |&a| u64::from(a)),
            }
        }
        // NUM_OF_DISALLOWED_FMS is 0; `disallowed_fms` is all 0.
        NUM_DISALLOWED_FMS | DISALLOWED_FMS => 0,
        // `IA32_ARCH_CAPABILITIES_CONFIG_MASK`: bits 4, 19, 20, 24.
        IA32_ARCH_CAPABILITIES_CONFIG_MASK => 1 << 4 | 1 << 19 | 1 << 20 | 1 << 24,
        // Migration: no export or import version, MAX_MIGS 512 and the
        // `MIN_*_EXPORT_PAGES` (3, 2, 5).
        MIG_ATTRIBUTES | MIN_EXPORT_VERSION | MAX_EXPORT_VERSION => 0,
        MIN_IMPORT_VERSION | MAX_IMPORT_VERSION => 0,
        MAX_MIGS => 512,
        NUM_IMMUTABLE_STATE_PAGES => 3,
        NUM_TD_STATE_PAGES => 2,
        NUM_VP_STATE_PAGES => 5,
        // Service TDs: `MAX_SERVTDS` 1, `SERVTD_ATTRIBUTES_FIXED_0/1`.
        MAX_SERV_TDS => 1,
        SERVTD_ATTR_FIXED0 => 0x0000_07FF_0000_0001,
        SERVTD_ATTR_FIXED1 => 0,
        // TD partitioning: `GUEST_L2_GPA_ATTR_MASK` (bits 6:0 and 15),
        // `ALLOWED_VM_CTLS` (bit 0), `ALLOWED_L2_VCPU_CTLS` (bits 1:0),
        // `ALLOWED_L2_VM_DEBUG_CTLS` (bits 2:0); the FIXED1 fields 0.
        GUEST_L2_GPA_ATTR_MASK => 0x7f | 1 << 15,
        VM_CTLS_FIXED0 => 1,
        VCPU_L2_CTLS_FIXED0 => 0x3,
        VCPU_L2_DEBUG_CTLS_FIXED0 => 0x7,
        VM_CTLS_FIXED1 | VCPU_L2_CTLS_FIXED1 | VCPU_L2_DEBUG_CTLS_FIXED1 => 0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{platform, SPR_FMS};
    use super::*;
    use crate::platform::Handoff;

    fn sys(fms: u32, packages: u32) -> Sys {
        let mut p = platform(4, packages, &[]);
        p.fms = fms;
        Sys::new(p)
    }

    #[test]
    fn fms_fields_follow_the_cpu_and_intels_table() {
        let s = sys(SPR_FMS, 2);
        assert_eq!(value(&s, PKG_FMS, 0), Some(0x806F8));
        assert_eq!(value(&s, PKG_FMS, 1), Some(0x806F8));
        assert_eq!(value(&s, PKG_FMS, 2), Some(0));
        // SPR is the oldest entry: only itself.
        assert_eq!(value(&s, NUM_ALLOWED_FMS, 0), Some(1));
        assert_eq!(value(&s, ALLOWED_FMS, 0), Some(0x806F8));
        assert_eq!(value(&s, ALLOWED_FMS, 1), Some(0));
        // Any stepping of a known family and model: an SPR stepping 4.
        let s = sys(0x806F4, 1);
        assert_eq!(value(&s, NUM_ALLOWED_FMS, 0), Some(1));
        assert_eq!(value(&s, ALLOWED_FMS, 0), Some(0x806F4));
        // A GNR-SP A0 (stepping 0 of 0xA06D): itself, then SRF, EMR, SPR.
        let s = sys(0xA06D0, 1);
        assert_eq!(value(&s, NUM_ALLOWED_FMS, 0), Some(4));
        let fms: Vec<_> = (0..5).map(|f| value(&s, ALLOWED_FMS, f)).collect();
        assert_eq!(
            fms,
            [
                Some(0xA06D0),
                Some(0xA06F0),
                Some(0xC06F2),
                Some(0x806F8),
                Some(0)
            ]
        );
        // A CPU Intel's table does not know (QEMU TCG's "max"): no value.
        let s = sys(0x0006_0FB1, 1);
        assert_eq!(value(&s, NUM_ALLOWED_FMS, 0), None);
        assert_eq!(value(&s, ALLOWED_FMS, 0), None);
        assert_eq!(value(&s, PKG_FMS, 0), Some(0x0006_0FB1));
    }

    #[test]
    fn constants() {
        let s = sys(SPR_FMS, 1);
        let v = |id| value(&s, id, 0);
        assert_eq!(v(MODULE_HV), Some(0));
        assert_eq!(v(IA32_ARCH_CAPABILITIES_CONFIG_MASK), Some(0x0118_0010));
        assert_eq!(v(MAX_MIGS), Some(512));
        assert_eq!(v(NUM_VP_STATE_PAGES), Some(5));
        assert_eq!(v(SERVTD_ATTR_FIXED0), Some(0x7FF_0000_0001));
        assert_eq!(v(GUEST_L2_GPA_ATTR_MASK), Some(0x807f));
        assert_eq!(v(VCPU_L2_DEBUG_CTLS_FIXED0), Some(7));
        assert_eq!(v(MIN_VIRT_MAXPA), Some(45));
    }

    #[test]
    fn handoff_fields_come_from_the_platform_or_decline() {
        let mut s = sys(SPR_FMS, 1);
        s.platform.handoff = None;
        for id in [
            NUM_HANDOFF_PAGES,
            HANDOFF_DATA_VALID,
            HANDOFF_DATA_HV,
            HANDOFF_DATA_SIZE,
        ] {
            assert_eq!(value(&s, id, 0), None, "{id:#x}");
        }
        s.platform.handoff = Some(Handoff {
            pages_minus_1: 31,
            valid: true,
            hv: 0x102,
            size: 0x9000,
        });
        let v = |id| value(&s, id, 0);
        assert_eq!(v(NUM_HANDOFF_PAGES), Some(31));
        assert_eq!(v(HANDOFF_DATA_VALID), Some(1));
        assert_eq!(v(HANDOFF_DATA_HV), Some(0x102));
        assert_eq!(v(HANDOFF_DATA_SIZE), Some(0x9000));
    }
}
