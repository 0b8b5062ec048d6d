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
    /// Add a TDCS page to a TD.
    MngAddcx = 1,
    /// Add a measured private page to a TD being built.
    MemPageAdd = 2,
    /// Add a Secure EPT page.
    MemSeptAdd = 3,
    /// Add a TDCX page to a vCPU.
    VpAddcx = 4,
    /// Add a pending private page to a running TD.
    MemPageAug = 6,
    /// Block a private GPA range.
    MemRangeBlock = 7,
    /// Program a TD's key on the calling LP's package.
    MngKeyConfig = 8,
    /// Create a TD: its TDR page and HKID.
    MngCreate = 9,
    /// Create a vCPU: its TDVPR page.
    VpCreate = 10,
    /// Read a TD-scope metadata field.
    MngRd = 11,
    /// Extend MRTD with a 256-byte chunk.
    MrExtend = 16,
    /// Finalize MRTD: the TD becomes runnable.
    MrFinalize = 17,
    /// Flush a vCPU's state off the calling LP.
    VpFlush = 18,
    /// Check that every vCPU was flushed.
    MngVpflushdone = 19,
    /// Release a TD's HKID.
    MngKeyFreeid = 20,
    /// Initialize a TD from TD_PARAMS.
    MngInit = 21,
    /// Initialize a vCPU.
    VpInit = 22,
    /// Read a vCPU-scope metadata field.
    VpRd = 26,
    /// Take a page back from a TD in teardown.
    PhymemPageReclaim = 28,
    /// Remove a private page from a TD.
    MemPageRemove = 29,
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
    /// Read global metadata fields as a list, into a page.
    SysRdall = 37,
    /// Advance a TD's TLB epoch.
    MemTrack = 38,
    /// Write back the caches of released HKIDs, package by package.
    PhymemCacheWb = 40,
    /// Write back and invalidate one page's cache lines, by KeyID.
    PhymemPageWbinvd = 41,
    /// Write a vCPU-scope metadata field.
    VpWr = 43,
    /// Hand the TDMRs and the global KeyID to the module.
    SysConfig = 45,
}

/// Every leaf, ascending: for the tests and the build-time cross-checks.
pub(crate) const ALL: [Leaf; 32] = [
    Leaf::VpEnter,
    Leaf::MngAddcx,
    Leaf::MemPageAdd,
    Leaf::MemSeptAdd,
    Leaf::VpAddcx,
    Leaf::MemPageAug,
    Leaf::MemRangeBlock,
    Leaf::MngKeyConfig,
    Leaf::MngCreate,
    Leaf::VpCreate,
    Leaf::MngRd,
    Leaf::MrExtend,
    Leaf::MrFinalize,
    Leaf::VpFlush,
    Leaf::MngVpflushdone,
    Leaf::MngKeyFreeid,
    Leaf::MngInit,
    Leaf::VpInit,
    Leaf::VpRd,
    Leaf::PhymemPageReclaim,
    Leaf::MemPageRemove,
    Leaf::SysKeyConfig,
    Leaf::SysInit,
    Leaf::SysRd,
    Leaf::SysLpInit,
    Leaf::SysTdmrInit,
    Leaf::SysRdall,
    Leaf::MemTrack,
    Leaf::PhymemCacheWb,
    Leaf::PhymemPageWbinvd,
    Leaf::VpWr,
    Leaf::SysConfig,
];

const VERSION_SHIFT: u32 = 16;

impl Leaf {
    /// The name the ABI specification uses, e.g. `TDH.SYS.INIT`.
    pub(crate) const fn abi_name(self) -> &'static str {
        match self {
            Leaf::VpEnter => "TDH.VP.ENTER",
            Leaf::MngAddcx => "TDH.MNG.ADDCX",
            Leaf::MemPageAdd => "TDH.MEM.PAGE.ADD",
            Leaf::MemSeptAdd => "TDH.MEM.SEPT.ADD",
            Leaf::VpAddcx => "TDH.VP.ADDCX",
            Leaf::MemPageAug => "TDH.MEM.PAGE.AUG",
            Leaf::MemRangeBlock => "TDH.MEM.RANGE.BLOCK",
            Leaf::MngKeyConfig => "TDH.MNG.KEY.CONFIG",
            Leaf::MngCreate => "TDH.MNG.CREATE",
            Leaf::VpCreate => "TDH.VP.CREATE",
            Leaf::MngRd => "TDH.MNG.RD",
            Leaf::MrExtend => "TDH.MR.EXTEND",
            Leaf::MrFinalize => "TDH.MR.FINALIZE",
            Leaf::VpFlush => "TDH.VP.FLUSH",
            Leaf::MngVpflushdone => "TDH.MNG.VPFLUSHDONE",
            Leaf::MngKeyFreeid => "TDH.MNG.KEY.FREEID",
            Leaf::MngInit => "TDH.MNG.INIT",
            Leaf::VpInit => "TDH.VP.INIT",
            Leaf::VpRd => "TDH.VP.RD",
            Leaf::PhymemPageReclaim => "TDH.PHYMEM.PAGE.RECLAIM",
            Leaf::MemPageRemove => "TDH.MEM.PAGE.REMOVE",
            Leaf::SysKeyConfig => "TDH.SYS.KEY.CONFIG",
            Leaf::SysInit => "TDH.SYS.INIT",
            Leaf::SysRd => "TDH.SYS.RD",
            Leaf::SysLpInit => "TDH.SYS.LP.INIT",
            Leaf::SysTdmrInit => "TDH.SYS.TDMR.INIT",
            Leaf::SysRdall => "TDH.SYS.RDALL",
            Leaf::MemTrack => "TDH.MEM.TRACK",
            Leaf::PhymemCacheWb => "TDH.PHYMEM.CACHE.WB",
            Leaf::PhymemPageWbinvd => "TDH.PHYMEM.PAGE.WBINVD",
            Leaf::VpWr => "TDH.VP.WR",
            Leaf::SysConfig => "TDH.SYS.CONFIG",
        }
    }

    /// The registers the leaf takes and writes back (TDX module ABI, each
    /// leaf's "Inputs" and "Outputs" tables). A leaf that writes a
    /// callee-saved register must go through the saved-register trampoline;
    /// one whose outputs the host reads through the in-and-out one; the
    /// others through the plain one (their outputs, if any, are in
    /// caller-saved registers and carry nothing the host uses).
    pub(crate) const fn regs(self) -> Regs {
        match self {
            // RCX, RDX, R8-R15, RBX, RSI, RDI: the TD's registers.
            Leaf::VpEnter => Regs::AllInOut,
            // RDX: the next field ID; R8: the value.
            Leaf::SysRd => Regs::InOut,
            // RDX: the next address to initialize.
            Leaf::SysTdmrInit => Regs::InOut,
            // R8: the next field to list (the continuation).
            Leaf::SysRdall => Regs::InOut,
            // RCX, RDX: the Secure EPT entry and its level (extended
            // error information); RCX after a PAGE.REMOVE: the page.
            Leaf::MemPageAdd
            | Leaf::MemSeptAdd
            | Leaf::MemPageAug
            | Leaf::MemRangeBlock
            | Leaf::MemPageRemove
            | Leaf::MrExtend => Regs::InOut,
            // R8: the field's value.
            Leaf::MngRd | Leaf::VpRd => Regs::InOut,
            // RCX: the extended error information (a CPUID leaf, say).
            Leaf::MngInit => Regs::InOut,
            // RCX, RDX, R8: the page's type, owner and size.
            Leaf::PhymemPageReclaim => Regs::InOut,
            // Success writes no register but RAX (RCX, RDX and R8 of
            // SYS.INIT and LP.INIT are zero on output, and zero here is
            // not information the host needs; VP.WR's R8, the old value,
            // is not read by upstream's callers either).
            Leaf::SysKeyConfig
            | Leaf::SysInit
            | Leaf::SysLpInit
            | Leaf::SysConfig
            | Leaf::MngAddcx
            | Leaf::VpAddcx
            | Leaf::MngKeyConfig
            | Leaf::MngCreate
            | Leaf::VpCreate
            | Leaf::MrFinalize
            | Leaf::VpFlush
            | Leaf::MngVpflushdone
            | Leaf::MngKeyFreeid
            | Leaf::VpInit
            | Leaf::MemTrack
            | Leaf::PhymemCacheWb
            | Leaf::PhymemPageWbinvd
            | Leaf::VpWr => Regs::In,
        }
    }

    /// The leaf version the host calls: TDH.VP.INIT at version 1 takes
    /// the x2APIC ID in R8; every other leaf at version 0.
    pub(crate) const fn version(self) -> u8 {
        match self {
            Leaf::VpInit => 1,
            _ => 0,
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
    /// `leaf` at the version the host calls it ([`Leaf::version`]).
    pub(crate) const fn new(leaf: Leaf) -> Self {
        Self {
            leaf,
            version: leaf.version(),
        }
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
        assert_eq!(Leaf::SysRdall as u16, 37);
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
    fn td_leaf_numbers_match_upstream() {
        // arch/x86/virt/vmx/tdx/tdx.h (Linux 6.16).
        let upstream = [
            (Leaf::MngAddcx, 1),
            (Leaf::MemPageAdd, 2),
            (Leaf::MemSeptAdd, 3),
            (Leaf::VpAddcx, 4),
            (Leaf::MemPageAug, 6),
            (Leaf::MemRangeBlock, 7),
            (Leaf::MngKeyConfig, 8),
            (Leaf::MngCreate, 9),
            (Leaf::VpCreate, 10),
            (Leaf::MngRd, 11),
            (Leaf::MrExtend, 16),
            (Leaf::MrFinalize, 17),
            (Leaf::VpFlush, 18),
            (Leaf::MngVpflushdone, 19),
            (Leaf::MngKeyFreeid, 20),
            (Leaf::MngInit, 21),
            (Leaf::VpInit, 22),
            (Leaf::VpRd, 26),
            (Leaf::PhymemPageReclaim, 28),
            (Leaf::MemPageRemove, 29),
            (Leaf::MemTrack, 38),
            (Leaf::PhymemCacheWb, 40),
            (Leaf::PhymemPageWbinvd, 41),
            (Leaf::VpWr, 43),
        ];
        for (leaf, nr) in upstream {
            assert_eq!(leaf as u16, nr, "{}", leaf.abi_name());
        }
    }

    #[test]
    fn the_table_lists_every_leaf_once_ascending() {
        assert!(ALL.windows(2).all(|w| (w[0] as u16) < (w[1] as u16)));
        assert_eq!(ALL.len(), 32);
    }

    #[test]
    fn vp_enter_alone_needs_the_saved_register_trampoline() {
        for leaf in ALL {
            if leaf != Leaf::VpEnter {
                assert_ne!(leaf.regs(), Regs::AllInOut, "{}", leaf.abi_name());
            }
        }
        assert_eq!(Leaf::VpEnter.regs(), Regs::AllInOut);
        assert_eq!(Leaf::SysRd.regs(), Regs::InOut);
    }

    #[test]
    fn leaves_whose_outputs_the_host_reads_write_them_back() {
        // upstream's seamcall_ret() users: their outputs reach the caller.
        let ret = [
            Leaf::MemPageAdd,
            Leaf::MemSeptAdd,
            Leaf::MemPageAug,
            Leaf::MemRangeBlock,
            Leaf::MngRd,
            Leaf::MrExtend,
            Leaf::MngInit,
            Leaf::VpRd,
            Leaf::PhymemPageReclaim,
            Leaf::MemPageRemove,
            Leaf::SysRd,
            Leaf::SysTdmrInit,
            // Not upstream's: its R8 is the continuation.
            Leaf::SysRdall,
        ];
        for leaf in ALL {
            let want = if leaf == Leaf::VpEnter {
                Regs::AllInOut
            } else if ret.contains(&leaf) {
                Regs::InOut
            } else {
                Regs::In
            };
            assert_eq!(leaf.regs(), want, "{}", leaf.abi_name());
        }
    }

    #[test]
    fn vp_init_alone_is_called_at_version_1() {
        assert_eq!(LeafCall::new(Leaf::VpInit).rax(), 0x1_0016);
        for leaf in ALL {
            if leaf != Leaf::VpInit {
                assert_eq!(
                    LeafCall::new(leaf).rax(),
                    leaf as u64,
                    "{}",
                    leaf.abi_name()
                );
            }
        }
    }

    #[test]
    fn names_are_distinct_abi_names() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.abi_name().starts_with("TDH."));
            assert!(ALL[i + 1..].iter().all(|b| b.abi_name() != a.abi_name()));
        }
    }
}
