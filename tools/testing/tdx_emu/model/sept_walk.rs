// SPDX-License-Identifier: GPL-2.0

//! A TD's Secure EPT as the emulated module walks it: a tree of 4 KiB pages
//! of 512 entries (`sept.rs`), rooted in the page TDH.MNG.INIT made the SEPT
//! root, kept in the pages the host handed over and read and written
//! through [`PhysMem`] (`secure_ept_walk()`, `sept_manager.c`), and the
//! checks the memory leaves make on their GPA operands
//! (`verify_page_info_input()`, `check_gpa_validity()`, `helpers.c`).
//!
//! Only 4-level Secure EPT with a 48-bit GPA width is modeled: the shared
//! bit is GPA bit 47. A TD built with 5 levels or GPAW 52 is declined by the
//! leaves (see `td/mem.rs`).
//!
//! Entries are stored as plain little-endian words: the real module writes
//! them with the TD's private KeyID, which the model does not emulate.
//!
//! Pure `core`.

use super::keyids::{is_aligned, MAX_PA};
use super::sept::{State, ENTRIES, HPA_MASK, RWX};
use crate::platform::PhysMem;

/// Levels (`ept_level_t`): 0 maps 4 KiB, 1 2 MiB, 2 1 GiB; 3 is the root
/// of a 4-level tree.
pub(crate) const LVL_PT: u8 = 0;
pub(crate) const LVL_PD: u8 = 1;
pub(crate) const LVL_PML4: u8 = 3;

/// The shared bit of a GPA for GPAW 48.
pub(crate) const SHARED_BIT: u64 = 1 << 47;

/// Bytes a level-`level` entry maps.
pub(crate) const fn level_bytes(level: u8) -> u64 {
    1 << (12 + 9 * level as u32)
}

/// The index of `gpa`'s entry in its level-`level` table.
const fn index(gpa: u64, level: u8) -> u64 {
    (gpa >> (12 + 9 * level as u32)) % ENTRIES
}

/// A memory leaf's RCX (`page_info_api_input_t`): bits 2:0 the level, 11:3
/// reserved, 51:12 the GPA, 63:52 reserved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PageInfo {
    pub(crate) level: u8,
    pub(crate) gpa: u64,
}

impl PageInfo {
    /// `verify_page_info_input()`: reserved bits 0, `min <= level <= max`,
    /// the GPA aligned on the level's page size. `None`: the leaf answers
    /// TDX_OPERAND_INVALID(RCX).
    pub(crate) const fn decode(raw: u64, min: u8, max: u8) -> Option<PageInfo> {
        let level = (raw & 7) as u8;
        let gpa = raw & HPA_MASK;
        if raw & !(HPA_MASK | 7) != 0 || level < min || level > max {
            return None;
        }
        if !is_aligned(gpa, level_bytes(level)) {
            return None;
        }
        Some(PageInfo { level, gpa })
    }
}

/// `check_gpa_validity()` of a private GPA of a GPAW-48 TD: the shared bit
/// clear and every bit from 47 up 0.
pub(crate) const fn is_private_gpa(gpa: u64) -> bool {
    gpa & SHARED_BIT == 0 && gpa >> MAX_PA == 0 && gpa >> 48 == 0
}

/// Where a walk stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Walk {
    /// The level of the last entry read.
    pub(crate) level: u8,
    /// That entry's physical address.
    pub(crate) at: u64,
    /// Its value.
    pub(crate) entry: u64,
}

/// Reads the entry at `at`; `None` if it is not memory.
pub(crate) fn read(mem: &dyn PhysMem, at: u64) -> Option<u64> {
    let mut b = [0u8; 8];
    mem.read(at, &mut b).then(|| u64::from_le_bytes(b))
}

/// Writes `value` at `at`; `None` if it is not memory.
pub(crate) fn write(mem: &mut dyn PhysMem, at: u64, value: u64) -> Option<()> {
    mem.write(at, &value.to_le_bytes()).then_some(())
}

/// Fills the SEPT page at `page` with FREE entries (`init_new_sept_page()`).
pub(crate) fn init_page(mem: &mut dyn PhysMem, page: u64) -> Option<()> {
    let mut block = [0u8; 64];
    for word in block.chunks_exact_mut(8) {
        word.copy_from_slice(&super::sept::FREE.to_le_bytes());
    }
    for off in (0..4096).step_by(64) {
        mem.write(page + off, &block).then_some(())?;
    }
    Some(())
}

/// `secure_ept_walk()` from the root page `root` towards `level`: at each
/// level the entry of `gpa`; stops at `level`, or earlier at an entry that
/// is not present (RWX 0) or a leaf. `None` if an entry cannot be read or
/// is in a state the model does not know (the caller declines).
pub(crate) fn walk(mem: &dyn PhysMem, root: u64, gpa: u64, level: u8) -> Option<Walk> {
    let mut table = root;
    let mut lvl = LVL_PML4;
    loop {
        let at = table + 8 * index(gpa, lvl);
        let entry = read(mem, at)?;
        let state = State::of(entry)?;
        let here = Walk {
            level: lvl,
            at,
            entry,
        };
        if lvl == level || entry & RWX == 0 || state.is_leaf() || lvl == LVL_PT {
            return Some(here);
        }
        table = entry & HPA_MASK;
        lvl -= 1;
    }
}

/// The host physical address `gpa` maps to in a leaf found at `level`
/// (`leaf_ept_entry_to_hpa()`).
pub(crate) const fn leaf_hpa(entry: u64, gpa: u64, level: u8) -> u64 {
    let size = level_bytes(level);
    (entry & HPA_MASK & !(size - 1)) | (gpa & (size - 1))
}

#[cfg(test)]
mod tests {
    use super::super::sept::{leaf, non_leaf, FREE};
    use super::super::test_support::FakeMem;
    use super::*;

    const ROOT: u64 = 0x10_0000;

    #[test]
    fn page_info_is_checked_as_intel_does() {
        let ok = PageInfo::decode(0x4000_0000 | 1, 1, 3);
        assert_eq!(
            ok,
            Some(PageInfo {
                level: 1,
                gpa: 0x4000_0000
            })
        );
        assert_eq!(PageInfo::decode(0x4000_1000 | 1, 1, 3), None, "unaligned");
        assert_eq!(PageInfo::decode(0x4000_1000, 1, 3), None, "below min");
        assert_eq!(PageInfo::decode(4, 1, 3), None, "above max");
        assert_eq!(PageInfo::decode(0x1000 | 1 << 3, 0, 0), None);
        assert_eq!(PageInfo::decode(0x1000 | 1 << 52, 0, 0), None);
        assert!(PageInfo::decode(0x000F_FFFF_FFFF_F000, 0, 0).is_some());
    }

    #[test]
    fn private_gpas_of_a_gpaw_48_td() {
        assert!(is_private_gpa(0x7fff_ffff_f000));
        assert!(!is_private_gpa(SHARED_BIT | 0x1000));
        assert!(!is_private_gpa(1 << 48));
        assert!(!is_private_gpa(1 << 63));
    }

    #[test]
    fn a_walk_stops_where_intels_does() {
        let mut mem = FakeMem::new();
        for page in [ROOT, ROOT + 0x1000, ROOT + 0x2000] {
            init_page(&mut mem, page).unwrap();
        }
        let gpa = 0x8040_3000u64; // PML4 0, PDPT 2, PD 2, PT 3
        assert_eq!(read(&mem, ROOT + 8 * 511), Some(FREE));
        // Only the root: a walk to level 0 stops at the free PML4 entry.
        let w = walk(&mem, ROOT, gpa, LVL_PT).unwrap();
        assert_eq!((w.level, w.at, w.entry), (3, ROOT, FREE));
        write(&mut mem, ROOT, non_leaf(ROOT + 0x1000)).unwrap();
        write(&mut mem, ROOT + 0x1000 + 16, non_leaf(ROOT + 0x2000)).unwrap();
        let w = walk(&mem, ROOT, gpa, LVL_PT).unwrap();
        assert_eq!((w.level, w.at), (1, ROOT + 0x2000 + 16));
        // Asked for level 2: stops there even though it is present.
        let w = walk(&mem, ROOT, gpa, 2).unwrap();
        assert_eq!((w.level, w.entry), (2, non_leaf(ROOT + 0x2000)));
        // A 2 MiB leaf ends the walk.
        let big = leaf(0x20_0000, State::Mapped, RWX);
        write(&mut mem, ROOT + 0x2000 + 16, big).unwrap();
        let w = walk(&mem, ROOT, gpa, LVL_PT).unwrap();
        assert_eq!((w.level, w.entry), (1, big));
        assert_eq!(leaf_hpa(big, gpa, 1), 0x20_3000);
        // An entry in a state the model does not know: declined.
        write(&mut mem, ROOT + 0x2000 + 16, big | 1 << 54).unwrap();
        assert_eq!(walk(&mem, ROOT, gpa, LVL_PT), None);
        mem.limit = ROOT;
        assert_eq!(walk(&mem, ROOT, gpa, LVL_PT), None);
    }
}
