// SPDX-License-Identifier: GPL-2.0

//! The TDX memory list: putting the kernel's ranges in order
//! ([`normalize`]), checking it, and looking addresses up in it.

use super::{MemBlock, PlanError, MAX_PHYS_ADDR, PAGE_SIZE};

/// Puts the pieces of System RAM the kernel reported (each range cut where
/// its node changes, in any order) into a memory list: sorts them,
/// drops empty ones, and joins blocks of one node that touch (as memblock
/// keeps them). Returns how many blocks the front of `mem` now holds.
///
/// Errors: [`PlanError::NodesOverlap`] when two pieces share memory, which
/// the kernel, reporting each piece once, never does: a guard, so that a
/// wrong walk fails the plan instead of covering memory twice.
pub(crate) fn normalize(mem: &mut [MemBlock]) -> Result<usize, PlanError> {
    sort_blocks(mem);
    let mut len: usize = 0;
    for i in 0..mem.len() {
        let b = mem[i];
        if b.start >= b.end {
            continue;
        }
        match len.checked_sub(1).map(|last| &mut mem[last]) {
            Some(prev) if prev.end > b.start => {
                return Err(PlanError::NodesOverlap {
                    start: b.start,
                    end: prev.end.min(b.end),
                    nid: prev.nid,
                    other: b.nid,
                });
            }
            Some(prev) if prev.end == b.start && prev.nid == b.nid => prev.end = b.end,
            _ => {
                mem[len] = b;
                len += 1;
            }
        }
    }
    Ok(len)
}

/// Sorts `mem` by (start, end, node): an insertion sort, as the lists are
/// short (the System RAM ranges cut at node spans) and arrive nearly sorted.
/// core's `sort_unstable` is not used: its quicksort's panic paths leave
/// objtool warnings ("falls through to next function") in the module.
fn sort_blocks(mem: &mut [MemBlock]) {
    let key = |b: &MemBlock| (b.start, b.end, b.nid);
    for i in 1..mem.len() {
        let mut j = i;
        while j > 0 && key(&mem[j - 1]) > key(&mem[j]) {
            mem.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Checks that `mem` is a non-empty, sorted, non-overlapping list of
/// page-aligned, non-empty blocks below [`MAX_PHYS_ADDR`].
pub(super) fn check_mem(mem: &[MemBlock]) -> Result<(), PlanError> {
    if mem.is_empty() {
        return Err(PlanError::InvalidMemory);
    }
    let mut prev_end = 0;
    for b in mem {
        let aligned = b.start % PAGE_SIZE == 0 && b.end % PAGE_SIZE == 0;
        if !aligned || b.start >= b.end || b.start < prev_end || b.end > MAX_PHYS_ADDR {
            return Err(PlanError::InvalidMemory);
        }
        prev_end = b.end;
    }
    Ok(())
}

/// The block of the sorted `mem` that holds `addr`, if one does.
pub(super) fn block_at(addr: u64, mem: &[MemBlock]) -> Option<&MemBlock> {
    mem.get(mem.partition_point(|b| b.end <= addr))
        .filter(|b| b.start <= addr)
}

/// The index of the first block of the sorted `mem` that ends after `addr`
/// (`mem.len()` if none).
pub(super) fn block_from_index(addr: u64, mem: &[MemBlock]) -> usize {
    mem.partition_point(|b| b.end <= addr)
}

/// Whether `[start, end)` lies entirely in the sorted `mem` (blocks that
/// touch count as one).
pub(super) fn in_memory(start: u64, end: u64, mem: &[MemBlock]) -> bool {
    let mut at = start;
    while at < end {
        match block_at(at, mem) {
            Some(b) => at = b.end,
            None => return false,
        }
    }
    true
}
