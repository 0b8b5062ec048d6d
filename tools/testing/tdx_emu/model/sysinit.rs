// SPDX-License-Identifier: GPL-2.0

//! The emulated module's platform and LP initialization and key
//! configuration: TDH.SYS.INIT (`tdh_sys_init.c`), TDH.SYS.LP.INIT
//! (`tdh_sys_lp_init.c`) and TDH.SYS.KEY.CONFIG (`tdh_sys_key_config.c`).
//!
//! The CPU, MSR, SMRR and SEAM-capability checks the real leaves make on the
//! hardware are not modeled: the model's platform passes them.
//!
//! Each leaf returns RAX, or `None` to decline.
//!
//! Pure `core`.

use super::cmr::{cmr_list_is_valid, cmr_table};
use super::sys::{Sys, SysState, MAX_PKGS};
use super::{Gprs, R10, R8, R9, RCX, RDX};
use crate::abi::status::code;
use crate::platform::Lp;

impl Sys {
    /// TDH.SYS.INIT: RCX, RDX and R8-R10 are zeroed first; RCX (reserved in
    /// TDX 1.5) must have been 0; once only; the CMR list must pass
    /// `check_cmrs()`.
    pub(crate) fn sys_init(&mut self, regs: &mut Gprs) -> Option<u64> {
        let reserved_rcx = regs[RCX];
        for r in [RCX, RDX, R8, R9, R10] {
            regs[r] = 0;
        }
        if reserved_rcx != 0 {
            return Some(code::OPERAND_INVALID | RCX as u64);
        }
        if self.state != SysState::InitPending {
            return Some(code::SYS_INIT_NOT_PENDING);
        }
        if !cmr_list_is_valid(cmr_table(&self.platform), &self.keys) {
            return Some(code::CMR_LIST_INVALID);
        }
        // tdx_init_global_data(): no LP and no package initialized yet.
        self.nr_init_lps = 0;
        self.nr_init_pkgs = 0;
        self.pkg_configured = 0;
        self.state = SysState::InitDone;
        Some(code::SUCCESS)
    }

    /// TDH.SYS.LP.INIT: RCX, RDX and R8 are zeroed first; only between
    /// TDH.SYS.INIT and TDH.SYS.CONFIG; once per LP.
    pub(crate) fn sys_lp_init(&mut self, lp: Lp, regs: &mut Gprs) -> Option<u64> {
        for r in [RCX, RDX, R8] {
            regs[r] = 0;
        }
        if self.state != SysState::InitDone {
            return Some(code::SYS_LP_INIT_NOT_PENDING);
        }
        if self.lp_is_init(lp) {
            return Some(code::SYS_LP_INIT_DONE);
        }
        if !self.set_lp_init(lp) {
            return None;
        }
        self.nr_init_lps += 1;
        Some(code::SUCCESS)
    }

    /// TDH.SYS.KEY.CONFIG: only after TDH.SYS.CONFIG and before the last
    /// package is done; once per package (again: `TDX_KEY_CONFIGURED`, not
    /// an error). The last package makes the module ready.
    pub(crate) fn sys_key_config(&mut self, lp: Lp) -> Option<u64> {
        if self.state != SysState::ConfigDone {
            return Some(code::SYS_KEY_CONFIG_NOT_PENDING);
        }
        if lp.package >= MAX_PKGS {
            return None;
        }
        let bit = 1 << lp.package;
        if self.pkg_configured & bit != 0 {
            return Some(code::KEY_CONFIGURED);
        }
        // PCONFIG programs the global private KeyID on this package; its
        // failures (entropy, busy) are left to fault injection.
        self.pkg_configured |= bit;
        self.nr_init_pkgs += 1;
        if self.nr_init_pkgs == self.platform.nr_packages {
            self.state = SysState::Ready;
        }
        Some(code::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{lp, platform, G};
    use super::*;
    use crate::platform::Cmr;

    fn regs() -> Gprs {
        core::array::from_fn(|n| 0x1111_0000 + n as u64)
    }

    fn sys() -> Sys {
        Sys::new(platform(
            2,
            2,
            &[Cmr {
                base: 0,
                size: 2 * G,
            }],
        ))
    }

    #[test]
    fn init_once_with_reserved_rcx_zero() {
        let mut s = sys();
        let mut r = regs();
        assert_eq!(s.sys_init(&mut r), Some(code::OPERAND_INVALID | 1));
        assert_eq!((r[RCX], r[RDX], r[R8], r[R9], r[R10]), (0, 0, 0, 0, 0));
        assert_eq!(r[3], 0x1111_0003, "RBX untouched");
        assert_eq!(s.state, SysState::InitPending);
        let mut r = [0; 16];
        assert_eq!(s.sys_init(&mut r), Some(code::SUCCESS));
        assert_eq!(s.state, SysState::InitDone);
        assert_eq!(s.sys_init(&mut r), Some(code::SYS_INIT_NOT_PENDING));
        // RCX is checked before the state.
        let mut r = regs();
        assert_eq!(s.sys_init(&mut r), Some(code::OPERAND_INVALID | 1));
    }

    #[test]
    fn init_refuses_a_bad_cmr_list() {
        let mut s = Sys::new(platform(
            1,
            1,
            &[Cmr {
                base: 0x800,
                size: G,
            }],
        ));
        assert_eq!(s.sys_init(&mut [0; 16]), Some(code::CMR_LIST_INVALID));
        assert_eq!(s.state, SysState::InitPending);
    }

    #[test]
    fn lp_init_after_init_once_per_lp() {
        let mut s = sys();
        let mut r = regs();
        assert_eq!(
            s.sys_lp_init(lp(0, 0), &mut r),
            Some(code::SYS_LP_INIT_NOT_PENDING)
        );
        assert_eq!((r[RCX], r[RDX], r[R8], r[R9]), (0, 0, 0, 0x1111_0009));
        s.sys_init(&mut [0; 16]);
        assert_eq!(s.sys_lp_init(lp(0, 0), &mut regs()), Some(code::SUCCESS));
        assert_eq!(
            s.sys_lp_init(lp(0, 0), &mut regs()),
            Some(code::SYS_LP_INIT_DONE)
        );
        assert_eq!(s.sys_lp_init(lp(1, 1), &mut regs()), Some(code::SUCCESS));
        assert_eq!(s.nr_init_lps, 2);
        assert_eq!(s.sys_lp_init(lp(4096, 0), &mut regs()), None);
        // After TDH.SYS.CONFIG the state check comes first.
        s.state = SysState::ConfigDone;
        assert_eq!(
            s.sys_lp_init(lp(0, 0), &mut regs()),
            Some(code::SYS_LP_INIT_NOT_PENDING)
        );
    }

    #[test]
    fn key_config_once_per_package_then_ready() {
        let mut s = sys();
        assert_eq!(
            s.sys_key_config(lp(0, 0)),
            Some(code::SYS_KEY_CONFIG_NOT_PENDING)
        );
        s.state = SysState::ConfigDone;
        assert_eq!(s.sys_key_config(lp(0, 0)), Some(code::SUCCESS));
        assert_eq!(s.sys_key_config(lp(1, 0)), Some(code::KEY_CONFIGURED));
        assert_eq!(s.state, SysState::ConfigDone);
        assert_eq!(s.sys_key_config(lp(2, 1)), Some(code::SUCCESS));
        assert_eq!(s.state, SysState::Ready);
        // Ready: no longer pending, whatever the package.
        assert_eq!(
            s.sys_key_config(lp(0, 0)),
            Some(code::SYS_KEY_CONFIG_NOT_PENDING)
        );
        assert_eq!(
            s.sys_key_config(lp(0, 40)),
            Some(code::SYS_KEY_CONFIG_NOT_PENDING)
        );
    }
}
