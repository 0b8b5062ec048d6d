// SPDX-License-Identifier: GPL-2.0

//! What the TDX module's answer proves about the pages this module holds
//! references on for it: the decisions behind every give-back.
//!
//! - TDH.PHYMEM.PAGE.RECLAIM that completed: the page is no longer the
//!   module's (its PAMT entry is PT_NDA now), and RCX is the type it had.
//!   A TDR is not given back on it: its cache lines under the global KeyID
//!   must be written back first.
//! - TDH.MEM.PAGE.REMOVE that completed: RCX is the removed page's address
//!   (TDX module 1.5, `tdh_mem_page_remove.c`), no longer the module's.
//! - TDH.PHYMEM.PAGE.WBINVD that completed: the page was not the module's
//!   (the leaf takes only a PT_NDA page) and is written back. For a TDR
//!   this module handed over, that proves it reclaimed.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

use crate::abi::status::{code, decode, SeamcallError};

/// A page's type in the PAMT (TDX module 1.5, `page_type_t`): the TDR.
pub(crate) const PT_TDR: u64 = 4;

/// Whether a RECLAIM that returned `rax` with `page_type` in RCX gave the
/// page back for good.
pub(crate) fn reclaim_released(rax: u64, page_type: u64) -> bool {
    decode(rax).is_ok() && page_type != PT_TDR
}

/// The page a REMOVE that returned `rax` with `rcx` gave back, if any: a
/// page address, 4 KiB aligned.
pub(crate) fn remove_released(rax: u64, rcx: u64) -> Option<u64> {
    (decode(rax).is_ok() && rcx % 4096 == 0).then_some(rcx)
}

/// Whether a WBINVD that returned `rax` proves the page not the module's
/// and written back.
pub(crate) fn wbinvd_released(rax: u64) -> bool {
    decode(rax).is_ok()
}

/// What becomes of the TDR's reference after TDH.PHYMEM.PAGE.WBINVD of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TdrAfterWbinvd {
    /// Reclaimed and written back: put the reference.
    GiveBack,
    /// The module still owns the TDR (`TDX_PAGE_METADATA_INCORRECT`): not
    /// reclaimed yet; keep the reference for a later call.
    StillOwned,
    /// Any other failure: whether written back or not is unknown, so the
    /// page can never be freed safely; keep it for good, and count it.
    GiveUp,
}

/// The TDR's fate after a WBINVD of it that returned `rax`.
pub(crate) fn tdr_after_wbinvd(rax: u64) -> TdrAfterWbinvd {
    match decode(rax) {
        Ok(_) => TdrAfterWbinvd::GiveBack,
        Err(SeamcallError::Module(s)) if s.code() == code::PAGE_METADATA_INCORRECT => {
            TdrAfterWbinvd::StillOwned
        }
        Err(_) => TdrAfterWbinvd::GiveUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::status::{SEAMCALL_VMFAILINVALID, SW_ERROR, TRAP_UD};

    const PT_NDA: u64 = 0;
    const PT_REG: u64 = 3;
    const PT_TDCX: u64 = 5;
    const PT_TDVPR: u64 = 6;
    const PT_EPT: u64 = 8;

    #[test]
    fn a_reclaim_gives_back_every_page_type_but_the_tdr() {
        for pt in [PT_REG, PT_TDCX, PT_TDVPR, PT_EPT] {
            assert!(reclaim_released(code::SUCCESS, pt), "type {pt}");
        }
        assert!(!reclaim_released(code::SUCCESS, PT_TDR));
    }

    #[test]
    fn a_failed_reclaim_gives_back_nothing() {
        for rax in [
            code::PAGE_METADATA_INCORRECT | 0x1,
            code::LIFECYCLE_STATE_INCORRECT,
            code::TD_ASSOCIATED_PAGES_EXIST,
            code::OPERAND_BUSY | 0x1,
            SEAMCALL_VMFAILINVALID,
            SW_ERROR | TRAP_UD as u64,
        ] {
            // RCX keeps the input on a trap: never read as a type.
            assert!(!reclaim_released(rax, PT_REG), "{rax:#x}");
            assert!(!reclaim_released(rax, PT_NDA), "{rax:#x}");
        }
    }

    #[test]
    fn a_remove_gives_back_the_page_the_module_names() {
        assert_eq!(
            remove_released(code::SUCCESS, 0x1234_5000),
            Some(0x1234_5000)
        );
        assert_eq!(
            remove_released(code::SUCCESS, 0x1234_5003),
            None,
            "not a page"
        );
        // An error leaves the SEPT entry in RCX: never a page given back.
        let entry = 0x1234_5007;
        assert_eq!(remove_released(0xC000_0B0D_0000_0001, entry & !0xfff), None);
        assert_eq!(remove_released(SEAMCALL_VMFAILINVALID, 0x1000), None);
    }

    #[test]
    fn only_a_completed_wbinvd_proves_anything() {
        assert!(wbinvd_released(code::SUCCESS));
        assert!(!wbinvd_released(code::PAGE_METADATA_INCORRECT | 0x1));
        assert!(!wbinvd_released(SW_ERROR | TRAP_UD as u64));
    }

    #[test]
    fn the_tdr_is_given_back_kept_for_later_or_given_up() {
        use TdrAfterWbinvd::*;
        assert_eq!(tdr_after_wbinvd(code::SUCCESS), GiveBack);
        // The operand id does not matter.
        assert_eq!(
            tdr_after_wbinvd(code::PAGE_METADATA_INCORRECT | 0x1),
            StillOwned
        );
        assert_eq!(tdr_after_wbinvd(code::PAGE_METADATA_INCORRECT), StillOwned);
        for rax in [
            code::OPERAND_BUSY | 0x1,
            code::OPERAND_INVALID | 0x1,
            SEAMCALL_VMFAILINVALID,
            SW_ERROR | TRAP_UD as u64,
        ] {
            assert_eq!(tdr_after_wbinvd(rax), GiveUp, "{rax:#x}");
        }
    }
}
