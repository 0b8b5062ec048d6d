// SPDX-License-Identifier: GPL-2.0

//! Where a TDMR's PAMT goes: its node ([`tdmr_nid`]) and the windows of
//! memory to try, best first ([`pamt_windows`]). The kernel takes the first
//! window with room, from its top down (`tdx_rs_k_alloc_contig_in()`,
//! `rust/glue/kernel.c`); [`try_window`] and [`place_pamts`] do the same on
//! the host, for tests.
//!
//! The order: the node's memory above 4 GiB, highest first (upstream's
//! `alloc_contig_pages()` also starts in ZONE_NORMAL), then its memory
//! below 4 GiB, then other nodes' memory the same way. Memory a PAMT placed
//! earlier holds is left out of every window, so the next window of the node
//! ends right below it: the PAMTs of one node sit next to each other, in
//! one reserved area.

use super::{MemBlock, Tdmr, FOUR_GIB};

/// The node with most of `tdmr`'s memory; of nodes with equal shares, the
/// one whose memory comes first. Memory of no node counts for none; -1 when
/// the TDMR has no memory of a node.
pub(crate) fn tdmr_nid(tdmr: &Tdmr, mem: &[MemBlock]) -> i32 {
    let lo = mem.partition_point(|b| b.end <= tdmr.base);
    let hi = mem.partition_point(|b| b.start < tdmr.end());
    let inside = mem.get(lo..hi).unwrap_or(&[]);
    let bytes = |b: &MemBlock| b.end.min(tdmr.end()) - b.start.max(tdmr.base);
    let mut best = (-1, 0);
    for (i, b) in inside.iter().enumerate() {
        let seen = inside.iter().take(i).any(|p| p.nid == b.nid);
        if b.nid < 0 || seen {
            continue;
        }
        let total: u64 = inside
            .iter()
            .skip(i)
            .filter(|p| p.nid == b.nid)
            .map(bytes)
            .sum();
        if total > best.1 {
            best = (b.nid, total);
        }
    }
    best.0
}

/// Memory `[lo, hi)` on node `nid` where a PAMT may go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Window {
    /// First byte.
    pub(crate) lo: u64,
    /// One past the last byte.
    pub(crate) hi: u64,
    /// The node of the memory.
    pub(crate) nid: i32,
}

/// The phases of [`PamtWindows`]: (the TDMR's node, above 4 GiB).
const PHASES: [(bool, bool); 4] = [(true, true), (true, false), (false, true), (false, false)];

/// The windows, best first, where a PAMT of `size` bytes for a TDMR of node
/// `nid` may go: every window holds at least `size` bytes of `mem` and no
/// byte of the PAMTs already `placed`. Memory of no node (negative `nid`)
/// is never offered.
pub(crate) fn pamt_windows<'a>(
    nid: i32,
    size: u64,
    mem: &'a [MemBlock],
    placed: &'a [Tdmr],
) -> PamtWindows<'a> {
    PamtWindows {
        nid,
        size,
        mem,
        placed,
        phase: 0,
        next_block: mem.len(),
        part: None,
    }
}

/// The iterator [`pamt_windows`] returns.
pub(crate) struct PamtWindows<'a> {
    nid: i32,
    size: u64,
    mem: &'a [MemBlock],
    placed: &'a [Tdmr],
    /// Index into [`PHASES`].
    phase: usize,
    /// This phase has yet to visit `mem[..next_block]`, top down.
    next_block: usize,
    /// What is left of the block being visited, without its top part that
    /// was offered already.
    part: Option<Window>,
}

impl PamtWindows<'_> {
    /// The top window of `part` below the highest PAMT in it; leaves the
    /// rest in `self.part`.
    fn split_top(&mut self, part: Window) -> Window {
        let cut = self
            .placed
            .iter()
            .map(Tdmr::pamt_range)
            .filter(|r| r.size != 0 && r.base < part.hi && r.end() > part.lo)
            .max_by_key(|r| r.base);
        match cut {
            None => part,
            Some(r) => {
                self.part = (r.base > part.lo).then_some(Window { hi: r.base, ..part });
                Window {
                    lo: r.end().clamp(part.lo, part.hi),
                    ..part
                }
            }
        }
    }
}

impl Iterator for PamtWindows<'_> {
    type Item = Window;

    fn next(&mut self) -> Option<Window> {
        loop {
            if let Some(part) = self.part.take() {
                let w = self.split_top(part);
                if w.hi - w.lo >= self.size {
                    return Some(w);
                }
                continue;
            }
            let &(home, high) = PHASES.get(self.phase)?;
            let Some(i) = self.next_block.checked_sub(1) else {
                self.phase += 1;
                self.next_block = self.mem.len();
                continue;
            };
            self.next_block = i;
            let Some(b) = self.mem.get(i) else { continue };
            let (lo, hi) = if high {
                (b.start.max(FOUR_GIB), b.end)
            } else {
                (b.start, b.end.min(FOUR_GIB))
            };
            if b.nid >= 0 && (b.nid == self.nid) == home && lo < hi {
                self.part = Some(Window { lo, hi, nid: b.nid });
            }
        }
    }
}

/// What the kernel's `tdx_rs_k_alloc_contig_in()` does with `w` when the
/// pages of `taken` are in use: tries `size` bytes at the top of the window;
/// when a page of the try is in use, tries again right below the highest
/// such page. The base it got, or `None`.
pub(crate) fn try_window(w: &Window, size: u64, taken: &[super::Range]) -> Option<u64> {
    let mut end = w.hi;
    while end.checked_sub(size).is_some_and(|start| start >= w.lo) {
        let start = end - size;
        let busy = taken
            .iter()
            .filter(|r| r.size != 0 && r.base < end && r.end() > start)
            .map(|r| r.end().min(end) - super::PAGE_SIZE)
            .max();
        match busy {
            None => return Some(start),
            Some(page) => end = page,
        }
    }
    None
}

/// Places every TDMR's PAMT as the kernel does (`allocate_pamts()`,
/// `rust/init/mod.rs`): in TDMR order, in the first of its
/// [`pamt_windows`] where [`try_window`] succeeds, `taken` being the memory
/// the kernel uses (none for the dry run, which plans as if the windows
/// were free).
pub(crate) fn place_pamts(
    tdmrs: &mut [Tdmr],
    mem: &[MemBlock],
    taken: &[super::Range],
    limits: &super::Limits,
) -> Result<(), super::PlanError> {
    for i in 0..tdmrs.len() {
        let size = tdmrs[i].pamt_total(limits);
        let nid = tdmr_nid(&tdmrs[i], mem);
        let at = pamt_windows(nid, size, mem, &tdmrs[..i])
            .find_map(|w| try_window(&w, size, taken))
            .ok_or(super::PlanError::NoRoomForPamt { tdmr: i })?;
        tdmrs[i].set_pamt(at, limits);
    }
    Ok(())
}
