// SPDX-License-Identifier: GPL-2.0

//! The TDMR_INFO layout TDH.SYS.CONFIG reads ([`tdmr_info_size`],
//! [`write_tdmr_info`]).

use super::{PlanError, Tdmr, TDMR_INFO_ALIGN};

/// Bytes of TDMR_INFO before the reserved-area array: eight u64.
const TDMR_INFO_HEADER: usize = 64;

/// Bytes of one reserved-area entry in TDMR_INFO: offset and size, two u64.
const TDMR_INFO_AREA: usize = 16;

/// Bytes of one TDMR_INFO entry: 64 header bytes plus 16 per reserved area,
/// rounded up to [`TDMR_INFO_ALIGN`].
pub(crate) const fn tdmr_info_size(max_reserved_per_tdmr: u16) -> usize {
    let raw = TDMR_INFO_HEADER + TDMR_INFO_AREA * max_reserved_per_tdmr as usize;
    raw.next_multiple_of(TDMR_INFO_ALIGN)
}

/// Writes `tdmr` as a TDMR_INFO into the first
/// [`tdmr_info_size`]`(max_reserved_per_tdmr)` bytes of `buf`, little endian:
/// base, size, 1 GiB PAMT base and size, 2 MiB PAMT, 4 KiB PAMT, then the
/// reserved areas (offset, size), the rest zero. Bytes of `buf` past the entry
/// are not touched. The caller places `buf` 512-byte aligned.
///
/// Errors: [`PlanError::OutputTooSmall`] if `buf` is shorter than the entry,
/// [`PlanError::InfoTooSmall`] if `tdmr` has more reserved areas than
/// `max_reserved_per_tdmr`.
pub(crate) fn write_tdmr_info(
    tdmr: &Tdmr,
    max_reserved_per_tdmr: u16,
    buf: &mut [u8],
) -> Result<(), PlanError> {
    let reserved = tdmr.reserved();
    if reserved.len() > usize::from(max_reserved_per_tdmr) {
        return Err(PlanError::InfoTooSmall {
            reserved: reserved.len(),
            max_reserved_per_tdmr,
        });
    }
    let buf = buf
        .get_mut(..tdmr_info_size(max_reserved_per_tdmr))
        .ok_or(PlanError::OutputTooSmall)?;
    buf.fill(0);
    let [pamt_4k, pamt_2m, pamt_1g] = tdmr.pamt;
    let header = [
        tdmr.base,
        tdmr.size,
        pamt_1g.base,
        pamt_1g.size,
        pamt_2m.base,
        pamt_2m.size,
        pamt_4k.base,
        pamt_4k.size,
    ];
    let words = header
        .into_iter()
        .chain(reserved.iter().flat_map(|r| [r.base, r.size]));
    for (bytes, word) in buf.chunks_exact_mut(8).zip(words) {
        bytes.copy_from_slice(&word.to_le_bytes());
    }
    Ok(())
}
