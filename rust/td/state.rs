// SPDX-License-Identifier: GPL-2.0

//! `struct tdx_rs_td::rs_private`: what this module knows of a TD, in one
//! u64 the caller zeroes and never touches, updated atomically.
//!
//! | bits  | meaning                                                   |
//! |-------|-----------------------------------------------------------|
//! | 15:0  | the HKID TDH.MNG.CREATE bound to the TD                   |
//! | 16    | `CREATED`: TDH.MNG.CREATE succeeded                       |
//! | 17    | `HKID_BOUND`: the TD holds its HKID (until KEY.FREEID)    |
//! | 18    | `TDR_HELD`: this module holds its reference on the TDR    |
//! | 23:19 | zero                                                      |
//! | 63:24 | the TDR's page frame number                               |
//!
//! Zero is "not created". TDH.MNG.CREATE's success sets all three bits;
//! TDH.MNG.KEY.FREEID's clears `HKID_BOUND`; the TDR's give-back (after
//! TDH.PHYMEM.PAGE.WBINVD) or its abandonment clears `TDR_HELD`, after
//! which the TD takes no call at all. Every call on a TD uses the TDR
//! recorded here, so a TD is what TDH.MNG.CREATE made it.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

/// The HKID bits.
const HKID_MASK: u64 = 0xffff;
/// TDH.MNG.CREATE succeeded.
pub(crate) const CREATED: u64 = 1 << 16;
/// The TD holds its HKID: TDH.MNG.KEY.FREEID has not succeeded.
pub(crate) const HKID_BOUND: u64 = 1 << 17;
/// This module holds its reference on the TDR page.
pub(crate) const TDR_HELD: u64 = 1 << 18;
const PFN_SHIFT: u32 = 24;
const PAGE_SHIFT: u32 = 12;

/// The state right after TDH.MNG.CREATE of the TDR at `tdr_pa` with `hkid`;
/// `None` if `tdr_pa` is not a page address this layout can hold (below
/// 2^52, the architectural limit).
pub(crate) const fn created(tdr_pa: u64, hkid: u16) -> Option<u64> {
    if tdr_pa % (1 << PAGE_SHIFT) != 0 || tdr_pa >> 52 != 0 {
        return None;
    }
    let pfn = tdr_pa >> PAGE_SHIFT;
    Some(pfn << PFN_SHIFT | TDR_HELD | HKID_BOUND | CREATED | hkid as u64)
}

/// The TDR of a created TD whose TDR this module still holds: the TD a
/// call may name.
pub(crate) const fn tdr_pa(state: u64) -> Option<u64> {
    if state & (CREATED | TDR_HELD) != CREATED | TDR_HELD {
        return None;
    }
    Some(state >> PFN_SHIFT << PAGE_SHIFT)
}

/// The HKID of a created TD that still holds it.
pub(crate) const fn bound_hkid(state: u64) -> Option<u16> {
    if state & (CREATED | HKID_BOUND) != CREATED | HKID_BOUND {
        return None;
    }
    Some((state & HKID_MASK) as u16)
}

/// After TDH.MNG.KEY.FREEID succeeded: the HKID is no longer the TD's.
/// `None` if it was not bound.
pub(crate) const fn key_freed(state: u64) -> Option<u64> {
    match bound_hkid(state) {
        Some(_) => Some(state & !HKID_BOUND),
        None => None,
    }
}

/// After the TDR's reference was given back or given up: `None` if it was
/// not held.
pub(crate) const fn tdr_dropped(state: u64) -> Option<u64> {
    match tdr_pa(state) {
        Some(_) => Some(state & !TDR_HELD),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_no_td() {
        assert_eq!(tdr_pa(0), None);
        assert_eq!(bound_hkid(0), None);
        assert_eq!(key_freed(0), None);
        assert_eq!(tdr_dropped(0), None);
    }

    #[test]
    fn created_records_the_tdr_and_the_hkid() {
        let s = created(0x1234_5000, 33).unwrap();
        assert_eq!(tdr_pa(s), Some(0x1234_5000));
        assert_eq!(bound_hkid(s), Some(33));
        assert_ne!(s, 0);
        // The highest page below 2^52 and the widest HKID fit.
        let top = (1u64 << 52) - 4096;
        let s = created(top, u16::MAX).unwrap();
        assert_eq!(tdr_pa(s), Some(top));
        assert_eq!(bound_hkid(s), Some(u16::MAX));
    }

    #[test]
    fn created_refuses_what_it_cannot_hold() {
        assert_eq!(created(0x1234_5008, 1), None, "not a page address");
        assert_eq!(created(1 << 52, 1), None, "beyond 52 bits");
        assert_eq!(created(u64::MAX & !0xfff, 1), None);
    }

    #[test]
    fn freeid_unbinds_once_and_keeps_the_tdr() {
        let s = created(0x8000, 7).unwrap();
        let f = key_freed(s).unwrap();
        assert_eq!(bound_hkid(f), None);
        assert_eq!(
            tdr_pa(f),
            Some(0x8000),
            "the TD lives on until its TDR goes"
        );
        assert_eq!(key_freed(f), None, "a second FREEID unbinds nothing");
    }

    #[test]
    fn a_dropped_tdr_ends_every_call() {
        let s = created(0x8000, 7).unwrap();
        let d = tdr_dropped(s).unwrap();
        assert_eq!(tdr_pa(d), None);
        assert_eq!(tdr_dropped(d), None, "given back once");
        // The HKID binding is independent of the TDR.
        assert_eq!(bound_hkid(d), Some(7));
        let both = tdr_dropped(key_freed(s).unwrap()).unwrap();
        assert_eq!((tdr_pa(both), bound_hkid(both)), (None, None));
    }
}
