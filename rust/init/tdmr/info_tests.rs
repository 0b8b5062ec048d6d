// SPDX-License-Identifier: GPL-2.0

//! Tests of the TDMR_INFO layout and of the errors' log lines.

use super::test_util::*;
use super::*;

#[test]
fn tdmr_info_size_rounds_to_512() {
    assert_eq!(tdmr_info_size(0), 512);
    assert_eq!(tdmr_info_size(16), 512);
    assert_eq!(tdmr_info_size(28), 512);
    assert_eq!(tdmr_info_size(29), 1024);
    assert_eq!(tdmr_info_size(60), 1024);
    assert_eq!(tdmr_info_size(61), 1536);
}

#[test]
fn tdmr_info_layout() {
    let mem = [blk(GIB + 2 * MIB, 2 * GIB - 2 * MIB, 0)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    t[0].set_pamt(GIB + 2 * MIB, &LIMITS);
    reserve(&mut t, &mem, &LIMITS).unwrap();
    let t = t[0];
    let pamt = t.pamt_total(&LIMITS);
    assert_eq!(
        t.reserved(),
        [
            Range {
                base: 0,
                size: 2 * MIB + pamt
            },
            Range {
                base: GIB - 2 * MIB,
                size: 2 * MIB
            },
        ]
    );

    let mut buf = [0xaau8; 1100];
    write_tdmr_info(&t, 16, &mut buf).unwrap();
    let word = |off: usize| u64::from_le_bytes(buf[off..off + 8].try_into().unwrap());
    assert_eq!(word(0), GIB);
    assert_eq!(word(8), GIB);
    assert_eq!((word(16), word(24)), (t.pamt[2].base, 4096));
    assert_eq!((word(32), word(40)), (t.pamt[1].base, 8192));
    assert_eq!((word(48), word(56)), (GIB + 2 * MIB, 4 * MIB));
    assert_eq!(word(32), GIB + 2 * MIB + 4 * MIB);
    assert_eq!(word(16), GIB + 2 * MIB + 4 * MIB + 8192);
    assert_eq!((word(64), word(72)), (0, 2 * MIB + pamt));
    assert_eq!((word(80), word(88)), (GIB - 2 * MIB, 2 * MIB));
    assert!(buf[96..512].iter().all(|&b| b == 0), "unused areas zero");
    assert!(buf[512..].iter().all(|&b| b == 0xaa), "past the entry");

    assert_eq!(
        write_tdmr_info(&t, 16, &mut buf[..511]),
        Err(PlanError::OutputTooSmall)
    );
    assert_eq!(
        write_tdmr_info(&t, 1, &mut buf),
        Err(PlanError::InfoTooSmall {
            reserved: 2,
            max_reserved_per_tdmr: 1
        })
    );
    write_tdmr_info(&t, 29, &mut buf).unwrap();
    assert!(buf[96..1024].iter().all(|&b| b == 0));
    assert!(buf[1024..].iter().all(|&b| b == 0xaa));
}

#[test]
fn errors_display_one_line() {
    let all = [
        PlanError::TooManyTdmrs {
            needed_at_least: 70,
            max: 64,
        },
        PlanError::TooManyReserved {
            tdmr: 3,
            start: 0,
            end: 2 * GIB,
            needed: 17,
            max: 16,
        },
        PlanError::InvalidMemory,
        PlanError::NodesOverlap {
            start: 4 * GIB,
            end: 8 * GIB,
            nid: 0,
            other: 1,
        },
        PlanError::InvalidCmrs,
        PlanError::OutsideCmrs {
            start: GIB,
            end: GIB + 2 * MIB,
        },
        PlanError::BadLimits,
        PlanError::OutputTooSmall,
        PlanError::InvalidTdmr { tdmr: 1 },
        PlanError::BadPamt { tdmr: 2 },
        PlanError::NoRoomForPamt { tdmr: 2 },
        PlanError::PamtOverlap { tdmr: 0, other: 1 },
        PlanError::InfoTooSmall {
            reserved: 17,
            max_reserved_per_tdmr: 16,
        },
    ];
    for e in all {
        let s = e.to_string();
        assert!(!s.is_empty() && !s.contains('\n'), "{e:?}: {s}");
    }
    let strings: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(
        strings[0],
        "TDX memory needs 70 TDMRs, the TDX module supports 64"
    );
    assert_eq!(
        strings[1],
        "TDMR 3 [0x0, 0x80000000): reserved areas exhausted (17 needed, 16 allowed)"
    );
    assert_eq!(
        strings[3],
        "memory [0x100000000, 0x200000000) reported for NUMA nodes 0 and 1"
    );
    assert_eq!(
        strings[5],
        "TDX memory [0x40000000, 0x40200000) is outside every CMR"
    );
}
