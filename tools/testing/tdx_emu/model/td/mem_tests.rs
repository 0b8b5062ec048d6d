// SPDX-License-Identifier: GPL-2.0

//! Host tests of the memory leaves through the model's dispatcher, with
//! Intel's exact statuses and extended error outputs.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept::{self, leaf, non_leaf, State, RWX, SVE};
use super::super::sept_walk::{self, LVL_PT};
use super::super::{R8, R9, RAX, RCX, RDX};
use super::mem_fixture::*;
use super::OpState;
use crate::abi::leaf::Leaf;
use crate::abi::status::code;

const GPA: u64 = 0x8040_3000;
const RCX_ID: u64 = 1;
const RDX_ID: u64 = 2;

#[test]
fn sept_add_builds_each_level_and_says_why_it_cannot() {
    let mut w = World::new();
    let add = |w: &mut World, level: u64, page| {
        let at = GPA & !(sept_walk::level_bytes(level as u8) - 1);
        w.on_gpa(Leaf::MemSeptAdd, at, level, page)
    };
    // Level 1 first: the walk stops at the FREE PML4 entry (level 3).
    assert_eq!(
        add(&mut w, 1, pool(0)),
        (code::EPT_WALK_FAILED | RCX_ID, SVE, 3)
    );
    for (n, level) in [3u64, 2, 1].into_iter().enumerate() {
        assert_eq!(
            add(&mut w, level, pool(n as u64)),
            (0, 0, 0),
            "level {level}"
        );
        let e = w.m.sys.pamt_get(&w.mem, pool(n as u64)).unwrap();
        assert_eq!(e, PamtEntry::new(PageType::Ept, TDR));
        let walk = sept_walk::walk(&w.mem, w.td().sept_root(), GPA, level as u8).unwrap();
        assert_eq!(walk.entry, non_leaf(pool(n as u64)));
    }
    assert_eq!(w.td().chldcnt, 3);
    let leaf_walk = sept_walk::walk(&w.mem, w.td().sept_root(), GPA, LVL_PT).unwrap();
    assert_eq!((leaf_walk.level, leaf_walk.entry), (0, sept::FREE));
    assert_eq!(leaf_walk.at, pool(2) + 3 * 8);
    // Again at level 2: NL_MAPPED (public state 132) with its RWX.
    let again = (code::EPT_ENTRY_STATE_INCORRECT | RCX_ID, RWX, 132 << 8 | 2);
    assert_eq!(add(&mut w, 2, pool(5)), again);
    let rdx = TDR | 1; // ALLOW_EXISTING
    let r = w.call(
        Leaf::MemSeptAdd,
        &[(RCX, GPA & !0x3fff_ffff | 2), (RDX, rdx), (R8, pool(5))],
    );
    assert_eq!((r[RAX], r[RCX], r[RDX]), (0, 0, 0));
    assert_eq!(
        w.m.sys.pamt_get(&w.mem, pool(5)),
        Some(PamtEntry::NDA),
        "unused"
    );
    assert_eq!(w.td().chldcnt, 3);
}

#[test]
fn sept_add_operand_checks_in_intels_order() {
    let mut w = World::new();
    let inv = code::OPERAND_INVALID;
    let cases: [(u64, u64, u64, u64); 9] = [
        (GPA | 3, TDR | 1 << 1, pool(0), inv | RDX_ID),
        (GPA | 3, TDR | 1 << 60, pool(0), inv | RDX_ID),
        (
            GPA | 3,
            TDVPR,
            pool(0),
            code::PAGE_METADATA_INCORRECT | RDX_ID,
        ),
        (0, TDR, pool(0), inv | RCX_ID),                    // level 0
        (4, TDR, pool(0), inv | RCX_ID),                    // level 4
        (0x4000_1000 | 1, TDR, pool(0), inv | RCX_ID),      // unaligned
        (1 << 47 | 3, TDR, pool(0), inv | RCX_ID),          // shared
        (3, TDR, 0, inv | 8),                               // no page
        (3, TDR, TDVPR, code::PAGE_METADATA_INCORRECT | 8), // not free
    ];
    for (rcx, rdx, r8, want) in cases {
        let r = w.call(Leaf::MemSeptAdd, &[(RCX, rcx), (RDX, rdx), (R8, r8)]);
        assert_eq!(
            (r[RAX], r[RCX], r[RDX]),
            (want, 0, 0),
            "{rcx:#x} {rdx:#x} {r8:#x}"
        );
    }
    let r = w.call_v(Leaf::MemSeptAdd, 2, &[(RCX, 3), (RDX, TDR), (R8, pool(0))]);
    assert_eq!(r[RAX], inv);
    // Bit 63 of R8 is ignored.
    assert_eq!(w.on_gpa(Leaf::MemSeptAdd, 0, 3, pool(0) | 1 << 63).0, 0);
}

#[test]
fn page_add_copies_measures_and_is_refused_once_finalized() {
    let mut w = World::new();
    w.mem.poke(SOURCE, &[0x5a; 4096]);
    w.map_tables(GPA, 0);
    assert_eq!(w.page_add(GPA, 3), 0);
    let mut page = [0u8; 4096];
    assert!(crate::platform::PhysMem::read(&w.mem, pool(3), &mut page));
    assert!(page.iter().all(|&b| b == 0x5a));
    assert_eq!(
        w.m.sys.pamt_get(&w.mem, pool(3)),
        Some(PamtEntry::new(PageType::Reg, TDR))
    );
    // The same GPA again: MAPPED (public 4), its architectural entry.
    let mapped = leaf(pool(3), State::Mapped, RWX);
    let r = w.call(
        Leaf::MemPageAdd,
        &[(RCX, GPA), (RDX, TDR), (R8, pool(4)), (R9, SOURCE)],
    );
    let want = (code::EPT_ENTRY_STATE_INCORRECT | RCX_ID, mapped, 4 << 8);
    assert_eq!((r[RAX], r[RCX], r[RDX]), want);
    // A source with a private KeyID (2), or not page aligned.
    for src in [2 << 46 | SOURCE, SOURCE + 8] {
        let r = w.call(
            Leaf::MemPageAdd,
            &[(RCX, GPA + 0x1000), (RDX, TDR), (R8, pool(4)), (R9, src)],
        );
        assert_eq!(r[RAX], code::OPERAND_INVALID | 9);
    }
    assert_eq!(
        w.page_add(GPA + 0x1000, 3),
        code::PAGE_METADATA_INCORRECT | 8
    );
    assert_eq!(
        w.page_add(GPA | 1, 4),
        code::OPERAND_INVALID | RCX_ID,
        "level 1"
    );
    w.finalize();
    assert_eq!(w.td().op_state, OpState::Runnable);
    assert_eq!(w.page_add(GPA + 0x1000, 4), code::OP_STATE_INCORRECT);
    assert_eq!(
        w.call(Leaf::MrFinalize, &[(RCX, TDR)])[RAX],
        code::OP_STATE_INCORRECT
    );
}

#[test]
fn aug_is_served_before_and_after_finalization_as_in_intels_table() {
    let mut w = World::new();
    w.map_tables(GPA, 0);
    // Intel's op-state table allows TDH.MEM.PAGE.AUG in INITIALIZED too.
    assert_eq!(w.on_gpa(Leaf::MemPageAug, GPA, 0, pool(3)), (0, 0, 0));
    let e = sept_walk::walk(&w.mem, w.td().sept_root(), GPA, LVL_PT).unwrap();
    assert_eq!(e.entry, leaf(pool(3), State::Pending, 0));
    w.finalize();
    assert_eq!(
        w.on_gpa(Leaf::MemPageAug, GPA + 0x1000, 0, pool(4)),
        (0, 0, 0)
    );
    let pending = leaf(pool(3), State::Pending, 0) & !(1 << 56);
    let want = (code::EPT_ENTRY_STATE_INCORRECT | RCX_ID, pending, 2 << 8);
    assert_eq!(w.on_gpa(Leaf::MemPageAug, GPA, 0, pool(5)), want);
    assert_eq!(
        w.on_gpa(Leaf::MemPageAug, GPA + 0x2000, 0, pool(3)),
        (code::PAGE_METADATA_INCORRECT | 8, 0, 0),
        "already the TD's"
    );
    assert_eq!(w.td().chldcnt, 3 + 2);
    // MR.EXTEND of a PENDING page, had the TD not been finalized: not present.
}

#[test]
fn remove_needs_block_then_track_once_the_td_runs() {
    let mut w = World::new();
    w.map_tables(GPA, 0);
    // Before finalization a mapped page leaves without blocking.
    assert_eq!(w.page_add(GPA, 3), 0);
    assert_eq!(w.on_gpa(Leaf::MemPageRemove, GPA, 0, 0), (0, pool(3), 0));
    assert_eq!(
        w.m.sys.pamt_get(&w.mem, pool(3)).unwrap().pt,
        PageType::Nda as u8
    );
    assert_eq!(w.page_add(GPA, 3), 0);
    assert_eq!(w.page_add(GPA + 0x1000, 4), 0);
    w.finalize();
    let mapped = leaf(pool(3), State::Mapped, RWX);
    let remove = |w: &mut World, gpa| w.on_gpa(Leaf::MemPageRemove, gpa, 0, 0);
    let block = |w: &mut World, gpa| w.on_gpa(Leaf::MemRangeBlock, gpa, 0, 0);
    let track = |w: &mut World| w.call(Leaf::MemTrack, &[(RCX, TDR)])[RAX];
    let not_blocked = (code::GPA_RANGE_NOT_BLOCKED | RCX_ID, mapped, 4 << 8);
    assert_eq!(remove(&mut w, GPA), not_blocked);
    assert_eq!(block(&mut w, GPA), (0, 0, 0));
    // BLOCKED (public 1): no permissions; TDB is not architectural.
    let again = (
        code::GPA_RANGE_ALREADY_BLOCKED | RCX_ID,
        leaf(pool(3), State::Mapped, 0),
        1 << 8,
    );
    assert_eq!(block(&mut w, GPA), again);
    assert_eq!(w.m.sys.pamt_get(&w.mem, pool(3)).unwrap().bepoch, 1);
    assert_eq!(
        remove(&mut w, GPA),
        (code::TLB_TRACKING_NOT_DONE | RCX_ID, 0, 0)
    );
    assert_eq!(track(&mut w), 0);
    // Blocked in the new epoch: its own TRACK is still owed.
    assert_eq!(block(&mut w, GPA + 0x1000), (0, 0, 0));
    assert_eq!(
        remove(&mut w, GPA + 0x1000).0,
        code::TLB_TRACKING_NOT_DONE | RCX_ID
    );
    // The vCPU has not entered since the TRACK: Intel does not wait for it
    // (no vCPU is inside the TD, both epoch counts are 0).
    assert_eq!(w.m.tds.get(TDVPR).unwrap().report.entries, 0);
    assert_eq!(remove(&mut w, GPA), (0, pool(3), 0));
    let e = sept_walk::walk(&w.mem, w.td().sept_root(), GPA, LVL_PT).unwrap();
    assert_eq!(e.entry, sept::FREE);
    assert_eq!(
        w.m.sys.pamt_get(&w.mem, pool(3)).unwrap().pt,
        PageType::Nda as u8
    );
    assert_eq!(track(&mut w), 0);
    assert_eq!(remove(&mut w, GPA + 0x1000), (0, pool(4), 0));
    assert_eq!(w.td().chldcnt, 3);
    let free = (code::EPT_ENTRY_STATE_INCORRECT | RCX_ID, SVE, 0);
    assert_eq!(remove(&mut w, GPA), free);
    // A non-leaf is blocked as NL_BLOCKED, its SEPT page's BEPOCH set.
    assert_eq!(
        w.on_gpa(Leaf::MemRangeBlock, GPA & !0x1f_ffff, 1, 0),
        (0, 0, 0)
    );
    assert_eq!(w.m.sys.pamt_get(&w.mem, pool(2)).unwrap().bepoch, 3);
    let r = w.on_gpa(Leaf::MemPageRemove, GPA, 0, 0);
    assert_eq!(r, (code::EPT_WALK_FAILED | RCX_ID, 0, 129 << 8 | 1));
}

#[test]
fn mr_extend_needs_a_mapped_page_and_finalize_a_vcpu() {
    let mut w = World::new();
    w.map_tables(GPA, 0);
    assert_eq!(
        w.on_gpa(Leaf::MemPageAug, GPA + 0x1000, 0, pool(4)),
        (0, 0, 0)
    );
    let extend = |w: &mut World, gpa| {
        let r = w.call(Leaf::MrExtend, &[(RCX, gpa), (RDX, TDR)]);
        (r[RAX], r[RCX], r[RDX])
    };
    assert_eq!(extend(&mut w, GPA + 0x80).0, code::OPERAND_INVALID | RCX_ID);
    assert_eq!(
        extend(&mut w, 1 << 47 | GPA).0,
        code::OPERAND_INVALID | RCX_ID
    );
    let free = (code::EPT_ENTRY_NOT_PRESENT | RCX_ID, SVE, 0);
    assert_eq!(extend(&mut w, GPA), free);
    let pending = leaf(pool(4), State::Pending, 0) & !(1 << 56);
    let want = (code::EPT_ENTRY_NOT_PRESENT | RCX_ID, pending, 2 << 8);
    assert_eq!(extend(&mut w, GPA + 0x1100), want);
    assert_eq!(w.page_add(GPA, 3), 0);
    assert_eq!(extend(&mut w, GPA + 0x300), (0, 0, 0));
    w.m.tds.tds[0].as_mut().unwrap().num_vcpus = 0;
    assert_eq!(w.call(Leaf::MrFinalize, &[(RCX, TDR)])[RAX], code::NO_VCPUS);
    assert_eq!(w.td().mem.mrtd(), None);
}

/// MRTD of a two-page image whose first page is extended whole, against
/// the value Python's hashlib gives for the same records, computed with:
///
/// ```text
/// python3 -c 'import hashlib, struct
/// def rec(n, g): return n.ljust(16, b"\0") + struct.pack("<Q", g) + bytes(104)
/// p = bytes((i * 7 + 3) & 0xff for i in range(4096)); h = hashlib.sha384()
/// h.update(rec(b"MEM.PAGE.ADD", 0x80403000)); h.update(rec(b"MEM.PAGE.ADD", 0x80404000))
/// for o in range(0, 4096, 256): h.update(rec(b"MR.EXTEND", 0x80403000 + o) + p[o:o + 256])
/// print(h.hexdigest())'
/// ```
#[test]
fn mrtd_of_a_small_image_is_what_an_independent_sha384_says() {
    const WANT: &str = "530623c90dbcdc8c915122171fcc37a1d4459e2a4075c9bf\
                        a39802844311085adf0c4a02c92e22a77d8bc32acb4a294d";
    let mut w = World::new();
    let image: Vec<u8> = (0..4096).map(|i| (i * 7 + 3) as u8).collect();
    w.mem.poke(SOURCE, &image);
    w.map_tables(GPA, 0);
    assert_eq!(w.page_add(GPA, 3), 0);
    assert_eq!(w.page_add(GPA + 0x1000, 4), 0);
    for off in (0..4096).step_by(256) {
        let r = w.call(Leaf::MrExtend, &[(RCX, GPA + off), (RDX, TDR)]);
        assert_eq!(r[RAX], 0);
    }
    assert_eq!(w.td().mem.mrtd(), None);
    w.finalize();
    let got: String = w
        .td()
        .mem
        .mrtd()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(got, WANT);
}
