// SPDX-License-Identifier: GPL-2.0

//! The explanations against an independent list of what Intel's 1.5.06
//! handlers return; `doc_tests.rs` checks the admin guide against the table.

use super::host::{PLAN, PLATFORM};
use super::table::ROWS;
use super::*;
use crate::abi::leaf::{Leaf::*, ALL as EVERY_LEAF};

/// The initialization leaves.
const ALL: &[Leaf] = &[
    SysInit,
    SysLpInit,
    SysRd,
    SysRdall,
    SysConfig,
    SysKeyConfig,
    SysTdmrInit,
];

/// What each initialization leaf returns, read off Intel's TDX module
/// 1.5.06 source (and, for TDX_SYS_NOT_READY of TDH.SYS.RD and
/// TDH.SYS.RDALL, 1.0's dispatcher), plus the host's software statuses.
/// Written apart from the table on purpose: the table must explain exactly
/// these.
const SPEC: &[(&[Leaf], u64)] = &[
    (ALL, 0x8000_FF00_FFFF_0000), // VMfailInvalid
    (ALL, 0x8000_FF00_0000_0006), // #UD
    (ALL, 0x8000_FF00_0000_000D), // #GP
    (ALL, 0xC000_0100_0000_0000), // OPERAND_INVALID, RAX
    (ALL, 0xC000_0506_0000_0000), // SYS_SHUTDOWN
    (
        &[SysInit, SysLpInit, SysConfig, SysKeyConfig],
        0x8000_0202_0000_0000,
    ), // SYS_BUSY
    (&[SysInit], 0xC000_0100_0000_0001), // OPERAND_INVALID, RCX
    (&[SysInit], 0xC000_0500_0000_0000), // SYS_INIT_NOT_PENDING
    (&[SysInit], 0xC000_0921_0000_0982), // INCORRECT_MSR_VALUE
    (&[SysInit, SysLpInit], 0xC000_0901_0000_0000), // LIMIT_CPUID_MAXVAL_SET
    (&[SysInit], 0xC000_0908_0000_001F), // CPUID_LEAF_NOT_SUPPORTED
    (&[SysInit], 0xC000_0900_0000_0000), // INCORRECT_CPUID_VALUE
    (&[SysInit], 0xC000_0904_0000_0000), // CPUID_LEAF_1F_FORMAT_...
    (&[SysInit], 0xC000_0905_0000_0000), // INVALID_WBINVD_SCOPE
    (&[SysInit], 0xC000_0825_0000_0800), // NUM_ACTIVATED_HKIDS_...
    (&[SysInit], 0xC000_0A22_0000_0000), // CMR_LIST_INVALID
    (&[SysInit], 0xC000_0914_0000_0000), // SMRR_NOT_SUPPORTED
    (&[SysInit], 0xC000_0913_0000_0000), // SMRR_LOCK_NOT_SUPPORTED
    (&[SysInit], 0xC000_0910_0000_0001), // SMRR_NOT_LOCKED
    (&[SysInit], 0xC000_0911_0000_0000), // INVALID_SMRR_CONFIGURATION
    (&[SysInit], 0xC000_0912_0000_0300), // SMRR_OVERLAPS_CMR
    (&[SysInit], 0xC000_050D_0000_0000), // INCOMPATIBLE_SEAM_CAPABILITIES
    (&[SysInit], 0xC000_050A_0000_0000), // SYS_INCOMPATIBLE_SIGSTRUCT
    (&[SysInit, SysLpInit], 0x8000_0203_0000_0000), // RND_NO_ENTROPY
    (&[SysLpInit], 0xC000_050B_0000_0000), // SYS_LP_INIT_NOT_PENDING
    (&[SysLpInit], 0xC000_0503_0000_0000), // SYS_LP_INIT_DONE
    (&[SysLpInit], 0xC000_050D_0000_0000), // INCOMPATIBLE_SEAM_CAPABILITIES
    (&[SysLpInit], 0xC000_0920_0000_003B), // INCONSISTENT_MSR
    (&[SysLpInit], 0xC000_0902_0000_0000), // INCONSISTENT_CPUID_FIELD
    (&[SysLpInit], 0xC000_0906_0000_0008), // INVALID_PKG_ID
    (&[SysRd, SysRdall], 0xC000_0502_0000_0000), // SYS_LP_INIT_NOT_DONE
    (&[SysRd, SysRdall], 0xC000_0505_0000_0000), // SYS_NOT_READY (1.0: neither leaf)
    (&[SysRd], 0xC000_0C00_0000_0000), // METADATA_FIELD_ID_INCORRECT
    (&[SysRd], 0xC000_0C02_0000_0000), // METADATA_FIELD_NOT_READABLE
    (&[SysRd], 0x0000_0C0C_0000_0000), // METADATA_FIELD_SKIP
    (&[SysRd], 0x0000_0C0B_0000_0000), // METADATA_FIRST_FIELD_ID_...
    (&[SysRdall], 0xC000_0100_0000_0002), // OPERAND_INVALID, RDX
    (&[SysRdall], 0xC000_0C00_0000_0000), // METADATA_FIELD_ID_INCORRECT
    (&[SysRdall], 0xC000_0C04_0000_0000), // METADATA_LIST_OVERFLOW
    (&[SysConfig], 0xC000_050C_0000_0000), // SYS_CONFIG_NOT_PENDING
    (&[SysConfig], 0xC000_0100_0000_0001), // OPERAND_INVALID, RCX
    (&[SysConfig], 0xC000_0100_0000_0002), // OPERAND_INVALID, RDX
    (&[SysConfig], 0xC000_0100_0000_0008), // OPERAND_INVALID, R8
    (&[SysConfig], 0xC000_0A00_0000_0005), // INVALID_TDMR
    (&[SysConfig], 0xC000_0A01_0000_0001), // NON_ORDERED_TDMR
    (&[SysConfig], 0xC000_0A20_0000_0F02), // INVALID_RESERVED_IN_TDMR
    (&[SysConfig], 0xC000_0A21_0000_0302), // NON_ORDERED_RESERVED_IN_TDMR
    (&[SysConfig], 0xC000_0A10_0000_0200), // INVALID_PAMT
    (&[SysConfig], 0xC000_0A12_0001_0103), // PAMT_OVERLAP
    (&[SysConfig], 0xC000_0A11_0000_0004), // PAMT_OUTSIDE_CMRS
    (&[SysConfig], 0xC000_0A02_0000_0000), // TDMR_OUTSIDE_CMRS
    (&[SysKeyConfig], 0xC000_0507_0000_0000), // SYS_KEY_CONFIG_NOT_PENDING
    (&[SysKeyConfig], 0x8000_0800_0000_0000), // KEY_GENERATION_FAILED
    (&[SysKeyConfig], 0x8000_0200_0000_00BB), // OPERAND_BUSY, KET
    (&[SysTdmrInit], 0xC000_0505_0000_0000), // SYS_NOT_READY
    (&[SysTdmrInit], 0xC000_0100_0000_0001), // OPERAND_INVALID, RCX
    (&[SysTdmrInit], 0x8000_0200_0000_0001), // OPERAND_BUSY, RCX
];

/// Intel's names and values (tdx_error_codes_defs.h) of every status a row
/// has; the host's for its own.
const NAMES: &[(&str, u64)] = &[
    ("TDX_RS_SEAMCALL_VMFAILINVALID", 0x8000_FF00_0000_0000),
    ("TDX_RS_SEAMCALL_UD", 0x8000_FF00_0000_0000),
    ("TDX_RS_SEAMCALL_GP", 0x8000_FF00_0000_0000),
    ("TDX_OPERAND_INVALID", 0xC000_0100_0000_0000),
    ("TDX_OPERAND_BUSY", 0x8000_0200_0000_0000),
    ("TDX_SYS_BUSY", 0x8000_0202_0000_0000),
    ("TDX_RND_NO_ENTROPY", 0x8000_0203_0000_0000),
    ("TDX_SYS_INIT_NOT_PENDING", 0xC000_0500_0000_0000),
    ("TDX_SYS_LP_INIT_NOT_DONE", 0xC000_0502_0000_0000),
    ("TDX_SYS_LP_INIT_DONE", 0xC000_0503_0000_0000),
    ("TDX_SYS_NOT_READY", 0xC000_0505_0000_0000),
    ("TDX_SYS_SHUTDOWN", 0xC000_0506_0000_0000),
    ("TDX_SYS_KEY_CONFIG_NOT_PENDING", 0xC000_0507_0000_0000),
    ("TDX_SYS_INCOMPATIBLE_SIGSTRUCT", 0xC000_050A_0000_0000),
    ("TDX_SYS_LP_INIT_NOT_PENDING", 0xC000_050B_0000_0000),
    ("TDX_SYS_CONFIG_NOT_PENDING", 0xC000_050C_0000_0000),
    ("TDX_INCOMPATIBLE_SEAM_CAPABILITIES", 0xC000_050D_0000_0000),
    ("TDX_KEY_GENERATION_FAILED", 0x8000_0800_0000_0000),
    (
        "TDX_NUM_ACTIVATED_HKIDS_NOT_SUPPORTED",
        0xC000_0825_0000_0000,
    ),
    ("TDX_INCORRECT_CPUID_VALUE", 0xC000_0900_0000_0000),
    ("TDX_LIMIT_CPUID_MAXVAL_SET", 0xC000_0901_0000_0000),
    ("TDX_INCONSISTENT_CPUID_FIELD", 0xC000_0902_0000_0000),
    (
        "TDX_CPUID_LEAF_1F_FORMAT_UNRECOGNIZED",
        0xC000_0904_0000_0000,
    ),
    ("TDX_INVALID_WBINVD_SCOPE", 0xC000_0905_0000_0000),
    ("TDX_INVALID_PKG_ID", 0xC000_0906_0000_0000),
    ("TDX_CPUID_LEAF_NOT_SUPPORTED", 0xC000_0908_0000_0000),
    ("TDX_SMRR_NOT_LOCKED", 0xC000_0910_0000_0000),
    ("TDX_INVALID_SMRR_CONFIGURATION", 0xC000_0911_0000_0000),
    ("TDX_SMRR_OVERLAPS_CMR", 0xC000_0912_0000_0000),
    ("TDX_SMRR_LOCK_NOT_SUPPORTED", 0xC000_0913_0000_0000),
    ("TDX_SMRR_NOT_SUPPORTED", 0xC000_0914_0000_0000),
    ("TDX_INCONSISTENT_MSR", 0xC000_0920_0000_0000),
    ("TDX_INCORRECT_MSR_VALUE", 0xC000_0921_0000_0000),
    ("TDX_INVALID_TDMR", 0xC000_0A00_0000_0000),
    ("TDX_NON_ORDERED_TDMR", 0xC000_0A01_0000_0000),
    ("TDX_TDMR_OUTSIDE_CMRS", 0xC000_0A02_0000_0000),
    ("TDX_INVALID_PAMT", 0xC000_0A10_0000_0000),
    ("TDX_PAMT_OUTSIDE_CMRS", 0xC000_0A11_0000_0000),
    ("TDX_PAMT_OVERLAP", 0xC000_0A12_0000_0000),
    ("TDX_INVALID_RESERVED_IN_TDMR", 0xC000_0A20_0000_0000),
    ("TDX_NON_ORDERED_RESERVED_IN_TDMR", 0xC000_0A21_0000_0000),
    ("TDX_CMR_LIST_INVALID", 0xC000_0A22_0000_0000),
    ("TDX_METADATA_FIELD_ID_INCORRECT", 0xC000_0C00_0000_0000),
    ("TDX_METADATA_LIST_OVERFLOW", 0xC000_0C04_0000_0000),
    ("TDX_METADATA_FIELD_NOT_READABLE", 0xC000_0C02_0000_0000),
    (
        "TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT",
        0x0000_0C0B_0000_0000,
    ),
    ("TDX_METADATA_FIELD_SKIP", 0x0000_0C0C_0000_0000),
];

fn line(leaf: Leaf, rax: u64) -> String {
    format!("{}", explain(leaf, rax))
}

fn in_spec(leaf: Leaf, rax: u64) -> bool {
    SPEC.iter()
        .any(|(leaves, r)| leaves.contains(&leaf) && *r == rax)
}

#[test]
fn every_status_of_every_leaf_has_its_text() {
    for (leaves, rax) in SPEC {
        for &leaf in *leaves {
            let e = explain(leaf, *rax);
            let row = e
                .row
                .unwrap_or_else(|| panic!("{} {rax:#x}", leaf.abi_name()));
            let text = e.text().unwrap();
            assert!(!text.cause.is_empty() && !text.fix.is_empty());
            let l = line(leaf, *rax);
            assert!(
                l.starts_with(&format!("cause: {}: {}", row.name, text.cause)),
                "{l}"
            );
            assert!(l.ends_with(&format!("; fix: {}", text.fix)), "{l}");
        }
    }
}

#[test]
fn every_row_is_a_status_intel_returns_there() {
    for (i, row) in ROWS.iter().enumerate() {
        for &leaf in row.leaves {
            let hit = SPEC.iter().any(|(leaves, rax)| {
                leaves.contains(&leaf) && ROWS.iter().position(|r| r.matches(leaf, *rax)) == Some(i)
            });
            assert!(
                hit,
                "row {} for {} is in no spec entry",
                row.name,
                leaf.abi_name()
            );
        }
        assert_eq!(row.code & 0xffff_ffff, 0, "{}", row.name);
        let (_, value) = NAMES.iter().find(|(n, _)| *n == row.name).expect(row.name);
        assert_eq!(*value, row.code, "{}", row.name);
    }
}

#[test]
fn names_agree_with_status_rs() {
    for row in ROWS {
        let named = match status::decode(row.code) {
            Ok(s) | Err(status::SeamcallError::Module(s)) => s.name(),
            Err(_) => None,
        };
        if let Some(name) = named {
            assert_eq!(name, row.name);
        }
    }
}

#[test]
fn a_status_of_another_leaf_gets_no_text() {
    for (_, rax) in SPEC {
        for leaf in EVERY_LEAF {
            if in_spec(leaf, *rax) {
                continue;
            }
            let e = explain(leaf, *rax);
            assert_eq!(e.text(), None, "{} {rax:#x}", leaf.abi_name());
            let l = line(leaf, *rax);
            assert!(l.contains(leaf.abi_name()), "{l}");
            assert!(
                l.contains(" is not one ") || l.contains(": not one "),
                "{l}"
            );
        }
    }
    // Examples of a wrong leaf's text it must not get.
    assert!(!line(SysInit, 0xC000_050C_0000_0000).contains("nr_cpus"));
    assert!(!line(SysConfig, 0xC000_0505_0000_0000).contains("1.0"));
}

#[test]
fn a_row_for_one_operand_takes_no_other() {
    // TDH.SYS.CONFIG names RCX, RDX and R8 only; R9 would be invented.
    assert_eq!(explain(SysConfig, 0xC000_0100_0000_0009).text(), None);
    assert_eq!(explain(SysKeyConfig, 0x8000_0200_0000_0001).text(), None);
    assert_eq!(explain(SysInit, 0x8000_FF00_0000_0007).text(), None);
}

#[test]
fn operands_decode() {
    let cases: &[(Leaf, u64, &str)] = &[
        (SysConfig, 0xC000_0100_0000_0008, "(operand R8)"),
        (
            SysKeyConfig,
            0x8000_0200_0000_00BB,
            "(operand KET (the package's key table))",
        ),
        (SysInit, 0xC000_0100_0000_0000, "(operand RAX)"),
        // canonical/tdx#25: leaf 33, 0xc000092100000122.
        (SysInit, 0xC000_0921_0000_0122, "(MSR 0x122 IA32_TSX_CTRL)"),
        (SysInit, 0xC000_0921_0000_0777, "(MSR 0x777)"),
        (
            SysLpInit,
            0xC000_0920_0000_003B,
            "(MSR 0x3b IA32_TSC_ADJUST)",
        ),
        (SysInit, 0xC000_0908_8000_0008, "(CPUID leaf 0x80000008)"),
        (
            SysInit,
            0xC000_0908_0000_0000,
            "(CPUID leaf 0x1f: no valid or no core level)",
        ),
        (SysConfig, 0xC000_0A00_0000_0005, "(TDMR 5)"),
        (SysConfig, 0xC000_0A10_0000_0203, "(TDMR 3, 1G PAMT)"),
        (SysConfig, 0xC000_0A11_0000_0007, "(TDMR 7, 4K PAMT)"),
        (
            SysConfig,
            0xC000_0A12_0001_0103,
            "(TDMR 3, 2M PAMT, against TDMR 1)",
        ),
        (
            SysConfig,
            0xC000_0A12_0004_0205,
            "(TDMR 5, 1G PAMT, against TDMR 4)",
        ),
        (
            SysConfig,
            0xC000_0A20_0000_0F02,
            "(TDMR 2, reserved area 15)",
        ),
        (SysInit, 0xC000_0910_0000_0001, "(SMRR2)"),
        (SysInit, 0xC000_0911_0000_0000, "(SMRR)"),
        (SysInit, 0xC000_0912_0000_0501, "(SMRR2 and CMR 5)"),
        (SysLpInit, 0xC000_0906_0000_0009, "(package 9)"),
        (
            SysInit,
            0xC000_0825_0000_0800,
            "(the TDX module supports 2048 KeyIDs)",
        ),
    ];
    for (leaf, rax, want) in cases {
        let l = line(*leaf, *rax);
        assert!(l.contains(&format!("{want}; fix: ")), "{l}");
    }
    // No detail where bits 31:0 carry none.
    assert!(!line(SysConfig, 0xC000_050C_0000_0000).contains(" ("));
}

#[test]
fn the_statuses_users_paste_say_what_to_do() {
    // canonical/tdx#83, #331: TDX module 1.0 has no TDH.SYS.RD, and no
    // TDH.SYS.RDALL, which this driver calls first.
    for leaf in [SysRd, SysRdall] {
        let l = line(leaf, 0xC000_0505_0000_0000);
        assert!(
            l.contains("is 1.0") && l.contains("fix: update the TDX module to 1.5"),
            "{l}"
        );
    }
    // canonical/tdx#161: an old BIOS.
    assert!(line(SysInit, 0xC000_0900_0000_0000).contains("fix: update the BIOS"));
    // Not every CPU did TDH.SYS.LP.INIT.
    let l = line(SysConfig, 0xC000_050C_0000_0000);
    assert!(l.contains("nr_cpus=") && l.contains("maxcpus="), "{l}");
    // VMfailInvalid, #UD, #GP.
    assert!(line(SysInit, 0x8000_FF00_FFFF_0000).contains("no TDX module is loaded"));
    assert!(line(SysLpInit, 0x8000_FF00_0000_0006).contains("VMX operation"));
    assert!(line(SysInit, 0x8000_FF00_0000_000D).contains("fix: in the BIOS enable TME"));
    // Key generation: try again.
    assert!(line(SysKeyConfig, 0x8000_0800_0000_0000).contains("fix: reboot and try again"));
}

#[test]
fn unknown_statuses_decode_bits_63_32_and_invent_nothing() {
    let l = line(SysInit, 0xE000_0A99_0000_0042);
    assert_eq!(
        l,
        "cause: status 0xe0000a9900000042 is not one TDH.SYS.INIT returns in TDX module \
         1.5.06: fatal error, class 0x0a, details 0x99, bits 31:0 0x42; fix: look the class \
         and details up in Intel's TDX module ABI specification (completion status codes) and \
         report this log with the TDX module's version"
    );
    // Another leaf's status: named, not explained.
    let l = line(SysInit, 0xC000_050C_0000_0000);
    assert!(
        l.contains(
            "is not one TDH.SYS.INIT returns in TDX module 1.5.06: \
             TDX_SYS_CONFIG_NOT_PENDING, non-recoverable error, class 0x05, details 0x0c"
        ),
        "{l}"
    );
    assert!(line(SysRd, 0x8000_0200_0000_0001)
        .contains("TDX_OPERAND_BUSY, recoverable error, class 0x02,"));
    assert!(
        line(SysRd, 0x0000_0A03_0000_0000).contains("TDX_TDMR_ALREADY_INITIALIZED, not an error")
    );
    let l = line(SysRd, 0x8000_FF00_0000_0007);
    assert!(
        l.starts_with("cause: software status 0x8000ff0000000007: not one"),
        "{l}"
    );
}

#[test]
fn every_line_fits_printk() {
    for (leaves, rax) in SPEC {
        for &leaf in *leaves {
            // The widest details bits 31:0 can give.
            for low in [0, u32::MAX] {
                let rax = rax & !0xffff_ffff | u64::from(low);
                assert!(line(leaf, rax).len() < 900, "{}", line(leaf, rax));
            }
        }
    }
}

#[test]
fn planner_and_platform_texts() {
    let plan = |e: PlanError| super::plan(&e);
    assert_eq!(
        plan(PlanError::TooManyTdmrs {
            needed_at_least: 70,
            max: 64
        }),
        PLAN[0].1
    );
    assert_eq!(
        plan(PlanError::TooManyReserved {
            tdmr: 0,
            start: 0,
            end: 1 << 31,
            needed: 17,
            max: 16
        }),
        PLAN[1].1
    );
    assert_eq!(plan(PlanError::InvalidMemory), PLAN[2].1);
    assert_eq!(plan(PlanError::BadLimits), PLAN[3].1);
    assert_eq!(
        plan(PlanError::NodesOverlap {
            start: 0,
            end: 1 << 30,
            nid: 0,
            other: 1
        }),
        PLAN[4].1
    );
    assert_eq!(plan(PlanError::InvalidCmrs), PLAN[5].1);
    assert_eq!(
        plan(PlanError::OutsideCmrs {
            start: 0,
            end: 4096
        }),
        PLAN[6].1
    );
    assert_eq!(plan(PlanError::NoRoomForPamt { tdmr: 2 }), PLAN[7].1);
    assert!(PLAN[6].1.fix.contains("memmap="));
    assert_eq!(
        plan(PlanError::PamtOverlap { tdmr: 1, other: 2 }),
        PLAN[8].1
    );
    assert_eq!(plan(PlanError::OutputTooSmall), PLAN[8].1);
    assert!(PLAN[0].1.cause.contains("MAX_TDMRS"));
    assert!(PLAN[1].1.cause.contains("MAX_RESERVED_PER_TDMR"));
    for (i, (p, _, text)) in PLATFORM.iter().enumerate() {
        assert_eq!(*p as usize, i);
        assert_eq!(p.text(), *text);
    }
    assert!(Platform::TooFewKeyIds.text().fix.contains("KeyID split"));
    let shown = format!("{}", Platform::CpuNeverInitialized.text());
    assert!(shown.starts_with("cause: the TDX module needs") && shown.contains("; fix: bring"));
    let vmx = Platform::NotInVmxOperation.text();
    assert!(vmx.cause.contains("VMXON") && vmx.cause.contains("CPUHP_AP_KVM_ONLINE"));
    assert!(vmx.fix.starts_with("load kvm_intel") && vmx.fix.contains("again"));
    assert!(super::VMX_FIX.contains("enable_virt_at_load=1"));
}
