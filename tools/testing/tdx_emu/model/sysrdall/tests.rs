// SPDX-License-Identifier: GPL-2.0

//! The list TDH.SYS.RDALL writes: format, sequences, continuation, refusals.

use super::super::sys_fields::next_element;
use super::*;
use crate::abi::metadata::*;

/// A value for every element, telling elements apart.
fn all(_: usize, id: u64) -> Option<u64> {
    Some(id.rotate_left(7) ^ 0x5a)
}

const V6: ModuleVersion = ModuleVersion::V1_5_06;

/// Dumps 1.5.06's context into a buffer of `size` bytes: the outcome
/// and the buffer.
fn run(start: u64, size: u32) -> (Option<Dumped>, Vec<u64>) {
    run_as(V6, start, size)
}

fn run_as(version: ModuleVersion, start: u64, size: u32) -> (Option<Dumped>, Vec<u64>) {
    let mut buf = vec![0u64; size as usize / 8];
    let d = dump(version, start, size, &all, &mut |off, v| {
        buf[off as usize / 8] = v;
        true
    });
    (d, buf)
}

/// Reads a list back: (element id, value) in order, each sequence
/// header checked for what the module clears.
fn parse(buf: &[u64]) -> Vec<(u64, u64)> {
    let (size, nseq) = (buf[0] & 0xffff, buf[0] >> 16);
    let mut at = 1;
    let mut out = Vec::new();
    for _ in 0..nseq {
        let h = buf[at];
        assert_eq!(h & (CONTEXT_MASK | 1 << 51 | RESERVED_MASK), 0, "{h:#x}");
        let elems = u64::from(last_element_in_field(h)) + 1;
        let fields = u64::from(last_field_in_sequence(h)) + 1;
        let base = h & !(0x1fff << LAST_ELEMENT_SHIFT);
        for i in 0..fields * elems {
            out.push((base + i, buf[at + 1 + i as usize]));
        }
        at += 1 + (fields * elems) as usize;
    }
    assert_eq!(size, at as u64 * 8);
    out
}

/// Every element of the context in TDH.SYS.RD's order, from `id`,
/// without the non-architectural bit: a sequence names its first field
/// only, and the fields after it may differ in that bit (VENDOR_ID's
/// sequence goes on with BUILD_DATE).
fn elements_from(id: u64) -> Vec<u64> {
    elements_of(V6, id)
}

fn elements_of(version: ModuleVersion, mut id: u64) -> Vec<u64> {
    let mut ids = Vec::new();
    while id != FIELD_ID_NA {
        ids.push(id & !NON_ARCH_BIT);
        id = next_element(version, id);
    }
    ids
}

fn elements_from_full(mut id: u64) -> Vec<u64> {
    let mut ids = Vec::new();
    while id != FIELD_ID_NA {
        ids.push(id);
        id = next_element(V6, id);
    }
    ids
}

#[test]
fn one_page_holds_the_whole_context_in_order() {
    let (d, buf) = run(FIELD_ID_NA, 4096);
    let d = d.unwrap();
    assert_eq!((d.status, d.next), (code::SUCCESS, FIELD_ID_NA));
    let got = parse(&buf);
    let want = elements_from(TABLE[0].id);
    let ids: Vec<u64> = got.iter().map(|e| e.0 & !NON_ARCH_BIT).collect();
    assert_eq!(ids, want);
    for (&(_, v), id) in got.iter().zip(elements_from_full(TABLE[0].id)) {
        assert_eq!(Some(v), all(0, id), "{id:#x}");
    }
}

#[test]
fn sequences_break_on_class_size_and_element_count() {
    let (_, buf) = run(FIELD_ID_NA, 4096);
    let mut heads = Vec::new();
    let mut at = 1;
    for _ in 0..buf[0] >> 16 {
        let h = buf[at];
        heads.push(h);
        let n =
            (u64::from(last_element_in_field(h)) + 1) * (u64::from(last_field_in_sequence(h)) + 1);
        at += 1 + n as usize;
    }
    let head = |id: u64| {
        *heads
            .iter()
            .find(|h| *h & !(0x1fff << LAST_ELEMENT_SHIFT) == id)
            .unwrap()
    };
    // VENDOR_ID (architectural) and BUILD_DATE (not): one sequence.
    assert_eq!(last_field_in_sequence(head(VENDOR_ID)), 1);
    // NUM_CMRS (16 bits) ends before CMR_BASE (64 bits): a new sequence;
    // CMR_BASE's 32 fields (codes 0x80..0x9f); CMR_SIZE starts at
    // 0x100, so a new sequence.
    assert_eq!(last_field_in_sequence(head(NUM_CMRS)), 0);
    assert_eq!(last_field_in_sequence(head(CMR_BASE)), 31);
    assert_eq!(last_field_in_sequence(head(CMR_SIZE)), 31);
    // CPUID_CONFIG_VALUES: two elements per field, its own sequence.
    let h = head(CPUID_CONFIG_VALUES);
    assert_eq!(
        (last_element_in_field(h), last_field_in_sequence(h)),
        (1, 31)
    );
    assert_eq!(last_field_in_sequence(head(CPUID_CONFIG_LEAVES)), 31);
}

#[test]
fn small_buffers_continue_from_r8() {
    for size in [32, 40, 64, 200, 1000] {
        let (mut start, mut got, mut calls) = (FIELD_ID_NA, Vec::new(), 0);
        loop {
            let (d, buf) = run(start, size);
            let d = d.unwrap();
            got.extend(parse(&buf));
            calls += 1;
            if d.status == code::SUCCESS {
                assert_eq!(d.next, FIELD_ID_NA);
                break;
            }
            assert_eq!(d.status, code::METADATA_LIST_OVERFLOW);
            start = d.next;
        }
        let ids: Vec<u64> = got.iter().map(|e| e.0 & !NON_ARCH_BIT).collect();
        assert_eq!(ids, elements_from(TABLE[0].id), "size {size}");
        assert!(calls > 1, "size {size}");
    }
}

#[test]
fn refused_starts() {
    let (d, buf) = run(FIELD_ID_NA, 31);
    let overflow = Dumped {
        status: code::METADATA_LIST_OVERFLOW,
        next: FIELD_ID_NA,
    };
    assert_eq!((d, buf[0]), (Some(overflow), 0));
    let incorrect = Some(Dumped {
        status: code::METADATA_FIELD_ID_INCORRECT,
        next: FIELD_ID_NA,
    });
    assert_eq!(run(CPUID_CONFIG_VALUES + 1, 4096).0, incorrect);
    assert_eq!(run(MAX_TDMRS | 3 << 32, 4096).0, incorrect);
    assert_eq!(run(0x9100_0001_0000_0013, 4096).0, incorrect);
    // A start inside the table dumps from there; the caller's other
    // bits give way to the table's.
    let (d, buf) = run(MAX_TDMRS & !NON_ARCH_BIT, 4096);
    assert_eq!(d.unwrap().status, code::SUCCESS);
    assert_eq!(parse(&buf)[0].0, MAX_TDMRS);
}

#[test]
fn a_missing_value_stops_the_dump() {
    let some = |idx: usize, id| (TABLE[idx].id != MIN_VIRT_MAXPA).then_some(id);
    assert_eq!(dump(V6, MAX_TDMRS, 4096, &some, &mut |_, _| true), None);
    let d = dump(V6, MAX_TDMRS, 200, &some, &mut |_, _| true);
    assert_eq!(d.unwrap().status, code::METADATA_LIST_OVERFLOW);
}

#[test]
fn older_tables_list_no_min_virt_maxpa() {
    for v in [ModuleVersion::V1_5_01, ModuleVersion::V1_5_05] {
        let (d, buf) = run_as(v, FIELD_ID_NA, 4096);
        assert_eq!(d.unwrap().status, code::SUCCESS);
        let ids: Vec<u64> = parse(&buf).iter().map(|e| e.0 & !NON_ARCH_BIT).collect();
        assert_eq!(ids, elements_of(v, TABLE[0].id));
        assert!(!ids.contains(&MIN_VIRT_MAXPA));
        assert_eq!(ids.len() + 1, elements_from(TABLE[0].id).len());
        // MAX_VCPUS_PER_TD (0x..08) and CPUID_CONFIG_LEAVES (0x..400)
        // are not consecutive: MAX_VCPUS_PER_TD's sequence ends there.
        let (_, buf) = run_as(v, MAX_VCPUS_PER_TD, 4096);
        assert_eq!(last_field_in_sequence(buf[1]), 0);
        // A start at the field the version lacks is refused.
        let incorrect = Dumped {
            status: code::METADATA_FIELD_ID_INCORRECT,
            next: FIELD_ID_NA,
        };
        assert_eq!(run_as(v, MIN_VIRT_MAXPA, 4096).0, Some(incorrect));
    }
    // 1.5.06: MAX_VCPUS_PER_TD (code 8) and MIN_VIRT_MAXPA (code 9)
    // differ in element size: two sequences all the same.
    let (_, buf) = run(MAX_VCPUS_PER_TD, 4096);
    assert_eq!(last_field_in_sequence(buf[1]), 0);
    assert_eq!(buf[3] & !(0x1fff << LAST_ELEMENT_SHIFT), MIN_VIRT_MAXPA);
}

#[test]
fn the_continuation_is_the_first_field_not_listed() {
    // Every size a dump can stop at: R8 names exactly the field after
    // the last one listed, so nothing is listed twice or skipped.
    let want = elements_from(TABLE[0].id);
    for size in (32..=4096).step_by(8) {
        let (d, buf) = run(FIELD_ID_NA, size);
        let d = d.unwrap();
        let got = parse(&buf);
        if d.status == code::SUCCESS {
            assert_eq!(got.len(), want.len(), "size {size}");
            continue;
        }
        assert_eq!(d.next & !NON_ARCH_BIT, want[got.len()], "size {size}");
    }
}
