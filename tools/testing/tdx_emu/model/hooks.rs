// SPDX-License-Identifier: GPL-2.0

//! The emulator's test hooks, which have no counterpart in the real module:
//! fault injection (the nth call of a leaf, or the next calls of a leaf with
//! a status) and the register probe.
//!
//! Pure `core`.

use super::{Gprs, RBP, RSP};

/// How an injected call fails.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fault {
    /// Completes with this RAX; no other register changes.
    Status(u64),
    /// CF set, as if no SEAM module were loaded.
    VmFailInvalid,
    /// #UD, as if the CPU had no SEAM support.
    Ud,
}

/// Pending nth-call injections held at once; one more replaces the oldest.
pub(crate) const MAX_PENDING: usize = 16;

/// The `remaining`th call of `leaf` from now fails with `fault`, and so do
/// the `times - 1` calls of `leaf` after it on the same logical processor
/// (a caller retrying, while other LPs' calls go through).
#[derive(Clone, Copy, Debug)]
struct Nth {
    leaf: u16,
    remaining: u32,
    times: u32,
    /// The LP of the first failed call, once the run has begun.
    lp: Option<u32>,
    fault: Fault,
}

/// The next `remaining` calls of `leaf` return `status`.
#[derive(Clone, Copy, Debug)]
struct Repeat {
    leaf: u16,
    status: u64,
    remaining: u32,
}

/// Records the next call's inputs and answers it with chosen outputs.
#[derive(Clone, Copy, Debug)]
struct Probe {
    outputs: Gprs,
    /// Bit n set: register n gets `outputs[n]`. RSP and RBP are never written.
    mask: u16,
}

/// Every hook's state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Hooks {
    nth: [Option<Nth>; MAX_PENDING],
    /// Slot the next `inject` fills when all are taken.
    oldest: usize,
    repeat: Option<Repeat>,
    probe: Option<Probe>,
    recorded: Option<Gprs>,
}

impl Hooks {
    /// The `nth` (1-based) call of `leaf` from now and the `times - 1`
    /// calls of `leaf` after it on the same LP fail with `fault` (`times` 0
    /// counts as 1);
    /// `nth` 0 cancels every pending nth-call injection of `leaf`.
    pub(crate) fn inject(&mut self, leaf: u16, nth: u32, times: u32, fault: Fault) {
        if nth == 0 {
            for slot in &mut self.nth {
                if slot.is_some_and(|p| p.leaf == leaf) {
                    *slot = None;
                }
            }
            return;
        }
        let pending = Some(Nth {
            leaf,
            remaining: nth,
            times: times.max(1),
            lp: None,
            fault,
        });
        if let Some(free) = self.nth.iter_mut().find(|s| s.is_none()) {
            *free = pending;
        } else {
            self.nth[self.oldest] = pending;
            self.oldest = (self.oldest + 1) % MAX_PENDING;
        }
    }

    /// The next `count` calls of `leaf` return `status`; `count` 0 cancels.
    pub(crate) fn inject_status(&mut self, leaf: u16, status: u64, count: u32) {
        self.repeat = (count > 0).then_some(Repeat {
            leaf,
            status,
            remaining: count,
        });
    }

    /// Counts one call of `leaf` on LP `lp` and returns its injected fate,
    /// if any. Every nth-call injection of `leaf` counts the call (a run
    /// under way only the calls on its LP). When several come due on one
    /// call the earliest armed wins and the others stay due for the next
    /// call, so none is lost. A status injection applies only when no
    /// nth-call injection does.
    pub(crate) fn take(&mut self, leaf: u16, lp: u32) -> Option<Fault> {
        let mut due = None;
        for slot in &mut self.nth {
            let Some(p) = slot
                .as_mut()
                .filter(|p| p.leaf == leaf && p.lp.map_or(true, |l| l == lp))
            else {
                continue;
            };
            if p.remaining > 1 {
                p.remaining -= 1;
                continue;
            }
            // Due: `remaining` stays 1, so a deferred one is due next call.
            if due.is_some() {
                continue;
            }
            due = Some(p.fault);
            p.lp = Some(lp);
            p.times -= 1;
            if p.times == 0 {
                *slot = None;
            }
        }
        if due.is_some() {
            return due;
        }
        let r = self.repeat.as_mut().filter(|r| r.leaf == leaf)?;
        let status = r.status;
        r.remaining -= 1;
        if r.remaining == 0 {
            self.repeat = None;
        }
        Some(Fault::Status(status))
    }

    /// Arms the probe for the next call that reaches it; forgets what an
    /// earlier probe recorded.
    pub(crate) fn arm_probe(&mut self, outputs: &Gprs, mask: u16) {
        self.probe = Some(Probe {
            outputs: *outputs,
            mask,
        });
        self.recorded = None;
    }

    /// If the probe is armed: records `regs`, writes the chosen outputs and
    /// disarms; true if it fired.
    pub(crate) fn fire_probe(&mut self, regs: &mut Gprs) -> bool {
        let Some(probe) = self.probe.take() else {
            return false;
        };
        self.recorded = Some(*regs);
        for (n, reg) in regs.iter_mut().enumerate() {
            if n != RSP && n != RBP && probe.mask & (1 << n) != 0 {
                *reg = probe.outputs[n];
            }
        }
        true
    }

    /// The inputs the probe recorded, once.
    pub(crate) fn take_recorded(&mut self) -> Option<Gprs> {
        self.recorded.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_counts_only_its_leaf_and_fires_once() {
        let mut h = Hooks::default();
        h.inject(35, 3, 1, Fault::Ud);
        assert_eq!(h.take(35, 0), None);
        assert_eq!(h.take(34, 0), None);
        assert_eq!(h.take(35, 0), None);
        assert_eq!(h.take(35, 0), Some(Fault::Ud));
        assert_eq!(h.take(35, 0), None);
    }

    #[test]
    fn a_run_fails_consecutive_calls_then_ends() {
        let mut h = Hooks::default();
        h.inject(31, 2, 3, Fault::Status(0x8000_0202_0000_0000));
        assert_eq!(h.take(31, 0), None);
        for _ in 0..3 {
            assert_eq!(h.take(34, 0), None, "other leaves are not counted");
            assert_eq!(h.take(31, 0), Some(Fault::Status(0x8000_0202_0000_0000)));
        }
        assert_eq!(h.take(31, 0), None);
        h.inject(31, 1, 0, Fault::Ud);
        assert_eq!(h.take(31, 0), Some(Fault::Ud), "times 0 is once");
        assert_eq!(h.take(31, 0), None);
    }

    #[test]
    fn a_run_stays_on_the_lp_it_began_on() {
        let mut h = Hooks::default();
        h.inject(35, 1, 3, Fault::Status(0x8000_0202_0000_0000));
        assert!(h.take(35, 1).is_some(), "the run begins on LP 1");
        assert_eq!(h.take(35, 0), None, "LP 0's call goes through");
        assert!(h.take(35, 1).is_some());
        assert!(h.take(35, 1).is_some());
        assert_eq!(h.take(35, 1), None, "three on LP 1, then done");
    }

    #[test]
    fn several_pending_and_cancel() {
        let mut h = Hooks::default();
        h.inject(35, 2, 1, Fault::Status(7));
        h.inject(31, 1, 1, Fault::VmFailInvalid);
        h.inject(35, 1, 1, Fault::Ud);
        assert_eq!(h.take(31, 0), Some(Fault::VmFailInvalid));
        assert_eq!(h.take(35, 0), Some(Fault::Ud));
        assert_eq!(h.take(35, 0), Some(Fault::Status(7)));
        h.inject(35, 1, 1, Fault::Ud);
        h.inject(35, 0, 1, Fault::Ud);
        assert_eq!(h.take(35, 0), None);
    }

    #[test]
    fn one_more_than_max_replaces_the_oldest() {
        let mut h = Hooks::default();
        for leaf in 0..=MAX_PENDING as u16 {
            h.inject(leaf, 1, 1, Fault::Status(leaf as u64));
        }
        assert_eq!(h.take(0, 0), None, "replaced");
        for leaf in 1..=MAX_PENDING as u16 {
            assert_eq!(h.take(leaf, 0), Some(Fault::Status(leaf as u64)));
        }
    }

    #[test]
    fn same_call_due_twice_defers_the_later() {
        let mut h = Hooks::default();
        h.inject(9, 1, 1, Fault::Status(1));
        h.inject(9, 1, 1, Fault::Status(2));
        assert_eq!(h.take(9, 0), Some(Fault::Status(1)));
        assert_eq!(h.take(9, 0), Some(Fault::Status(2)));
        assert_eq!(h.take(9, 0), None);
    }

    #[test]
    fn overlapping_runs_lose_no_failure() {
        let mut h = Hooks::default();
        h.inject(35, 1, 4, Fault::Status(1));
        h.inject(35, 3, 5, Fault::Status(2));
        let mut failures = 0;
        for call in 0..40 {
            if h.take(35, call % 2).is_some() {
                failures += 1;
            }
        }
        assert_eq!(failures, 9);
    }

    #[test]
    fn status_injection_runs_out_and_yields_to_nth() {
        let mut h = Hooks::default();
        h.inject_status(34, 5, 2);
        h.inject(34, 1, 1, Fault::Ud);
        assert_eq!(h.take(34, 0), Some(Fault::Ud));
        assert_eq!(h.take(33, 0), None);
        assert_eq!(h.take(34, 0), Some(Fault::Status(5)));
        assert_eq!(h.take(34, 0), Some(Fault::Status(5)));
        assert_eq!(h.take(34, 0), None);
        h.inject_status(34, 5, 1);
        h.inject_status(34, 5, 0);
        assert_eq!(h.take(34, 0), None);
    }
}
