// SPDX-License-Identifier: GPL-2.0

//! Whether `tdx_rs_vp_enter()` may enter a TD: the value its assembly reads
//! before every TDH.VP.ENTER (`tdx_rs_vp_enter_refusal`, 0 to enter).
//!
//! TDH.VP.ENTER is refused until the TDX module is initialized, and for good
//! if the module does not report TDX_FEATURES0.NO_RBP_MOD: only with it does
//! a TD exit give RBP back as the host left it, and the host's RBP is the
//! kernel's frame pointer.
//!
//! Pure `core`.

use crate::abi::metadata::TDX_FEATURES0_NO_RBP_MOD;
use crate::abi::status::{VP_ENTER_NOT_READY, VP_ENTER_RBP_UNSAFE};

/// The status to return instead of entering, or 0 to enter. `features0` is
/// TDX_FEATURES0 of an initialized module, `None` while there is none.
pub(crate) const fn refusal(features0: Option<u64>) -> u64 {
    match features0 {
        None => VP_ENTER_NOT_READY,
        Some(f) if f & TDX_FEATURES0_NO_RBP_MOD == 0 => VP_ENTER_RBP_UNSAFE,
        Some(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::status::{decode, SeamcallError, SW_ERROR};

    #[test]
    fn enters_only_an_initialized_module_that_keeps_rbp() {
        assert_eq!(refusal(None), VP_ENTER_NOT_READY);
        assert_eq!(refusal(Some(0)), VP_ENTER_RBP_UNSAFE);
        assert_eq!(
            refusal(Some(!TDX_FEATURES0_NO_RBP_MOD)),
            VP_ENTER_RBP_UNSAFE
        );
        assert_eq!(refusal(Some(TDX_FEATURES0_NO_RBP_MOD)), 0);
        assert_eq!(refusal(Some(u64::MAX)), 0);
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
