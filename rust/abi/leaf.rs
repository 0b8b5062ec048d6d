// SPDX-License-Identifier: GPL-2.0

//! The SEAMCALL leaves this module calls, how RAX names one, and which
//! registers each one takes and gives back.
//!
//! RAX on entry (TDX module ABI, `tdx_leaf_and_version_t`): bits 15:0 the leaf
//! number, bits 23:16 the leaf version, bits 63:24 reserved and zero. The
//! numbers are TDX 1.5's; `include/linux/tdx_host_rs.h` gives C the same
//! numbers (`TDX_RS_LEAF_*`), and the build checks that both agree.
//!
//! Pure `core`: shared by the kernel module and the host test crate.

/// Which registers a leaf takes and gives back, and so which trampoline
/// makes the call (`rust/seamcall/trampolines.S`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Regs {
    /// RCX, RDX, R8-R11 in; nothing back but the status
    /// (`tdx_rs_seamcall()`).
    In,
    /// RCX, RDX, R8-R11 in and out (`tdx_rs_seamcall_ret()`).
    InOut,
    /// RCX, RDX, RBX, RSI, RDI, R8-R15 in and out, the C ABI's callee-saved
    /// ones included (`tdx_rs_seamcall_saved_ret()`).
    AllInOut,
}

/// A host-side SEAMCALL leaf of the TDX module that this module calls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u16)]
pub(crate) enum Leaf {
    /// Enter a TD vCPU (made by `tdx_rs_vp_enter()` in assembly; named here
    /// for its register contract).
    VpEnter = 0,
    /// Program the global private key on one package.
    SysKeyConfig = 31,
    /// Platform-wide initialization, once.
    SysInit = 33,
    /// Read one global metadata field.
    SysRd = 34,
    /// Per-logical-processor initialization.
    SysLpInit = 35,
    /// Initialize a chunk of one TDMR's PAMT.
    SysTdmrInit = 36,
    /// Hand the TDMRs and the global KeyID to the module.
    SysConfig = 45,
}

const VERSION_SHIFT: u32 = 16;

impl Leaf {
    /// The name the ABI specification uses, e.g. `TDH.SYS.INIT`.
    pub(crate) const fn abi_name(self) -> &'static str {
        match self {
            Leaf::VpEnter => "TDH.VP.ENTER",
            Leaf::SysKeyConfig => "TDH.SYS.KEY.CONFIG",
            Leaf::SysInit => "TDH.SYS.INIT",
            Leaf::SysRd => "TDH.SYS.RD",
            Leaf::SysLpInit => "TDH.SYS.LP.INIT",
            Leaf::SysTdmrInit => "TDH.SYS.TDMR.INIT",
            Leaf::SysConfig => "TDH.SYS.CONFIG",
        }
    }

    /// The registers the leaf takes and writes back (TDX module ABI, each
    /// leaf's "Inputs" and "Outputs" tables). A leaf that writes a
    /// callee-saved register must go through the saved-register trampoline;
    /// one that writes nothing but RAX through the plain one.
    pub(crate) const fn regs(self) -> Regs {
        match self {
            // RCX, RDX, R8-R15, RBX, RSI, RDI: the TD's registers.
            Leaf::VpEnter => Regs::AllInOut,
            // RDX: the next field ID; R8: the value.
            Leaf::SysRd => Regs::InOut,
            // RDX: the next address to initialize.
            Leaf::SysTdmrInit => Regs::InOut,
            // Success writes no register but RAX (RCX, RDX and R8 of
            // SYS.INIT and LP.INIT are zero on output, and zero here is
            // not information the host needs).
            Leaf::SysKeyConfig | Leaf::SysInit | Leaf::SysLpInit | Leaf::SysConfig => Regs::In,
        }
    }
}

/// A leaf at a given version: exactly what goes into RAX.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LeafCall {
    pub(crate) leaf: Leaf,
    pub(crate) version: u8,
}

impl LeafCall {
    pub(crate) const fn new(leaf: Leaf) -> Self {
        Self { leaf, version: 0 }
    }

    /// The RAX value for this call.
    pub(crate) const fn rax(self) -> u64 {
        self.leaf as u64 | (self.version as u64) << VERSION_SHIFT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_abi() {
        assert_eq!(Leaf::VpEnter as u16, 0);
        assert_eq!(Leaf::SysKeyConfig as u16, 31);
        assert_eq!(Leaf::SysInit as u16, 33);
        assert_eq!(Leaf::SysRd as u16, 34);
        assert_eq!(Leaf::SysLpInit as u16, 35);
        assert_eq!(Leaf::SysTdmrInit as u16, 36);
        assert_eq!(Leaf::SysConfig as u16, 45);
    }

    #[test]
    fn rax_carries_the_version_above_the_number() {
        let call = LeafCall {
            leaf: Leaf::SysRd,
            version: 1,
        };
        assert_eq!(call.rax(), 0x1_0022);
        assert_eq!(LeafCall::new(Leaf::SysConfig).rax(), 45);
    }

    #[test]
    fn vp_enter_alone_needs_the_saved_register_trampoline() {
        for leaf in [
            Leaf::SysKeyConfig,
            Leaf::SysInit,
            Leaf::SysRd,
            Leaf::SysLpInit,
            Leaf::SysTdmrInit,
            Leaf::SysConfig,
        ] {
            assert_ne!(leaf.regs(), Regs::AllInOut, "{}", leaf.abi_name());
        }
        assert_eq!(Leaf::VpEnter.regs(), Regs::AllInOut);
        assert_eq!(Leaf::SysRd.regs(), Regs::InOut);
    }
}
