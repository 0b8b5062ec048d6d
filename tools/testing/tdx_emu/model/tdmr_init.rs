// SPDX-License-Identifier: GPL-2.0

//! TDH.SYS.TDMR.INIT in the emulated module (`tdh_sys_tdmr_init()`,
//! `tdh_sys_tdmr_init.c`; `pamt_init()`, `pamt_manager.c`): RCX = a TDMR's
//! base. Each call initializes the PAMT entries of the next
//! [`CHUNK_4K_ENTRIES`] 4 KiB pages of that TDMR (4 MiB of TDMR): those
//! 4 KiB entries, the 2 MiB entries over them, and the 1 GiB entry when the
//! chunk ends a GiB. RDX returns the next address to initialize rounded down
//! to 1 GiB, so the host never uses a GiB that is not done.
//!
//! Each entry is left zero (PT_NDA, no owner), except the 4 KiB entries of
//! pages in the TDMR's reserved areas, which are PT_RSVD (`pamt_4kb_init()`).
//! The real module writes the entries with the global private KeyID, so the
//! host sees ciphertext; the model stores each word XORed with [`pamt_word`]
//! of its address (`pamt.rs`): non-zero and recognizable.
//!
//! Only served once the module is ready (the dispatcher's rule).
//!
//! Pure `core`.

use super::keyids::is_aligned;
use super::pamt::{PageType, PamtEntry};
use super::sys::{Sys, Tdmr};
use super::tdmr_info::{PageSize, PAMT_ENTRY_SIZE};
use super::{Gprs, RCX, RDX};
use crate::abi::status::code;
use crate::platform::PhysMem;

/// 4 KiB PAMT entries initialized per call (`TDMR_4K_PAMT_INIT_COUNT`).
pub(crate) const CHUNK_4K_ENTRIES: u64 = 1024;
/// TDMR bytes whose PAMT one call initializes.
pub(crate) const CHUNK_BYTES: u64 = CHUNK_4K_ENTRIES * 4096;
const G: u64 = 1 << 30;
/// What the model writes for PAMT data, XORed with each word's address.
const PAMT_PATTERN: u64 = 0x5A5A_C3C3_7E7E_A5A5;
/// Bytes written per `PhysMem::write` call (a small stack buffer).
const WRITE_BYTES: usize = 256;

/// The 8 bytes the model leaves at PAMT address `pa` (8-byte aligned).
pub(crate) const fn pamt_word(pa: u64) -> u64 {
    PAMT_PATTERN ^ pa
}

/// Writes the initial entries `[first, first + entries)` of `tdmr`'s PAMT
/// at `level`.
fn fill(
    mem: &mut dyn PhysMem,
    tdmr: &Tdmr,
    level: PageSize,
    first: u64,
    entries: u64,
) -> Option<()> {
    let mut buf = [0u8; WRITE_BYTES];
    let pa = tdmr.pamt[level as usize].base + first * PAMT_ENTRY_SIZE;
    let len = entries * PAMT_ENTRY_SIZE;
    let mut at = pa;
    while at < pa + len {
        let n = (pa + len - at).min(WRITE_BYTES as u64) as usize;
        for (k, bytes) in buf[..n].chunks_exact_mut(16).enumerate() {
            let entry_pa = at + 16 * k as u64;
            let index = (entry_pa - tdmr.pamt[level as usize].base) / PAMT_ENTRY_SIZE;
            let rsvd = level == PageSize::Size4K && tdmr.is_reserved(index * level.bytes());
            let e = if rsvd {
                PamtEntry::new(PageType::Rsvd, 0)
            } else {
                PamtEntry::NDA
            };
            bytes.copy_from_slice(&e.encode(entry_pa));
        }
        if !mem.write(at, &buf[..n]) {
            return None;
        }
        at += n as u64;
    }
    Some(())
}

impl Sys {
    /// TDH.SYS.TDMR.INIT: RDX is zeroed first; RCX must be 1 GiB aligned,
    /// below MAXPA, KeyID 0, and the base of a configured TDMR (else operand
    /// RCX); a finished TDMR answers `TDX_TDMR_ALREADY_INITIALIZED` (not an
    /// error). Declined, with the TDMR not advanced, if the PAMT cannot be
    /// written.
    pub(crate) fn sys_tdmr_init(&mut self, regs: &mut Gprs, mem: &mut dyn PhysMem) -> Option<u64> {
        let base = regs[RCX];
        regs[RDX] = 0;
        if !is_aligned(base, G) || !self.keys.is_plain_pa(base) {
            return Some(code::OPERAND_INVALID | RCX as u64);
        }
        let nr = self.nr_tdmrs;
        let Some(tdmr) = self.tdmrs[..nr].iter_mut().find(|t| t.base == base) else {
            return Some(code::OPERAND_INVALID | RCX as u64);
        };
        if tdmr.is_initialized() {
            return Some(code::TDMR_ALREADY_INITIALIZED);
        }
        let start = tdmr.next - tdmr.base;
        let end = start + CHUNK_BYTES;
        for level in [PageSize::Size4K, PageSize::Size2M, PageSize::Size1G] {
            let first = start / level.bytes();
            let entries = end / level.bytes() - first;
            fill(mem, tdmr, level, first, entries)?;
        }
        tdmr.next += CHUNK_BYTES;
        regs[RDX] = tdmr.next & !(G - 1);
        Some(code::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::super::sys::{SysState, Tdmr};
    use super::super::tdmr_info::Range;
    use super::super::test_support::{platform, tdmr_at, with_pamt, FakeMem};
    use super::*;

    /// A ready module with TDMRs [1G, 2G) and [4G, 6G) and their PAMTs at
    /// 256 MiB and 512 MiB.
    fn ready() -> Sys {
        let mut s = Sys::new(platform(1, 1, &[]));
        let t0 = with_pamt(tdmr_at(G, G), 256 << 20);
        let t1 = with_pamt(tdmr_at(4 * G, 2 * G), 512 << 20);
        s.tdmrs[0] = Tdmr::from_info(&t0);
        s.tdmrs[1] = Tdmr::from_info(&t1);
        s.nr_tdmrs = 2;
        s.state = SysState::Ready;
        s
    }

    fn call(s: &mut Sys, mem: &mut FakeMem, base: u64) -> (Option<u64>, u64) {
        let mut r = [0x77; 16];
        r[RCX] = base;
        let status = s.sys_tdmr_init(&mut r, mem);
        (status, r[RDX])
    }

    #[test]
    fn one_gib_takes_256_calls_and_writes_every_entry_once() {
        let mut s = ready();
        let mut mem = FakeMem::new();
        for k in 1..256 {
            assert_eq!(
                call(&mut s, &mut mem, G),
                (Some(code::SUCCESS), G),
                "call {k}"
            );
        }
        assert_eq!(
            mem.peek_u64((256 << 20) + 16 * 262_143),
            0,
            "last 4K entry not yet"
        );
        assert_eq!(call(&mut s, &mut mem, G), (Some(code::SUCCESS), 2 * G));
        let t = s.tdmrs[0];
        assert!(t.is_initialized());
        // 4 MiB of 4K entries, 8 KiB of 2M entries, one 1G entry.
        assert_eq!(mem.written, (4 << 20) + 8192 + 16);
        for pa in [
            t.pamt[0].base,
            t.pamt[0].base + (4 << 20) - 8,
            t.pamt[1].base + 8184,
            t.pamt[2].base + 8,
        ] {
            assert_eq!(mem.peek_u64(pa), pamt_word(pa), "{pa:#x}");
            assert_ne!(pamt_word(pa), 0);
        }
        assert_eq!(mem.peek_u64(t.pamt[2].base + 16), 0, "only one 1G entry");
        assert_eq!(
            call(&mut s, &mut mem, G),
            (Some(code::TDMR_ALREADY_INITIALIZED), 0)
        );
    }

    #[test]
    fn rdx_rounds_down_to_the_gib_and_tdmrs_are_independent() {
        let mut s = ready();
        let mut mem = FakeMem::new();
        for _ in 0..255 {
            assert_eq!(call(&mut s, &mut mem, 4 * G).1, 4 * G);
        }
        assert_eq!(call(&mut s, &mut mem, 4 * G).1, 5 * G);
        assert_eq!(call(&mut s, &mut mem, 4 * G).1, 5 * G);
        assert_eq!(s.tdmrs[1].next, 5 * G + CHUNK_BYTES);
        assert_eq!(s.tdmrs[0].next, G, "the other TDMR did not move");
    }

    #[test]
    fn rcx_must_be_a_tdmr_base() {
        let mut s = ready();
        let mut mem = FakeMem::new();
        let invalid = Some(code::OPERAND_INVALID | 1);
        for base in [G + 4096, 2 * G, 3 * G, 1 << 52, 1 << 46 | G] {
            assert_eq!(call(&mut s, &mut mem, base), (invalid, 0), "{base:#x}");
        }
        assert_eq!(mem.written, 0);
    }

    #[test]
    fn unwritable_pamt_is_declined_and_not_advanced() {
        let mut s = ready();
        let mut mem = FakeMem::new();
        mem.holes.push(Range {
            base: 512 << 20,
            size: 4096,
        });
        assert_eq!(call(&mut s, &mut mem, 4 * G).0, None);
        assert_eq!(s.tdmrs[1].next, 4 * G);
    }
}
