// SPDX-License-Identifier: GPL-2.0

//! SHA-384 as FIPS 180-4 defines it (sections 4.1.3, 4.2.3, 5.1.2, 5.2.2,
//! 5.3.4 and 6.5): SHA-512's compression function over 1024-bit blocks, with
//! SHA-384's own initial hash value, the message padded with a 1 bit, zeros
//! and the 128-bit big-endian message length, and the first six of the eight
//! 64-bit state words as the digest.
//!
//! The emulated TDX module keeps one running hash per TD (the MRTD context,
//! `measure.rs`): the state is a plain `Copy` value, no heap.
//!
//! Pure `core`.

/// Bytes in one SHA-384 block.
const BLOCK: usize = 128;

/// The eighty round constants K{512} (FIPS 180-4, 4.2.3): the first 64 bits
/// of the fractional parts of the cube roots of the first eighty primes.
const K: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// SHA-384's initial hash value H(0) (FIPS 180-4, 5.3.4): the first 64 bits
/// of the fractional parts of the square roots of the ninth through
/// sixteenth primes.
const H0: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];

/// A SHA-384 computation in progress.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sha384 {
    /// The intermediate hash value H(i).
    state: [u64; 8],
    /// Message bytes not yet compressed: `buf[..used]`.
    buf: [u8; BLOCK],
    used: usize,
    /// Message bytes seen so far (the module never hashes 2^61 bytes).
    len: u64,
}

impl Sha384 {
    /// An empty message.
    pub(crate) const fn new() -> Self {
        Self {
            state: H0,
            buf: [0; BLOCK],
            used: 0,
            len: 0,
        }
    }

    /// Appends `data` to the message.
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (BLOCK - self.used).min(data.len());
            self.buf[self.used..self.used + take].copy_from_slice(&data[..take]);
            self.used += take;
            data = &data[take..];
            if self.used == BLOCK {
                compress(&mut self.state, &self.buf);
                self.used = 0;
            }
        }
    }

    /// Pads the message (FIPS 180-4, 5.1.2) and returns its digest.
    pub(crate) fn finish(mut self) -> [u8; 48] {
        let bits_hi = self.len >> 61;
        let bits_lo = self.len << 3;
        self.buf[self.used] = 0x80;
        self.buf[self.used + 1..].fill(0);
        if self.used + 1 > BLOCK - 16 {
            compress(&mut self.state, &self.buf);
            self.buf = [0; BLOCK];
        }
        self.buf[BLOCK - 16..BLOCK - 8].copy_from_slice(&bits_hi.to_be_bytes());
        self.buf[BLOCK - 8..].copy_from_slice(&bits_lo.to_be_bytes());
        compress(&mut self.state, &self.buf);
        let mut out = [0; 48];
        for (o, w) in out.chunks_exact_mut(8).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// The SHA-512 hash computation (FIPS 180-4, 6.4.2) of one block into
/// `h`.
fn compress(h: &mut [u64; 8], block: &[u8; BLOCK]) {
    // The message schedule, kept as a ring of sixteen words.
    let mut w = [0u64; 16];
    for (t, b) in block.chunks_exact(8).enumerate() {
        let mut word = [0; 8];
        word.copy_from_slice(b);
        w[t] = u64::from_be_bytes(word);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for (t, k) in K.iter().enumerate() {
        if t >= 16 {
            let w15 = w[(t - 15) % 16];
            let w2 = w[(t - 2) % 16];
            let s0 = w15.rotate_right(1) ^ w15.rotate_right(8) ^ (w15 >> 7);
            let s1 = w2.rotate_right(19) ^ w2.rotate_right(61) ^ (w2 >> 6);
            w[t % 16] = s1
                .wrapping_add(w[(t - 7) % 16])
                .wrapping_add(s0)
                .wrapping_add(w[t % 16]);
        }
        let big_s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(big_s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(w[t % 16]);
        let big_s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = big_s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (hi, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *hi = hi.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 48]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn digest(data: &[u8]) -> String {
        let mut s = Sha384::new();
        s.update(data);
        hex(s.finish())
    }

    /// FIPS 180-4's examples (NIST's "SHA384.pdf" example values).
    #[test]
    fn nist_examples() {
        assert_eq!(
            digest(b"abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            digest(
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                  hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ),
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712\
             fcc7c71a557e2db966c3e9fa91746039"
        );
        let mut s = Sha384::new();
        for _ in 0..1000 {
            s.update(&[b'a'; 1000]);
        }
        assert_eq!(
            hex(s.finish()),
            "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b\
             07b8b3dc38ecc4ebae97ddd87f3d8985"
        );
        assert_eq!(
            digest(b""),
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da\
             274edebfe76f65fbd51ad2f14898b95b"
        );
    }

    /// Messages of `n` bytes `i % 251` at the lengths where padding changes
    /// shape. Values from python's hashlib:
    /// `python3 -c 'import hashlib; [print(n, hashlib.sha384(bytes(i % 251
    /// for i in range(n))).hexdigest()) for n in (111, 112, 127, 128, 129,
    /// 256)]'`
    #[test]
    fn block_boundaries() {
        let want = [
            (
                111,
                "f5f9fe110d809d34029de262a01b208356caec6e054c7f926b2591f6c9780579\
                 d4b59f5578c6f531a84f158a33660cef",
            ),
            (
                112,
                "33ba080ec0ccb378e4e95fed3b26c23aa1a280476e007519ee47f60cd9c5c8a6\
                 5d627259a9aa2fd33ca06d3c14ee5548",
            ),
            (
                127,
                "d5fcfe2fcf6b3ef375ede37c8123d9b78065fecc1d55197e2f7721e6e9a93d0b\
                 a4d7fd15f9b96dea2744df24141ba2ef",
            ),
            (
                128,
                "ca2385773319124534111a36d0581fc3f00815e907034b90cff9c3a861e126a7\
                 41d5dfcff65a417b6d7296863ac0ec17",
            ),
            (
                129,
                "ef49ae5b9ad51433d00323528d81ea8d2e4d2b507dbd9f1cb84f952b66249a78\
                 8b1c89fcdb77a0db9f1feb901d47fc73",
            ),
            (
                256,
                "2786ae11483c719dcb61b32652daf932d7c304f0d5d1e3904f6be6b44826d94d\
                 e4fc922065558ad6aa10ae8b9eba005d",
            ),
        ];
        let msg: Vec<u8> = (0..256).map(|i| (i % 251) as u8).collect();
        for (n, hexd) in want {
            assert_eq!(digest(&msg[..n]), hexd, "{n} bytes");
            // The same message in uneven pieces, and the context copied
            // half way: the state is a plain value.
            let mut s = Sha384::new();
            let (a, b) = msg[..n].split_at(n / 3);
            s.update(a);
            let copy = s;
            s.update(b);
            let mut t = copy;
            for byte in b {
                t.update(core::slice::from_ref(byte));
            }
            assert_eq!(hex(s.finish()), hexd, "{n} bytes in two pieces");
            assert_eq!(hex(t.finish()), hexd, "{n} bytes, copy, bytewise");
        }
    }
}
