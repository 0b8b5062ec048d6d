// SPDX-License-Identifier: GPL-2.0

//! The emulated TDX module's global and per-LP data: what its
//! initialization leaves read and change (the model's counterpart of
//! `tdx_module_global_t` and `tdx_module_local_t`). The leaves themselves are
//! `impl Sys` blocks in `sysinit.rs`, `sysconfig.rs`, `tdmr_init.rs` and
//! `sysrd.rs`.
//!
//! Pure `core`.

use super::keyids::KeyIds;
use super::sys_fields::DEFAULT_FEATURES0;
use super::tdmr_info::{Range, Reserved, TdmrInfo, MAX_RESERVED_AREAS};
use crate::platform::{Lp, Platform};
use core::ptr::addr_of_mut;

/// Most TDMRs TDH.SYS.CONFIG takes (`MAX_TDMRS`; metadata MAX_TDMRS).
pub(crate) const MAX_TDMRS: usize = 64;
/// Most logical processors the model keeps LP state for.
pub(crate) const MAX_LPS: usize = 1024;
/// Most packages: the module keeps them in a 32-bit bitmap
/// (`pkg_config_bitmap`).
pub(crate) const MAX_PKGS: u32 = 32;

/// Where the module's platform-wide initialization stands
/// (`sysinit_state`: `SYSINIT_PENDING` ... `SYS_SHUTDOWN`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum SysState {
    /// Loaded, TDH.SYS.INIT not done.
    InitPending = 0,
    /// TDH.SYS.INIT done: LPs initialize, then TDH.SYS.CONFIG.
    InitDone = 1,
    /// TDH.SYS.CONFIG done: TDH.SYS.KEY.CONFIG on every package.
    ConfigDone = 2,
    /// Every package has its key: every leaf is served.
    Ready = 3,
    /// TDH.SYS.SHUTDOWN was done.
    Shutdown = 4,
}

/// What a successful TDH.SYS.CONFIG configured (a test view).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ConfigRecord {
    /// TDMRs taken.
    pub(crate) nr_tdmrs: u32,
    /// Non-null reserved areas over all TDMRs.
    pub(crate) nr_reserved_areas: u32,
    /// The three PAMT sizes of every TDMR, summed.
    pub(crate) pamt_bytes: u64,
    /// The global private KeyID.
    pub(crate) global_hkid: u16,
}

/// One configured TDMR (`tdmr_entry_t`), as TDH.SYS.TDMR.INIT needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Tdmr {
    pub(crate) base: u64,
    pub(crate) size: u64,
    /// Indexed by `PageSize`.
    pub(crate) pamt: [Range; 3],
    /// The reserved areas (`rsvd_areas`); a size of 0 ends the list.
    pub(crate) reserved: [Reserved; MAX_RESERVED_AREAS],
    /// The next TDMR address whose PAMT entries are not initialized
    /// (`last_initialized`).
    pub(crate) next: u64,
}

impl Tdmr {
    /// The entry TDH.SYS.CONFIG records for a TDMR_INFO that passed its
    /// checks (`set_tdmr_info_in_global_data()`).
    pub(crate) const fn from_info(info: &TdmrInfo) -> Self {
        Self {
            base: info.base,
            size: info.size,
            pamt: info.pamt,
            reserved: info.reserved,
            next: info.base,
        }
    }

    /// Whether every PAMT entry of the TDMR is initialized.
    pub(crate) const fn is_initialized(&self) -> bool {
        self.next >= self.base + self.size
    }

    /// Whether the page at `offset` from the base is in a reserved area
    /// (`is_page_reserved()`).
    pub(crate) fn is_reserved(&self, offset: u64) -> bool {
        self.reserved
            .iter()
            .take_while(|r| r.size != 0)
            .any(|r| offset >= r.offset && offset - r.offset < r.size)
    }
}

/// The module's state.
pub(crate) struct Sys {
    /// The machine, as the SEAM loader measured it.
    pub(crate) platform: Platform,
    /// The KeyID layout.
    pub(crate) keys: KeyIds,
    pub(crate) state: SysState,
    /// Bit n: LP n did TDH.SYS.LP.INIT (`lp_is_init`).
    lp_init: [u64; MAX_LPS / 64],
    /// LPs that did TDH.SYS.LP.INIT (`num_of_init_lps`).
    pub(crate) nr_init_lps: u32,
    /// Bit n: package n has its key (`pkg_config_bitmap`).
    pub(crate) pkg_configured: u32,
    /// Packages that have their key (`num_of_init_pkgs`).
    pub(crate) nr_init_pkgs: u32,
    /// The global private KeyID.
    pub(crate) hkid: u16,
    /// `tdmrs[..nr_tdmrs]`: the TDMR table.
    pub(crate) tdmrs: [Tdmr; MAX_TDMRS],
    pub(crate) nr_tdmrs: usize,
    /// Set by a successful TDH.SYS.CONFIG.
    pub(crate) record: Option<ConfigRecord>,
    /// The value of metadata field TDX_FEATURES0.
    pub(crate) features0: u64,
}

impl Sys {
    /// A module as the SEAM loader leaves it.
    #[cfg(test)]
    pub(crate) fn new(platform: Platform) -> Self {
        Self {
            platform,
            keys: KeyIds::of(&platform),
            state: SysState::InitPending,
            lp_init: [0; MAX_LPS / 64],
            nr_init_lps: 0,
            pkg_configured: 0,
            nr_init_pkgs: 0,
            hkid: 0,
            tdmrs: [Tdmr::default(); MAX_TDMRS],
            nr_tdmrs: 0,
            record: None,
            features0: DEFAULT_FEATURES0,
        }
    }

    /// Writes `Sys::new(platform)` at `slot` field by field (the TDMR
    /// table alone is 20 KiB: never on the stack).
    ///
    /// # Safety
    ///
    /// `slot` is valid for writes of a `Sys` and aligned; what it held is
    /// overwritten without being dropped.
    pub(crate) unsafe fn write_new(slot: *mut Self, platform: Platform) {
        // SAFETY: the caller's contract: every field pointer, and every
        // element of the TDMR table, is in bounds of `slot`, writable and
        // aligned.
        unsafe {
            addr_of_mut!((*slot).platform).write(platform);
            addr_of_mut!((*slot).keys).write(KeyIds::of(&platform));
            addr_of_mut!((*slot).state).write(SysState::InitPending);
            addr_of_mut!((*slot).lp_init).write([0; MAX_LPS / 64]);
            addr_of_mut!((*slot).nr_init_lps).write(0);
            addr_of_mut!((*slot).pkg_configured).write(0);
            addr_of_mut!((*slot).nr_init_pkgs).write(0);
            addr_of_mut!((*slot).hkid).write(0);
            let tdmrs = addr_of_mut!((*slot).tdmrs).cast::<Tdmr>();
            for i in 0..MAX_TDMRS {
                tdmrs.add(i).write(Tdmr::default());
            }
            addr_of_mut!((*slot).nr_tdmrs).write(0);
            addr_of_mut!((*slot).record).write(None);
            addr_of_mut!((*slot).features0).write(DEFAULT_FEATURES0);
        }
    }

    /// Whether `lp` did TDH.SYS.LP.INIT.
    pub(crate) fn lp_is_init(&self, lp: Lp) -> bool {
        let id = lp.id as usize;
        id < MAX_LPS && self.lp_init[id / 64] & 1 << (id % 64) != 0
    }

    /// Marks `lp` initialized; false if the model keeps no state for it.
    pub(crate) fn set_lp_init(&mut self, lp: Lp) -> bool {
        let id = lp.id as usize;
        if id >= MAX_LPS {
            return false;
        }
        self.lp_init[id / 64] |= 1 << (id % 64);
        true
    }

    /// The configured TDMRs.
    pub(crate) fn tdmrs(&self) -> &[Tdmr] {
        &self.tdmrs[..self.nr_tdmrs]
    }
}

impl ConfigRecord {
    /// Adds one accepted TDMR_INFO to the record.
    pub(crate) fn add(&mut self, info: &TdmrInfo) {
        self.nr_tdmrs += 1;
        self.nr_reserved_areas += info.reserved.iter().take_while(|r| r.size != 0).count() as u32;
        self.pamt_bytes += info.pamt.iter().map(|p| p.size).sum::<u64>();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{lp, platform, G};
    use super::*;

    #[test]
    fn lp_bits() {
        let mut sys = Sys::new(platform(4, 1, &[]));
        assert!(!sys.lp_is_init(lp(3, 0)));
        assert!(sys.set_lp_init(lp(3, 0)));
        assert!(sys.lp_is_init(lp(3, 0)));
        assert!(!sys.lp_is_init(lp(2, 0)));
        assert!(sys.set_lp_init(lp(1023, 0)));
        assert!(!sys.set_lp_init(lp(1024, 0)));
        assert!(!sys.lp_is_init(lp(1024, 0)));
    }

    #[test]
    fn record_counts_leading_reserved_areas_and_pamt_bytes() {
        let mut info = TdmrInfo {
            base: G,
            size: G,
            ..TdmrInfo::default()
        };
        info.pamt[0].size = 4 << 20;
        info.pamt[1].size = 8192;
        info.pamt[2].size = 4096;
        info.reserved[0].size = 4096;
        info.reserved[1].size = 4096;
        let mut record = ConfigRecord {
            nr_tdmrs: 0,
            nr_reserved_areas: 0,
            pamt_bytes: 0,
            global_hkid: 0,
        };
        record.add(&info);
        record.add(&info);
        assert_eq!(record.nr_tdmrs, 2);
        assert_eq!(record.nr_reserved_areas, 4);
        assert_eq!(record.pamt_bytes, 2 * ((4 << 20) + 8192 + 4096));
        let t = Tdmr::from_info(&info);
        assert_eq!(t.next, G);
        assert!(!t.is_initialized());
    }
}
