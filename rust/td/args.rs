// SPDX-License-Identifier: GPL-2.0

//! Decoding the TD life-cycle API's arguments into SEAMCALL operands: what
//! does not fit its operand is refused before any SEAMCALL, so that no bit
//! of one argument can change another operand.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

/// RCX of TDH.MEM.SEPT.ADD, PAGE.AUG, RANGE.BLOCK and PAGE.REMOVE (TDX
/// module ABI, `page_info_api_input_t`): the level in bits 2:0, the GPA in
/// bits 51:12. `None` when `gpa` has a bit in 11:0 or `level` does not fit
/// 3 bits (a negative `int` included); the module checks the rest (levels
/// it supports, reserved bits).
pub(crate) fn gpa_level(gpa: u64, level: i64) -> Option<u64> {
    if gpa & 0xfff != 0 || !(0..=7).contains(&level) {
        return None;
    }
    Some(gpa | level as u64)
}

/// `pa` tagged with KeyID `hkid` in the bits from `phys_bits` up
/// (upstream's `mk_keyed_paddr()`, whose HKID is a u16): `None` when the
/// HKID is wider than 16 bits, `pa` reaches into the KeyID bits or the
/// KeyID does not fit 64 bits.
pub(crate) fn keyed_pa(pa: u64, hkid: u64, phys_bits: u32) -> Option<u64> {
    if hkid > u64::from(u16::MAX) || phys_bits >= 64 || pa >> phys_bits != 0 {
        return None;
    }
    let tag = hkid << phys_bits;
    if tag >> phys_bits != hkid {
        return None;
    }
    Some(pa | tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpa_and_level_share_rcx() {
        assert_eq!(gpa_level(0x1234_5000, 0), Some(0x1234_5000));
        assert_eq!(gpa_level(0x4000_0000, 2), Some(0x4000_0002));
        assert_eq!(gpa_level(0x20_0000, 7), Some(0x20_0007));
    }

    #[test]
    fn what_would_change_another_bit_is_refused() {
        assert_eq!(gpa_level(0x1234_5001, 0), None, "GPA bit 0");
        assert_eq!(gpa_level(0x1234_5800, 1), None, "GPA bit 11");
        assert_eq!(gpa_level(0x1000, 8), None, "level bit 3");
        assert_eq!(gpa_level(0x1000, -1), None, "negative level");
        assert_eq!(gpa_level(0x1000, i64::MIN), None);
    }

    #[test]
    fn keyed_pa_puts_the_hkid_above_the_address() {
        assert_eq!(keyed_pa(0x1000, 5, 46), Some(0x1000 | 5 << 46));
        assert_eq!(keyed_pa(0x1000, 0, 46), Some(0x1000));
        assert_eq!(
            keyed_pa(0x3fff_ffff_f000, 0xffff, 46),
            Some(0x3fff_ffff_f000 | 0xffff << 46)
        );
    }

    #[test]
    fn keyed_pa_refuses_what_would_overlap_or_overflow() {
        assert_eq!(keyed_pa(1 << 46, 1, 46), None, "address in KeyID bits");
        assert_eq!(keyed_pa(0x1000, 0x1_0000, 46), None, "HKID over 16 bits");
        assert_eq!(keyed_pa(0x1000, 0x8000, 52), None, "KeyID past bit 63");
        assert_eq!(keyed_pa(0x1000, 1, 64), None);
        assert_eq!(keyed_pa(0x1000, 0xfff, 52), Some(0x1000 | 0xfff << 52));
    }
}
