// SPDX-License-Identifier: GPL-2.0

//! Tests of the PAMT placement: the node of a TDMR, the order of the
//! windows, the kernel's try of a window, and whole plans on host maps
//! ([`plan_for_test`]) and their summary.

use super::placement::{place_pamts, try_window, Window};
use super::test_util::*;
use super::*;

fn win(lo: u64, hi: u64, nid: i32) -> Window {
    Window { lo, hi, nid }
}

#[test]
fn a_tdmr_is_on_the_node_with_most_of_its_memory() {
    // Upstream would take node 1, whose block comes first.
    let mem = [blk(MIB, 512 * MIB, 1), blk(512 * MIB, 2 * GIB, 0)];
    assert_eq!(tdmr_nid(&Tdmr::new(0, 2 * GIB), &mem), 0);
    // Equal shares: the node met first. Memory of no node counts for none.
    let mem = [
        blk(0, 256 * MIB, 2),
        blk(256 * MIB, 768 * MIB, -1),
        blk(768 * MIB, GIB, 1),
    ];
    assert_eq!(tdmr_nid(&Tdmr::new(0, GIB), &mem), 2);
    assert_eq!(tdmr_nid(&Tdmr::new(0, GIB), &mem[1..2]), -1);
    // Only the memory inside the TDMR counts.
    let mem = [
        blk(0, 3 * GIB + 512 * MIB, 0),
        blk(3 * GIB + 512 * MIB, 5 * GIB, 1),
    ];
    assert_eq!(tdmr_nid(&Tdmr::new(3 * GIB, GIB), &mem), 0);
    assert_eq!(tdmr_nid(&Tdmr::new(3 * GIB, 2 * GIB), &mem), 1);
}

#[test]
fn windows_come_home_above_4g_first_then_below_then_other_nodes() {
    let mem = [
        blk(MIB, 2 * GIB, 0),
        blk(3 * GIB, 5 * GIB, 0),
        blk(5 * GIB, 7 * GIB, 1),
        blk(7 * GIB, 9 * GIB, 0),
        blk(9 * GIB, 10 * GIB, -1),
        blk(10 * GIB, 12 * GIB, 1),
        blk(12 * GIB, 12 * GIB + 4096, 0),
    ];
    let all: Vec<Window> = pamt_windows(0, 4096, &mem, &[]).collect();
    assert_eq!(
        all,
        [
            win(12 * GIB, 12 * GIB + 4096, 0),
            win(7 * GIB, 9 * GIB, 0),
            win(4 * GIB, 5 * GIB, 0),
            win(3 * GIB, 4 * GIB, 0),
            win(MIB, 2 * GIB, 0),
            win(10 * GIB, 12 * GIB, 1),
            win(5 * GIB, 7 * GIB, 1),
        ]
    );
    // Windows smaller than the PAMT are left out.
    let big: Vec<Window> = pamt_windows(1, GIB + 4096, &mem, &[]).collect();
    assert_eq!(
        big,
        [
            win(10 * GIB, 12 * GIB, 1),
            win(5 * GIB, 7 * GIB, 1),
            win(7 * GIB, 9 * GIB, 0),
            win(MIB, 2 * GIB, 0),
        ]
    );
    // A TDMR with memory of no node has no home: other nodes only.
    let none: Vec<Window> = pamt_windows(-1, GIB, &mem[4..6], &[]).collect();
    assert_eq!(none, [win(10 * GIB, 12 * GIB, 1)]);
}

#[test]
fn placed_pamts_are_cut_out_of_the_windows() {
    let mem = [blk(4 * GIB, 8 * GIB, 0)];
    let mut placed = [Tdmr::new(0, GIB), Tdmr::new(GIB, GIB)];
    placed[0].set_pamt(8 * GIB - 8 * MIB, &LIMITS);
    placed[1].set_pamt(5 * GIB, &LIMITS);
    let p1_end = placed[1].pamt_range().end();
    let all: Vec<Window> = pamt_windows(0, 4096, &mem, &placed).collect();
    assert_eq!(
        all,
        [
            win(
                8 * GIB - 8 * MIB + placed[0].pamt_total(&LIMITS),
                8 * GIB,
                0
            ),
            win(p1_end, 8 * GIB - 8 * MIB, 0),
            win(4 * GIB, 5 * GIB, 0),
        ]
    );
    let big: Vec<Window> = pamt_windows(0, 8 * MIB, &mem, &placed).collect();
    assert_eq!(big[0], win(p1_end, 8 * GIB - 8 * MIB, 0));
}

#[test]
fn the_kernel_takes_a_window_top_down_below_pages_in_use() {
    let w = win(4 * GIB, 5 * GIB, 0);
    let size = 16 * MIB;
    assert_eq!(try_window(&w, size, &[]), Some(5 * GIB - size));
    // A page in use at the top: right below it.
    let top_page = [cmr(5 * GIB - 4096, 5 * GIB)];
    assert_eq!(try_window(&w, size, &top_page), Some(5 * GIB - 4096 - size));
    // Two ranges in the way: below the highest page of the lower one.
    let taken = [
        cmr(5 * GIB - 4096, 5 * GIB),
        cmr(5 * GIB - 12 * MIB, 5 * GIB - 10 * MIB),
    ];
    assert_eq!(
        try_window(&w, size, &taken),
        Some(5 * GIB - 12 * MIB - size)
    );
    // No room left.
    let full = [cmr(4 * GIB + 8 * MIB, 5 * GIB)];
    assert_eq!(try_window(&w, size, &full), None);
    assert_eq!(
        try_window(&win(4 * GIB, 4 * GIB + size, 0), size, &[]),
        Some(4 * GIB)
    );
    assert_eq!(
        try_window(&win(4 * GIB, 4 * GIB + size - 4096, 0), size, &[]),
        None
    );
}

/// A two-socket server: node 0 has [1M, 2G) and [4G, 34G), node 1
/// [34G, 66G); one CMR per range.
fn two_sockets() -> (Vec<MemBlock>, Vec<Range>) {
    let mem = vec![
        blk(MIB, 2 * GIB, 0),
        blk(4 * GIB, 34 * GIB, 0),
        blk(34 * GIB, 66 * GIB, 1),
    ];
    let cmrs = vec![cmr(MIB, 2 * GIB), cmr(4 * GIB, 66 * GIB)];
    (mem, cmrs)
}

#[test]
fn pamts_go_on_their_node_above_4g_side_by_side_in_one_area() {
    let (mem, cmrs) = two_sockets();
    let (t, s) = plan_for_test(&mem, &cmrs, &LIMITS).unwrap();
    assert_eq!(
        spans(&t),
        [(0, 2 * GIB), (4 * GIB, 34 * GIB), (34 * GIB, 66 * GIB)]
    );
    let p: Vec<u64> = t.iter().map(|t| t.pamt_total(&LIMITS)).collect();
    // Node 0's two PAMTs at the top of its memory above 4 GiB, the second
    // right below the first; node 1's at the top of node 1.
    let at: Vec<u64> = t.iter().map(|t| t.pamt[0].base).collect();
    assert_eq!(
        at,
        [34 * GIB - p[0], 34 * GIB - p[0] - p[1], 66 * GIB - p[2]]
    );
    assert_eq!(abs_reserved(&t[0]), [(0, MIB)]);
    assert_eq!(abs_reserved(&t[1]), [(34 * GIB - p[0] - p[1], 34 * GIB)]);
    assert_eq!(abs_reserved(&t[2]), [(66 * GIB - p[2], 66 * GIB)]);
    assert_eq!(s.worst_reserved, 1);
    assert_eq!(s.foreign_pamt_bytes, 0);
}

#[test]
fn a_node_without_room_above_4g_takes_its_pamt_below() {
    // Node 1 has only [4G, 4G + 8M) above 4 GiB: too small for the PAMT
    // of [2G, 4G), which goes to node 1's top below 4 GiB; the smaller
    // PAMT of [4G, 5G) fits there.
    let mem = [
        blk(MIB, 2 * GIB, 0),
        blk(2 * GIB, 3 * GIB + 512 * MIB, 1),
        blk(4 * GIB, 4 * GIB + 8 * MIB, 1),
        blk(5 * GIB, 6 * GIB, 0),
    ];
    let mut t = plan(&mem, &LIMITS).unwrap();
    assert_eq!(
        spans(&t),
        [
            (0, 2 * GIB),
            (2 * GIB, 4 * GIB),
            (4 * GIB, 5 * GIB),
            (5 * GIB, 6 * GIB)
        ]
    );
    place_pamts(&mut t, &mem, &[], &LIMITS).unwrap();
    let p: Vec<u64> = t.iter().map(|t| t.pamt_total(&LIMITS)).collect();
    assert!(p[1] > 8 * MIB && p[2] < 8 * MIB);
    let at: Vec<u64> = t.iter().map(|t| t.pamt[0].base).collect();
    assert_eq!(
        at,
        [
            6 * GIB - p[0],
            3 * GIB + 512 * MIB - p[1],
            4 * GIB + 8 * MIB - p[2],
            6 * GIB - p[0] - p[3]
        ]
    );
    // Pages in use at the top of node 0 push its PAMTs below them.
    let taken = [cmr(6 * GIB - 64 * MIB, 6 * GIB)];
    place_pamts(&mut t, &mem, &taken, &LIMITS).unwrap();
    assert_eq!(t[0].pamt[0].base, 6 * GIB - 64 * MIB - p[0]);
}

#[test]
fn a_full_node_sends_its_pamt_to_another_node() {
    // Node 1's memory is all in use: its TDMR's PAMT goes to node 0, and
    // the summary counts what it describes of node 1 as foreign.
    let mem = [blk(4 * GIB, 8 * GIB, 0), blk(8 * GIB, 9 * GIB, 1)];
    let mut t = plan(&mem, &LIMITS).unwrap();
    let taken = [cmr(8 * GIB, 9 * GIB)];
    place_pamts(&mut t, &mem, &taken, &LIMITS).unwrap();
    let p0 = t[0].pamt_total(&LIMITS);
    assert_eq!(t[1].pamt[0].base, 8 * GIB - p0 - t[1].pamt_total(&LIMITS));
    reserve(&mut t, &mem, &LIMITS).unwrap();
    assert_eq!(
        summarize(&t, &mem).foreign_pamt_bytes,
        GIB / 4096 * 16 + 512 * 16 + 16
    );
    // Nowhere at all: the error names the TDMR.
    let taken = [cmr(4 * GIB, 9 * GIB)];
    assert_eq!(
        place_pamts(&mut t, &mem, &taken, &LIMITS),
        Err(PlanError::NoRoomForPamt { tdmr: 0 })
    );
}

#[test]
fn summary_counts_foreign_pamt_bytes() {
    // Node 1 starts inside node 0's last granule: TDMR 0 = [0, 2G) holds
    // 512 MiB of node 1, and its PAMT sits on node 0, which has the most.
    let mem = [
        blk(MIB, GIB + 512 * MIB, 0),
        blk(GIB + 512 * MIB, 2 * GIB, 1),
        blk(4 * GIB, 5 * GIB, 1),
    ];
    let (t, s) = plan_for_test(&mem, &exact_cmrs(&mem), &LIMITS).unwrap();
    assert_eq!(spans(&t), [(0, 2 * GIB), (4 * GIB, 5 * GIB)]);
    assert_eq!(s.tdmrs, 2);
    assert_eq!(
        s.pamt_kib,
        (t[0].pamt_total(&LIMITS) + t[1].pamt_total(&LIMITS)) / 1024
    );
    assert_eq!(
        s.worst_reserved,
        t.iter().map(|t| t.reserved().len()).max().unwrap()
    );
    let nodes = (
        node_of(t[0].pamt[0].base, &mem),
        node_of(t[1].pamt[0].base, &mem),
    );
    assert_eq!(nodes, (Some(0), Some(1)));
    // 512 MiB at 16 bytes per 4 KiB, per 2 MiB and per 1 GiB.
    let half = 512 * MIB;
    assert_eq!(
        s.foreign_pamt_bytes,
        half / 4096 * 16 + half / (2 * MIB) * 16 + half * 16 / GIB
    );
    assert_eq!(summarize(&[], &mem), PlanSummary::default());
}
