// SPDX-License-Identifier: GPL-2.0

//! MRTD: the SHA-384 of the 128-byte records TDH.MEM.PAGE.ADD and
//! TDH.MR.EXTEND append while a TD is built (`sha384_128B_block_t`,
//! `tdh_mem_page_add.c`, `tdh_mr_extend.c`), finalized by TDH.MR.FINALIZE.
//!
//! A record: the leaf's name in ASCII, zero-padded to 16 bytes
//! ("MEM.PAGE.ADD" or "MR.EXTEND"), the GPA as 8 little-endian bytes, 104
//! zero bytes. TDH.MR.EXTEND's record is followed by the 256 bytes it
//! measures.
//!
//! Pure `core`.

use super::sha384::Sha384;

/// A TD's measurement under construction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mrtd {
    sha: Sha384,
}

/// The 128-byte record of leaf `name` at `gpa`.
pub(crate) fn record(name: &[u8], gpa: u64) -> [u8; 128] {
    let mut r = [0u8; 128];
    r[..name.len()].copy_from_slice(name);
    r[16..24].copy_from_slice(&gpa.to_le_bytes());
    r
}

impl Mrtd {
    pub(crate) const fn new() -> Self {
        Self { sha: Sha384::new() }
    }

    /// TDH.MEM.PAGE.ADD of the page at `gpa`.
    pub(crate) fn page_add(&mut self, gpa: u64) {
        self.sha.update(&record(b"MEM.PAGE.ADD", gpa));
    }

    /// TDH.MR.EXTEND of the 256 bytes `data` at `gpa`.
    pub(crate) fn extend(&mut self, gpa: u64, data: &[u8; 256]) {
        self.sha.update(&record(b"MR.EXTEND", gpa));
        self.sha.update(data);
    }

    /// MRTD.
    pub(crate) fn finalize(&self) -> [u8; 48] {
        self.sha.finish()
    }
}
