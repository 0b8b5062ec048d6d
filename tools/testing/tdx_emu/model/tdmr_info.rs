// SPDX-License-Identifier: GPL-2.0

//! TDMR_INFO as the emulated module reads it from host memory
//! (`tdmr_info_entry_t`, `include/tdx_api_defs.h`), parsed from its bytes:
//!
//! | offset | field                                         |
//! |--------|-----------------------------------------------|
//! | 0      | u64 TDMR base                                 |
//! | 8      | u64 TDMR size                                 |
//! | 16, 24 | u64 PAMT_1G base, size                        |
//! | 32, 40 | u64 PAMT_2M base, size                        |
//! | 48, 56 | u64 PAMT_4K base, size                        |
//! | 64     | 16 × {u64 offset, u64 size} reserved areas    |
//!
//! All little-endian. Also the walk over a TDMR's non-reserved parts that
//! TDH.SYS.CONFIG makes twice.
//!
//! Pure `core`.

use crate::platform::PhysMem;

/// Reserved areas in one TDMR_INFO (`MAX_RESERVED_AREAS`).
pub(crate) const MAX_RESERVED_AREAS: usize = 16;
/// Bytes of one TDMR_INFO.
pub(crate) const TDMR_INFO_SIZE: usize = 64 + 16 * MAX_RESERVED_AREAS;
/// Alignment of the TDMR_INFO pointer array and of each TDMR_INFO
/// (`TDMR_INFO_ENTRY_PTR_ARRAY_ALIGNMENT`).
pub(crate) const TDMR_INFO_ALIGN: u64 = 512;

/// Bytes of one PAMT entry at every level (`sizeof(pamt_entry_t)`).
pub(crate) const PAMT_ENTRY_SIZE: u64 = 16;

/// A PAMT's page size, numbered as the module numbers them in error details
/// (`page_size_t`: `PT_4KB`, `PT_2MB`, `PT_1GB`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PageSize {
    Size4K = 0,
    Size2M = 1,
    Size1G = 2,
}

impl PageSize {
    /// Bytes of memory one PAMT entry of this level covers.
    pub(crate) const fn bytes(self) -> u64 {
        match self {
            PageSize::Size4K => 1 << 12,
            PageSize::Size2M => 1 << 21,
            PageSize::Size1G => 1 << 30,
        }
    }
}

/// One memory range: `[base, base + size)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Range {
    pub(crate) base: u64,
    pub(crate) size: u64,
}

/// A reserved area: `[tdmr base + offset, + size)`; size 0 is a null entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Reserved {
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// One TDMR_INFO, decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct TdmrInfo {
    pub(crate) base: u64,
    pub(crate) size: u64,
    /// Indexed by [`PageSize`].
    pub(crate) pamt: [Range; 3],
    pub(crate) reserved: [Reserved; MAX_RESERVED_AREAS],
}

fn le_u64(bytes: &[u8], offset: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[offset..offset + 8]);
    u64::from_le_bytes(word)
}

impl TdmrInfo {
    /// Decodes the ABI layout.
    pub(crate) fn from_bytes(bytes: &[u8; TDMR_INFO_SIZE]) -> Self {
        let range = |offset| Range {
            base: le_u64(bytes, offset),
            size: le_u64(bytes, offset + 8),
        };
        let mut info = TdmrInfo {
            base: le_u64(bytes, 0),
            size: le_u64(bytes, 8),
            pamt: [range(48), range(32), range(16)],
            reserved: [Reserved::default(); MAX_RESERVED_AREAS],
        };
        for (j, area) in info.reserved.iter_mut().enumerate() {
            let r = range(64 + 16 * j);
            *area = Reserved {
                offset: r.base,
                size: r.size,
            };
        }
        info
    }

    /// Reads and decodes the TDMR_INFO at `pa`; `None` if the memory cannot
    /// be read.
    pub(crate) fn read(mem: &dyn PhysMem, pa: u64) -> Option<Self> {
        let mut bytes = [0u8; TDMR_INFO_SIZE];
        mem.read(pa, &mut bytes).then(|| Self::from_bytes(&bytes))
    }

    /// The PAMT of one level.
    pub(crate) const fn pamt_of(&self, level: PageSize) -> Range {
        self.pamt[level as usize]
    }

    /// Calls `f(start, end)` on each non-reserved part `[start, end)` of the
    /// TDMR, in order, and stops at the first call that returns true (then
    /// returns true). The walk is the module's own (`check_tdmr_available_areas()`
    /// and `is_pamt_overlaps_available_area()`, `tdh_sys_config.c`), including
    /// where it stops; it assumes the reserved areas passed their checks.
    pub(crate) fn any_available(&self, mut f: impl FnMut(u64, u64) -> bool) -> bool {
        let tdmr_end = self.base.wrapping_add(self.size);
        let mut start = self.base;
        let mut valid = false;
        for area in &self.reserved {
            let reserved_start = self.base.wrapping_add(area.offset);
            let reserved_end = reserved_start.wrapping_add(area.size);
            valid = area.size != 0;
            if start == tdmr_end {
                break;
            }
            if valid && start == reserved_start {
                start = reserved_end;
                continue;
            }
            let end = if valid { reserved_start } else { tdmr_end };
            if f(start, end) {
                return true;
            }
            if !valid {
                break;
            }
            start = reserved_end;
        }
        valid && tdmr_end > start && f(start, tdmr_end)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes `info` in the ABI layout (tests build TDMR_INFO by hand).
    pub(crate) fn to_bytes(info: &TdmrInfo) -> [u8; TDMR_INFO_SIZE] {
        let mut words = [0u64; TDMR_INFO_SIZE / 8];
        words[0] = info.base;
        words[1] = info.size;
        for (level, slot) in [
            (PageSize::Size1G, 2),
            (PageSize::Size2M, 4),
            (PageSize::Size4K, 6),
        ] {
            words[slot] = info.pamt_of(level).base;
            words[slot + 1] = info.pamt_of(level).size;
        }
        for (j, area) in info.reserved.iter().enumerate() {
            words[8 + 2 * j] = area.offset;
            words[9 + 2 * j] = area.size;
        }
        let mut bytes = [0u8; TDMR_INFO_SIZE];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }

    fn available(info: &TdmrInfo) -> Vec<(u64, u64)> {
        let mut parts = Vec::new();
        assert!(!info.any_available(|s, e| {
            parts.push((s, e));
            false
        }));
        parts
    }

    const G: u64 = 1 << 30;

    fn tdmr(reserved: &[(u64, u64)]) -> TdmrInfo {
        let mut info = TdmrInfo {
            base: G,
            size: G,
            ..TdmrInfo::default()
        };
        for (area, &(offset, size)) in info.reserved.iter_mut().zip(reserved) {
            *area = Reserved { offset, size };
        }
        info
    }

    #[test]
    fn layout_round_trips_and_offsets_are_the_abi() {
        let mut info = tdmr(&[(0x1000, 0x2000), (0x10000, 0x1000)]);
        info.pamt = [
            Range {
                base: 0x4000_0000,
                size: 0x40_0000,
            },
            Range {
                base: 0x5000_0000,
                size: 0x2000,
            },
            Range {
                base: 0x6000_0000,
                size: 0x1000,
            },
        ];
        let bytes = to_bytes(&info);
        assert_eq!(TdmrInfo::from_bytes(&bytes), info);
        assert_eq!(le_u64(&bytes, 16), 0x6000_0000, "PAMT_1G base at 16");
        assert_eq!(le_u64(&bytes, 48), 0x4000_0000, "PAMT_4K base at 48");
        assert_eq!(le_u64(&bytes, 64 + 16), 0x10000, "reserved[1].offset");
        assert_eq!(TDMR_INFO_SIZE, 320);
    }

    #[test]
    fn available_parts_skip_the_reserved_areas() {
        assert_eq!(available(&tdmr(&[])), [(G, 2 * G)]);
        assert_eq!(
            available(&tdmr(&[(0x1000, 0x1000), (0x3000, 0x1000)])),
            [
                (G, G + 0x1000),
                (G + 0x2000, G + 0x3000),
                (G + 0x4000, 2 * G)
            ]
        );
        // Reserved at the start, back to back, and up to the end.
        assert_eq!(
            available(&tdmr(&[
                (0, 0x1000),
                (0x1000, 0x1000),
                (0x3000, G - 0x3000)
            ])),
            [(G + 0x2000, G + 0x3000)]
        );
        assert_eq!(available(&tdmr(&[(0, G)])), []);
    }

    #[test]
    fn sixteen_reserved_areas_still_check_the_tail() {
        let areas: Vec<(u64, u64)> = (0..16).map(|j| (j * 0x2000, 0x1000)).collect();
        let parts = available(&tdmr(&areas));
        assert_eq!(parts.len(), 16);
        assert_eq!(parts[15], (G + 0x1f000, 2 * G));
    }

    #[test]
    fn the_walk_stops_at_the_first_hit() {
        let info = tdmr(&[(0x1000, 0x1000)]);
        let mut calls = 0;
        assert!(info.any_available(|_, _| {
            calls += 1;
            true
        }));
        assert_eq!(calls, 1);
    }
}
