// SPDX-License-Identifier: GPL-2.0

//! Whether `tdx_rs_vp_enter()` may enter a TD: `tdx_rs_vp_enter_refusal`, 0
//! to enter, else the status to return. Its assembly reads it only when the
//! gate that `set_vp_enter_refusal()` keeps beside it (`exports.c`) stops an
//! entry; the gate is open exactly when this value is 0.
//!
//! TDH.VP.ENTER is refused until the TDX module is initialized, and entered
//! on every initialized module from then on. TDX_FEATURES0.NO_RBP_MOD does
//! not decide it: TDX modules 1.5.01 and 1.5.05 report the feature and still
//! zero the host's RBP at every asynchronous TD exit (`td_exit.c`,
//! `async_tdexit_internal()`), 1.5.06 zeroes it for a TD without
//! CONFIG_FLAGS.NO_RBP_MOD, and TDG.VP.VMCALL does for such a TD on all of
//! them. The saved-register trampoline (`seamcall/trampolines.S`) keeps the
//! caller's RBP, the kernel's frame pointer, whatever the module writes.
//!
//! Pure `core`.

use crate::abi::metadata::TDX_FEATURES0_NO_RBP_MOD;
use crate::abi::status::VP_ENTER_NOT_READY;

/// The status to return instead of entering, or 0 to enter. `features0` is
/// TDX_FEATURES0 of an initialized module, `None` while there is none.
pub(crate) const fn refusal(features0: Option<u64>) -> u64 {
    match features0 {
        None => VP_ENTER_NOT_READY,
        Some(_) => 0,
    }
}

/// Whether the module lets a TD keep RBP on TDG.VP.VMCALL (a TD may set
/// CONFIG_FLAGS.NO_RBP_MOD); worth a line in the log when it does not.
pub(crate) const fn td_may_keep_rbp(features0: u64) -> bool {
    features0 & TDX_FEATURES0_NO_RBP_MOD != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::status::{decode, SeamcallError, SW_ERROR, VP_ENTER_RBP_UNSAFE};

    #[test]
    fn enters_any_initialized_module() {
        assert_eq!(refusal(None), VP_ENTER_NOT_READY);
        for f in [
            0,
            TDX_FEATURES0_NO_RBP_MOD,
            !TDX_FEATURES0_NO_RBP_MOD,
            u64::MAX,
        ] {
            assert_eq!(refusal(Some(f)), 0, "{f:#x}");
        }
        assert!(!td_may_keep_rbp(0) && td_may_keep_rbp(TDX_FEATURES0_NO_RBP_MOD));
    }

    #[test]
    fn refusals_are_software_statuses_no_module_status_can_equal() {
        for r in [VP_ENTER_NOT_READY, VP_ENTER_RBP_UNSAFE] {
            assert_eq!(r & SW_ERROR, SW_ERROR);
            assert_eq!(decode(r), Err(SeamcallError::Software(r)));
        }
        assert_ne!(VP_ENTER_NOT_READY, VP_ENTER_RBP_UNSAFE);
    }
}
