// SPDX-License-Identifier: GPL-2.0

//! SEAMCALL leaves: the host-side functions of the TDX module and how RAX
//! names one, as the emulated module decodes them.
//!
//! The emulator's own copy, written from Intel's TDX module source (TDX 1.5,
//! `include/tdx_api_defs.h`: `seamcall_leaf_opcode_t` and
//! `tdx_leaf_and_version_t`; which leaves take a version and which are served
//! before the module is ready follow `tdx_vmm_dispatcher()`). It is kept apart
//! from tdx_host_rs's `rust/abi/leaf.rs` on purpose: the emulator referees the
//! production module, and a wrong constant in production must not be
//! mirrored by its referee.
//!
//! RAX on entry: bits 15:0 the leaf number, bits 23:16 the leaf version,
//! bits 63:24 reserved and zero.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

/// Declares the leaf enum and its number table in one place.
macro_rules! leaves {
    ($($(#[$doc:meta])* $name:ident = $nr:literal, $abi:literal;)*) => {
        /// A host-side SEAMCALL leaf of the TDX module (TDX 1.5 numbering).
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(u16)]
        pub(crate) enum Leaf {
            $($(#[$doc])* $name = $nr,)*
        }

        impl Leaf {
            /// Every leaf of the TDX 1.5 host ABI.
            pub(crate) const ALL: &'static [Leaf] = &[$(Leaf::$name,)*];

            /// The leaf with this number, if the ABI defines one.
            pub(crate) const fn from_number(nr: u16) -> Option<Leaf> {
                match nr {
                    $($nr => Some(Leaf::$name),)*
                    _ => None,
                }
            }

            /// The name the ABI specification uses, e.g. `TDH.SYS.INIT`.
            pub(crate) const fn abi_name(self) -> &'static str {
                match self {
                    $(Leaf::$name => $abi,)*
                }
            }
        }
    };
}

leaves! {
    /// Enter a TD vCPU.
    VpEnter = 0, "TDH.VP.ENTER";
    MngAddcx = 1, "TDH.MNG.ADDCX";
    MemPageAdd = 2, "TDH.MEM.PAGE.ADD";
    MemSeptAdd = 3, "TDH.MEM.SEPT.ADD";
    VpAddcx = 4, "TDH.VP.ADDCX";
    MemPageRelocate = 5, "TDH.MEM.PAGE.RELOCATE";
    MemPageAug = 6, "TDH.MEM.PAGE.AUG";
    MemRangeBlock = 7, "TDH.MEM.RANGE.BLOCK";
    MngKeyConfig = 8, "TDH.MNG.KEY.CONFIG";
    MngCreate = 9, "TDH.MNG.CREATE";
    VpCreate = 10, "TDH.VP.CREATE";
    MngRd = 11, "TDH.MNG.RD";
    MemRd = 12, "TDH.MEM.RD";
    MngWr = 13, "TDH.MNG.WR";
    MemWr = 14, "TDH.MEM.WR";
    MemPageDemote = 15, "TDH.MEM.PAGE.DEMOTE";
    MrExtend = 16, "TDH.MR.EXTEND";
    MrFinalize = 17, "TDH.MR.FINALIZE";
    VpFlush = 18, "TDH.VP.FLUSH";
    MngVpflushdone = 19, "TDH.MNG.VPFLUSHDONE";
    MngKeyFreeid = 20, "TDH.MNG.KEY.FREEID";
    MngInit = 21, "TDH.MNG.INIT";
    VpInit = 22, "TDH.VP.INIT";
    MemPagePromote = 23, "TDH.MEM.PAGE.PROMOTE";
    PhymemPageRdmd = 24, "TDH.PHYMEM.PAGE.RDMD";
    MemSeptRd = 25, "TDH.MEM.SEPT.RD";
    VpRd = 26, "TDH.VP.RD";
    MngKeyReclaimid = 27, "TDH.MNG.KEY.RECLAIMID";
    PhymemPageReclaim = 28, "TDH.PHYMEM.PAGE.RECLAIM";
    MemPageRemove = 29, "TDH.MEM.PAGE.REMOVE";
    MemSeptRemove = 30, "TDH.MEM.SEPT.REMOVE";
    /// Program the global private key on one package.
    SysKeyConfig = 31, "TDH.SYS.KEY.CONFIG";
    SysInfo = 32, "TDH.SYS.INFO";
    /// Platform-wide initialization, once.
    SysInit = 33, "TDH.SYS.INIT";
    /// Read one global metadata field.
    SysRd = 34, "TDH.SYS.RD";
    /// Per-logical-processor initialization.
    SysLpInit = 35, "TDH.SYS.LP.INIT";
    /// Initialize a chunk of one TDMR's PAMT.
    SysTdmrInit = 36, "TDH.SYS.TDMR.INIT";
    SysRdall = 37, "TDH.SYS.RDALL";
    MemTrack = 38, "TDH.MEM.TRACK";
    MemRangeUnblock = 39, "TDH.MEM.RANGE.UNBLOCK";
    PhymemCacheWb = 40, "TDH.PHYMEM.CACHE.WB";
    PhymemPageWbinvd = 41, "TDH.PHYMEM.PAGE.WBINVD";
    MemSeptWr = 42, "TDH.MEM.SEPT.WR";
    VpWr = 43, "TDH.VP.WR";
    SysLpShutdown = 44, "TDH.SYS.LP.SHUTDOWN";
    /// Hand the TDMRs and the global KeyID to the module.
    SysConfig = 45, "TDH.SYS.CONFIG";
    ServtdBind = 48, "TDH.SERVTD.BIND";
    ServtdPrebind = 49, "TDH.SERVTD.PREBIND";
    SysShutdown = 52, "TDH.SYS.SHUTDOWN";
    SysUpdate = 53, "TDH.SYS.UPDATE";
    ExportAbort = 64, "TDH.EXPORT.ABORT";
    ExportBlockw = 65, "TDH.EXPORT.BLOCKW";
    ExportRestore = 66, "TDH.EXPORT.RESTORE";
    ExportMem = 68, "TDH.EXPORT.MEM";
    ExportPause = 70, "TDH.EXPORT.PAUSE";
    ExportTrack = 71, "TDH.EXPORT.TRACK";
    ExportStateImmutable = 72, "TDH.EXPORT.STATE.IMMUTABLE";
    ExportStateTd = 73, "TDH.EXPORT.STATE.TD";
    ExportStateVp = 74, "TDH.EXPORT.STATE.VP";
    ExportUnblockw = 75, "TDH.EXPORT.UNBLOCKW";
    ImportAbort = 80, "TDH.IMPORT.ABORT";
    ImportEnd = 81, "TDH.IMPORT.END";
    ImportCommit = 82, "TDH.IMPORT.COMMIT";
    ImportMem = 83, "TDH.IMPORT.MEM";
    ImportTrack = 84, "TDH.IMPORT.TRACK";
    ImportStateImmutable = 85, "TDH.IMPORT.STATE.IMMUTABLE";
    ImportStateTd = 86, "TDH.IMPORT.STATE.TD";
    ImportStateVp = 87, "TDH.IMPORT.STATE.VP";
    MigStreamCreate = 96, "TDH.MIG.STREAM.CREATE";
}

const LEAF_MASK: u64 = 0xffff;
const VERSION_SHIFT: u32 = 16;
const VERSION_MASK: u64 = 0xff << VERSION_SHIFT;
/// Bits 63:24 of RAX: must be zero.
const RESERVED_MASK: u64 = !(LEAF_MASK | VERSION_MASK);

impl Leaf {
    /// Whether the module accepts a version above 0 for this leaf.
    pub(crate) const fn is_versioned(self) -> bool {
        matches!(
            self,
            Leaf::MemPagePromote
                | Leaf::MemSeptAdd
                | Leaf::MemSeptRemove
                | Leaf::MngRd
                | Leaf::VpRd
                | Leaf::VpInit
        )
    }

    /// Whether the module serves this leaf before it is fully initialized.
    pub(crate) const fn allowed_before_ready(self) -> bool {
        matches!(
            self,
            Leaf::SysInfo
                | Leaf::SysRd
                | Leaf::SysRdall
                | Leaf::SysInit
                | Leaf::SysLpInit
                | Leaf::SysConfig
                | Leaf::SysKeyConfig
                | Leaf::SysLpShutdown
                | Leaf::SysUpdate
        )
    }
}

/// A leaf at a given version: exactly what goes into RAX (what the tests
/// call with).
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LeafCall {
    pub(crate) leaf: Leaf,
    pub(crate) version: u8,
}

#[cfg(test)]
impl LeafCall {
    pub(crate) const fn new(leaf: Leaf) -> Self {
        Self { leaf, version: 0 }
    }

    pub(crate) const fn with_version(leaf: Leaf, version: u8) -> Self {
        Self { leaf, version }
    }

    /// The RAX value for this call.
    pub(crate) const fn rax(self) -> u64 {
        self.leaf as u64 | (self.version as u64) << VERSION_SHIFT
    }
}

/// RAX as the module reads it: the three fields, unvalidated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RaxFields {
    pub(crate) number: u16,
    pub(crate) version: u8,
    pub(crate) reserved: u64,
}

impl RaxFields {
    pub(crate) const fn split(rax: u64) -> Self {
        Self {
            number: (rax & LEAF_MASK) as u16,
            version: ((rax & VERSION_MASK) >> VERSION_SHIFT) as u8,
            reserved: rax & RESERVED_MASK,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_are_unique() {
        for (i, leaf) in Leaf::ALL.iter().enumerate() {
            assert_eq!(Leaf::from_number(*leaf as u16), Some(*leaf));
            assert!(Leaf::ALL[i + 1..].iter().all(|l| *l as u16 != *leaf as u16));
            assert!(leaf.abi_name().starts_with("TDH."));
        }
        assert_eq!(Leaf::ALL.len(), 69);
        for gap in [
            46u16, 47, 50, 51, 54, 63, 67, 69, 76, 88, 95, 97, 0xfe, 0xffff,
        ] {
            assert_eq!(Leaf::from_number(gap), None, "{gap} is not a TDX 1.5 leaf");
        }
    }

    #[test]
    fn numbers_match_the_abi() {
        assert_eq!(Leaf::VpEnter as u16, 0);
        assert_eq!(Leaf::SysKeyConfig as u16, 31);
        assert_eq!(Leaf::SysInit as u16, 33);
        assert_eq!(Leaf::SysLpInit as u16, 35);
        assert_eq!(Leaf::SysTdmrInit as u16, 36);
        assert_eq!(Leaf::SysConfig as u16, 45);
    }

    #[test]
    fn rax_encoding_splits_back() {
        let call = LeafCall::with_version(Leaf::VpInit, 1);
        assert_eq!(call.rax(), 0x1_0016);
        assert_eq!(
            RaxFields::split(call.rax()),
            RaxFields {
                number: 22,
                version: 1,
                reserved: 0
            }
        );
        let f = RaxFields::split(1 << 40 | 33);
        assert_eq!(f.reserved, 1 << 40);
        assert_eq!(RaxFields::split(0xff00_0000).reserved, 0xff00_0000);
    }
}
