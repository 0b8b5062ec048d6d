// SPDX-License-Identifier: GPL-2.0

//! A TD's memory state: what the memory leaves (TDH.MEM.*, TDH.MR.*) keep
//! per TD. Owned by the memory model; the TD core only holds it in each
//! [`super::Td`] and reads the MRTD through [`TdMem::mrtd`].
//!
//! Pure `core`.

/// Bytes of a SHA-384 digest (MRTD).
pub(crate) const MRTD_BYTES: usize = 48;

/// Per-TD memory state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TdMem {
    /// The Secure EPT root: the TDCS page at `SEPT_ROOT_TDCX_INDEX`, known
    /// once TDH.MNG.INIT ran; 0 before.
    pub(crate) sept_root: u64,
    /// The TD's TLB epoch (`TDCS.TD_EPOCH`), advanced by TDH.MEM.TRACK.
    pub(crate) epoch: u64,
    /// The measurement once TDH.MR.FINALIZE ran.
    pub(crate) mrtd: Option<[u8; MRTD_BYTES]>,
}

impl TdMem {
    /// A TD's memory state at TDH.MNG.CREATE.
    pub(crate) const fn new() -> Self {
        Self {
            sept_root: 0,
            epoch: 0,
            mrtd: None,
        }
    }

    /// MRTD, once the TD's measurement is finalized.
    pub(crate) const fn mrtd(&self) -> Option<&[u8; MRTD_BYTES]> {
        self.mrtd.as_ref()
    }
}
