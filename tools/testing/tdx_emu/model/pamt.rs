// SPDX-License-Identifier: GPL-2.0

//! The PAMT as the emulated module keeps it: in the memory the host gave at
//! TDH.SYS.CONFIG, one 16-byte entry per page at each level
//! (`pamt_entry_t`, `pamt_manager.h`; `pamt_get_block()`, `pamt_walk()`,
//! `pamt_manager.c`), read and written through [`PhysMem`].
//!
//! An entry, little-endian: bits 15:0 the entry lock, 23:16 the page type,
//! 63:24 the owner's 4 KiB frame number; then 8 bytes of BEPOCH (the epoch a
//! page was blocked in). The lock is never taken by the model (it runs one
//! SEAMCALL at a time, so no leaf ever meets a busy entry) and is kept 0.
//!
//! The real module writes the PAMT with the global private KeyID, so the host
//! reads ciphertext; the model stands for that by XORing every 8-byte word
//! with [`pamt_word`] of its address. An all-zero entry (PT_NDA, no owner),
//! which is what TDH.SYS.TDMR.INIT leaves for a page outside the reserved
//! areas, is thus stored as `pamt_word`s (`tdmr_init.rs`).
//!
//! Lookups follow the module's: the TDMR that holds the address and has its
//! PAMT initialized past it (else `TDX_OPERAND_ADDR_RANGE_ERROR`), then the
//! walk from the 1 GiB entry down, stopping at a PT_REG leaf (a page mapped
//! larger than asked is `TDX_PAGE_METADATA_INCORRECT`), then the page type.
//!
//! Pure `core`.

use super::keyids::is_aligned;
use super::sys::Sys;
use super::tdmr_info::{PageSize, PAMT_ENTRY_SIZE};
use super::tdmr_init::pamt_word;
use crate::abi::status::code;
use crate::platform::PhysMem;

const G: u64 = 1 << 30;

/// Page types with Intel's numbers (`page_type_t`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum PageType {
    /// Not assigned to the TDX module: the host's.
    Nda = 0,
    /// Reserved (a TDMR's reserved area: PAMT, holes).
    Rsvd = 1,
    /// A TD's private page.
    Reg = 3,
    /// A TD's root page.
    Tdr = 4,
    /// A TD or vCPU control structure page.
    Tdcx = 5,
    /// A vCPU's root page.
    Tdvpr = 6,
    /// A Secure EPT page (made by the memory leaves).
    #[allow(dead_code)]
    Ept = 8,
}

/// One PAMT entry, decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PamtEntry {
    /// The raw page type (see [`PageType`]).
    pub(crate) pt: u8,
    /// The owner's physical address (the TDR's), 4 KiB aligned; 0 for none.
    pub(crate) owner: u64,
    /// BEPOCH: the TD epoch in which the page was blocked.
    pub(crate) bepoch: u64,
}

/// Bits 63:24 of the first word: the owner's frame number.
const OWNER_SHIFT: u32 = 24;
const PT_SHIFT: u32 = 16;
/// 40 bits of frame number.
const OWNER_FRAMES: u64 = (1 << 40) - 1;

impl PamtEntry {
    /// A page of type `pt` owned by `owner`, not blocked.
    pub(crate) const fn new(pt: PageType, owner: u64) -> Self {
        Self {
            pt: pt as u8,
            owner,
            bepoch: 0,
        }
    }

    /// An unassigned page.
    pub(crate) const NDA: Self = Self::new(PageType::Nda, 0);

    /// Whether the page type is `pt`.
    pub(crate) fn is(&self, pt: PageType) -> bool {
        self.pt == pt as u8
    }

    /// The two plain-text words.
    const fn to_words(self) -> [u64; 2] {
        let owner = (self.owner >> 12) & OWNER_FRAMES;
        [
            (self.pt as u64) << PT_SHIFT | owner << OWNER_SHIFT,
            self.bepoch,
        ]
    }

    const fn from_words(w: [u64; 2]) -> Self {
        Self {
            pt: (w[0] >> PT_SHIFT) as u8,
            owner: (w[0] >> OWNER_SHIFT) << 12,
            bepoch: w[1],
        }
    }

    /// The 16 bytes the module stores at `at` for this entry.
    pub(crate) fn encode(self, at: u64) -> [u8; 16] {
        let w = self.to_words();
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&(w[0] ^ pamt_word(at)).to_le_bytes());
        out[8..].copy_from_slice(&(w[1] ^ pamt_word(at + 8)).to_le_bytes());
        out
    }

    /// The entry whose stored bytes at `at` are `bytes`.
    pub(crate) fn decode(bytes: &[u8; 16], at: u64) -> Self {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[..8]);
        let w0 = u64::from_le_bytes(w) ^ pamt_word(at);
        w.copy_from_slice(&bytes[8..]);
        let w1 = u64::from_le_bytes(w) ^ pamt_word(at + 8);
        Self::from_words([w0, w1])
    }
}

/// Where the PAMT failed a page: the status without its operand ID.
pub(crate) type PamtError = u64;

/// Reads the entry stored at `at`; `None` if the memory cannot be read.
pub(crate) fn read_entry(mem: &dyn PhysMem, at: u64) -> Option<PamtEntry> {
    let mut b = [0u8; 16];
    mem.read(at, &mut b).then(|| PamtEntry::decode(&b, at))
}

/// Writes `e` at `at`; `None` if the memory cannot be written.
pub(crate) fn write_entry(mem: &mut dyn PhysMem, at: u64, e: PamtEntry) -> Option<()> {
    mem.write(at, &e.encode(at)).then_some(())
}

impl Sys {
    /// `pamt_get_block()` and the index: the address of the PAMT entry of
    /// level `size` for `pa`; `None` when no TDMR holds `pa` or its PAMT is
    /// not initialized that far (the module: the 1 GiB `pa` is in must be
    /// done).
    pub(crate) fn pamt_entry_at(&self, pa: u64, size: PageSize) -> Option<u64> {
        let t = self.tdmrs().iter().take_while(|t| t.base <= pa).last()?;
        if pa - t.base >= t.size || pa >= t.next & !(G - 1) {
            return None;
        }
        let index = (pa - t.base) / size.bytes();
        Some(t.pamt[size as usize].base + index * PAMT_ENTRY_SIZE)
    }

    /// The 4 KiB entry of `pa`, as [`Sys::pamt_entry_at`] finds it (a test
    /// view); `None`
    /// outside the initialized TDMRs or if the PAMT cannot be read.
    #[cfg(test)]
    pub(crate) fn pamt_get(&self, mem: &dyn PhysMem, pa: u64) -> Option<PamtEntry> {
        read_entry(mem, self.pamt_entry_at(pa, PageSize::Size4K)?)
    }

    /// Writes the 4 KiB entry of `pa`; `None` outside the initialized TDMRs
    /// or if the PAMT cannot be written.
    pub(crate) fn pamt_set(&self, mem: &mut dyn PhysMem, pa: u64, e: PamtEntry) -> Option<()> {
        write_entry(mem, self.pamt_entry_at(pa, PageSize::Size4K)?, e)
    }

    /// `non_shared_hpa_metadata_check_and_lock()` for a 4 KiB page: inside
    /// an initialized TDMR (else `TDX_OPERAND_ADDR_RANGE_ERROR`), not inside
    /// a PT_REG 1 GiB or 2 MiB page, and of type `expected` (else
    /// `TDX_PAGE_METADATA_INCORRECT`). The status comes without its operand
    /// ID. `Ok(None)`: the PAMT could not be read (the caller declines).
    pub(crate) fn pamt_check_4k(
        &self,
        mem: &dyn PhysMem,
        pa: u64,
        expected: PageType,
    ) -> Result<Option<PamtEntry>, PamtError> {
        let Some(at_1g) = self.pamt_entry_at(pa, PageSize::Size1G) else {
            return Err(code::OPERAND_ADDR_RANGE_ERROR);
        };
        for (at, last) in [
            (Some(at_1g), false),
            (self.pamt_entry_at(pa, PageSize::Size2M), false),
            (self.pamt_entry_at(pa, PageSize::Size4K), true),
        ] {
            let Some(e) = at.and_then(|at| read_entry(mem, at)) else {
                return Ok(None);
            };
            if !last && e.is(PageType::Reg) {
                return Err(code::PAGE_METADATA_INCORRECT);
            }
            if last {
                if !e.is(expected) {
                    return Err(code::PAGE_METADATA_INCORRECT);
                }
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// `check_and_lock_explicit_4k_private_hpa()`: `pa` 4 KiB aligned, KeyID
    /// 0 and below MAXPA (else `TDX_OPERAND_INVALID`), then
    /// [`Sys::pamt_check_4k`]; every status carries `operand`.
    pub(crate) fn check_explicit_4k(
        &self,
        mem: &dyn PhysMem,
        pa: u64,
        operand: u32,
        expected: PageType,
    ) -> Result<Option<PamtEntry>, u64> {
        if !is_aligned(pa, 4096) || !self.keys.is_plain_pa(pa) {
            return Err(code::OPERAND_INVALID | operand as u64);
        }
        self.pamt_check_4k(mem, pa, expected)
            .map_err(|s| s | operand as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::super::sys::{SysState, Tdmr};
    use super::super::test_support::{platform, tdmr_at, with_pamt, with_reserved, FakeMem, G};
    use super::*;

    const PAMT: u64 = G + (256 << 20);

    /// A ready module with one TDMR [1G, 2G), its PAMT in a reserved area
    /// at 1G + 256M, the first GiB's PAMT initialized.
    fn ready(mem: &mut FakeMem) -> Sys {
        let mut s = Sys::new(platform(1, 1, &[]));
        let info = with_reserved(with_pamt(tdmr_at(G, G), PAMT), &[(256 << 20, 8 << 20)]);
        s.tdmrs[0] = Tdmr::from_info(&info);
        s.nr_tdmrs = 1;
        s.state = SysState::Ready;
        let mut r = [0; 16];
        r[1] = G;
        while !s.tdmrs[0].is_initialized() {
            s.sys_tdmr_init(&mut r, mem).unwrap();
        }
        s
    }

    #[test]
    fn entries_round_trip_and_are_stored_enciphered() {
        let e = PamtEntry {
            pt: PageType::Tdcx as u8,
            owner: 0x1234_5000,
            bepoch: 7,
        };
        let bytes = e.encode(0x1000);
        assert_eq!(PamtEntry::decode(&bytes, 0x1000), e);
        assert_ne!(PamtEntry::decode(&bytes, 0x2000), e, "keyed by address");
        assert_ne!(&bytes[..8], &[0; 8]);
        // Intel's layout: type at bits 23:16, owner frame at 63:24.
        assert_eq!(e.to_words()[0], 5 << 16 | 0x12345 << 24);
        assert_eq!(
            PamtEntry::NDA.encode(0x40)[..8],
            pamt_word(0x40).to_le_bytes()
        );
    }

    #[test]
    fn tdmr_init_leaves_nda_and_rsvd_where_intel_does() {
        let mut mem = FakeMem::new();
        let s = ready(&mut mem);
        assert_eq!(s.pamt_get(&mem, G), Some(PamtEntry::NDA));
        assert_eq!(s.pamt_get(&mem, 2 * G - 4096), Some(PamtEntry::NDA));
        let rsvd = PamtEntry::new(PageType::Rsvd, 0);
        assert_eq!(s.pamt_get(&mem, PAMT), Some(rsvd));
        assert_eq!(s.pamt_get(&mem, PAMT + (8 << 20) - 4096), Some(rsvd));
        assert_eq!(
            s.pamt_get(&mem, PAMT + (8 << 20)),
            Some(PamtEntry::NDA),
            "past the reserved area"
        );
        assert_eq!(s.pamt_get(&mem, 2 * G), None, "outside the TDMR");
    }

    #[test]
    fn checks_give_intels_statuses_in_its_order() {
        let mut mem = FakeMem::new();
        let s = ready(&mut mem);
        let check = |mem: &FakeMem, pa, pt| s.check_explicit_4k(mem, pa, 1, pt);
        let page = G + 0x5000;
        assert_eq!(check(&mem, page, PageType::Nda), Ok(Some(PamtEntry::NDA)));
        for bad in [page + 8, page | 1 << 46, 1 << 52] {
            assert_eq!(
                check(&mem, bad, PageType::Nda),
                Err(code::OPERAND_INVALID | 1)
            );
        }
        assert_eq!(
            check(&mem, 3 * G, PageType::Nda),
            Err(code::OPERAND_ADDR_RANGE_ERROR | 1)
        );
        assert_eq!(
            check(&mem, page, PageType::Tdr),
            Err(code::PAGE_METADATA_INCORRECT | 1)
        );
        assert_eq!(
            check(&mem, PAMT, PageType::Nda),
            Err(code::PAGE_METADATA_INCORRECT | 1)
        );
        s.pamt_set(&mut mem, page, PamtEntry::new(PageType::Tdr, 0))
            .unwrap();
        assert!(check(&mem, page, PageType::Tdr).is_ok());
        // A page inside a 2 MiB private page is not a 4 KiB page.
        let at = s.pamt_entry_at(page, PageSize::Size2M).unwrap();
        write_entry(&mut mem, at, PamtEntry::new(PageType::Reg, G)).unwrap();
        assert_eq!(
            check(&mem, page, PageType::Tdr),
            Err(code::PAGE_METADATA_INCORRECT | 1)
        );
    }

    #[test]
    fn an_uninitialized_gib_is_out_of_range() {
        let mut mem = FakeMem::new();
        let mut s = Sys::new(platform(1, 1, &[]));
        s.tdmrs[0] = Tdmr::from_info(&with_pamt(tdmr_at(G, 2 * G), PAMT));
        s.nr_tdmrs = 1;
        let mut r = [0; 16];
        r[1] = G;
        for _ in 0..256 {
            s.sys_tdmr_init(&mut r, &mut mem).unwrap();
        }
        assert!(s.pamt_entry_at(2 * G - 4096, PageSize::Size4K).is_some());
        assert!(s.pamt_entry_at(2 * G, PageSize::Size4K).is_none());
        assert_eq!(
            s.pamt_check_4k(&mem, 2 * G, PageType::Nda),
            Err(code::OPERAND_ADDR_RANGE_ERROR)
        );
    }
}
