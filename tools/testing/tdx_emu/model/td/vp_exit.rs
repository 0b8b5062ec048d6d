// SPDX-License-Identifier: GPL-2.0

//! The host's registers at a TD exit, as the TDX module writes them.
//!
//! An asynchronous TD exit (`td_exit.c`, `async_tdexit_internal()`, which
//! `async_tdexit_to_vmm()` calls for an external interrupt from the TD
//! dispatcher, `tdx_td_dispatcher.c`, and `tdx_ept_violation_exit_to_vmm()`,
//! `td_other_exits.c`, for an EPT violation):
//!
//! - RAX: the TD-exit case (TDX_SUCCESS here) with bits 31:0 the VM exit
//!   reason: the basic reason in 15:0 and bit 26 the sticky
//!   BUS_LOCK_PREEMPTED flag (set by a bus-lock VM exit the module handled
//!   inside the TD, cleared when reported). The model has no bus locks: bit
//!   26 is always 0.
//! - RCX: the exit qualification (bits 63:52, the VM index, 0: no L2 VMs);
//!   RDX: the extended exit qualification; R8: the GPA; R9: the VM-exit
//!   interruption information.
//! - RBX, RSI, RDI, R10-R15: 0. RBP: 0, except in 1.5.06 for a TD with
//!   CONFIG_FLAGS.NO_RBP_MOD, whose RBP is the host's (`module_version.rs`).
//!   RSP is never written.
//!
//! TDG.VP.VMCALL (`tdg_vp_vmcall.c`, `copy_gprs_data_from_td_to_vmm()`):
//! RAX TDX_SUCCESS | 77 (bit 26 as above), RCX the guest's GPR and XMM
//! bitmaps, every GPR from RDX to R15 the bitmap selects the guest's, every
//! other one 0, except RBP of a TD with CONFIG_FLAGS.NO_RBP_MOD (which may
//! not select it either), which keeps the host's.
//!
//! Every TD exit also initializes the host's extended state per the TD's
//! XFAM with SSE (`td_vmexit_to_vmm()`: `initialize_extended_state()`, then
//! for TDG.VP.VMCALL `load_xmms_by_mask()`, which gives the host the XMMs
//! the guest selected and 0 in every other one): the model's guest selects
//! no XMM, so XMM0-15 are 0 after every exit. The registers are not part of
//! the model: `glue/trap.c` zeroes them when [`Tds::td_exit_taken`] says a
//! TD exit happened.
//!
//! Pure `core`.

use super::super::{Gprs, R8, R9, RAX, RBP, RCX, RDX, RSP};
use crate::abi::status::code;

/// The VMX basic exit reason of an external interrupt.
pub(crate) const EXIT_REASON_EXTERNAL_INTERRUPT: u64 = 1;

/// VM-exit interruption information: valid (bit 31), type external
/// interrupt (bits 10:8, 0), the vector in bits 7:0.
pub(crate) const fn external_interrupt_info(vector: u8) -> u64 {
    1 << 31 | vector as u64
}

/// What an asynchronous TD exit reports, before it reaches the host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct AsyncExit {
    /// The VM exit reason (bits 31:0 of RAX).
    pub(crate) reason: u64,
    pub(crate) qualification: u64,
    pub(crate) extended: u64,
    pub(crate) gpa: u64,
    pub(crate) interruption_info: u64,
}

impl AsyncExit {
    /// An external interrupt of `vector` (`VMEXIT_REASON_INTERRUPT`: no
    /// qualification, no GPA).
    pub(crate) const fn external_interrupt(vector: u8) -> Self {
        Self {
            reason: EXIT_REASON_EXTERNAL_INTERRUPT,
            qualification: 0,
            extended: 0,
            gpa: 0,
            interruption_info: external_interrupt_info(vector),
        }
    }

    /// Writes the host's registers; `keep_rbp`: the host's RBP stays.
    /// Returns RAX.
    pub(crate) fn write_host(&self, host: &mut Gprs, keep_rbp: bool) -> u64 {
        for (reg, v) in host.iter_mut().enumerate() {
            if reg != RSP && !(reg == RBP && keep_rbp) {
                *v = 0;
            }
        }
        host[RCX] = self.qualification;
        host[RDX] = self.extended;
        host[R8] = self.gpa;
        host[R9] = self.interruption_info;
        host[RAX] = code::SUCCESS | self.reason;
        host[RAX]
    }
}

/// The host's registers at a TDG.VP.VMCALL exit with `bitmap` (already
/// checked): `guest` the guest's registers. Returns RAX.
pub(crate) fn vmcall_to_host(
    host: &mut Gprs,
    guest: &Gprs,
    bitmap: u64,
    no_rbp_mod: bool,
    reason: u64,
) -> u64 {
    for reg in (RDX..16).filter(|&r| r != RSP && !(r == RBP && no_rbp_mod)) {
        host[reg] = if bitmap & 1 << reg != 0 {
            guest[reg]
        } else {
            0
        };
    }
    host[RCX] = bitmap;
    host[RAX] = code::SUCCESS | reason;
    host[RAX]
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: Gprs = [0x4000; 16];

    fn host() -> Gprs {
        core::array::from_fn(|r| HOST[r] | r as u64)
    }

    #[test]
    fn an_external_interrupt_writes_four_registers_and_zeroes_the_rest() {
        for keep_rbp in [false, true] {
            let mut h = host();
            let rax = AsyncExit::external_interrupt(0xec).write_host(&mut h, keep_rbp);
            assert_eq!(rax, 1);
            let mut want = [0; 16];
            want[RAX] = 1;
            want[R9] = 0x8000_00ec;
            want[RSP] = HOST[RSP] | RSP as u64;
            if keep_rbp {
                want[RBP] = HOST[RBP] | RBP as u64;
            }
            assert_eq!(h, want, "keep_rbp {keep_rbp}");
        }
    }

    #[test]
    fn a_vmcall_exit_gives_the_selected_registers_and_rbp_per_the_flag() {
        let guest: Gprs = core::array::from_fn(|r| 0x6000 | r as u64);
        // RDX, RBP, R12 selected.
        let bitmap = 1 << RDX | 1 << RBP | 1 << 12;
        let mut h = host();
        assert_eq!(vmcall_to_host(&mut h, &guest, bitmap, false, 77), 77);
        let mut want = [0; 16];
        want[RAX] = 77;
        want[RCX] = bitmap;
        want[RSP] = HOST[RSP] | RSP as u64;
        want[RDX] = guest[RDX];
        want[RBP] = guest[RBP];
        want[12] = guest[12];
        assert_eq!(h, want);
        // Unselected: 0 without the flag, the host's with it.
        let mut h = host();
        vmcall_to_host(&mut h, &guest, 1 << RDX, false, 77);
        assert_eq!(h[RBP], 0);
        let mut h = host();
        vmcall_to_host(&mut h, &guest, 1 << RDX, true, 77);
        assert_eq!(h[RBP], HOST[RBP] | RBP as u64);
    }
}
