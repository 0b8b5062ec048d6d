// SPDX-License-Identifier: GPL-2.0

//! Reading global metadata in the emulated module: TDH.SYS.RD
//! (`tdh_sys_rd()`, `tdh_sys_rd.c`) and the checks of TDH.SYS.RDALL
//! (`tdh_sys_rdall()`, `tdh_sys_rdall.c`).
//!
//! TDH.SYS.RD: RDX = field identifier in; R8 = the value and RDX = the next
//! field identifier out. TDH.SYS.RDALL: RDX = a 4 KiB page for the list, R8 =
//! the first field in; R8 = the next field out; the list as `sysrdall.rs`
//! writes it. Where the list would hold a field the model gives no value
//! (`sys_fields.rs`), the call is declined and the page left as it was.
//!
//! Pure `core`.

use super::sys::Sys;
use super::sys_fields::{find, next_element, value};
use super::sysrdall::dump;
use super::{Gprs, R8, RDX};
use crate::abi::metadata::{self as md, CONTEXT_MASK, FIELD_ID_NA, RESERVED_MASK};
use crate::abi::status::code;
use crate::platform::{Lp, PhysMem};

/// `md_check_as_single_element_id()`: reserved bits, last element and last
/// field all 0.
const fn is_single_element_id(id: u64) -> bool {
    id & RESERVED_MASK == 0
        && md::last_element_in_field(id) == 0
        && md::last_field_in_sequence(id) == 0
}

impl Sys {
    /// TDH.SYS.RD: RDX = -1 and R8 = 0 first; the LP must have done
    /// TDH.SYS.LP.INIT; the context code is taken as global; a null field
    /// identifier returns the first one (`TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT`);
    /// a malformed or unknown one fails with `TDX_METADATA_FIELD_ID_INCORRECT`.
    pub(crate) fn sys_rd(&self, lp: Lp, regs: &mut Gprs) -> Option<u64> {
        let id = regs[RDX] & !CONTEXT_MASK;
        regs[RDX] = FIELD_ID_NA;
        regs[R8] = 0;
        if !self.lp_is_init(lp) {
            return Some(code::SYS_LP_INIT_NOT_DONE);
        }
        let version = self.platform.version;
        if md::is_null(id) {
            regs[RDX] = next_element(version, id);
            return Some(code::METADATA_FIRST_FIELD_ID_IN_CONTEXT);
        }
        if !is_single_element_id(id) {
            return Some(code::METADATA_FIELD_ID_INCORRECT);
        }
        let Some(idx) = find(version, id) else {
            return Some(code::METADATA_FIELD_ID_INCORRECT);
        };
        regs[R8] = value(self, idx, id)?;
        regs[RDX] = next_element(version, id);
        Some(code::SUCCESS)
    }

    /// TDH.SYS.RDALL: R8 = -1 first; the LP must have done TDH.SYS.LP.INIT;
    /// RDX must be a 4 KiB aligned shared address below MAXPA (operand RDX);
    /// R8's context code is taken as global; then the list and R8 = the next
    /// field. Declined where a listed field has no model value (checked
    /// before anything is written) or the page cannot be written.
    pub(crate) fn sys_rdall(&self, lp: Lp, regs: &mut Gprs, mem: &mut dyn PhysMem) -> Option<u64> {
        let list_pa = regs[RDX];
        let start = regs[R8] & !CONTEXT_MASK;
        regs[R8] = FIELD_ID_NA;
        if !self.lp_is_init(lp) {
            return Some(code::SYS_LP_INIT_NOT_DONE);
        }
        if !self.keys.is_shared_hpa(list_pa, 4096) {
            return Some(code::OPERAND_INVALID | RDX as u64);
        }
        let values = |idx, id| value(self, idx, id);
        let version = self.platform.version;
        dump(version, start, 4096, &values, &mut |_, _| true)?;
        let mut write = |off: u32, v: u64| mem.write(list_pa + u64::from(off), &v.to_le_bytes());
        let done = dump(version, start, 4096, &values, &mut write)?;
        regs[R8] = done.next;
        Some(done.status)
    }
}

#[cfg(test)]
mod tests {
    use super::super::sys::SysState;
    use super::super::sys_fields::DEFAULT_FEATURES0;
    use super::super::test_support::{lp, platform, FakeMem, G};
    use super::*;
    use crate::abi::metadata::*;
    use crate::module_version::ModuleVersion;
    use crate::platform::Cmr;

    fn sys() -> Sys {
        let mut s = Sys::new(platform(
            2,
            1,
            &[Cmr {
                base: 0,
                size: 2 * G,
            }],
        ));
        s.state = SysState::InitDone;
        s.set_lp_init(lp(0, 0));
        s
    }

    fn rd(s: &Sys, lp_id: u32, id: u64) -> (Option<u64>, u64, u64) {
        let mut r = [0x55; 16];
        r[RDX] = id;
        let status = s.sys_rd(lp(lp_id, 0), &mut r);
        (status, r[RDX], r[R8])
    }

    #[test]
    fn reads_value_and_next_field() {
        let s = sys();
        let ok = Some(code::SUCCESS);
        assert_eq!(rd(&s, 0, MAX_TDMRS), (ok, MAX_RESERVED_PER_TDMR, 64));
        assert_eq!(
            rd(&s, 0, MAX_RESERVED_PER_TDMR),
            (ok, PAMT_4K_ENTRY_SIZE, 16)
        );
        assert_eq!(rd(&s, 0, PAMT_1G_ENTRY_SIZE), (ok, TDR_BASE_SIZE, 16));
        assert_eq!(rd(&s, 0, TDX_FEATURES0), (ok, NUM_CMRS, DEFAULT_FEATURES0));
        assert_eq!(rd(&s, 0, NUM_CMRS), (ok, CMR_BASE, 32));
        assert_eq!(
            rd(&s, 0, array_field(CMR_SIZE, 0)),
            (ok, CMR_SIZE + 1, 2 * G)
        );
        assert_eq!(rd(&s, 0, MINOR_VERSION), (ok, MAJOR_VERSION, 5));
        // Any context code is read as global.
        assert_eq!(
            rd(&s, 0, MAX_TDMRS | 2 << 52),
            (ok, MAX_RESERVED_PER_TDMR, 64)
        );
    }

    #[test]
    fn null_id_returns_the_first_field() {
        let s = sys();
        let first = Some(code::METADATA_FIRST_FIELD_ID_IN_CONTEXT);
        assert_eq!(rd(&s, 0, u64::MAX), (first, NUM_PKGS, 0));
        assert_eq!(rd(&s, 0, !CONTEXT_MASK), (first, NUM_PKGS, 0));
    }

    #[test]
    fn errors_leave_rdx_minus_one_and_r8_zero() {
        let s = sys();
        let bad = Some(code::METADATA_FIELD_ID_INCORRECT);
        assert_eq!(
            rd(&s, 1, MAX_TDMRS),
            (Some(code::SYS_LP_INIT_NOT_DONE), u64::MAX, 0)
        );
        assert_eq!(rd(&s, 0, 0x9100_0001_0000_0013), (bad, u64::MAX, 0));
        assert_eq!(rd(&s, 0, array_field(CMR_BASE, 32)), (bad, u64::MAX, 0));
        for flag in [1 << 24, 1 << 34, 1 << 38, 1 << 47, 1 << 55, 1 << 62] {
            assert_eq!(rd(&s, 0, MAX_TDMRS | flag), (bad, u64::MAX, 0), "{flag:#x}");
        }
    }

    #[test]
    fn fields_without_a_model_value_are_declined() {
        let mut s = sys();
        assert_eq!(rd(&s, 0, NUM_HANDOFF_PAGES).0.unwrap(), code::SUCCESS);
        s.platform.handoff = None;
        assert_eq!(rd(&s, 0, NUM_HANDOFF_PAGES).0, None);
        assert_eq!(rd(&s, 0, ALLOWED_FMS + 1).0.unwrap(), code::SUCCESS);
    }

    #[test]
    fn min_virt_maxpa_is_read_from_1_5_06_on() {
        let mut s = sys();
        let ok = Some(code::SUCCESS);
        assert_eq!(rd(&s, 0, MIN_VIRT_MAXPA), (ok, CPUID_CONFIG_LEAVES, 45));
        assert_eq!(rd(&s, 0, MAX_VCPUS_PER_TD).1, MIN_VIRT_MAXPA);
        s.platform.version = ModuleVersion::V1_5_01;
        let bad = Some(code::METADATA_FIELD_ID_INCORRECT);
        assert_eq!(rd(&s, 0, MIN_VIRT_MAXPA), (bad, u64::MAX, 0));
        assert_eq!(rd(&s, 0, MAX_VCPUS_PER_TD).1, CPUID_CONFIG_LEAVES);
    }

    #[test]
    fn rdall_checks_then_lists_or_declines() {
        let s = sys();
        let mut mem = FakeMem::new();
        let mut call = |lp_id, pa, start| {
            let mut r = [0; 16];
            (r[RDX], r[R8]) = (pa, start);
            let status = s.sys_rdall(lp(lp_id, 0), &mut r, &mut mem);
            (status, r[R8], mem.written)
        };
        let na = FIELD_ID_NA;
        let lp_init = Some(code::SYS_LP_INIT_NOT_DONE);
        assert_eq!(call(1, 0x1000, na), (lp_init, na, 0));
        let rdx = Some(code::OPERAND_INVALID | 2);
        assert_eq!(call(0, 0x1800, na), (rdx, na, 0));
        assert_eq!(call(0, 2 << 46, na), (rdx, na, 0));
        // Field 0 of class 0 with size code 0: not NUM_PKGS (32 bits).
        let bad = Some(code::METADATA_FIELD_ID_INCORRECT);
        assert_eq!(call(0, 0x1000, 0), (bad, na, 0));
        let mid = array_field(CPUID_CONFIG_VALUES, 1);
        assert_eq!(call(0, 0x1000, mid), (bad, na, 0));
        // The whole context, in one page; any context code in R8.
        let (status, next, written) = call(0, 0x1000, na);
        assert_eq!((status, next), (Some(code::SUCCESS), na));
        assert!(written > 0);
        assert_eq!(call(0, 0x1000, MAX_TDMRS | 3 << 52).0, status);
    }

    #[test]
    fn rdall_without_the_handoff_facts_declines_unwritten() {
        let mut s = sys();
        s.platform.handoff = None;
        let mut mem = FakeMem::new();
        let mut r = [0; 16];
        (r[RDX], r[R8]) = (0x1000, FIELD_ID_NA);
        assert_eq!(s.sys_rdall(lp(0, 0), &mut r, &mut mem), None);
        assert_eq!(mem.written, 0);
        // From past the hand-off class on, the list is whole.
        (r[RDX], r[R8]) = (0x1000, SYS_ATTRIBUTES);
        assert_eq!(s.sys_rdall(lp(0, 0), &mut r, &mut mem), Some(code::SUCCESS));
    }
}
