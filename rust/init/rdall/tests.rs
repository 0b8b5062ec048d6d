// SPDX-License-Identifier: GPL-2.0

//! TDH.SYS.RDALL as the host follows it: the decisions against each status,
//! and the reader against the lists the emulator's model writes.

use super::*;
use crate::abi::metadata::{self as md, FieldId};
use crate::abi::status::{decode, SEAMCALL_VMFAILINVALID, SW_ERROR, TRAP_GP, TRAP_UD};
use tdx_emu_model::sys_rdall_list;

const G: u64 = 1 << 30;
const CMRS: [(u64, u64); 2] = [(0x10_0000, 2 * G), (4 * G, 70 * G)];
const RDX: u64 = 2;
const LP_INIT_NOT_DONE: u64 = 0xC000_0502_0000_0000;
const SYS_SHUTDOWN: u64 = 0xC000_0506_0000_0000;

fn at(made: usize, rax: u64, r8: u64) -> Result<Step, RdallError> {
    step(made, decode(rax), r8)
}

#[test]
fn falls_back_only_when_the_first_call_finds_no_such_leaf() {
    assert_eq!(at(1, 0xC000_0100_0000_0000, FIRST), Ok(Step::Fallback));
    // Everything else is the failure it is, the first call or not.
    for rax in [
        SW_ERROR | u64::from(TRAP_UD),
        SW_ERROR | u64::from(TRAP_GP),
        SEAMCALL_VMFAILINVALID,
        code::OPERAND_INVALID | RDX,
        code::METADATA_FIELD_ID_INCORRECT,
        LP_INIT_NOT_DONE,
        SYS_SHUTDOWN,
    ] {
        for made in 1..=MAX_LISTS {
            assert_eq!(
                at(made, rax, FIRST),
                Err(RdallError::Seamcall(decode(rax).unwrap_err())),
                "{rax:#x}"
            );
        }
    }
    // The module knew the leaf on the first call: not a fallback later.
    let later = at(2, LEAF_UNKNOWN, FIRST);
    assert_eq!(
        later,
        Err(RdallError::Seamcall(decode(LEAF_UNKNOWN).unwrap_err()))
    );
}

#[test]
fn follows_r8_for_at_most_max_lists_calls() {
    assert_eq!(at(1, code::SUCCESS, FIRST), Ok(Step::Done));
    assert_eq!(at(2, code::SUCCESS, FIRST), Ok(Step::Done));
    let next = md::CMR_SIZE.raw();
    assert_eq!(at(1, LIST_OVERFLOW, next), Ok(Step::Continue(next)));
    assert_eq!(at(2, LIST_OVERFLOW, next), Err(RdallError::TooManyLists));
    assert_eq!(at(1, LIST_OVERFLOW, FIRST), Err(RdallError::NoContinuation));
    // A warning status is not a list.
    assert_eq!(
        at(1, 0x0000_0C0B_0000_0000, FIRST),
        Err(RdallError::Unexpected(0x0000_0C0B_0000_0000))
    );
}

/// The fields `rust/init/sysinfo.rs` reads, as single elements.
fn wanted() -> Vec<FieldId> {
    let mut ids = vec![
        md::MAJOR_VERSION,
        md::MINOR_VERSION,
        md::UPDATE_VERSION,
        md::INTERNAL_VERSION,
        md::TDX_FEATURES0,
        md::MAX_TDMRS,
        md::MAX_RESERVED_PER_TDMR,
        md::PAMT_4K_ENTRY_SIZE,
        md::PAMT_2M_ENTRY_SIZE,
        md::PAMT_1G_ENTRY_SIZE,
        md::NUM_CMRS,
        md::TDR_BASE_SIZE,
        md::TDCS_BASE_SIZE,
        md::TDVPS_BASE_SIZE,
        md::ATTRIBUTES_FIXED0,
        md::ATTRIBUTES_FIXED1,
        md::XFAM_FIXED0,
        md::XFAM_FIXED1,
        md::NUM_CPUID_CONFIG,
        md::MAX_VCPUS_PER_TD,
    ];
    for i in 0..32 {
        ids.extend([md::CMR_BASE.element(i), md::CMR_SIZE.element(i)]);
        ids.extend([md::CPUID_CONFIG_LEAVES.element(i)]);
        ids.extend([md::cpuid_config_value(i, 0), md::cpuid_config_value(i, 1)]);
    }
    ids
}

/// The model's lists from the context's start in pages of `bytes`, calls
/// made as the host makes them: (the pages, the last step).
fn read(update: u8, bytes: usize) -> (Vec<Vec<u8>>, Result<Step, RdallError>) {
    let (mut pages, mut start) = (Vec::new(), FIRST);
    loop {
        let mut page = vec![0u8; bytes];
        let (rax, r8) = sys_rdall_list(update, &CMRS, start, &mut page).unwrap();
        pages.push(page);
        match step(pages.len(), decode(rax), r8) {
            Ok(Step::Continue(next)) => start = next,
            last => return (pages, last),
        }
    }
}

#[test]
fn one_call_lists_every_field_the_host_reads() {
    for update in [1, 5, 6] {
        let (pages, last) = read(update, LIST_BYTES);
        assert_eq!((pages.len(), last), (1, Ok(Step::Done)), "1.5.{update}");
        let lists = Lists::new(&[&pages[0]]).unwrap();
        for id in wanted() {
            assert!(
                lists.get(id.raw()).is_some(),
                "1.5.{update}: {:#x}",
                id.raw()
            );
        }
        let get = |id: FieldId| lists.get(id.raw()).unwrap();
        assert_eq!(get(md::UPDATE_VERSION), u64::from(update));
        assert_eq!(get(md::MAX_TDMRS), 64);
        assert_eq!(get(md::PAMT_4K_ENTRY_SIZE), 16);
        assert_eq!(get(md::NUM_CMRS), 32);
        assert_eq!(get(md::CMR_BASE.element(1)), CMRS[1].0);
        assert_eq!(get(md::CMR_SIZE.element(1)), CMRS[1].1 - CMRS[1].0);
        assert_eq!(get(md::CMR_SIZE.element(2)), 0);
        // MIN_VIRT_MAXPA (1.5.06 on): 45.
        let min_virt_maxpa = lists.get(0x9900_0000_0000_0009);
        assert_eq!(min_virt_maxpa, (update == 6).then_some(45));
    }
}

#[test]
fn a_second_call_continues_where_the_first_page_ended() {
    let (whole, _) = read(6, LIST_BYTES);
    let whole = Lists::new(&[&whole[0]]).unwrap();
    // Half a page: the context takes two.
    let (pages, last) = read(6, LIST_BYTES / 2);
    assert_eq!((pages.len(), last), (2, Ok(Step::Done)));
    let lists = Lists::new(&[&pages[0], &pages[1]]).unwrap();
    assert_eq!(lists.elements(), whole.elements());
    for id in wanted() {
        let id = id.raw();
        assert_eq!(lists.get(id), whole.get(id), "{id:#x}");
    }
    // A quarter page: more than two calls, refused.
    let (pages, last) = read(6, LIST_BYTES / 4);
    assert_eq!((pages.len(), last), (2, Err(RdallError::TooManyLists)));
}

#[test]
fn a_malformed_page_gives_no_lists() {
    let (mut pages, _) = read(6, LIST_BYTES);
    // One sequence more than the list holds.
    pages[0][2] += 1;
    assert!(Lists::new(&[&pages[0]]).is_err());
}
