// SPDX-License-Identifier: GPL-2.0

//! The pages the emulated module holds for TDs, as its PAMT says: a walk of
//! every initialized PAMT (a test view; the real module has no such leaf).
//!
//! Listed: every leaf entry whose page type is neither PT_NDA nor PT_RSVD,
//! i.e. TDR, TDCX, TDVPR, Secure EPT and TD private pages; a 2 MiB or
//! 1 GiB private page is one entry at its base. Not listed: pages the host
//! owns (PT_NDA), reserved areas (PT_RSVD: the PAMTs themselves and holes),
//! memory outside the TDMRs or past what TDH.SYS.TDMR.INIT initialized.
//!
//! Pure `core`.

use super::pamt::{PageType, PamtEntry};
use super::sys::Sys;
use super::tdmr_info::{PageSize, PAMT_ENTRY_SIZE};
use crate::platform::PhysMem;

const G: u64 = 1 << 30;
/// Entries read at once.
const CHUNK: usize = 256;

/// One listed page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OwnedPage {
    pub(crate) pa: u64,
    pub(crate) owner: u64,
    pub(crate) pt: u8,
}

/// Reads `n` entries of level `size` from the one of `pa`, calling `f` with
/// each page's address and entry; `None` if the PAMT cannot be read.
fn each_entry(
    sys: &Sys,
    mem: &dyn PhysMem,
    pa: u64,
    size: PageSize,
    n: u64,
    f: &mut dyn FnMut(u64, PamtEntry) -> Option<()>,
) -> Option<()> {
    let first = sys.pamt_entry_at(pa, size)?;
    let mut buf = [0u8; CHUNK * PAMT_ENTRY_SIZE as usize];
    let mut done = 0;
    while done < n {
        let k = (n - done).min(CHUNK as u64);
        let at = first + done * PAMT_ENTRY_SIZE;
        let bytes = &mut buf[..(k * PAMT_ENTRY_SIZE) as usize];
        if !mem.read(at, bytes) {
            return None;
        }
        for (j, raw) in bytes.chunks_exact(16).enumerate() {
            let mut e = [0u8; 16];
            e.copy_from_slice(raw);
            let entry_at = at + 16 * j as u64;
            let page = pa + (done + j as u64) * size.bytes();
            f(page, PamtEntry::decode(&e, entry_at))?;
        }
        done += k;
    }
    Some(())
}

fn listed(e: &PamtEntry) -> bool {
    !e.is(PageType::Nda) && !e.is(PageType::Rsvd)
}

impl Sys {
    /// Calls `f` with every page the PAMTs list as held for a TD, in
    /// address order; stops early when `f` returns `None`. `None` also if a
    /// PAMT cannot be read.
    pub(crate) fn owned_pages(
        &self,
        mem: &dyn PhysMem,
        f: &mut dyn FnMut(OwnedPage) -> Option<()>,
    ) -> Option<()> {
        for t in self.tdmrs() {
            let end = (t.next & !(G - 1)).min(t.base + t.size);
            let mut gib = t.base;
            while gib < end {
                let gib_end = (gib + G).min(end);
                let mut in_gib = |pa: u64, e: PamtEntry| -> Option<()> {
                    if e.is(PageType::Reg) {
                        return f(OwnedPage {
                            pa,
                            owner: e.owner,
                            pt: e.pt,
                        });
                    }
                    let n2m = (gib_end - pa).div_ceil(PageSize::Size2M.bytes());
                    each_entry(self, mem, pa, PageSize::Size2M, n2m, &mut |pa2, e2| {
                        if e2.is(PageType::Reg) {
                            return f(OwnedPage {
                                pa: pa2,
                                owner: e2.owner,
                                pt: e2.pt,
                            });
                        }
                        let n4k = (gib_end - pa2).min(PageSize::Size2M.bytes()) / 4096;
                        each_entry(self, mem, pa2, PageSize::Size4K, n4k, &mut |pa4, e4| {
                            if listed(&e4) {
                                f(OwnedPage {
                                    pa: pa4,
                                    owner: e4.owner,
                                    pt: e4.pt,
                                })?;
                            }
                            Some(())
                        })
                    })
                };
                each_entry(self, mem, gib, PageSize::Size1G, 1, &mut in_gib)?;
                gib = gib_end;
            }
        }
        Some(())
    }
}
