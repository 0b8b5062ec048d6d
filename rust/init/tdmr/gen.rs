// SPDX-License-Identifier: GPL-2.0

//! Deterministic server-like memory maps for the host tests (test only,
//! `std`): from 2 GiB to 8 TiB, on 1 to 8 nodes, with a chosen number of
//! firmware holes, and the CMRs a BIOS would report for them.
//!
//! The shape follows the real logs the platform profiles come from
//! (canonical/tdx#135's "virt/tdx: CMR:" lines among them):
//!
//! - Node 0 has the low memory: RAM `[0, 0x9f000)` (below 1 MiB, never
//!   convertible), then `[1 MiB, low_end)` with [`MapSpec::holes`] small
//!   firmware holes (4 KiB to 2 MiB, page aligned) in its upper half, where
//!   ACPI and EFI runtime ranges sit. `low_end` is 7/8 of the top of low
//!   memory (2 GiB, or the node's DRAM if smaller): firmware keeps the rest
//!   below the MMIO hole. One CMR `[1 MiB, low_end)` covers the low RAM,
//!   holes included.
//! - Node 0's remaining DRAM is remapped to 4 GiB; every other node's DRAM
//!   follows the previous node's with no gap. Above 4 GiB each node's RAM
//!   and CMR are its span minus a 64 MiB tail, as the CMR lists show
//!   (`[0x1080000000, 0x207c000000)` for a 64 GiB node).
//! - With [`MapSpec::skew`] non-zero, node 0 gets `skew` more DRAM and
//!   the last node `skew` less, so inner node boundaries leave 1 GiB
//!   alignment.
//!
//! Issue 15 reuses [`generate`] and [`grid`] for its scaling table.

use super::{MemBlock, Range};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
const PAGE: u64 = 4096;
/// Below 1 MiB: RAM `[0, 0x9f000)`, as e820 reports it.
const BASE_RAM_END: u64 = 0x9f000;
/// Top of low memory at most: the MMIO hole starts there.
const MAX_TOLM: u64 = 2 * GIB;
/// What each node's DRAM loses at its end.
const NODE_TAIL: u64 = 64 * MIB;

/// What to generate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MapSpec {
    /// DRAM in bytes, all nodes together (at least 1 GiB per node).
    pub(crate) total: u64,
    /// NUMA nodes, 1 to 8.
    pub(crate) nodes: u32,
    /// Firmware holes in the low RAM.
    pub(crate) holes: u32,
    /// Shift of the inner node boundaries off 1 GiB alignment (0: aligned).
    pub(crate) skew: u64,
    /// Seed of the hole placement.
    pub(crate) seed: u64,
}

impl MapSpec {
    /// A short name for tables: `64G-2n-8h`, `+skew` when skewed.
    pub(crate) fn name(&self) -> String {
        let size = if self.total >= 1 << 40 && self.total.is_multiple_of(1 << 40) {
            format!("{}T", self.total >> 40)
        } else {
            format!("{}G", self.total / GIB)
        };
        let skew = if self.skew != 0 { "+skew" } else { "" };
        format!("{size}-{}n-{}h{skew}", self.nodes, self.holes)
    }
}

/// A generated machine.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct GenMap {
    /// What it was made from.
    pub(crate) spec: MapSpec,
    /// System RAM (e820 usable) with its node, ascending.
    pub(crate) ram: Vec<MemBlock>,
    /// CMRs, ascending.
    pub(crate) cmrs: Vec<Range>,
    /// Node spans `(nid, start, end)`, ascending; node 0 has two, below
    /// and above the MMIO hole, when its DRAM reaches above 4 GiB.
    pub(crate) nodes: Vec<(i32, u64, u64)>,
}

impl GenMap {
    /// Whether every node boundary is 1 GiB aligned.
    pub(crate) fn nodes_gib_aligned(&self) -> bool {
        self.nodes
            .iter()
            .all(|&(_, s, e)| s.is_multiple_of(GIB) && e.is_multiple_of(GIB))
    }
}

/// xorshift64: small, deterministic, enough to scatter holes.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // Never zero, and different seeds diverge at once.
        XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `[0, n)` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The low RAM `[MIB, low_end)` with `holes` holes in its upper half: each
/// in its own slot, never touching the slot's edges.
fn low_ram(low_end: u64, holes: u32, rng: &mut XorShift) -> Vec<(u64, u64)> {
    let from = (low_end / 2).next_multiple_of(2 * MIB);
    let slot = if holes == 0 {
        0
    } else {
        (low_end - from) / u64::from(holes) / PAGE * PAGE
    };
    assert!(
        holes == 0 || slot >= 2 * MIB + 2 * PAGE,
        "too many holes for the low memory"
    );
    let mut ram = Vec::new();
    let mut at = MIB;
    for i in 0..u64::from(holes) {
        let size = PAGE * (1 + rng.below(512));
        let room = slot - size - 2 * PAGE;
        let start = from + i * slot + PAGE + rng.below(room / PAGE + 1) * PAGE;
        ram.push((at, start));
        at = start + size;
    }
    ram.push((at, low_end));
    ram
}

/// The machine `spec` describes.
pub(crate) fn generate(spec: &MapSpec) -> GenMap {
    let nodes = u64::from(spec.nodes);
    assert!((1..=8).contains(&nodes), "1 to 8 nodes");
    let per_node = spec.total / nodes / GIB * GIB;
    assert!(per_node >= GIB, "at least 1 GiB per node");
    assert!(
        spec.skew.is_multiple_of(PAGE) && spec.skew < per_node / 2,
        "skew too large"
    );
    let mut rng = XorShift::new(spec.seed);

    let mut ram = Vec::new();
    let mut cmrs = Vec::new();
    let mut spans = Vec::new();
    // Where the next node's DRAM goes: node 0's remapped part, then each
    // node's after the previous one.
    let mut next_start = 4 * GIB;
    for k in 0..spec.nodes {
        let nid = i32::try_from(k).unwrap_or(i32::MAX);
        let mut dram = per_node;
        if spec.nodes > 1 && k == 0 {
            dram += spec.skew;
        } else if spec.nodes > 1 && k + 1 == spec.nodes {
            dram -= spec.skew;
        }
        if k == 0 {
            let tolm = dram.min(MAX_TOLM);
            let low_end = tolm / 8 * 7;
            ram.push(MemBlock {
                start: 0,
                end: BASE_RAM_END,
                nid,
            });
            for (s, e) in low_ram(low_end, spec.holes, &mut rng) {
                ram.push(MemBlock {
                    start: s,
                    end: e,
                    nid,
                });
            }
            cmrs.push(Range {
                base: MIB,
                size: low_end - MIB,
            });
            spans.push((nid, 0, tolm));
            dram -= tolm;
        }
        if dram == 0 {
            continue;
        }
        let (start, end) = (next_start, next_start + dram);
        if dram > NODE_TAIL {
            let top = end - NODE_TAIL;
            ram.push(MemBlock {
                start,
                end: top,
                nid,
            });
            cmrs.push(Range {
                base: start,
                size: top - start,
            });
        }
        spans.push((nid, start, end));
        next_start = end;
    }
    GenMap {
        spec: *spec,
        ram,
        cmrs,
        nodes: spans,
    }
}

/// The maps the comparison tests run, smallest first: 2 GiB to 8 TiB, on 1,
/// 2 and 8 nodes (at least 1 GiB each), with 0 to 40 holes (16 is
/// upstream's limit per TDMR, 40 far past it), and skewed
/// node boundaries for the multi-node ones.
pub(crate) fn grid() -> Vec<MapSpec> {
    let mut out = Vec::new();
    let totals = [2 * GIB, 16 * GIB, 256 * GIB, 1 << 40, 8 << 40];
    for (i, &total) in totals.iter().enumerate() {
        for nodes in [1u32, 2, 8] {
            if total / u64::from(nodes) < GIB {
                continue;
            }
            for (j, holes) in [0u32, 4, 8, 16, 40].into_iter().enumerate() {
                let seed = (i * 16 + j) as u64 + u64::from(nodes) * 1000;
                out.push(MapSpec {
                    total,
                    nodes,
                    holes,
                    skew: 0,
                    seed,
                });
                if nodes > 1 && total / u64::from(nodes) >= 4 * GIB {
                    out.push(MapSpec {
                        total,
                        nodes,
                        holes,
                        skew: 512 * MIB,
                        seed,
                    });
                }
            }
        }
    }
    out
}

/// The properties every generated map must have, checked on the grid.
#[test]
fn generated_maps_are_well_formed() {
    for spec in grid() {
        let map = generate(&spec);
        let name = spec.name();
        // RAM ascending, page aligned, disjoint and not touching on one node
        // (touching pieces would not be holes).
        for w in map.ram.windows(2) {
            assert!(
                w[0].end < w[1].start || w[0].nid != w[1].nid,
                "{name}: {w:?}"
            );
        }
        assert!(map
            .ram
            .iter()
            .all(|b| b.start % PAGE == 0 && b.end % PAGE == 0));
        // Each RAM range inside a span of its node.
        for b in &map.ram {
            let inside = map
                .nodes
                .iter()
                .any(|&(n, s, e)| n == b.nid && s <= b.start && b.end <= e);
            assert!(inside, "{name}: {b:?}");
        }
        // The spans hold exactly the DRAM asked for.
        let dram: u64 = map.nodes.iter().map(|&(_, s, e)| e - s).sum();
        assert_eq!(
            dram,
            spec.total / u64::from(spec.nodes) / GIB * GIB * u64::from(spec.nodes)
        );
        // The CMRs cover every RAM byte above 1 MiB, and the low CMR holds
        // exactly `holes` holes of the RAM.
        for b in map.ram.iter().filter(|b| b.start >= MIB) {
            let covered = map
                .cmrs
                .iter()
                .any(|c| c.base <= b.start && b.end <= c.end());
            assert!(covered, "{name}: {b:?} outside the CMRs");
        }
        let low = map.cmrs[0];
        let pieces = map
            .ram
            .iter()
            .filter(|b| b.start >= low.base && b.end <= low.end());
        assert_eq!(pieces.count(), spec.holes as usize + 1, "{name}");
        // Node boundaries are 1 GiB aligned exactly when not skewed.
        assert_eq!(map.nodes_gib_aligned(), spec.skew == 0, "{name}");
        assert_eq!(generate(&spec), map, "{name}: not deterministic");
    }
}

#[test]
fn the_seed_moves_the_holes_only() {
    let spec = MapSpec {
        total: 256 * GIB,
        nodes: 2,
        holes: 20,
        skew: 0,
        seed: 1,
    };
    let (a, b) = (generate(&spec), generate(&MapSpec { seed: 2, ..spec }));
    assert_ne!(a.ram, b.ram);
    assert_eq!(a.cmrs, b.cmrs);
    assert_eq!(a.nodes, b.nodes);
}

/// A 128 GiB two-node map by hand: node 0 is [0, 2G) and [4G, 66G), node 1
/// [66G, 130G); the CMRs are the low one and each node's span minus 64 MiB.
#[test]
fn two_node_layout() {
    let map = generate(&MapSpec {
        total: 128 * GIB,
        nodes: 2,
        holes: 0,
        skew: 0,
        seed: 0,
    });
    assert_eq!(
        map.nodes,
        [
            (0, 0, 2 * GIB),
            (0, 4 * GIB, 66 * GIB),
            (1, 66 * GIB, 130 * GIB)
        ]
    );
    let cmr = |s: u64, e: u64| Range {
        base: s,
        size: e - s,
    };
    assert_eq!(
        map.cmrs,
        [
            cmr(MIB, 1792 * MIB),
            cmr(4 * GIB, 66 * GIB - 64 * MIB),
            cmr(66 * GIB, 130 * GIB - 64 * MIB)
        ]
    );
    let ram: Vec<_> = map.ram.iter().map(|b| (b.start, b.end, b.nid)).collect();
    assert_eq!(
        ram,
        [
            (0, BASE_RAM_END, 0),
            (MIB, 1792 * MIB, 0),
            (4 * GIB, 66 * GIB - 64 * MIB, 0),
            (66 * GIB, 130 * GIB - 64 * MIB, 1)
        ]
    );
}
