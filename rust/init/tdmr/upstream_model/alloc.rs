// SPDX-License-Identifier: GPL-2.0

//! Where upstream's PAMT allocation lands: a model of Linux 6.12's
//! `alloc_contig_pages(nr_pages, GFP_KERNEL, nid, &node_online_map)` on a
//! machine whose RAM (above the first MiB) is free and movable.
//!
//! What it models, from the 6.12.118 sources (`mm/page_alloc.c`:
//! `alloc_contig_pages_noprof()`, `pfn_range_valid_contig()`,
//! `zone_spans_last_pfn()`, `build_zonelists()`, `find_next_best_node()`,
//! `build_zonerefs_node()`; `mm/page_isolation.c`:
//! `start_isolate_page_range()`, `isolate_single_pageblock()`,
//! `set_migratetype_isolate()`, `has_unmovable_pages()`):
//!
//! - **Zonelist.** `node_zonelist(nid, GFP_KERNEL)` is the node's fallback
//!   list: nodes in `build_zonelists()` order, and within each node its
//!   populated zones from the highest down (`build_zonerefs_node()`).
//!   `gfp_zone(GFP_KERNEL)` is ZONE_NORMAL, so ZONE_MOVABLE is never tried.
//!   x86-64 zones: DMA below 16 MiB, DMA32 below 4 GiB, NORMAL above (a
//!   distribution kernel: CONFIG_ZONE_DMA=y, CONFIG_NUMA=y, NODES_SHIFT 10).
//! - **Zone span.** A zone of a node spans the node's `[first, last]`
//!   memblock page clamped to the zone's limits (`zone_spanned_pages_in_node()`);
//!   it is populated if memblock has a page of the node inside that span.
//! - **The scan.** `pfn = ALIGN(zone_start_pfn, nr_pages)`, then
//!   `pfn += nr_pages` while `zone_spans_last_pfn()`. `ALIGN` is the kernel's
//!   mask macro, `(x + a - 1) & ~(a - 1)`: for the PAMT sizes, never a power
//!   of two, it is not a rounding to a multiple ([`kernel_align`]).
//! - **A candidate succeeds** when `pfn_range_valid_contig()` holds (every
//!   page online, in the zone, not reserved) and `alloc_contig_range()` can
//!   isolate it: `start_isolate_page_range()` checks the *whole* first and last
//!   pageblock (2 MiB) for unmovable pages (`isolate_single_pageblock()` hands
//!   `set_migratetype_isolate()` the whole block). So the candidate rounded
//!   out to 2 MiB must be free RAM of the node: no hole (hole pages are
//!   PageReserved), no earlier PAMT (unmovable), not the first MiB (x86
//!   reserves it).
//! - **Node order.** `find_next_best_node()` with every node having CPUs and
//!   one distance to every other node (profiles carry no SLIT): the local
//!   node, then nodes above it, then below, with `node_load` breaking ties
//!   across the zonelists built for nodes 0, 1, ... as `build_all_zonelists()`
//!   does.
//!
//! Not modelled: pages the kernel holds when KVM loads (kernel image,
//! memmap, slab, page tables): the model takes every RAM page above 1 MiB as
//! free or movable. memmap and memblock allocations are made top-down, far
//! from the low end of a zone where the scan starts, but a page in use there
//! would move a real PAMT up.

use super::super::MemBlock;

const PAGE_SIZE: u64 = 4096;
/// `pageblock_nr_pages` pages on x86-64 (`pageblock_order` 9).
const PAGEBLOCK: u64 = 2 << 20;
/// x86 reserves the first MiB for good.
const LOW_RESERVED_END: u64 = 1 << 20;
/// `MAX_DMA_PFN` and `MAX_DMA32_PFN` as addresses.
const DMA_END: u64 = 16 << 20;
const DMA32_END: u64 = 4 << 30;
/// `MAX_NUMNODES` with NODES_SHIFT 10.
const MAX_NUMNODES: u64 = 1 << 10;
/// `node_distance()`: local, and any remote node.
const LOCAL_DISTANCE: u64 = 10;
const REMOTE_DISTANCE: u64 = 20;

/// The kernel's `ALIGN(x, a)`: `(x + a - 1) & ~(a - 1)`, whatever `a` is.
pub(crate) fn kernel_align(x: u64, a: u64) -> u64 {
    let mask = a - 1;
    (x + mask) & !mask
}

/// One populated zone of one node: the span, in bytes.
#[derive(Clone, Copy, Debug)]
struct Zone {
    nid: i32,
    start: u64,
    end: u64,
}

/// Free RAM and each node's zonelist.
pub(crate) struct Allocator {
    /// Free pages, sorted, disjoint, never touching on one node.
    free: Vec<MemBlock>,
    /// `(nid, zonelist)`, ascending nid.
    zonelists: Vec<(i32, Vec<Zone>)>,
}

impl Allocator {
    /// The page allocator of a machine whose memblock memory is `memblock`
    /// (sorted, page aligned, each region on one node) and whose RAM is free
    /// above the first MiB.
    pub(crate) fn new(memblock: &[MemBlock]) -> Self {
        let mut nodes: Vec<i32> = memblock.iter().map(|b| b.nid).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let lowest = memblock.iter().map(|b| b.start).min().unwrap_or(0);
        let limits = [
            (lowest, DMA_END),
            (DMA_END, DMA32_END),
            (DMA32_END, u64::MAX),
        ];

        // Each node's populated zones, highest first.
        let zones_of = |nid: i32| -> Vec<Zone> {
            let own = || memblock.iter().filter(move |b| b.nid == nid);
            let node_start = own().map(|b| b.start).min().unwrap_or(0);
            let node_end = own().map(|b| b.end).max().unwrap_or(0);
            limits
                .iter()
                .rev()
                .filter_map(|&(low, high)| {
                    let start = node_start.clamp(low, high.max(low));
                    let end = node_end.clamp(low, high.max(low));
                    let present = own().any(|b| b.start < end && b.end > start);
                    (start < end && present).then_some(Zone { nid, start, end })
                })
                .collect()
        };
        let zonelists = node_orders(&nodes)
            .into_iter()
            .map(|(nid, order)| (nid, order.into_iter().flat_map(zones_of).collect()))
            .collect();

        let mut free: Vec<MemBlock> = Vec::new();
        for b in memblock {
            let start = b.start.max(LOW_RESERVED_END);
            if start >= b.end {
                continue;
            }
            match free.last_mut() {
                Some(last) if last.nid == b.nid && last.end == start => last.end = b.end,
                _ => free.push(MemBlock {
                    start,
                    end: b.end,
                    nid: b.nid,
                }),
            }
        }
        Allocator { free, zonelists }
    }

    /// `alloc_contig_pages(nr_pages, GFP_KERNEL, nid, &node_online_map)`:
    /// the physical address of the pages and the node they are on, or `None`
    /// (upstream: NULL, -ENOMEM).
    pub(crate) fn alloc_contig(&mut self, nr_pages: u64, nid: i32) -> Option<(u64, i32)> {
        let zones = self.zonelists.iter().find(|(n, _)| *n == nid)?.1.clone();
        for zone in zones {
            if let Some(start) = self.first_fit(&zone, nr_pages) {
                self.take(start, start + nr_pages * PAGE_SIZE);
                return Some((start, zone.nid));
            }
        }
        None
    }

    /// The first candidate of the scan of `zone` that can be allocated.
    fn first_fit(&self, zone: &Zone, nr_pages: u64) -> Option<u64> {
        if nr_pages == 0 {
            return None;
        }
        let (zone_start_pfn, zone_end_pfn) = (zone.start / PAGE_SIZE, zone.end / PAGE_SIZE);
        let mut pfn = kernel_align(zone_start_pfn, nr_pages);
        // zone_spans_last_pfn()
        while pfn + nr_pages - 1 < zone_end_pfn {
            let start = pfn * PAGE_SIZE;
            let lo = start / PAGEBLOCK * PAGEBLOCK;
            let hi = (start + nr_pages * PAGE_SIZE).next_multiple_of(PAGEBLOCK);
            if self.is_free(lo, hi, zone.nid) {
                return Some(start);
            }
            // Every candidate whose first pageblock starts below the next
            // free range of the node fails as this one did: skip them.
            let next = self.next_free_start(lo, zone.nid)?;
            let target = next.next_multiple_of(PAGEBLOCK) / PAGE_SIZE;
            let steps = target.saturating_sub(pfn).div_ceil(nr_pages).max(1);
            pfn += steps * nr_pages;
        }
        None
    }

    /// Whether `[start, end)` is one free range of node `nid`.
    fn is_free(&self, start: u64, end: u64, nid: i32) -> bool {
        let i = self.free.partition_point(|b| b.end <= start);
        self.free
            .get(i)
            .is_some_and(|b| b.nid == nid && b.start <= start && end <= b.end)
    }

    /// The start of the first free range of node `nid` above `addr`.
    fn next_free_start(&self, addr: u64, nid: i32) -> Option<u64> {
        let i = self.free.partition_point(|b| b.start <= addr);
        self.free[i..]
            .iter()
            .find(|b| b.nid == nid)
            .map(|b| b.start)
    }

    /// Removes `[start, end)`, inside one free range, from the free list.
    fn take(&mut self, start: u64, end: u64) {
        let i = self.free.partition_point(|b| b.end <= start);
        let b = self.free[i];
        let mut pieces = Vec::new();
        if b.start < start {
            pieces.push(MemBlock {
                start: b.start,
                end: start,
                nid: b.nid,
            });
        }
        if end < b.end {
            pieces.push(MemBlock {
                start: end,
                end: b.end,
                nid: b.nid,
            });
        }
        self.free.splice(i..=i, pieces);
    }
}

/// `build_all_zonelists()`: for each node (ascending), its fallback node
/// order, as `build_zonelists()` makes it with `find_next_best_node()`.
pub(crate) fn node_orders(nodes: &[i32]) -> Vec<(i32, Vec<i32>)> {
    let distance = |a: i32, b: i32| {
        if a == b {
            LOCAL_DISTANCE
        } else {
            REMOTE_DISTANCE
        }
    };
    let mut load = vec![0u64; nodes.len()];
    let mut orders = Vec::new();
    for &local in nodes {
        let mut used = vec![false; nodes.len()];
        let mut order = Vec::new();
        let mut prev = local;
        loop {
            // find_next_best_node(): the local node first, then the lowest
            // (distance + "below us" penalty) * MAX_NUMNODES + load, the
            // first such node on ties. Every node has CPUs: the same penalty
            // for all, left out.
            let local_idx = nodes.iter().position(|&n| n == local);
            let best = match local_idx {
                Some(i) if !used[i] => Some(i),
                _ => (0..nodes.len()).filter(|&j| !used[j]).min_by_key(|&j| {
                    let n = nodes[j];
                    (distance(local, n) + u64::from(n < local)) * MAX_NUMNODES + load[j]
                }),
            };
            let Some(j) = best else { break };
            used[j] = true;
            let node = nodes[j];
            if distance(local, node) != distance(local, prev) {
                load[j] += 1;
            }
            order.push(node);
            prev = node;
        }
        orders.push((local, order));
    }
    orders
}
