// SPDX-License-Identifier: GPL-2.0

//! VMX operation, per logical processor: the CPU's state, not the TDX
//! module's. SEAMCALL outside VMX operation raises #UD (Intel SDM,
//! SEAMCALL: "IF not in VMX operation ... THEN #UD"): the instruction's own
//! check, made before the TDX module runs, so the module never sees the call.
//!
//! On a host VMXON and VMXOFF are the hypervisor's (KVM's); here a test
//! stand-in calls [`Vmx::vmxon`] and [`Vmx::vmxoff`] (`tdx_emu_vmxon()`,
//! `tdx_emu_vmxoff()`), with the two rules of the instructions that matter to
//! a SEAMCALL caller: VMXON in VMX operation fails (VMfailValid or
//! VMfailInvalid on the CPU), VMXOFF outside it fails (#UD on the CPU). Not
//! modeled: CR4.VMXE, IA32_FEATURE_CONTROL, the VMXON region and its
//! revision identifier, VMCSs, VMX non-root operation (SEAMCALL exits to the
//! hypervisor there), SMM and SEAM modes. An LP id at or above [`MAX_LPS`]
//! is never in VMX operation and cannot enter it.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

use super::MAX_LPS;

/// Why VMXON or VMXOFF failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VmxError {
    /// VMXON: the LP is in VMX operation already.
    AlreadyOn,
    /// VMXOFF: the LP is not in VMX operation.
    NotOn,
    /// The LP id is beyond what the model keeps.
    NoSuchLp,
}

/// Which LPs are in VMX operation, and the SEAMCALLs that hit #UD for want
/// of it.
pub(crate) struct Vmx {
    on: [u64; MAX_LPS / 64],
    ud_outside: u64,
}

impl Vmx {
    /// No LP in VMX operation, no #UD counted: a CPU after reset.
    pub(crate) const fn new() -> Self {
        Self {
            on: [0; MAX_LPS / 64],
            ud_outside: 0,
        }
    }

    /// Whether `lp` is in VMX operation.
    pub(crate) fn is_on(&self, lp: u32) -> bool {
        let lp = lp as usize;
        lp < MAX_LPS && self.on[lp / 64] & 1 << (lp % 64) != 0
    }

    /// VMXON on `lp`.
    pub(crate) fn vmxon(&mut self, lp: u32) -> Result<(), VmxError> {
        let i = lp as usize;
        if i >= MAX_LPS {
            return Err(VmxError::NoSuchLp);
        }
        if self.is_on(lp) {
            return Err(VmxError::AlreadyOn);
        }
        self.on[i / 64] |= 1 << (i % 64);
        Ok(())
    }

    /// VMXOFF on `lp`.
    pub(crate) fn vmxoff(&mut self, lp: u32) -> Result<(), VmxError> {
        let i = lp as usize;
        if i >= MAX_LPS {
            return Err(VmxError::NoSuchLp);
        }
        if !self.is_on(lp) {
            return Err(VmxError::NotOn);
        }
        self.on[i / 64] &= !(1 << (i % 64));
        Ok(())
    }

    /// SEAMCALL's own check on `lp`: true if it may go on to the TDX
    /// module; false (and counted) if it raises #UD.
    pub(crate) fn seamcall_allowed(&mut self, lp: u32) -> bool {
        if self.is_on(lp) {
            return true;
        }
        self.ud_outside += 1;
        false
    }

    /// SEAMCALLs that raised #UD outside VMX operation since load or reset.
    pub(crate) fn ud_outside(&self) -> u64 {
        self.ud_outside
    }

    /// Forgets the #UD count; which LPs are in VMX operation stays (it is
    /// the CPUs' state, which resetting the TDX module does not touch).
    pub(crate) fn reset_count(&mut self) {
        self.ud_outside = 0;
    }

    /// The LPs in VMX operation, in id order.
    pub(crate) fn lps_on(&self) -> impl Iterator<Item = u32> + '_ {
        (0..MAX_LPS as u32).filter(|&lp| self.is_on(lp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmxon_and_vmxoff_follow_the_instructions_rules() {
        let mut v = Vmx::new();
        assert!(!v.is_on(3));
        assert_eq!(v.vmxoff(3), Err(VmxError::NotOn), "VMXOFF outside: #UD");
        assert_eq!(v.vmxon(3), Ok(()));
        assert!(v.is_on(3));
        assert!(!v.is_on(2) && !v.is_on(4), "per LP");
        assert_eq!(v.vmxon(3), Err(VmxError::AlreadyOn), "VMXON inside fails");
        assert_eq!(v.vmxon(64 + 3), Ok(()), "another word of the bitmap");
        assert_eq!(v.lps_on().collect::<Vec<_>>(), [3, 67]);
        assert_eq!(v.vmxoff(3), Ok(()));
        assert!(!v.is_on(3) && v.is_on(67));
        let last = MAX_LPS as u32 - 1;
        assert_eq!(v.vmxon(last), Ok(()));
        assert_eq!(v.vmxon(last + 1), Err(VmxError::NoSuchLp));
        assert_eq!(v.vmxoff(last + 1), Err(VmxError::NoSuchLp));
        assert!(!v.is_on(last + 1) && !v.is_on(u32::MAX));
    }

    #[test]
    fn seamcall_outside_vmx_is_counted_and_refused() {
        let mut v = Vmx::new();
        assert!(!v.seamcall_allowed(1));
        assert!(!v.seamcall_allowed(1));
        v.vmxon(1).unwrap();
        assert!(v.seamcall_allowed(1));
        assert_eq!(v.ud_outside(), 2);
        v.reset_count();
        assert_eq!(v.ud_outside(), 0);
        assert!(v.is_on(1), "the CPU's state survives a reset");
    }

    /// The model: a SEAMCALL outside VMX operation never reaches the TDX
    /// module, whatever mode, injection or probe is set.
    #[test]
    fn the_module_never_sees_a_call_outside_vmx() {
        use crate::abi::leaf::{Leaf, LeafCall};
        use crate::abi::status::code;
        use crate::model::test_support::{lp, platform, FakeMem};
        use crate::model::{Fault, Mode, Model, Outcome, SysState, RAX};
        use crate::platform::Cmr;

        let cmr = Cmr {
            base: 0,
            size: 1 << 30,
        };
        let mut m = Model::new_without_vmx(platform(2, 1, &[cmr]));
        let init = LeafCall::new(Leaf::SysInit).rax();
        let call = |m: &mut Model, on: u32| {
            let mut r = [0u64; 16];
            r[RAX] = init;
            let before = r;
            let out = m.seamcall(lp(on, 0), &mut r, &mut FakeMem::new());
            (out, r == before)
        };
        m.inject(Leaf::SysInit as u16, 1, 1, Fault::Status(code::SYS_BUSY));
        m.set_mode(Mode::VmFailInvalid);
        assert_eq!(call(&mut m, 0), (Outcome::Decline, true), "#UD, not CF");
        m.set_mode(Mode::Normal);
        assert_eq!(call(&mut m, 0), (Outcome::Decline, true));
        assert_eq!((m.calls(), m.calls_of(Leaf::SysInit as u16)), (0, 0));
        assert_eq!(m.vmx().ud_outside(), 2);
        assert_eq!(m.state(), SysState::InitPending);

        m.vmxon(1).unwrap();
        assert_eq!(call(&mut m, 0).0, Outcome::Decline, "LP 0 is still off");
        let mut r = [0u64; 16];
        r[RAX] = init;
        assert_eq!(
            m.seamcall(lp(1, 0), &mut r, &mut FakeMem::new()),
            Outcome::Complete
        );
        assert_eq!(r[RAX], code::SYS_BUSY, "the injection was still pending");
        assert_eq!((m.calls(), m.vmx().ud_outside()), (1, 3));

        m.reset();
        assert!(m.vmx().is_on(1) && !m.vmx().is_on(0), "reset keeps VMX");
        assert_eq!(m.vmx().ud_outside(), 0);
        assert_eq!(m.vmxoff(1), Ok(()));
        assert_eq!(call(&mut m, 1).0, Outcome::Decline, "after VMXOFF");
    }
}
