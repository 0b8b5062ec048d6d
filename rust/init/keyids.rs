// SPDX-License-Identifier: GPL-2.0

//! The TDX private KeyIDs, and the allocator of the guest ones.
//!
//! The platform gives TDX the KeyIDs after the MKTME ones
//! (IA32_MKTME_KEYID_PARTITIONING): `start = MKTME KeyIDs + 1`, `nr` of
//! them. The first becomes the TDX module's global KeyID (TDH.SYS.CONFIG);
//! each TD gets one of the others, the lowest free one.
//!
//! Pure `core`: shared by the kernel module and the host test crate. The
//! bitmap's storage is the caller's (one bit per TDX KeyID).

use core::ops::DerefMut;

/// The TDX private KeyIDs: `[start, start + nr)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct KeyIdRange {
    pub(crate) start: u32,
    pub(crate) nr: u32,
}

impl KeyIdRange {
    /// The TDX module's global KeyID.
    pub(crate) const fn global(self) -> u32 {
        self.start
    }

    /// Words of bitmap storage [`GuestKeyIds`] needs for this range.
    pub(crate) const fn bitmap_words(self) -> usize {
        (self.nr as usize).div_ceil(64)
    }
}

/// What [`GuestKeyIds::free`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Freed {
    /// The KeyID is free again.
    Yes,
    /// Nothing: the KeyID was not handed out (it may be another TD's).
    NotAllocated,
    /// Nothing: a TD holds it until TDH.MNG.KEY.FREEID succeeds, so it
    /// stays allocated and is never handed out twice.
    Bound,
}

/// Which guest KeyIDs are handed out (`used`) and which of those a TD
/// holds (`bound`, from TDH.MNG.CREATE until TDH.MNG.KEY.FREEID): bit
/// `k - start` for KeyID `k`. A bound KeyID is always a used one.
pub(crate) struct GuestKeyIds<B: DerefMut<Target = [u64]>> {
    range: KeyIdRange,
    used: B,
    bound: B,
}

impl<B: DerefMut<Target = [u64]>> GuestKeyIds<B> {
    /// `used` and `bound` must each hold at least `range.bitmap_words()`
    /// zeroed words.
    pub(crate) fn new(range: KeyIdRange, used: B, bound: B) -> Option<Self> {
        let fits = |b: &B| b.len() >= range.bitmap_words() && b.iter().all(|w| *w == 0);
        if !fits(&used) || !fits(&bound) {
            return None;
        }
        Some(Self { range, used, bound })
    }

    fn bit(&self, keyid: u32) -> Option<(usize, u64)> {
        let i = keyid.checked_sub(self.range.start)?;
        // The global KeyID is never a guest's.
        if i == 0 || i >= self.range.nr {
            return None;
        }
        Some((i as usize / 64, 1 << (i % 64)))
    }

    /// The lowest free guest KeyID, now handed out; `None` when all are.
    pub(crate) fn alloc(&mut self) -> Option<u32> {
        let keyid = (self.range.start + 1..self.range.start + self.range.nr).find(|k| {
            self.bit(*k)
                .is_some_and(|(word, mask)| self.used[word] & mask == 0)
        })?;
        let (word, mask) = self.bit(keyid)?;
        self.used[word] |= mask;
        Some(keyid)
    }

    /// Whether `keyid` is handed out.
    pub(crate) fn is_allocated(&self, keyid: u32) -> bool {
        self.bit(keyid)
            .is_some_and(|(word, mask)| self.used[word] & mask != 0)
    }

    /// A TD holds `keyid` (TDH.MNG.CREATE succeeded with it): `false`,
    /// changing nothing, unless it is handed out.
    pub(crate) fn bind(&mut self, keyid: u32) -> bool {
        match self.bit(keyid) {
            Some((word, mask)) if self.used[word] & mask != 0 => {
                self.bound[word] |= mask;
                true
            }
            _ => false,
        }
    }

    /// The TD let `keyid` go (TDH.MNG.KEY.FREEID succeeded): it may be
    /// freed now. `false` if it was not bound.
    pub(crate) fn unbind(&mut self, keyid: u32) -> bool {
        match self.bit(keyid) {
            Some((word, mask)) if self.bound[word] & mask != 0 => {
                self.bound[word] &= !mask;
                true
            }
            _ => false,
        }
    }

    /// Takes `keyid` back, unless it is not handed out or a TD holds it.
    pub(crate) fn free(&mut self, keyid: u32) -> Freed {
        match self.bit(keyid) {
            Some((word, mask)) if self.used[word] & mask != 0 => {
                if self.bound[word] & mask != 0 {
                    return Freed::Bound;
                }
                self.used[word] &= !mask;
                Freed::Yes
            }
            _ => Freed::NotAllocated,
        }
    }

    /// Whether any guest KeyID is handed out (a TD may hold keys).
    pub(crate) fn any(&self) -> bool {
        self.used.iter().any(|w| *w != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(range: KeyIdRange) -> Option<GuestKeyIds<Vec<u64>>> {
        let words = range.bitmap_words();
        GuestKeyIds::new(range, vec![0; words], vec![0; words])
    }

    fn ids(start: u32, nr: u32) -> GuestKeyIds<Vec<u64>> {
        with(KeyIdRange { start, nr }).unwrap()
    }

    #[test]
    fn hands_out_every_guest_keyid_once_lowest_first_never_the_global_one() {
        let mut k = ids(32, 100);
        let mut got = Vec::new();
        while let Some(id) = k.alloc() {
            got.push(id);
        }
        assert_eq!(got, (33..132).collect::<Vec<_>>());
        assert_eq!(k.free(70), Freed::Yes);
        assert_eq!(k.alloc(), Some(70));
    }

    #[test]
    fn a_bad_free_changes_nothing() {
        let mut k = ids(32, 4);
        assert!(!k.any());
        assert_eq!(k.alloc(), Some(33));
        for bad in [0, 31, 32, 34, 36, u32::MAX] {
            assert_eq!(k.free(bad), Freed::NotAllocated, "{bad}");
        }
        assert!(k.any());
        assert_eq!(k.free(33), Freed::Yes);
        assert_eq!(k.free(33), Freed::NotAllocated, "double free");
        assert!(!k.any());
        assert_eq!(k.alloc(), Some(33));
    }

    #[test]
    fn a_bound_keyid_stays_allocated_until_unbound() {
        let mut k = ids(32, 4);
        assert_eq!(k.alloc(), Some(33));
        assert!(k.is_allocated(33));
        assert!(k.bind(33));
        assert_eq!(k.free(33), Freed::Bound);
        assert!(k.is_allocated(33), "still out");
        // Not handed out twice while a TD holds it.
        assert_eq!(k.alloc(), Some(34));
        assert!(k.unbind(33));
        assert!(!k.unbind(33), "unbound once");
        assert_eq!(k.free(33), Freed::Yes);
        assert!(!k.is_allocated(33));
        assert_eq!(k.alloc(), Some(33));
    }

    #[test]
    fn only_an_allocated_keyid_can_be_bound() {
        let mut k = ids(32, 4);
        for bad in [32, 33, 36] {
            assert!(!k.bind(bad), "{bad}");
            assert!(!k.is_allocated(bad), "{bad}");
        }
        assert_eq!(k.alloc(), Some(33));
        assert!(!k.bind(34));
        assert_eq!(k.alloc(), Some(34), "34 was never taken by the bind");
    }

    #[test]
    fn storage_must_fit_and_start_clear() {
        let range = KeyIdRange { start: 1, nr: 129 };
        assert_eq!(range.bitmap_words(), 3);
        assert!(GuestKeyIds::new(range, vec![0; 2], vec![0; 3]).is_none());
        assert!(GuestKeyIds::new(range, vec![0; 3], vec![0; 2]).is_none());
        assert!(GuestKeyIds::new(range, vec![0, 1, 0], vec![0; 3]).is_none());
        assert!(GuestKeyIds::new(range, vec![0; 3], vec![0, 0, 1]).is_none());
        let mut k = with(range).unwrap();
        assert_eq!((0..128).filter_map(|_| k.alloc()).last(), Some(129));
        assert_eq!(k.alloc(), None);
    }

    #[test]
    fn one_tdx_keyid_leaves_no_guest_keyid() {
        let mut k = ids(5, 1);
        assert_eq!(k.alloc(), None);
        assert_eq!(KeyIdRange { start: 5, nr: 1 }.global(), 5);
    }
}
