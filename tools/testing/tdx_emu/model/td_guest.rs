// SPDX-License-Identifier: GPL-2.0

//! What every emulated TD guest shares, whatever program it runs
//! (`td_program.rs`, read from the TD's private memory): the GHCI
//! conventions it calls its host with, the values a KVM-like host answers,
//! the first wrong reply it found (the per-vCPU report), and the call a
//! guest whose program ended makes for ever. There is no guest here: the
//! only guest is the measured program.
//!
//! The guest's convention is the GHCI's: R10 0 selects a standard TDVMCALL
//! whose subfunction is R11 (CPUID 10, HLT 12, I/O 30, MapGPA 0x10001,
//! ReportFatalError 0x10003), any other R10 is a VMM-specific call (for KVM,
//! a hypercall number). The reply status goes to R10: 0 success, bit 63 an
//! error.
//!
//! Pure `core`.

use super::{Gprs, R8, R9, RBX, RCX, RDX};

const RSI: usize = 6;
const RDI: usize = 7;
const R10: usize = 10;
const R11: usize = 11;
const R12: usize = 12;
const R13: usize = 13;
const R14: usize = 14;
const R15: usize = 15;

/// Every GPR a TDG.VP.VMCALL may expose to the host (the module refuses RAX,
/// RCX, RSP and, with NO_RBP_MOD, RBP): RDX, RBX, RSI, RDI, R8-R15.
pub(crate) const EXPOSABLE: u64 = 1 << RDX
    | 1 << RBX
    | 1 << RSI
    | 1 << RDI
    | 1 << R8
    | 1 << R9
    | 1 << R10
    | 1 << R11
    | 1 << R12
    | 1 << R13
    | 1 << R14
    | 1 << R15;

/// GHCI subfunctions (R11 with R10 0) the guest's own code makes: I/O (the
/// VMX exit reason) and ReportFatalError.
pub(crate) const GHCI_IO: u64 = 30;
pub(crate) const GHCI_REPORT_FATAL_ERROR: u64 = 0x10003;
/// R10's reply "success".
pub(crate) const TDVMCALL_SUCCESS: u64 = 0;
/// The port whose write of 0 says "done" (QEMU's isa-debug-exit).
pub(crate) const DONE_PORT: u64 = 0xf4;
/// ReportFatalError codes of a wrong reply: `FATAL_BAD_REPLY | step << 8 |
/// register`.
pub(crate) const FATAL_BAD_REPLY: u64 = 0x7e57_0000;

/// What the programs `td_image.py` assembles ask of the host, and what a
/// KVM-like host answers (the tests' side; `td_image.py` has its own copy).
#[cfg(test)]
mod host {
    /// GHCI subfunctions; the VMX exit reasons.
    pub(crate) const GHCI_CPUID: u64 = 10;
    pub(crate) const GHCI_HLT: u64 = 12;
    /// A subfunction no GHCI version defines.
    pub(crate) const GHCI_UNDEFINED: u64 = 0x7fff_fff0;
    /// R10's reply "invalid operand".
    pub(crate) const TDVMCALL_INVALID_OPERAND: u64 = 0x8000_0000_0000_0000;
    /// The VMM-specific call the guest uses to test every register: the
    /// host must answer R10 0 and the bitwise NOT of every other exposed
    /// register.
    pub(crate) const HC_ECHO: u64 = 0x7e57_ec40;
    /// The CPUID leaf the guest asks for: KVM's signature leaf, whose answer
    /// is 0x40000001 and "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
    pub(crate) const CPUID_KVM_SIGNATURE: u64 = 0x4000_0000;
    pub(crate) const KVM_SIGNATURE: [u64; 4] = [0x4000_0001, 0x4b4d_564b, 0x564b_4d56, 0x0000_004d];
    /// What the TDX module answers a TDG.VP.VMCALL whose bitmap it refuses:
    /// TDX_OPERAND_INVALID with operand RCX.
    pub(crate) const REFUSED_STATUS: u64 = 0xC000_0100_0000_0001;
}
#[cfg(test)]
pub(crate) use host::*;

/// The GPRs of the done port write: R10-R15.
pub(crate) const DONE_BITMAP: u64 = 0xfc00;

/// The TDG.VP.VMCALL a guest whose program ended makes at every entry: the
/// GHCI I/O write of one byte, 0, to `DONE_PORT` (R12 size 1, R13 direction
/// 1 = write, R14 port, R15 value). Its reply is not checked.
pub(crate) const DONE_CALL: Gprs = {
    let mut r = [0; 16];
    r[RCX] = DONE_BITMAP;
    r[R11] = GHCI_IO;
    r[R12] = 1;
    r[R13] = 1;
    r[R14] = DONE_PORT;
    r[R15] = 0;
    r[R10] = 0;
    r
};

/// The first wrong value the guest saw.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Mismatch {
    pub(crate) step: u32,
    pub(crate) reg: u32,
    pub(crate) expected: u64,
    pub(crate) got: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bitmaps spelled out register by register.
    #[test]
    fn bitmaps() {
        let exposable = [2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        assert_eq!(EXPOSABLE, exposable.iter().map(|r| 1u64 << r).sum());
        assert_eq!(DONE_BITMAP, (10..16).map(|r| 1u64 << r).sum());
        assert_eq!(DONE_BITMAP & !EXPOSABLE, 0);
    }
}
