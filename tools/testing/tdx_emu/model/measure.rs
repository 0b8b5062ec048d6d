// SPDX-License-Identifier: GPL-2.0

//! A TD's build-time measurement, MRTD, as the TDX module 1.5 computes it:
//! one SHA-384 context per TD (TDCS `td_sha_ctx`), started by TDH.MNG.INIT,
//! fed by TDH.MEM.PAGE.ADD and TDH.MR.EXTEND, closed by TDH.MR.FINALIZE.
//!
//! Each update hashes a 128-byte record (the module's `sha384_128B_block_t`):
//!
//! ```text
//!   bytes   0..16   the SEAMCALL's name in ASCII, padded with zeros
//!   bytes  16..24   the GPA, little-endian
//!   bytes  24..128  zero
//! ```
//!
//! TDH.MEM.PAGE.ADD hashes the record "MEM.PAGE.ADD" with the page's GPA,
//! and never the page's contents. TDH.MR.EXTEND hashes the record
//! "MR.EXTEND" with the 256-byte aligned chunk's GPA, then the chunk's 256
//! bytes as the TD sees them (two more blocks). TDH.MR.FINALIZE's digest is
//! MRTD. The checks around them (GPA alignment, SEPT state, TD state) are
//! the leaves' business, not this file's.
//!
//! Pure `core`.

use super::sha384::Sha384;

/// Bytes in a measurement record: one SHA-384 block.
pub(crate) const RECORD: usize = 128;
/// Bytes TDH.MR.EXTEND measures at a time.
pub(crate) const CHUNK: usize = 256;

/// The 128-byte record of SEAMCALL `name` for `gpa`.
fn record(name: &[u8], gpa: u64) -> [u8; RECORD] {
    let mut r = [0; RECORD];
    r[..name.len()].copy_from_slice(name);
    r[16..24].copy_from_slice(&gpa.to_le_bytes());
    r
}

/// A TD's MRTD context (TDH.MNG.INIT's fresh SHA-384 state).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mrtd {
    ctx: Sha384,
}

impl Mrtd {
    pub(crate) const fn new() -> Self {
        Self { ctx: Sha384::new() }
    }

    /// TDH.MEM.PAGE.ADD of the page at `gpa`.
    pub(crate) fn page_add(&mut self, gpa: u64) {
        self.ctx.update(&record(b"MEM.PAGE.ADD", gpa));
    }

    /// TDH.MR.EXTEND of the 256 bytes at `gpa`, which hold `chunk`.
    pub(crate) fn extend(&mut self, gpa: u64, chunk: &[u8; CHUNK]) {
        self.ctx.update(&record(b"MR.EXTEND", gpa));
        self.ctx.update(chunk);
    }

    /// TDH.MR.FINALIZE: MRTD. The context stays as it was, so a second
    /// call returns the same value (the module refuses a second finalize;
    /// that check is the leaf's).
    pub(crate) fn finalize(&mut self) -> [u8; 48] {
        self.ctx.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 48]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The records' layout, byte by byte.
    #[test]
    fn records() {
        let r = record(b"MEM.PAGE.ADD", 0x0123_4567_89ab_c000);
        assert_eq!(&r[..16], b"MEM.PAGE.ADD\0\0\0\0");
        assert_eq!(
            &r[16..24],
            &[0x00, 0xc0, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]
        );
        assert!(r[24..].iter().all(|&b| b == 0));
        let r = record(b"MR.EXTEND", 0x100);
        assert_eq!(&r[..16], b"MR.EXTEND\0\0\0\0\0\0\0");
        assert_eq!(&r[16..24], &[0, 1, 0, 0, 0, 0, 0, 0]);
    }

    /// Values from python's hashlib over records built there:
    /// `python3 -c 'import hashlib, struct
    /// rec = lambda n, g: n.ljust(16, b"\0") + struct.pack("<Q", g) + bytes(104)
    /// print(hashlib.sha384(rec(b"MEM.PAGE.ADD", 0x1000)).hexdigest())
    /// print(hashlib.sha384(rec(b"MEM.PAGE.ADD", 0x1000) + rec(b"MR.EXTEND",
    ///     0x1100) + bytes(range(256))).hexdigest())'`.
    /// `td_program/image.rs` compares a whole image with `td_image.py`.
    #[test]
    fn matches_python() {
        let mut m = Mrtd::new();
        m.page_add(0x1000);
        let copy = m;
        assert_eq!(
            hex(m.finalize()),
            "fcdabf6fdf38b87d2e3a89b1ab68c242abb261dffa70ef6f\
             1dc2220c2752d2729cdf1be92afc2e0e4297f04e2b629552"
        );
        let mut m = copy;
        let chunk: [u8; CHUNK] = core::array::from_fn(|i| i as u8);
        m.extend(0x1100, &chunk);
        assert_eq!(
            hex(m.finalize()),
            "5a4bbf45df3ea772ac2cb6162c5fba4a9c324c78cf404c69\
             69da8d55b0dcafdb50d1443509e5604a2f3dda14d947a78a"
        );
    }

    /// The GPA and the order are measured: a page added at another GPA, or
    /// two records swapped, give another MRTD; a page added twice is not
    /// one page.
    #[test]
    fn gpa_and_order_count() {
        let one = |gpas: &[u64]| {
            let mut m = Mrtd::new();
            for &g in gpas {
                m.page_add(g);
            }
            m.finalize()
        };
        assert_ne!(one(&[0x1000, 0x2000]), one(&[0x2000, 0x1000]));
        assert_ne!(one(&[0x1000]), one(&[0x3000]));
        assert_ne!(one(&[0x1000]), one(&[0x1000, 0x1000]));
        let mut a = Mrtd::new();
        let mut b = Mrtd::new();
        a.extend(0x1000, &[0; CHUNK]);
        b.extend(0x1100, &[0; CHUNK]);
        assert_ne!(a.finalize(), b.finalize());
        assert_eq!(a.finalize(), a.finalize(), "finalize leaves the context");
    }
}
