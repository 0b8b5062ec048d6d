// SPDX-License-Identifier: GPL-2.0

//! The module's locks, as try-locks held by the logical processors inside a
//! SEAMCALL.
//!
//! Intel's TDX module never waits for a lock: a leaf tries its locks in a
//! fixed order and, when one is taken, releases what it holds and returns a
//! busy status (`tdx_locks.h`: `acquire_sharex_lock_sh/_ex`,
//! `acquire_mutex_lock`, and the PAMT entry locks of `pamt_walk()`). A
//! shared try fails only while the lock is held exclusively; an exclusive
//! try (or a mutex) fails while anyone holds it.
//!
//! The table lists what each LP holds, not a lock per object, so it stays
//! small and fixed: an LP inside a call holds at most [`MAX_WANTS`] locks,
//! and at most [`MAX_CALLERS`] LPs are inside a call at once (the glue
//! refuses a kernel with more CPUs).
//!
//! Pure `core`.

/// What a lock protects.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Lock {
    /// The module's global sharex lock (`global_lock`).
    Global,
    /// The mutex of the configured TDMR at this base (`tdmr_table[i].lock`).
    Tdmr(u64),
    /// The PAMT entry lock of the 4 KiB page at this address (a TDR, a
    /// TDVPR: the first page lock a TD leaf takes).
    Page(u64),
}

/// How a lock is tried; a mutex is always [`Mode::Exclusive`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Shared,
    Exclusive,
}

/// One lock a leaf tries, and the status it returns when the try fails.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Want {
    pub(crate) lock: Lock,
    pub(crate) mode: Mode,
    pub(crate) busy: u64,
}

/// Locks one call holds at most.
pub(crate) const MAX_WANTS: usize = 2;
/// LPs inside a call at once at most: the kernel's CPUs (`nr_cpu_ids`).
pub(crate) const MAX_CALLERS: usize = 256;
const CAPACITY: usize = MAX_CALLERS * MAX_WANTS;

#[derive(Clone, Copy, Debug)]
struct Held {
    lp: u32,
    lock: Lock,
    mode: Mode,
}

const FREE: Held = Held {
    lp: u32::MAX,
    lock: Lock::Global,
    mode: Mode::Shared,
};

/// Why [`Locks::try_take`] took nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Refused {
    /// A lock was taken: the leaf returns this status.
    Busy(u64),
    /// More callers than [`MAX_CALLERS`]: an emulator limit, not a status.
    Full,
}

/// Every lock held now, by LP.
pub(crate) struct Locks {
    held: [Held; CAPACITY],
    len: usize,
}

impl Locks {
    /// Writes an empty table at `slot`, entry by entry (no table on the
    /// stack).
    ///
    /// # Safety
    ///
    /// `slot` is valid for writes of a `Locks` and aligned.
    pub(crate) unsafe fn write_new(slot: *mut Self) {
        // SAFETY: the caller's contract; each entry pointer is in bounds.
        unsafe {
            let held = core::ptr::addr_of_mut!((*slot).held).cast::<Held>();
            for i in 0..CAPACITY {
                held.add(i).write(FREE);
            }
            core::ptr::addr_of_mut!((*slot).len).write(0);
        }
    }

    fn conflicts(&self, lock: Lock, mode: Mode) -> bool {
        self.held[..self.len]
            .iter()
            .any(|h| h.lock == lock && (mode == Mode::Exclusive || h.mode == Mode::Exclusive))
    }

    /// `lp` tries `wants` in order and holds them all, or, at the first
    /// that is taken, releases what it took and holds nothing.
    pub(crate) fn try_take(
        &mut self,
        lp: u32,
        wants: impl IntoIterator<Item = Want>,
    ) -> Result<(), Refused> {
        for w in wants {
            let refused = if self.conflicts(w.lock, w.mode) {
                Some(Refused::Busy(w.busy))
            } else if self.len == CAPACITY {
                Some(Refused::Full)
            } else {
                None
            };
            if let Some(refused) = refused {
                self.release(lp);
                return Err(refused);
            }
            self.held[self.len] = Held {
                lp,
                lock: w.lock,
                mode: w.mode,
            };
            self.len += 1;
        }
        Ok(())
    }

    /// Everything `lp` holds is free again.
    pub(crate) fn release(&mut self, lp: u32) {
        let mut i = 0;
        while i < self.len {
            if self.held[i].lp == lp {
                self.len -= 1;
                self.held[i] = self.held[self.len];
                self.held[self.len] = FREE;
            } else {
                i += 1;
            }
        }
    }

    /// How many locks `lp` holds.
    pub(crate) fn held_by(&self, lp: u32) -> usize {
        self.held[..self.len].iter().filter(|h| h.lp == lp).count()
    }

    /// How many locks are held, by every LP together.
    pub(crate) fn held(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUSY: u64 = 0x8000_0202_0000_0000;
    const OP_BUSY: u64 = 0x8000_0200_0000_0001;

    fn table() -> Locks {
        let mut slot = core::mem::MaybeUninit::<Locks>::uninit();
        // SAFETY: `slot` is valid and aligned; `write_new` initializes it.
        unsafe {
            Locks::write_new(slot.as_mut_ptr());
            slot.assume_init()
        }
    }

    fn want(lock: Lock, mode: Mode, busy: u64) -> Want {
        Want { lock, mode, busy }
    }

    #[test]
    fn shared_holders_share_and_keep_exclusive_out() {
        let mut t = table();
        let sh = [want(Lock::Global, Mode::Shared, BUSY)];
        let ex = [want(Lock::Global, Mode::Exclusive, BUSY)];
        assert_eq!(t.try_take(0, sh), Ok(()));
        assert_eq!(t.try_take(1, sh), Ok(()));
        assert_eq!(t.try_take(2, ex), Err(Refused::Busy(BUSY)));
        t.release(0);
        assert_eq!(t.try_take(2, ex), Err(Refused::Busy(BUSY)));
        t.release(1);
        assert_eq!(t.try_take(2, ex), Ok(()));
        assert_eq!(t.try_take(0, sh), Err(Refused::Busy(BUSY)));
        assert_eq!(t.try_take(1, ex), Err(Refused::Busy(BUSY)));
        t.release(2);
        assert_eq!(t.try_take(0, sh), Ok(()));
    }

    #[test]
    fn a_failed_try_releases_what_the_call_took_first() {
        let mut t = table();
        let page = want(Lock::Page(0x1000), Mode::Exclusive, OP_BUSY);
        assert_eq!(t.try_take(1, [page]), Ok(()));
        let two = [want(Lock::Global, Mode::Exclusive, BUSY), page];
        assert_eq!(t.try_take(0, two), Err(Refused::Busy(OP_BUSY)));
        assert_eq!(t.held_by(0), 0, "the global lock was given back");
        assert_eq!(
            t.try_take(2, [want(Lock::Global, Mode::Exclusive, BUSY)]),
            Ok(())
        );
    }

    #[test]
    fn locks_of_different_objects_do_not_meet() {
        let mut t = table();
        for (lp, lock) in [
            (0, Lock::Tdmr(1 << 30)),
            (1, Lock::Tdmr(2 << 30)),
            (2, Lock::Page(1 << 30)),
            (3, Lock::Global),
        ] {
            assert_eq!(t.try_take(lp, [want(lock, Mode::Exclusive, BUSY)]), Ok(()));
        }
        assert_eq!(
            t.try_take(4, [want(Lock::Tdmr(1 << 30), Mode::Exclusive, 7)]),
            Err(Refused::Busy(7))
        );
    }

    #[test]
    fn release_keeps_the_other_lps_locks() {
        let mut t = table();
        let sh = |a| want(Lock::Page(a), Mode::Shared, OP_BUSY);
        assert_eq!(t.try_take(0, [sh(0x1000), sh(0x2000)]), Ok(()));
        assert_eq!(t.try_take(1, [sh(0x1000)]), Ok(()));
        assert_eq!(t.try_take(2, [sh(0x2000)]), Ok(()));
        t.release(0);
        assert_eq!((t.held_by(0), t.held_by(1), t.held_by(2)), (0, 1, 1));
        let ex = want(Lock::Page(0x2000), Mode::Exclusive, OP_BUSY);
        assert_eq!(t.try_take(3, [ex]), Err(Refused::Busy(OP_BUSY)));
        t.release(2);
        assert_eq!(t.try_take(3, [ex]), Ok(()));
    }

    #[test]
    fn a_full_table_is_an_emulator_limit() {
        let mut t = table();
        for lp in 0..MAX_CALLERS as u32 {
            let two = [
                want(Lock::Page(u64::from(lp) << 12), Mode::Shared, 1),
                want(Lock::Global, Mode::Shared, 1),
            ];
            assert_eq!(t.try_take(lp, two), Ok(()));
        }
        let one = [want(Lock::Page(1 << 40), Mode::Shared, 1)];
        assert_eq!(t.try_take(9999, one), Err(Refused::Full));
        assert_eq!(t.held_by(9999), 0);
        t.release(5);
        assert_eq!(t.try_take(9999, one), Ok(()));
    }
}
