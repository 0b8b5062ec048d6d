// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL completion statuses: what RAX holds once the instruction is done.
//!
//! Layout of a status the TDX module returns (TDX module ABI, `api_error_code_t`):
//!
//! | bits  | meaning                              |
//! |-------|--------------------------------------|
//! | 63    | error                                |
//! | 62    | non-recoverable                      |
//! | 61    | fatal                                |
//! | 60    | host recoverability hint             |
//! | 47:40 | class                                |
//! | 39:32 | details L1                           |
//! | 31:0  | details L2 (usually an operand id)   |
//!
//! Class 0xFF is never used by the module; the host's own software statuses
//! live there (`SW_ERROR`).
//!
//! Pure `core`: this file is built into the kernel modules and into the host
//! test crate alike.

use core::fmt;

/// Bit 63: the leaf did not complete successfully.
pub(crate) const ERROR: u64 = 1 << 63;
/// Bit 62: retrying the same call cannot succeed.
pub(crate) const NON_RECOVERABLE: u64 = 1 << 62;
/// Bit 61: the TDX module is no longer usable.
pub(crate) const FATAL: u64 = 1 << 61;

const CLASS_SHIFT: u32 = 40;
const SW_CLASS: u64 = 0xff;

/// Statuses made by the host's trampolines, never by the TDX module.
pub(crate) const SW_ERROR: u64 = ERROR | (SW_CLASS << CLASS_SHIFT);
/// CF was set: no SEAM module is loaded, or the SEAM loader is busy.
pub(crate) const SEAMCALL_VMFAILINVALID: u64 = SW_ERROR | 0xffff_0000;
/// `tdx_rs_vp_enter()` made no SEAMCALL: the module is not initialized...
pub(crate) const VP_ENTER_NOT_READY: u64 = SW_ERROR | 0xfffe_0000;
/// Reserved: was the refusal of a module without TDX_FEATURES0.NO_RBP_MOD,
/// which the trampoline no longer needs (it keeps the caller's RBP).
pub(crate) const VP_ENTER_RBP_UNSAFE: u64 = SW_ERROR | 0xfffd_0000;
/// The argument block was NULL or misaligned: no SEAMCALL was made.
pub(crate) const SEAMCALL_BAD_ARGS: u64 = SW_ERROR | 0xfffc_0000;
/// A TD life-cycle function refused: `tdx_rs_enable()` has not succeeded.
pub(crate) const NOT_READY: u64 = SW_ERROR | 0xfffb_0000;
/// ... the `struct tdx_rs_td` does not allow the call.
pub(crate) const TD_STATE: u64 = SW_ERROR | 0xfffa_0000;
/// ... the HKID of `tdx_rs_mng_create()` is not an allocated guest KeyID.
pub(crate) const BAD_KEYID: u64 = SW_ERROR | 0xfff9_0000;
/// Trap numbers the trampolines report as `SW_ERROR | trap`.
pub(crate) const TRAP_UD: u8 = 6;
pub(crate) const TRAP_GP: u8 = 13;

/// The completion codes this project acts on or names in logs: the upper
/// 32 bits of the status, with the operand details cleared.
pub(crate) mod code {
    pub(crate) const SUCCESS: u64 = 0x0000_0000_0000_0000;
    pub(crate) const INTERRUPTED_RESUMABLE: u64 = 0x8000_0003_0000_0000;
    pub(crate) const OPERAND_INVALID: u64 = 0xC000_0100_0000_0000;
    pub(crate) const OPERAND_ADDR_RANGE_ERROR: u64 = 0xC000_0101_0000_0000;
    pub(crate) const OPERAND_BUSY: u64 = 0x8000_0200_0000_0000;
    pub(crate) const PAGE_METADATA_INCORRECT: u64 = 0xC000_0300_0000_0000;
    pub(crate) const TD_ASSOCIATED_PAGES_EXIST: u64 = 0xC000_0400_0000_0000;
    pub(crate) const SYS_BUSY: u64 = 0x8000_0202_0000_0000;
    pub(crate) const RND_NO_ENTROPY: u64 = 0x8000_0203_0000_0000;
    pub(crate) const SYS_INIT_NOT_PENDING: u64 = 0xC000_0500_0000_0000;
    pub(crate) const SYS_LP_INIT_NOT_DONE: u64 = 0xC000_0502_0000_0000;
    pub(crate) const SYS_LP_INIT_DONE: u64 = 0xC000_0503_0000_0000;
    pub(crate) const SYS_NOT_READY: u64 = 0xC000_0505_0000_0000;
    pub(crate) const SYS_SHUTDOWN: u64 = 0xC000_0506_0000_0000;
    pub(crate) const SYS_KEY_CONFIG_NOT_PENDING: u64 = 0xC000_0507_0000_0000;
    pub(crate) const SYS_STATE_INCORRECT: u64 = 0xC000_0508_0000_0000;
    pub(crate) const SYS_LP_INIT_NOT_PENDING: u64 = 0xC000_050B_0000_0000;
    pub(crate) const SYS_CONFIG_NOT_PENDING: u64 = 0xC000_050C_0000_0000;
    pub(crate) const LIFECYCLE_STATE_INCORRECT: u64 = 0xC000_0607_0000_0000;
    pub(crate) const VCPU_ASSOCIATED: u64 = 0x8000_0701_0000_0000;
    pub(crate) const KEY_GENERATION_FAILED: u64 = 0x8000_0800_0000_0000;
    pub(crate) const KEY_CONFIGURED: u64 = 0x0000_0815_0000_0000;
    pub(crate) const WBCACHE_NOT_COMPLETE: u64 = 0x8000_0817_0000_0000;
    pub(crate) const HKID_NOT_FREE: u64 = 0xC000_0820_0000_0000;
    pub(crate) const NO_HKID_READY_TO_WBCACHE: u64 = 0x0000_0821_0000_0000;
    pub(crate) const INVALID_PKG_ID: u64 = 0xC000_0906_0000_0000;
    pub(crate) const INVALID_TDMR: u64 = 0xC000_0A00_0000_0000;
    pub(crate) const NON_ORDERED_TDMR: u64 = 0xC000_0A01_0000_0000;
    pub(crate) const TDMR_OUTSIDE_CMRS: u64 = 0xC000_0A02_0000_0000;
    pub(crate) const TDMR_ALREADY_INITIALIZED: u64 = 0x0000_0A03_0000_0000;
    pub(crate) const INVALID_PAMT: u64 = 0xC000_0A10_0000_0000;
    pub(crate) const PAMT_OUTSIDE_CMRS: u64 = 0xC000_0A11_0000_0000;
    pub(crate) const PAMT_OVERLAP: u64 = 0xC000_0A12_0000_0000;
    pub(crate) const INVALID_RESERVED_IN_TDMR: u64 = 0xC000_0A20_0000_0000;
    pub(crate) const NON_ORDERED_RESERVED_IN_TDMR: u64 = 0xC000_0A21_0000_0000;
    pub(crate) const CMR_LIST_INVALID: u64 = 0xC000_0A22_0000_0000;
    pub(crate) const METADATA_FIELD_ID_INCORRECT: u64 = 0xC000_0C00_0000_0000;
    pub(crate) const METADATA_FIRST_FIELD_ID_IN_CONTEXT: u64 = 0x0000_0C0B_0000_0000;
}

const NAMES: &[(u64, &str)] = &[
    (code::SUCCESS, "TDX_SUCCESS"),
    (code::INTERRUPTED_RESUMABLE, "TDX_INTERRUPTED_RESUMABLE"),
    (
        code::TD_ASSOCIATED_PAGES_EXIST,
        "TDX_TD_ASSOCIATED_PAGES_EXIST",
    ),
    (
        code::LIFECYCLE_STATE_INCORRECT,
        "TDX_LIFECYCLE_STATE_INCORRECT",
    ),
    (code::WBCACHE_NOT_COMPLETE, "TDX_WBCACHE_NOT_COMPLETE"),
    (code::HKID_NOT_FREE, "TDX_HKID_NOT_FREE"),
    (
        code::NO_HKID_READY_TO_WBCACHE,
        "TDX_NO_HKID_READY_TO_WBCACHE",
    ),
    (code::OPERAND_INVALID, "TDX_OPERAND_INVALID"),
    (
        code::OPERAND_ADDR_RANGE_ERROR,
        "TDX_OPERAND_ADDR_RANGE_ERROR",
    ),
    (code::OPERAND_BUSY, "TDX_OPERAND_BUSY"),
    (code::PAGE_METADATA_INCORRECT, "TDX_PAGE_METADATA_INCORRECT"),
    (code::SYS_BUSY, "TDX_SYS_BUSY"),
    (code::RND_NO_ENTROPY, "TDX_RND_NO_ENTROPY"),
    (code::SYS_INIT_NOT_PENDING, "TDX_SYS_INIT_NOT_PENDING"),
    (code::SYS_LP_INIT_NOT_DONE, "TDX_SYS_LP_INIT_NOT_DONE"),
    (code::SYS_LP_INIT_DONE, "TDX_SYS_LP_INIT_DONE"),
    (code::SYS_NOT_READY, "TDX_SYS_NOT_READY"),
    (code::SYS_SHUTDOWN, "TDX_SYS_SHUTDOWN"),
    (
        code::SYS_KEY_CONFIG_NOT_PENDING,
        "TDX_SYS_KEY_CONFIG_NOT_PENDING",
    ),
    (code::SYS_STATE_INCORRECT, "TDX_SYS_STATE_INCORRECT"),
    (code::SYS_LP_INIT_NOT_PENDING, "TDX_SYS_LP_INIT_NOT_PENDING"),
    (code::SYS_CONFIG_NOT_PENDING, "TDX_SYS_CONFIG_NOT_PENDING"),
    (code::VCPU_ASSOCIATED, "TDX_VCPU_ASSOCIATED"),
    (code::KEY_GENERATION_FAILED, "TDX_KEY_GENERATION_FAILED"),
    (code::KEY_CONFIGURED, "TDX_KEY_CONFIGURED"),
    (code::INVALID_PKG_ID, "TDX_INVALID_PKG_ID"),
    (code::INVALID_TDMR, "TDX_INVALID_TDMR"),
    (code::NON_ORDERED_TDMR, "TDX_NON_ORDERED_TDMR"),
    (code::TDMR_OUTSIDE_CMRS, "TDX_TDMR_OUTSIDE_CMRS"),
    (
        code::TDMR_ALREADY_INITIALIZED,
        "TDX_TDMR_ALREADY_INITIALIZED",
    ),
    (code::INVALID_PAMT, "TDX_INVALID_PAMT"),
    (code::PAMT_OUTSIDE_CMRS, "TDX_PAMT_OUTSIDE_CMRS"),
    (code::PAMT_OVERLAP, "TDX_PAMT_OVERLAP"),
    (
        code::INVALID_RESERVED_IN_TDMR,
        "TDX_INVALID_RESERVED_IN_TDMR",
    ),
    (
        code::NON_ORDERED_RESERVED_IN_TDMR,
        "TDX_NON_ORDERED_RESERVED_IN_TDMR",
    ),
    (code::CMR_LIST_INVALID, "TDX_CMR_LIST_INVALID"),
    (
        code::METADATA_FIELD_ID_INCORRECT,
        "TDX_METADATA_FIELD_ID_INCORRECT",
    ),
    (
        code::METADATA_FIRST_FIELD_ID_IN_CONTEXT,
        "TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT",
    ),
];

/// A status the TDX module itself returned (class is not 0xFF).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ModuleStatus(u64);

impl ModuleStatus {
    /// The raw 64-bit value, as RAX held it.
    pub(crate) const fn raw(self) -> u64 {
        self.0
    }

    /// Bits 63:32: the status with its operand details cleared.
    pub(crate) const fn code(self) -> u64 {
        self.0 & !0xffff_ffff
    }

    pub(crate) const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    pub(crate) const fn class(self) -> u8 {
        (self.0 >> CLASS_SHIFT) as u8
    }

    #[cfg(test)]
    pub(crate) const fn details_l1(self) -> u8 {
        (self.0 >> 32) as u8
    }

    /// Bits 31:0; for operand errors, the id of the offending operand.
    pub(crate) const fn operand(self) -> u32 {
        self.0 as u32
    }

    pub(crate) const fn non_recoverable(self) -> bool {
        self.0 & NON_RECOVERABLE != 0
    }

    pub(crate) const fn fatal(self) -> bool {
        self.0 & FATAL != 0
    }

    /// The name of the completion code, where this project knows it.
    pub(crate) fn name(self) -> Option<&'static str> {
        let code = self.code();
        NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    }
}

impl fmt::Display for ModuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#018x}", self.0)?,
            None => write!(f, "class {:#04x} ({:#018x}", self.class(), self.0)?,
        }
        if self.is_error() && self.operand() != 0 {
            write!(f, ", operand {}", self.operand())?;
        }
        if self.fatal() {
            write!(f, ", fatal")?;
        } else if self.non_recoverable() {
            write!(f, ", non-recoverable")?;
        }
        write!(f, ")")
    }
}

/// Why a SEAMCALL did not complete successfully.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SeamcallError {
    /// CF was set: no SEAM module loaded, or the SEAM loader is busy.
    VmFailInvalid,
    /// The instruction raised this exception (6: #UD, 13: #GP): the CPU is
    /// not in VMX operation or has no SEAM support.
    Trap(u8),
    /// A software status of class 0xFF this project does not define.
    Software(u64),
    /// The TDX module ran the leaf and returned an error status.
    Module(ModuleStatus),
}

impl SeamcallError {
    /// The value RAX held.
    pub(crate) const fn raw(self) -> u64 {
        match self {
            Self::VmFailInvalid => SEAMCALL_VMFAILINVALID,
            Self::Trap(nr) => SW_ERROR | nr as u64,
            Self::Software(raw) => raw,
            Self::Module(status) => status.raw(),
        }
    }
}

impl fmt::Display for SeamcallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VmFailInvalid => write!(f, "VMfailInvalid (no SEAM module)"),
            Self::Trap(TRAP_UD) => write!(f, "#UD on SEAMCALL"),
            Self::Trap(TRAP_GP) => write!(f, "#GP on SEAMCALL"),
            Self::Trap(nr) => write!(f, "trap {nr} on SEAMCALL"),
            Self::Software(VP_ENTER_NOT_READY) => {
                write!(f, "TDH.VP.ENTER refused: TDX module not initialized")
            }
            Self::Software(VP_ENTER_RBP_UNSAFE) => {
                write!(f, "TDH.VP.ENTER refused: TDX module lacks NO_RBP_MOD")
            }
            Self::Software(SEAMCALL_BAD_ARGS) => {
                write!(f, "refused: argument NULL or misaligned")
            }
            Self::Software(NOT_READY) => write!(f, "refused: TDX module not initialized"),
            Self::Software(TD_STATE) => write!(f, "refused: the TD does not allow the call"),
            Self::Software(BAD_KEYID) => write!(f, "refused: HKID not an allocated guest KeyID"),
            Self::Software(raw) => write!(f, "software status {raw:#018x}"),
            Self::Module(status) => write!(f, "{status}"),
        }
    }
}

/// Decodes RAX after a SEAMCALL: `Ok` with the status for a completed leaf
/// (which may carry a non-error code such as `TDX_KEY_CONFIGURED`), `Err`
/// for anything else.
pub(crate) fn decode(rax: u64) -> Result<ModuleStatus, SeamcallError> {
    if rax & SW_ERROR == SW_ERROR {
        return Err(match rax {
            SEAMCALL_VMFAILINVALID => SeamcallError::VmFailInvalid,
            r if r & !0xff == SW_ERROR && (r as u8 == TRAP_UD || r as u8 == TRAP_GP) => {
                SeamcallError::Trap(r as u8)
            }
            r => SeamcallError::Software(r),
        });
    }
    let status = ModuleStatus(rax);
    if status.is_error() {
        Err(SeamcallError::Module(status))
    } else {
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_and_informational_codes_are_ok() {
        assert_eq!(decode(0).unwrap().raw(), 0);
        let s = decode(code::KEY_CONFIGURED).unwrap();
        assert_eq!(s.name(), Some("TDX_KEY_CONFIGURED"));
        assert!(!s.is_error());
    }

    #[test]
    fn software_statuses_are_told_apart_from_module_statuses() {
        assert_eq!(
            decode(0x8000_FF00_FFFF_0000),
            Err(SeamcallError::VmFailInvalid)
        );
        assert_eq!(decode(0x8000_FF00_0000_0006), Err(SeamcallError::Trap(6)));
        assert_eq!(decode(0x8000_FF00_0000_000D), Err(SeamcallError::Trap(13)));
        assert_eq!(
            decode(0x8000_FF00_0000_0007),
            Err(SeamcallError::Software(0x8000_FF00_0000_0007))
        );
        for e in [
            SeamcallError::VmFailInvalid,
            SeamcallError::Trap(6),
            SeamcallError::Trap(13),
        ] {
            assert_eq!(decode(e.raw()), Err(e));
        }
    }

    #[test]
    fn refusals_are_distinct_software_statuses() {
        let all = [
            SEAMCALL_VMFAILINVALID,
            VP_ENTER_NOT_READY,
            VP_ENTER_RBP_UNSAFE,
            SEAMCALL_BAD_ARGS,
            NOT_READY,
            TD_STATE,
            BAD_KEYID,
        ];
        for (i, r) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|o| o != r), "{r:#x} twice");
        }
        for r in [NOT_READY, TD_STATE, BAD_KEYID] {
            assert_eq!(decode(r), Err(SeamcallError::Software(r)));
            assert_eq!(SeamcallError::Software(r).raw(), r);
            assert!(format!("{}", SeamcallError::Software(r)).starts_with("refused: "));
        }
    }

    #[test]
    fn module_error_fields_decode() {
        let raw = code::OPERAND_INVALID | 8; // operand R8
        let Err(SeamcallError::Module(s)) = decode(raw) else {
            panic!("not a module error");
        };
        assert_eq!(s.class(), 0x01);
        assert_eq!(s.operand(), 8);
        assert_eq!(s.code(), code::OPERAND_INVALID);
        assert!(s.non_recoverable());
        assert!(!s.fatal());
        assert_eq!(s.name(), Some("TDX_OPERAND_INVALID"));

        let Err(SeamcallError::Module(s)) = decode(code::RND_NO_ENTROPY) else {
            panic!("not a module error");
        };
        assert_eq!(s.class(), 0x02);
        assert_eq!(s.details_l1(), 0x03);
        assert!(!s.non_recoverable());
    }

    #[test]
    fn display_names_the_operand_and_the_severity() {
        let s = |raw| match decode(raw) {
            Err(SeamcallError::Module(s)) => format!("{s}"),
            Ok(s) => format!("{s}"),
            Err(e) => format!("{e}"),
        };
        assert_eq!(
            s(code::OPERAND_INVALID | 8),
            "TDX_OPERAND_INVALID (0xc000010000000008, operand 8, non-recoverable)"
        );
        assert_eq!(s(code::SYS_BUSY), "TDX_SYS_BUSY (0x8000020200000000)");
        assert_eq!(
            s(code::KEY_CONFIGURED),
            "TDX_KEY_CONFIGURED (0x0000081500000000)"
        );
        assert_eq!(
            s(0xE000_0A99_0000_0000),
            "class 0x0a (0xe0000a9900000000, fatal)"
        );
    }

    #[test]
    fn unknown_codes_still_decode_their_class() {
        let raw = 0xC000_0A99_0000_0000;
        let Err(SeamcallError::Module(s)) = decode(raw) else {
            panic!("not a module error");
        };
        assert_eq!(s.name(), None);
        assert_eq!(s.class(), 0x0A);
    }

    #[test]
    fn every_named_code_has_clear_operand_bits_and_a_unique_value() {
        for (i, (c, _)) in NAMES.iter().enumerate() {
            assert_eq!(c & 0xffff_ffff, 0);
            assert!(NAMES[i + 1..].iter().all(|(d, _)| d != c));
        }
    }
}
