// SPDX-License-Identifier: GPL-2.0

//! The emulated platform's hand-over facts from the `handoff=` module
//! parameter: `PAGES,VALID,HV,SIZE`, four hex numbers (with or without
//! `0x`), as a platform profile's `handoff` line gives them
//! (`scripts/platform.py`). PAGES is the SEAM loader's
//! `sysinfo_table.num_handoff_pages` (the hand-off pages at the start of the
//! module's data region, minus one: 16 bits); VALID (0 or 1), HV (16 bits)
//! and SIZE (32 bits) are the `handoff_data_header_t` at the data region's
//! base. The parameter is optional: without it TDH.SYS.RD of these fields,
//! and a TDH.SYS.RDALL that would list them, are declined.
//!
//! Pure `core`.

use crate::platform::Handoff;
use crate::platform_param::hex;
use core::fmt;

/// Why `handoff=` describes no hand-over.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HandoffError {
    /// Not four comma-separated hex numbers.
    Malformed,
    /// Number `n` (from 1) is too wide for its field, or VALID is not 0 or 1.
    OutOfRange(usize),
}

impl fmt::Display for HandoffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Malformed => f.write_str("handoff=: not PAGES,VALID,HV,SIZE in hex"),
            Self::OutOfRange(n) => write!(
                f,
                "handoff=: number {n} out of range (PAGES and HV 16 bits, VALID 0 or 1, SIZE 32 bits)"
            ),
        }
    }
}

/// Parses `handoff=`.
pub(crate) fn parse_handoff(s: &[u8]) -> Result<Handoff, HandoffError> {
    let mut v = [0u64; 4];
    let mut parts = s.split(|&b| b == b',');
    for slot in v.iter_mut() {
        *slot = parts.next().and_then(hex).ok_or(HandoffError::Malformed)?;
    }
    if parts.next().is_some() {
        return Err(HandoffError::Malformed);
    }
    let [pages, valid, hv, size] = v;
    let narrow =
        |n: usize, x: u64, max: u64| (x <= max).then_some(x).ok_or(HandoffError::OutOfRange(n));
    Ok(Handoff {
        pages_minus_1: narrow(1, pages, 0xffff)? as u16,
        valid: narrow(2, valid, 1)? == 1,
        hv: narrow(3, hv, 0xffff)? as u16,
        size: narrow(4, size, 0xffff_ffff)? as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_hex_numbers() {
        assert_eq!(
            parse_handoff(b"0x1f,0,0,0"),
            Ok(Handoff {
                pages_minus_1: 0x1f,
                valid: false,
                hv: 0,
                size: 0
            })
        );
        assert_eq!(
            parse_handoff(b"ffff,1,0x102,FFFFFFFF"),
            Ok(Handoff {
                pages_minus_1: 0xffff,
                valid: true,
                hv: 0x102,
                size: u32::MAX
            })
        );
    }

    #[test]
    fn malformed_and_out_of_range() {
        for s in [
            "",
            "1,0,0",
            "1,0,0,0,0",
            "1,0,,0",
            "1,0,0,0 ",
            "1;0;0;0",
            "g,0,0,0",
        ] {
            assert_eq!(
                parse_handoff(s.as_bytes()),
                Err(HandoffError::Malformed),
                "{s:?}"
            );
        }
        for (s, n) in [
            ("10000,0,0,0", 1),
            ("1,2,0,0", 2),
            ("1,0,10000,0", 3),
            ("1,0,0,100000000", 4),
        ] {
            assert_eq!(
                parse_handoff(s.as_bytes()),
                Err(HandoffError::OutOfRange(n)),
                "{s:?}"
            );
        }
        assert!(HandoffError::OutOfRange(2)
            .to_string()
            .contains("VALID 0 or 1"));
    }
}
