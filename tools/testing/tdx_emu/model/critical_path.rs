// SPDX-License-Identifier: GPL-2.0

//! The TDH.SYS.TDMR.INIT calls each LP made, for the critical path of the
//! host's TDMR initialization: the most calls any one LP made. A host that
//! initializes TDMRs one after another makes all of its calls on its one
//! critical path, whichever CPUs they ran on; one that initializes different
//! TDMRs on different LPs at once (the module locks each TDMR, so two LPs
//! never work on one) waits for its busiest LP only. No counterpart in the
//! real module: a test counter, like the call counts.
//!
//! Every call is counted, whatever its outcome (a busy or failed call takes
//! the LP's time too), before the mode, injection and dispatcher checks, as
//! `Model`'s per-leaf counts are.
//!
//! Pure `core`.

use super::sys::MAX_LPS;

/// TDH.SYS.TDMR.INIT calls per LP, since load or reset.
pub(crate) struct TdmrInitPath {
    of_lp: [u32; MAX_LPS],
}

impl TdmrInitPath {
    pub(crate) const fn new() -> Self {
        Self {
            of_lp: [0; MAX_LPS],
        }
    }

    /// One more call on LP `lp` (ids beyond [`MAX_LPS`] are not counted:
    /// the platform parameters never make such an LP).
    pub(crate) fn record(&mut self, lp: u32) {
        if let Some(n) = self.of_lp.get_mut(lp as usize) {
            *n = n.saturating_add(1);
        }
    }

    /// The most calls one LP made: the critical path.
    pub(crate) fn longest(&self) -> u32 {
        self.of_lp.iter().copied().max().unwrap_or(0)
    }

    /// How many LPs made at least one call.
    pub(crate) fn lps(&self) -> usize {
        self.of_lp.iter().filter(|&&n| n != 0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_is_the_busiest_lp_and_lps_counts_the_callers() {
        let mut p = TdmrInitPath::new();
        assert_eq!((p.longest(), p.lps()), (0, 0));
        for _ in 0..3 {
            p.record(1);
        }
        for _ in 0..5 {
            p.record(7);
        }
        p.record(MAX_LPS as u32 - 1);
        p.record(MAX_LPS as u32);
        assert_eq!((p.longest(), p.lps()), (5, 3));
    }
}
