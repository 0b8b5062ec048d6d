// SPDX-License-Identifier: GPL-2.0

//! How the emulated TDX module reads a physical address: which bits are the
//! KeyID (HKID), which KeyIDs are TDX private, and the checks the module makes
//! on an address the host hands it.
//!
//! The real module samples MAXPA (CPUID 0x80000008) and the KeyID bits
//! (IA32_TME_ACTIVATE) at TDH.SYS.INIT (`check_key_management_config()` in
//! `tdh_sys_init.c`), and the KeyID starts at MAXPA minus the KeyID bits.
//! [`Platform`] carries MAXPA; for the KeyID bits the model takes the fewest
//! that hold every KeyID of IA32_MKTME_KEYID_PARTITIONING, as a BIOS that
//! activates no more than it needs would (`tdx_emu_tme_keyid_bits()` tells
//! the kernel the same). Addresses are checked against [`MAX_PA`], the
//! module's own limit.
//!
//! Pure `core`.

use crate::platform::Platform;

/// The module's address width limit (`MAX_PA`): every address it accepts is
/// below `1 << MAX_PA` (`is_pa_smaller_than_max_pa()`, `helpers.h`).
pub(crate) const MAX_PA: u32 = 52;

/// The KeyID layout of the platform, as TDH.SYS.INIT records it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct KeyIds {
    /// Lowest address bit of the KeyID (`hkid_start_bit`).
    pub(crate) hkid_start: u32,
    /// The KeyID bits of an address (`hkid_mask`).
    pub(crate) hkid_mask: u64,
    /// First TDX private KeyID: one past the MKTME KeyIDs.
    pub(crate) private_min: u32,
    /// Last TDX private KeyID.
    pub(crate) private_max: u32,
}

impl KeyIds {
    /// The layout for `platform`'s KeyID partitioning.
    pub(crate) const fn of(platform: &Platform) -> Self {
        let total = platform.nr_mktme_keyids as u64 + platform.nr_tdx_keyids as u64;
        // Enough bits to write the highest KeyID.
        let bits = 64 - total.leading_zeros();
        let max_pa = if platform.max_pa < MAX_PA {
            platform.max_pa
        } else {
            MAX_PA
        };
        let hkid_start = max_pa.saturating_sub(bits);
        Self {
            hkid_start,
            hkid_mask: ((1u64 << max_pa) - 1) & !((1u64 << hkid_start) - 1),
            private_min: platform.nr_mktme_keyids.saturating_add(1),
            private_max: platform
                .nr_mktme_keyids
                .saturating_add(platform.nr_tdx_keyids),
        }
    }

    /// The KeyID bits of `pa` (`get_hkid_from_pa()`).
    pub(crate) const fn hkid_of(&self, pa: u64) -> u64 {
        (pa & self.hkid_mask) >> self.hkid_start
    }

    /// Whether `hkid` is a TDX private KeyID (`is_private_hkid()`).
    pub(crate) const fn is_private(&self, hkid: u64) -> bool {
        hkid >= self.private_min as u64 && hkid <= self.private_max as u64
    }

    /// `pa` is below MAXPA and its KeyID bits are 0: what the module asks of
    /// TDMR, PAMT and TDH.SYS.TDMR.INIT addresses.
    pub(crate) const fn is_plain_pa(&self, pa: u64) -> bool {
        below_max_pa(pa) && self.hkid_of(pa) == 0
    }

    /// `shared_hpa_check_with_pwr_2_alignment()` (`helpers.c`): `pa` is
    /// aligned on `align` (a power of two), below MAXPA, and carries a shared
    /// (non-private) KeyID. The real check also refuses addresses inside
    /// SEAMRR, which the model's platform does not have.
    pub(crate) const fn is_shared_hpa(&self, pa: u64, align: u64) -> bool {
        is_aligned(pa, align) && below_max_pa(pa) && self.hkid_of(pa) < self.private_min as u64
    }
}

/// `is_addr_aligned_pwr_of_2()`: `addr` is a multiple of `align`, a power
/// of two.
pub(crate) const fn is_aligned(addr: u64, align: u64) -> bool {
    addr & (align - 1) == 0
}

/// `is_pa_smaller_than_max_pa()`.
pub(crate) const fn below_max_pa(pa: u64) -> bool {
    pa < 1 << MAX_PA
}

/// `is_valid_integer_range()`: `base + size` does not wrap.
pub(crate) const fn is_valid_range(base: u64, size: u64) -> bool {
    base <= u64::MAX - size
}

/// `is_overlap()`: whether `[base, base + size)` and `[base2, base2 + size2)`
/// share a byte. Both ranges must be valid (the module checks that first).
pub(crate) const fn is_overlap(base: u64, size: u64, base2: u64, size2: u64) -> bool {
    !(base >= base2.wrapping_add(size2) || base2 >= base.wrapping_add(size))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::SPR_FMS;
    use super::*;
    use crate::platform::{Cmr, MAX_CMRS};

    fn platform(mktme: u32, tdx: u32) -> Platform {
        Platform {
            nr_lps: 1,
            nr_packages: 1,
            cmrs: [Cmr::default(); MAX_CMRS],
            nr_cmrs: 0,
            nr_mktme_keyids: mktme,
            nr_tdx_keyids: tdx,
            max_pa: 52,
            fms: SPR_FMS,
            version: crate::module_version::DEFAULT_VERSION,
            handoff: None,
        }
    }

    #[test]
    fn keyid_bits_are_the_top_bits_of_the_cpus_address_width() {
        // QEMU's default: MAXPHYADDR 40; 1 + 31 KeyIDs need six bits.
        let k = KeyIds::of(&Platform {
            max_pa: 40,
            fms: SPR_FMS,
            ..platform(1, 31)
        });
        assert_eq!(k.hkid_start, 34);
        assert_eq!(k.hkid_mask, 0x0000_00FC_0000_0000);
        assert_eq!(k.hkid_of(2 << 34 | 0x1000), 2);
        assert!(k.is_plain_pa(0x3_ffff_f000) && !k.is_plain_pa(1 << 34));
    }

    #[test]
    fn keyid_bits_are_the_top_bits_below_max_pa() {
        // 1 MKTME KeyID + 62 TDX KeyIDs: KeyIDs up to 63, six bits.
        let k = KeyIds::of(&platform(1, 62));
        assert_eq!(k.hkid_start, 46);
        assert_eq!(k.hkid_mask, 0x000F_C000_0000_0000);
        assert_eq!((k.private_min, k.private_max), (2, 63));
        assert_eq!(k.hkid_of(5 << 46 | 0x1000), 5);
        assert!(k.is_private(2) && k.is_private(63));
        assert!(!k.is_private(1) && !k.is_private(0) && !k.is_private(64));
    }

    #[test]
    fn a_power_of_two_keyid_count_needs_one_more_bit() {
        assert_eq!(KeyIds::of(&platform(0, 4)).hkid_start, 49);
        assert_eq!(KeyIds::of(&platform(0, 3)).hkid_start, 50);
        let none = KeyIds::of(&platform(0, 0));
        assert_eq!(none.hkid_mask, 0);
        assert!(!none.is_private(0) && !none.is_private(1));
    }

    #[test]
    fn address_checks() {
        let k = KeyIds::of(&platform(1, 62));
        assert!(k.is_plain_pa(0x4000_0000));
        assert!(!k.is_plain_pa(1 << 46));
        assert!(!k.is_plain_pa(1 << 52));
        assert!(k.is_shared_hpa(0x1200, 512));
        assert!(!k.is_shared_hpa(0x1100, 512));
        // KeyID 1 is MKTME's: shared. KeyID 2 is private.
        assert!(k.is_shared_hpa(1 << 46 | 0x1000, 4096));
        assert!(!k.is_shared_hpa(2 << 46 | 0x1000, 4096));
        assert!(!k.is_shared_hpa(1 << 52, 4096));
    }

    #[test]
    fn ranges() {
        assert!(is_valid_range(u64::MAX - 4, 4));
        assert!(!is_valid_range(u64::MAX - 4, 5));
        assert!(is_overlap(0, 10, 9, 1));
        assert!(!is_overlap(0, 10, 10, 1));
        // As in the module, an empty range strictly inside another counts.
        assert!(is_overlap(10, 0, 5, 10));
        assert!(!is_overlap(15, 0, 5, 10));
        assert!(is_overlap(5, 10, 0, 6));
    }
}
