// SPDX-License-Identifier: GPL-2.0

//! The emulated module's rules on convertible memory ranges (CMRs): the
//! sanity check of the list at TDH.SYS.INIT and the "inside convertible
//! memory" test of TDH.SYS.CONFIG.
//!
//! Pure `core`.

use super::keyids::{is_valid_range, KeyIds, MAX_PA};
use crate::platform::{Cmr, Platform, MAX_CMRS};

/// The CMR table as the module sees it (`sysinfo_table->cmr_data`, filled by
/// the SEAM loader): the platform's CMRs, from the `cmrs=` parameter; the
/// entries after them, up to MAX_CMR, are null (zero-size).
pub(crate) fn cmr_table(platform: &Platform) -> &[Cmr] {
    &platform.cmrs[..platform.nr_cmrs.min(MAX_CMRS)]
}

/// `check_cmrs()` (`tdh_sys_init.c`): every non-null CMR is a valid range
/// below MAXPA with KeyID bits 0 at both ends, 4 KiB aligned in base and size,
/// and the CMRs ascend without overlapping.
pub(crate) fn cmr_list_is_valid(cmrs: &[Cmr], keyids: &KeyIds) -> bool {
    let mut prev_start = 0;
    let mut prev_end = 0;
    for cmr in cmrs.iter().filter(|c| c.size != 0) {
        if !is_valid_range(cmr.base, cmr.size) {
            return false;
        }
        let start = cmr.base;
        let end = cmr.base + cmr.size - 1;
        if start & keyids.hkid_mask != 0 || end & keyids.hkid_mask != 0 || end > 1 << MAX_PA {
            return false;
        }
        if start % 4096 != 0 || cmr.size % 4096 != 0 {
            return false;
        }
        if prev_end > 0 && (prev_start > start || prev_end > start) {
            return false;
        }
        prev_start = start;
        prev_end = end;
    }
    true
}

/// `is_area_in_cmr()` (`tdh_sys_config.c`): whether `[start, end)` lies in one
/// CMR, where CMRs that touch count as one.
pub(crate) fn is_area_in_cmr(cmrs: &[Cmr], start: u64, end: u64) -> bool {
    let mut last_start = 0;
    let mut last_end = 0;
    for cmr in cmrs.iter().filter(|c| c.size != 0) {
        let mut cmr_start = cmr.base;
        let cmr_end = cmr.base.wrapping_add(cmr.size);
        if cmr_start == last_end {
            cmr_start = last_start;
        }
        if start >= cmr_start && end <= cmr_end {
            return true;
        }
        last_start = cmr_start;
        last_end = cmr_end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 1 << 30;

    fn keyids() -> KeyIds {
        KeyIds::of(&super::super::test_support::platform(1, 1, &[]))
    }

    fn cmr(base: u64, size: u64) -> Cmr {
        Cmr { base, size }
    }

    #[test]
    fn valid_lists_pass() {
        let k = keyids();
        assert!(cmr_list_is_valid(&[], &k));
        assert!(cmr_list_is_valid(
            &[cmr(0, G), cmr(G, G), cmr(4 * G, 4096)],
            &k
        ));
        // Null entries are skipped wherever they are.
        assert!(cmr_list_is_valid(
            &[cmr(0, G), cmr(0, 0), cmr(2 * G, G)],
            &k
        ));
    }

    #[test]
    fn each_defect_fails() {
        let k = keyids();
        for bad in [
            [cmr(0x800, G), cmr(0, 0)],                // unaligned base
            [cmr(0, G + 1), cmr(0, 0)],                // unaligned size
            [cmr(u64::MAX - 4095, 8192), cmr(0, 0)],   // wraps
            [cmr(1 << 46, G), cmr(0, 0)],              // KeyID bits set
            [cmr((1 << 46) - G, G + 4096), cmr(0, 0)], // end in KeyID bits
            [cmr(2 * G, G), cmr(G, G)],                // descending
            [cmr(0, 2 * G), cmr(G, G)],                // overlapping
        ] {
            assert!(!cmr_list_is_valid(&bad, &k), "{bad:?}");
        }
    }

    #[test]
    fn areas_in_one_or_touching_cmrs() {
        let cmrs = [cmr(0, G), cmr(G, G), cmr(3 * G, G)];
        assert!(is_area_in_cmr(&cmrs, 0, G));
        assert!(
            is_area_in_cmr(&cmrs, G / 2, G + G / 2),
            "touching CMRs merge"
        );
        assert!(is_area_in_cmr(&cmrs, 3 * G, 4 * G));
        assert!(!is_area_in_cmr(&cmrs, G, 3 * G + 1), "hole at 2G");
        assert!(!is_area_in_cmr(&cmrs, 4 * G - 4096, 4 * G + 4096));
        assert!(!is_area_in_cmr(&[], 0, 0));
    }
}
