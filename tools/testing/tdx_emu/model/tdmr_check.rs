// SPDX-License-Identifier: GPL-2.0

//! The checks TDH.SYS.CONFIG makes on each TDMR_INFO, in the module's order
//! (`check_and_set_tdmrs()` and its helpers, `tdh_sys_config.c`). TDMR `i` is
//! checked against itself, the TDMR before it, and the PAMTs and non-reserved
//! parts of every TDMR before it.
//!
//! A rejection carries the module's status with its details:
//! `api_error_with_multiple_info(code, i, info1, info2, 0)`, i.e. the TDMR
//! index in bits 7:0, then (where the module gives them) the PAMT level or
//! reserved-area index in bits 15:8 and the other TDMR's index in bits 23:16.
//!
//! Pure `core`.

use super::cmr::is_area_in_cmr;
use super::keyids::{is_aligned, is_overlap, is_valid_range, KeyIds};
use super::tdmr_info::{PageSize, Range, TdmrInfo, MAX_RESERVED_AREAS, PAMT_ENTRY_SIZE};
use crate::abi::status::code;
use crate::platform::Cmr;

const G: u64 = 1 << 30;
const PAGE: u64 = 1 << 12;

/// Why a TDMR is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Reject {
    /// The module's answer.
    Status(u64),
    /// Host memory the model needed could not be read: not modeled.
    Unreadable,
}

/// What each check returns.
pub(crate) type Check = Result<(), Reject>;

/// `api_error_with_multiple_info()`.
const fn info(status: u64, i: usize, info1: u64, info2: usize) -> Reject {
    Reject::Status(status | (i as u64 & 0xff) | (info1 & 0xff) << 8 | (info2 as u64 & 0xff) << 16)
}

/// The three levels in the order most checks visit them.
const LEVELS_4K_FIRST: [PageSize; 3] = [PageSize::Size4K, PageSize::Size2M, PageSize::Size1G];
/// The order `check_pamt_addresses()` and `check_pamt_in_cmr()` visit them.
const LEVELS_1G_FIRST: [PageSize; 3] = [PageSize::Size1G, PageSize::Size2M, PageSize::Size4K];

/// The start of `check_and_set_tdmrs()` and `check_tdmr_area_addresses_and_size()`:
/// no wrap, above and clear of the previous TDMR, 1 GiB aligned and not
/// empty, below MAXPA with KeyID bits 0 at both ends.
pub(crate) fn check_placement(
    i: usize,
    tdmr: &TdmrInfo,
    prev: Option<Range>,
    keys: &KeyIds,
) -> Check {
    if !is_valid_range(tdmr.base, tdmr.size) {
        return Err(info(code::INVALID_TDMR, i, 0, 0));
    }
    if let Some(prev) = prev {
        if tdmr.base < prev.base || tdmr.base < prev.base.wrapping_add(prev.size) {
            return Err(info(code::NON_ORDERED_TDMR, i, 0, 0));
        }
    }
    if !is_aligned(tdmr.base, G) || !is_aligned(tdmr.size, G) || tdmr.size == 0 {
        return Err(info(code::INVALID_TDMR, i, 0, 0));
    }
    if !keys.is_plain_pa(tdmr.base) || !keys.is_plain_pa(tdmr.base + tdmr.size - 1) {
        return Err(info(code::INVALID_TDMR, i, 0, 0));
    }
    Ok(())
}

/// `check_tdmr_reserved_areas()`: null entries only at the end; each area
/// a valid range, ascending and not overlapping the one before, 4 KiB aligned
/// in offset and size, inside the TDMR.
pub(crate) fn check_reserved(i: usize, tdmr: &TdmrInfo) -> Check {
    let areas = &tdmr.reserved;
    for j in 0..MAX_RESERVED_AREAS {
        let area = areas[j];
        if area.size == 0 {
            if j < MAX_RESERVED_AREAS - 1 && areas[j + 1].size != 0 {
                return Err(info(code::NON_ORDERED_RESERVED_IN_TDMR, i, j as u64, 0));
            }
            continue;
        }
        let invalid = info(code::INVALID_RESERVED_IN_TDMR, i, j as u64, 0);
        if !is_valid_range(area.offset, area.size) {
            return Err(invalid);
        }
        if j > 0 {
            let prev = areas[j - 1];
            if area.offset < prev.offset || area.offset < prev.offset + prev.size {
                return Err(info(code::NON_ORDERED_RESERVED_IN_TDMR, i, j as u64, 0));
            }
        }
        if !is_aligned(area.offset, PAGE) || !is_aligned(area.size, PAGE) {
            return Err(invalid);
        }
        if !is_valid_range(tdmr.base, area.offset)
            || !is_valid_range(tdmr.base + area.offset, area.size)
            || tdmr.base + area.offset + area.size > tdmr.base + tdmr.size
        {
            return Err(invalid);
        }
    }
    Ok(())
}

/// `check_pamt_addresses_and_size()`: the PAMT of one level is a valid range,
/// 4 KiB aligned in base and size, below MAXPA with KeyID bits 0 at both
/// ends, and holds one entry per `level` page of the TDMR.
fn pamt_is_valid(pamt: Range, level: PageSize, tdmr_size: u64, keys: &KeyIds) -> bool {
    is_valid_range(pamt.base, pamt.size)
        && is_aligned(pamt.base, PAGE)
        && is_aligned(pamt.size, PAGE)
        && keys.is_plain_pa(pamt.base)
        && keys.is_plain_pa(pamt.base.wrapping_add(pamt.size).wrapping_sub(1))
        && pamt.size >= tdmr_size / level.bytes() * PAMT_ENTRY_SIZE
}

/// `check_pamt_addresses()`: each level's PAMT, 1 GiB level first.
pub(crate) fn check_pamt_addresses(i: usize, tdmr: &TdmrInfo, keys: &KeyIds) -> Check {
    for level in LEVELS_1G_FIRST {
        if !pamt_is_valid(tdmr.pamt_of(level), level, tdmr.size, keys) {
            return Err(info(code::INVALID_PAMT, i, level as u64, 0));
        }
    }
    Ok(())
}

fn overlaps(a: Range, b: Range) -> bool {
    is_overlap(a.base, a.size, b.base, b.size)
}

/// `check_all_pamt_overlap()`: no PAMT of TDMR `i` overlaps a PAMT of an
/// earlier TDMR (`earlier_pamts` yields those of TDMR 0, 1, ...), nor
/// another PAMT of TDMR `i`.
pub(crate) fn check_pamts_disjoint(
    i: usize,
    tdmr: &TdmrInfo,
    earlier_pamts: impl IntoIterator<Item = [Range; 3]>,
) -> Check {
    for (j, other) in earlier_pamts.into_iter().enumerate() {
        for level in LEVELS_4K_FIRST {
            let mine = tdmr.pamt_of(level);
            if LEVELS_4K_FIRST
                .iter()
                .any(|&l| overlaps(mine, other[l as usize]))
            {
                return Err(info(code::PAMT_OVERLAP, i, level as u64, j));
            }
        }
    }
    let [p4k, p2m, p1g] = tdmr.pamt;
    if overlaps(p4k, p2m) || overlaps(p4k, p1g) {
        return Err(info(code::PAMT_OVERLAP, i, PageSize::Size4K as u64, i));
    }
    if overlaps(p2m, p1g) {
        return Err(info(code::PAMT_OVERLAP, i, PageSize::Size2M as u64, i));
    }
    Ok(())
}

/// `is_pamt_overlaps_available_area()`.
fn overlaps_available(tdmr: &TdmrInfo, pamt: Range) -> bool {
    tdmr.any_available(|start, end| {
        is_overlap(pamt.base, pamt.size, start, end.wrapping_sub(start))
    })
}

/// `check_pamt_overlaps_available_areas()`: for every TDMR `j <= i`, no PAMT
/// of TDMR `i` overlaps a non-reserved part of TDMR `j`, and (for `j < i`) no
/// PAMT of TDMR `j` overlaps a non-reserved part of TDMR `i`. `earlier(j)`
/// reads TDMR `j`'s TDMR_INFO again.
pub(crate) fn check_pamts_in_reserved(
    i: usize,
    tdmr: &TdmrInfo,
    mut earlier: impl FnMut(usize) -> Option<TdmrInfo>,
) -> Check {
    for j in 0..=i {
        let other = if j == i {
            *tdmr
        } else {
            earlier(j).ok_or(Reject::Unreadable)?
        };
        for level in LEVELS_4K_FIRST {
            if overlaps_available(&other, tdmr.pamt_of(level)) {
                return Err(info(code::PAMT_OVERLAP, i, level as u64, j));
            }
        }
        if j < i {
            for level in LEVELS_4K_FIRST {
                if overlaps_available(tdmr, other.pamt_of(level)) {
                    return Err(info(code::PAMT_OVERLAP, j, level as u64, i));
                }
            }
        }
    }
    Ok(())
}

/// `check_pamt_in_cmr()`: each PAMT lies in convertible memory.
pub(crate) fn check_pamts_in_cmrs(i: usize, tdmr: &TdmrInfo, cmrs: &[Cmr]) -> Check {
    for level in LEVELS_1G_FIRST {
        let pamt = tdmr.pamt_of(level);
        if !is_area_in_cmr(cmrs, pamt.base, pamt.base + pamt.size) {
            return Err(info(code::PAMT_OUTSIDE_CMRS, i, level as u64, 0));
        }
    }
    Ok(())
}

/// `check_tdmr_available_areas()`: every non-reserved part of the TDMR lies
/// in convertible memory.
pub(crate) fn check_available_in_cmrs(i: usize, tdmr: &TdmrInfo, cmrs: &[Cmr]) -> Check {
    if tdmr.any_available(|start, end| !is_area_in_cmr(cmrs, start, end)) {
        return Err(info(code::TDMR_OUTSIDE_CMRS, i, 0, 0));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{tdmr_at, with_pamt, with_reserved};
    use super::*;

    fn keys() -> KeyIds {
        KeyIds::of(&super::super::test_support::platform(1, 1, &[]))
    }

    fn status(r: Check) -> u64 {
        match r {
            Err(Reject::Status(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn placement() {
        let k = keys();
        let t = tdmr_at(G, G);
        assert_eq!(check_placement(0, &t, None, &k), Ok(()));
        let prev = Range { base: 0, size: G };
        assert_eq!(check_placement(1, &t, Some(prev), &k), Ok(()));
        let overlap = Range {
            base: 0,
            size: 2 * G,
        };
        assert_eq!(
            status(check_placement(3, &t, Some(overlap), &k)),
            code::NON_ORDERED_TDMR | 3
        );
        let after = Range {
            base: 2 * G,
            size: G,
        };
        assert_eq!(
            status(check_placement(1, &t, Some(after), &k)),
            code::NON_ORDERED_TDMR | 1
        );
        for (base, size) in [
            (G + 4096, G),
            (G, G + 4096),
            (G, 0),
            (u64::MAX - G + 1, 2 * G),
            (1 << 46, G),
            ((1 << 46) - G, 2 * G),
        ] {
            let bad = tdmr_at(base, size);
            assert_eq!(
                status(check_placement(2, &bad, None, &k)),
                code::INVALID_TDMR | 2,
                "{base:#x}+{size:#x}"
            );
        }
    }

    #[test]
    fn reserved_areas() {
        let ok = with_reserved(tdmr_at(G, G), &[(0, 4096), (8192, 4096)]);
        assert_eq!(check_reserved(0, &ok), Ok(()));
        let cases: [(&[(u64, u64)], u64); 7] = [
            (&[(0, 0), (4096, 4096)], code::NON_ORDERED_RESERVED_IN_TDMR),
            (
                &[(8192, 4096), (0, 4096)],
                code::NON_ORDERED_RESERVED_IN_TDMR | 1 << 8,
            ),
            (
                &[(0, 8192), (4096, 4096)],
                code::NON_ORDERED_RESERVED_IN_TDMR | 1 << 8,
            ),
            (
                &[(0, 4096), (8192, 100)],
                code::INVALID_RESERVED_IN_TDMR | 1 << 8,
            ),
            (&[(0x800, 4096)], code::INVALID_RESERVED_IN_TDMR),
            (&[(G - 4096, 8192)], code::INVALID_RESERVED_IN_TDMR),
            (&[(u64::MAX - 4095, 4096)], code::INVALID_RESERVED_IN_TDMR),
        ];
        for (areas, want) in cases {
            let t = with_reserved(tdmr_at(G, G), areas);
            assert_eq!(status(check_reserved(5, &t)), want | 5, "{areas:?}");
        }
        let wraps = with_reserved(tdmr_at(G, G), &[(0, u64::MAX - 4095)]);
        assert_eq!(
            status(check_reserved(0, &wraps)),
            code::INVALID_RESERVED_IN_TDMR
        );
    }

    #[test]
    fn pamt_addresses_and_sizes() {
        let k = keys();
        let good = with_pamt(tdmr_at(G, G), 0x8000_0000);
        assert_eq!(check_pamt_addresses(0, &good, &k), Ok(()));
        // Too small at each level: 4 MiB for 4K, 8 KiB for 2M (4 KiB minimum), 16 B for 1G.
        let mut t = good;
        t.pamt[0].size -= 4096;
        assert_eq!(
            status(check_pamt_addresses(1, &t, &k)),
            code::INVALID_PAMT | 1
        );
        let mut t = good;
        t.pamt[2].size = 0;
        assert_eq!(
            status(check_pamt_addresses(1, &t, &k)),
            code::INVALID_PAMT | 1 | 2 << 8
        );
        let mut t = good;
        t.pamt[1].base += 512;
        assert_eq!(
            status(check_pamt_addresses(1, &t, &k)),
            code::INVALID_PAMT | 1 | 1 << 8
        );
        let mut t = good;
        t.pamt[0].base = 1 << 46;
        assert_eq!(
            status(check_pamt_addresses(1, &t, &k)),
            code::INVALID_PAMT | 1
        );
        // A 2 GiB TDMR has 1024 2 MiB pages: 16 KiB of PAMT_2M.
        let mut big = with_pamt(tdmr_at(G, 2 * G), 0x8000_0000);
        big.pamt[1].size = 8192;
        assert_eq!(
            status(check_pamt_addresses(0, &big, &k)),
            code::INVALID_PAMT | 1 << 8
        );
        // Two defects: the 1 GiB level is checked first.
        big.pamt[0].size = 0;
        big.pamt[2].base += 8;
        assert_eq!(
            status(check_pamt_addresses(0, &big, &k)),
            code::INVALID_PAMT | 2 << 8
        );
    }

    #[test]
    fn pamts_must_not_overlap_each_other() {
        let a = with_pamt(tdmr_at(G, G), 0x8000_0000);
        let b = with_pamt(tdmr_at(2 * G, G), 0x8000_0000 + 0x80_0000);
        assert_eq!(check_pamts_disjoint(1, &b, [a.pamt]), Ok(()));
        // B's 4K PAMT starts on A's 2M PAMT: (1, 4K, 0).
        let b_bad = with_pamt(tdmr_at(2 * G, G), a.pamt[1].base);
        assert_eq!(
            status(check_pamts_disjoint(1, &b_bad, [a.pamt])),
            code::PAMT_OVERLAP | 1
        );
        // Within one TDMR: 2M on 1G is (i, 2M, i); 4K on 2M is (i, 4K, i).
        let mut t = a;
        t.pamt[2].base = t.pamt[1].base;
        assert_eq!(
            status(check_pamts_disjoint(3, &t, [])),
            code::PAMT_OVERLAP | 3 | 1 << 8 | 3 << 16
        );
        let mut t = a;
        t.pamt[0].base += 4096;
        assert_eq!(status(check_pamts_disjoint(0, &t, [])), code::PAMT_OVERLAP);
    }

    #[test]
    fn pamts_must_sit_in_reserved_areas_of_every_tdmr() {
        // TDMR 0 [1G, 2G) keeps both PAMTs in a 16 MiB reserved area at 256 MiB.
        let pamt0 = G + 0x1000_0000;
        let a = with_reserved(
            with_pamt(tdmr_at(G, G), pamt0),
            &[(0x1000_0000, 0x100_0000)],
        );
        let b = with_pamt(tdmr_at(2 * G, G), pamt0 + 0x80_0000);
        assert_eq!(check_pamts_in_reserved(0, &a, |_| None), Ok(()));
        assert_eq!(check_pamts_in_reserved(1, &b, |_| Some(a)), Ok(()));
        // Without the reserved area, TDMR 0's PAMT is in its usable memory.
        let a_open = with_pamt(tdmr_at(G, G), pamt0);
        assert_eq!(
            status(check_pamts_in_reserved(0, &a_open, |_| None)),
            code::PAMT_OVERLAP
        );
        // TDMR 1's PAMT in TDMR 0's usable memory: (1, 4K, 0).
        let b_bad = with_pamt(tdmr_at(2 * G, G), G);
        assert_eq!(
            status(check_pamts_in_reserved(1, &b_bad, |_| Some(a))),
            code::PAMT_OVERLAP | 1
        );
        // TDMR 0's PAMT in TDMR 1's usable memory: (0, 4K, 1).
        let lower = with_pamt(tdmr_at(G, G), 3 * G + 0x100_0000);
        let upper = with_reserved(
            with_pamt(tdmr_at(3 * G, G), 3 * G + 0x1000_0000),
            &[(0x1000_0000, 0x100_0000)],
        );
        assert_eq!(
            status(check_pamts_in_reserved(1, &upper, |_| Some(lower))),
            code::PAMT_OVERLAP | 1 << 16
        );
        assert_eq!(
            check_pamts_in_reserved(1, &b, |_| None),
            Err(Reject::Unreadable)
        );
    }

    #[test]
    fn pamts_and_tdmrs_must_be_convertible() {
        let cmrs = [Cmr { base: G, size: G }];
        let t = with_reserved(with_pamt(tdmr_at(G, G), G), &[(0, 0x80_0000)]);
        assert_eq!(check_pamts_in_cmrs(0, &t, &cmrs), Ok(()));
        assert_eq!(check_available_in_cmrs(0, &t, &cmrs), Ok(()));
        let mut outside = t;
        outside.pamt[2].base = 3 * G;
        assert_eq!(
            status(check_pamts_in_cmrs(4, &outside, &cmrs)),
            code::PAMT_OUTSIDE_CMRS | 4 | 2 << 8
        );
        outside.pamt[0].base = 3 * G;
        assert_eq!(
            status(check_pamts_in_cmrs(4, &outside, &cmrs)),
            code::PAMT_OUTSIDE_CMRS | 4 | 2 << 8,
            "the 1 GiB level first"
        );
        outside.pamt[2].base = G;
        assert_eq!(
            status(check_pamts_in_cmrs(4, &outside, &cmrs)),
            code::PAMT_OUTSIDE_CMRS | 4
        );
        // A hole in the CMRs not covered by a reserved area.
        let holes = [
            Cmr {
                base: G,
                size: G / 2,
            },
            Cmr {
                base: G + G / 2 + 4096,
                size: G / 2 - 4096,
            },
        ];
        assert_eq!(
            status(check_available_in_cmrs(2, &t, &holes)),
            code::TDMR_OUTSIDE_CMRS | 2
        );
        let covered = with_reserved(t, &[(0, 0x80_0000), (G / 2, 4096)]);
        assert_eq!(check_available_in_cmrs(2, &covered, &holes), Ok(()));
    }
}
