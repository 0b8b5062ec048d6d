// SPDX-License-Identifier: GPL-2.0

//! How TDH.SYS.TDMR.INIT's work is shared among CPUs: pure `core`, so the
//! host tests and the scaling table run the same code as the module.
//!
//! The TDX module takes a TDMR's mutex for each TDH.SYS.TDMR.INIT call
//! (`TDX_OPERAND_BUSY` RCX when another LP holds it), so one TDMR is never
//! worth two CPUs; different TDMRs are. Each worker claims the next TDMR
//! not yet claimed ([`Claims`]) and calls TDH.SYS.TDMR.INIT on it until the
//! module says it is done, then claims another. The TDMRs are claimed
//! largest first ([`largest_first`]): the list schedule that keeps the
//! busiest worker's share (the critical path, [`critical_path`]) lowest
//! when there are more TDMRs than workers. Upstream Linux (6.12 to 6.16,
//! `init_tdmrs()`) calls TDH.SYS.TDMR.INIT on every TDMR in turn from one
//! CPU: its critical path is all of the calls.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The order to claim the TDMRs in: `order[..n]` gets the indices
/// `0..n` (n = `order.len()`) by `size(index)`, largest first, equal sizes
/// in index order. An insertion sort: at most the module's `MAX_TDMRS`
/// (64 on TDX 1.5) entries.
pub(crate) fn largest_first(order: &mut [usize], size: impl Fn(usize) -> u64) {
    for i in 0..order.len() {
        let mut j = i;
        while j > 0 && size(order[j - 1]) < size(i) {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = i;
    }
}

/// The workers' shared claim on the TDMRs, in claim order.
pub(crate) struct Claims {
    next: AtomicUsize,
    stopped: AtomicBool,
    len: usize,
}

impl Claims {
    /// Claims on `len` TDMRs, none taken.
    pub(crate) const fn new(len: usize) -> Self {
        Self {
            next: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            len,
        }
    }

    /// The next position in the claim order, each given out once; `None`
    /// once all are taken or a worker [stopped](Claims::stop) the rest.
    pub(crate) fn claim(&self) -> Option<usize> {
        if self.stopped.load(Ordering::Relaxed) {
            return None;
        }
        let at = self.next.fetch_add(1, Ordering::Relaxed);
        (at < self.len).then_some(at)
    }

    /// No TDMR is claimed any more: one failed, and the module's
    /// initialization is over.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

/// The critical path, in TDH.SYS.TDMR.INIT calls, of `workers` workers that
/// claim TDMRs in the order of `calls` (each TDMR's calls) as [`Claims`]
/// hands them out, when every call takes the same time: each TDMR goes to
/// the worker that is free first (the lowest numbered of those free at
/// once). `workers` is capped at `MAX`; 0 workers, or no TDMR, is 0. For
/// the host-side tables (`cargo test`); the module itself measures nothing.
#[cfg(test)]
pub(crate) fn critical_path<const MAX: usize>(calls: &[u64], workers: usize) -> u64 {
    let mut busy = [0u64; MAX];
    let busy = &mut busy[..workers.min(MAX)];
    if busy.is_empty() {
        return 0;
    }
    for &c in calls {
        let mut first_free = 0;
        for w in 1..busy.len() {
            if busy[w] < busy[first_free] {
                first_free = w;
            }
        }
        busy[first_free] += c;
    }
    busy.iter().copied().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_first_is_stable_for_equal_sizes() {
        let sizes = [2u64, 5, 2, 7, 5];
        let mut order = [99; 5];
        largest_first(&mut order, |i| sizes[i]);
        assert_eq!(order, [3, 1, 4, 0, 2]);
        let mut none: [usize; 0] = [];
        largest_first(&mut none, |i| sizes[i]);
    }

    #[test]
    fn claims_are_each_given_once_and_stop_ends_them() {
        let c = Claims::new(3);
        assert_eq!(
            [c.claim(), c.claim(), c.claim()],
            [Some(0), Some(1), Some(2)]
        );
        assert_eq!(c.claim(), None);
        assert_eq!(c.claim(), None, "the counter past the end stays past it");
        let c = Claims::new(3);
        assert_eq!(c.claim(), Some(0));
        c.stop();
        assert_eq!(c.claim(), None);
    }

    #[test]
    fn critical_path_of_a_list_schedule() {
        // Two TDMRs of 512 calls (two 2 GiB TDMRs at 4 MiB a call).
        assert_eq!(critical_path::<8>(&[512, 512], 1), 1024);
        assert_eq!(critical_path::<8>(&[512, 512], 2), 512);
        assert_eq!(critical_path::<8>(&[512, 512], 4), 512);
        // Largest first, three workers: 7 | 5+2 | 5+2.
        assert_eq!(critical_path::<8>(&[7, 5, 5, 2, 2], 3), 7);
        // In index order the same TDMRs cost more.
        assert_eq!(critical_path::<8>(&[2, 5, 2, 7, 5], 3), 9);
        assert_eq!(critical_path::<2>(&[1, 1, 1, 1], 4), 2, "capped at MAX");
        assert_eq!(critical_path::<8>(&[3], 0), 0);
        assert_eq!(critical_path::<8>(&[], 3), 0);
    }
}
