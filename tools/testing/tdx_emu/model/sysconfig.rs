// SPDX-License-Identifier: GPL-2.0

//! TDH.SYS.CONFIG in the emulated module (`tdh_sys_config()`,
//! `tdh_sys_config.c`): RCX = physical address of an array of TDMR_INFO
//! addresses, RDX = how many, R8 = the global private KeyID.
//!
//! The model reads every TDMR_INFO itself from host memory and checks it
//! with `tdmr_check.rs`; TDMR_INFOs before the current one are read again
//! from host memory where the module uses the copies it keeps.
//!
//! Pure `core`.

use super::sys::{ConfigRecord, Sys, SysState, Tdmr, MAX_TDMRS};
use super::tdmr_check::{self as check, Check, Reject};
use super::tdmr_info::{Range, TdmrInfo, TDMR_INFO_ALIGN};
use super::{Gprs, R8, RCX, RDX};
use crate::abi::status::code;
use crate::platform::PhysMem;

/// Reads the little-endian u64 at `pa`.
fn read_u64(mem: &dyn PhysMem, pa: u64) -> Option<u64> {
    let mut bytes = [0u8; 8];
    mem.read(pa, &mut bytes).then(|| u64::from_le_bytes(bytes))
}

impl Sys {
    /// TDH.SYS.CONFIG. Every check, in the module's order:
    /// 1. after TDH.SYS.INIT, once, and after every LP did TDH.SYS.LP.INIT
    ///    (`TDX_SYS_CONFIG_NOT_PENDING`);
    /// 2. RCX 512-byte aligned, below MAXPA, shared KeyID (operand RCX);
    /// 3. 1 <= RDX <= MAX_TDMRS (operand RDX);
    /// 4. R8 bits 63:16 zero and a TDX private KeyID (operand R8);
    /// 5. for each TDMR: its address as RCX (operand RCX), then the TDMR
    ///    checks of `tdmr_check.rs`.
    pub(crate) fn sys_config(&mut self, regs: &Gprs, mem: &dyn PhysMem) -> Option<u64> {
        let (array_pa, count, hkid) = (regs[RCX], regs[RDX], regs[R8]);
        if self.state != SysState::InitDone || self.nr_init_lps < self.platform.nr_lps {
            return Some(code::SYS_CONFIG_NOT_PENDING);
        }
        if !self.keys.is_shared_hpa(array_pa, TDMR_INFO_ALIGN) {
            return Some(code::OPERAND_INVALID | RCX as u64);
        }
        if count > MAX_TDMRS as u64 || count < 1 {
            return Some(code::OPERAND_INVALID | RDX as u64);
        }
        if hkid >> 16 != 0 || !self.keys.is_private(hkid) {
            return Some(code::OPERAND_INVALID | R8 as u64);
        }
        let mut record = ConfigRecord {
            nr_tdmrs: 0,
            nr_reserved_areas: 0,
            pamt_bytes: 0,
            global_hkid: hkid as u16,
        };
        for i in 0..count as usize {
            let info_pa = read_u64(mem, array_pa + 8 * i as u64)?;
            if !self.keys.is_shared_hpa(info_pa, TDMR_INFO_ALIGN) {
                return Some(code::OPERAND_INVALID | RCX as u64);
            }
            let info = TdmrInfo::read(mem, info_pa)?;
            match self.check_tdmr(i, &info, mem, array_pa) {
                Ok(()) => {}
                Err(Reject::Status(status)) => return Some(status),
                Err(Reject::Unreadable) => return None,
            }
            // Not in use until `nr_tdmrs` says so.
            self.tdmrs[i] = Tdmr::from_info(&info);
            record.add(&info);
        }
        self.nr_tdmrs = count as usize;
        self.hkid = hkid as u16;
        self.record = Some(record);
        self.pkg_configured = 0;
        self.state = SysState::ConfigDone;
        Some(code::SUCCESS)
    }

    /// `check_and_set_tdmrs()` for TDMR `i`; `self.tdmrs[..i]` hold the
    /// TDMRs before it.
    fn check_tdmr(&self, i: usize, info: &TdmrInfo, mem: &dyn PhysMem, array_pa: u64) -> Check {
        let prev = i.checked_sub(1).map(|p| Range {
            base: self.tdmrs[p].base,
            size: self.tdmrs[p].size,
        });
        let cmrs = super::cmr::cmr_table(&self.platform);
        check::check_placement(i, info, prev, &self.keys)?;
        check::check_reserved(i, info)?;
        check::check_pamt_addresses(i, info, &self.keys)?;
        check::check_pamts_disjoint(i, info, self.tdmrs[..i].iter().map(|t| t.pamt))?;
        check::check_pamts_in_reserved(i, info, |j| {
            TdmrInfo::read(mem, read_u64(mem, array_pa + 8 * j as u64)?)
        })?;
        check::check_pamts_in_cmrs(i, info, cmrs)?;
        check::check_available_in_cmrs(i, info, cmrs)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::platform::Cmr;

    const ARRAY: u64 = 0x10_0000;
    const INFOS: u64 = 0x20_0000;
    /// Convertible memory: [0, 4G).
    const CMRS: [Cmr; 1] = [Cmr {
        base: 0,
        size: 4 * G,
    }];

    /// TDMRs [1G, 2G) and [2G, 4G), both PAMTs in a reserved area of the
    /// first at 512 MiB.
    fn two_tdmrs() -> [TdmrInfo; 2] {
        let p0 = G + (512 << 20);
        let p1 = p0 + pamt_block(G);
        let block = pamt_block(G) + pamt_block(2 * G);
        [
            with_reserved(with_pamt(tdmr_at(G, G), p0), &[(512 << 20, block)]),
            with_pamt(tdmr_at(2 * G, 2 * G), p1),
        ]
    }

    /// A module after TDH.SYS.INIT and TDH.SYS.LP.INIT on its 2 LPs.
    fn ready_for_config() -> Sys {
        let mut s = Sys::new(platform(2, 1, &CMRS));
        s.sys_init(&mut [0; 16]);
        s.sys_lp_init(lp(0, 0), &mut [0; 16]);
        s.sys_lp_init(lp(1, 0), &mut [0; 16]);
        s
    }

    fn regs(array: u64, count: u64, hkid: u64) -> Gprs {
        let mut r = [0; 16];
        (r[RCX], r[RDX], r[R8]) = (array, count, hkid);
        r
    }

    fn config(s: &mut Sys, tdmrs: &[TdmrInfo]) -> Option<u64> {
        let mut mem = FakeMem::new();
        put_config(&mut mem, ARRAY, INFOS, tdmrs);
        s.sys_config(&regs(ARRAY, tdmrs.len() as u64, 2), &mem)
    }

    #[test]
    fn accepts_valid_tdmrs_and_records_them() {
        let mut s = ready_for_config();
        assert_eq!(config(&mut s, &two_tdmrs()), Some(code::SUCCESS));
        assert_eq!(s.state, SysState::ConfigDone);
        assert_eq!(s.nr_tdmrs, 2);
        assert_eq!(s.hkid, 2);
        assert_eq!(s.tdmrs[1].base, 2 * G);
        assert_eq!(s.tdmrs[1].next, 2 * G);
        let r = s.record.unwrap();
        assert_eq!((r.nr_tdmrs, r.nr_reserved_areas, r.global_hkid), (2, 1, 2));
        assert_eq!(r.pamt_bytes, pamt_block(G) + pamt_block(2 * G));
        // Once only.
        assert_eq!(
            config(&mut s, &two_tdmrs()),
            Some(code::SYS_CONFIG_NOT_PENDING)
        );
    }

    #[test]
    fn needs_init_and_every_lp() {
        let mut s = Sys::new(platform(2, 1, &CMRS));
        assert_eq!(
            config(&mut s, &two_tdmrs()),
            Some(code::SYS_CONFIG_NOT_PENDING)
        );
        s.sys_init(&mut [0; 16]);
        s.sys_lp_init(lp(0, 0), &mut [0; 16]);
        assert_eq!(
            config(&mut s, &two_tdmrs()),
            Some(code::SYS_CONFIG_NOT_PENDING)
        );
        s.sys_lp_init(lp(1, 0), &mut [0; 16]);
        assert_eq!(config(&mut s, &two_tdmrs()), Some(code::SUCCESS));
    }

    #[test]
    fn operand_checks() {
        let mut mem = FakeMem::new();
        put_config(&mut mem, ARRAY, INFOS, &two_tdmrs());
        let mut s = ready_for_config();
        let rcx = code::OPERAND_INVALID | 1;
        let rdx = code::OPERAND_INVALID | 2;
        let r8 = code::OPERAND_INVALID | 8;
        for (r, want) in [
            (regs(ARRAY + 8, 2, 2), rcx),       // not 512-byte aligned
            (regs(1 << 52, 2, 2), rcx),         // above MAXPA
            (regs(2 << 46 | ARRAY, 2, 2), rcx), // private KeyID in the address
            (regs(ARRAY, 0, 2), rdx),
            (regs(ARRAY, 65, 2), rdx),
            (regs(ARRAY, 2, 1), r8),           // MKTME KeyID
            (regs(ARRAY, 2, 64), r8),          // beyond the TDX KeyIDs
            (regs(ARRAY, 2, 1 << 16 | 2), r8), // reserved bits
        ] {
            assert_eq!(s.sys_config(&r, &mem), Some(want), "{:#x?}", &r[1..9]);
        }
        assert_eq!(s.state, SysState::InitDone);
        // A TDMR_INFO address that is not 512-byte aligned: operand RCX.
        mem.poke_u64(ARRAY + 8, INFOS + 512 + 64);
        assert_eq!(s.sys_config(&regs(ARRAY, 2, 2), &mem), Some(rcx));
        mem.poke_u64(ARRAY + 8, 2 << 46 | (INFOS + 512));
        assert_eq!(s.sys_config(&regs(ARRAY, 2, 2), &mem), Some(rcx));
    }

    #[test]
    fn tdmr_rules_are_applied_in_order() {
        let [a, b] = two_tdmrs();
        let mut s = ready_for_config();
        // Descending TDMRs.
        assert_eq!(config(&mut s, &[b, a]), Some(code::NON_ORDERED_TDMR | 1));
        // TDMR 1 outside the CMRs: [4G, 5G).
        let mut far = b;
        far.base = 4 * G;
        far.size = G;
        let far = with_pamt(far, b.pamt[0].base);
        assert_eq!(config(&mut s, &[a, far]), Some(code::TDMR_OUTSIDE_CMRS | 1));
        // TDMR 1's PAMT in TDMR 0's usable memory: (1, 4K, 0).
        let stray = with_pamt(b, G);
        assert_eq!(config(&mut s, &[a, stray]), Some(code::PAMT_OVERLAP | 1));
        // A reserved area of TDMR 1 reaching past it.
        let long = with_reserved(b, &[(0, 2 * G + 4096)]);
        assert_eq!(
            config(&mut s, &[a, long]),
            Some(code::INVALID_RESERVED_IN_TDMR | 1)
        );
        assert_eq!(s.state, SysState::InitDone);
        assert_eq!(s.nr_tdmrs, 0);
        assert_eq!(config(&mut s, &[a, b]), Some(code::SUCCESS));
    }

    #[test]
    fn sixty_four_tdmrs_fit_and_sixty_five_do_not() {
        // 64 TDMRs of 1 GiB over [1G, 65G), every PAMT in a reserved area at
        // the start of TDMR 0.
        let cmrs = [Cmr {
            base: 0,
            size: 65 * G,
        }];
        let mut s = Sys::new(platform(1, 1, &cmrs));
        s.sys_init(&mut [0; 16]);
        s.sys_lp_init(lp(0, 0), &mut [0; 16]);
        let block = pamt_block(G);
        let tdmrs: Vec<TdmrInfo> = (0..64)
            .map(|k| {
                let t = with_pamt(tdmr_at(G * (k + 1), G), G + block * k);
                if k == 0 {
                    with_reserved(t, &[(0, block * 64)])
                } else {
                    t
                }
            })
            .collect();
        let mut mem = FakeMem::new();
        put_config(&mut mem, ARRAY, INFOS, &tdmrs);
        assert_eq!(
            s.sys_config(&regs(ARRAY, 65, 2), &mem),
            Some(code::OPERAND_INVALID | 2)
        );
        assert_eq!(
            s.sys_config(&regs(ARRAY, 64, 63), &mem),
            Some(code::SUCCESS)
        );
        assert_eq!(s.record.unwrap().nr_tdmrs, 64);
    }

    #[test]
    fn unreadable_memory_is_declined_without_a_change() {
        let mut mem = FakeMem::new();
        put_config(&mut mem, ARRAY, INFOS, &two_tdmrs());
        mem.holes.push(Range {
            base: INFOS + 512,
            size: 512,
        });
        let mut s = ready_for_config();
        assert_eq!(s.sys_config(&regs(ARRAY, 2, 2), &mem), None);
        assert_eq!(s.state, SysState::InitDone);
        mem.holes.clear();
        mem.holes.push(Range {
            base: ARRAY,
            size: 8,
        });
        assert_eq!(s.sys_config(&regs(ARRAY, 2, 2), &mem), None);
    }
}
