// SPDX-License-Identifier: GPL-2.0

//! Tests over whole hosts: the fixtures against their `expect` files, and a
//! good host generated from each of the emulator's platform profiles.

mod fixtures;
pub(crate) mod host;
mod profiles;

use crate::input::{hex, lookup_msr, system_ram, Msr, Why};

#[test]
fn recorded_msrs_are_read_by_cpu_and_index() {
    let text = "# comment\n0 0x87 0x2000000001f # KeyIDs\n1 87 0x0\n0 0x1401 gp\n0 0x982 zz\n";
    assert_eq!(lookup_msr(text, 0, 0x87), Msr::Value(0x2000000001f));
    assert_eq!(lookup_msr(text, 1, 0x87), Msr::Value(0));
    assert_eq!(lookup_msr(text, 0, 0x1401), Msr::Faults);
    assert!(matches!(
        lookup_msr(text, 0, 0x982),
        Msr::Unreadable(Why::Other(_))
    ));
    assert_eq!(lookup_msr(text, 0, 0xfe), Msr::Unreadable(Why::NotRecorded));
    assert_eq!(hex("0x10"), Some(16));
    assert_eq!(hex("10"), Some(16));
}

#[test]
fn system_ram_is_the_top_level_ranges_of_iomem() {
    let iomem = "00000000-00000fff : Reserved\n00001000-0009efff : System RAM\n\
                 00100000-7fffffff : System RAM\n  01000000-01ffffff : System RAM\n";
    assert_eq!(
        system_ram(iomem),
        Some(vec![(0x1000, 0x9f000), (0x10_0000, 0x8000_0000)])
    );
    assert_eq!(system_ram("00000000-00000000 : System RAM\n"), None);
    assert_eq!(system_ram(""), None);
}
