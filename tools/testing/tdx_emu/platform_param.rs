// SPDX-License-Identifier: GPL-2.0

//! The emulated platform from the module's parameters: `cmrs=`, `lps=` and
//! `packages=` (the KeyID counts are checked by `glue/trap.c`, which owns
//! them). Nothing comes from the kernel under test: the values describe a
//! machine, usually one of `tools/testing/tdx_emu/platforms/`, turned into
//! parameters by `scripts/platform.py`.
//!
//! `cmrs=` is a comma-separated list of `START-END` ranges, `[START, END)`,
//! in hex with or without `0x`, as the SEAM loader would hand them over:
//! 4 KiB aligned, ascending, not overlapping (they may touch), at most
//! [`MAX_CMRS`]. The rules the TDX module itself applies at TDH.SYS.INIT
//! (the KeyID bits, MAXPA) are left to the model, which fails TDH.SYS.INIT
//! as the module would.
//!
//! Pure `core`.

use crate::model::{MAX_LPS, MAX_PKGS};
use crate::platform::{Cmr, MAX_CMRS};
use core::fmt;

const PAGE: u64 = 4096;

/// The parameters as the module got them; a count of 0 was not given.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params<'a> {
    pub(crate) cmrs: Option<&'a [u8]>,
    pub(crate) lps: u32,
    pub(crate) packages: u32,
}

/// What is wrong with one range of `cmrs=`, or with the whole list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CmrDefect {
    /// The list holds no range.
    Empty,
    /// A range is not `START-END`.
    NotARange,
    /// START or END is not a hex number of at most 64 bits.
    NotHex,
    /// END is not above START.
    EmptyRange,
    /// START or END is not a multiple of 4 KiB.
    Unaligned,
    /// START is below the previous range's END.
    NotAscending,
    /// More ranges than the module's CMR table holds.
    TooMany,
}

impl CmrDefect {
    const fn what(self) -> &'static str {
        match self {
            Self::Empty => "no range",
            Self::NotARange => "not START-END",
            Self::NotHex => "START or END is not a hex number of at most 64 bits",
            Self::EmptyRange => "END is not above START",
            Self::Unaligned => "START or END is not 4 KiB aligned",
            Self::NotAscending => "starts below the previous range's END (ascending, no overlap)",
            Self::TooMany => "more than 32 ranges (the TDX 1.5 CMR table's size)",
        }
    }
}

/// Why the parameters describe no platform.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ParamError {
    /// These parameters were not given (`cmrs`, `lps`, `packages`).
    Missing {
        cmrs: bool,
        lps: bool,
        packages: bool,
    },
    /// Range `range` (from 1; 0: the list as a whole) of `cmrs=`.
    Cmrs { range: usize, defect: CmrDefect },
    /// `lps=` above the model's [`MAX_LPS`].
    Lps(u32),
    /// `packages=` above `lps=` or the model's [`MAX_PKGS`].
    Packages(u32),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Missing {
                cmrs,
                lps,
                packages,
            } => {
                f.write_str("no platform: missing")?;
                for (gone, name) in [(cmrs, " cmrs="), (lps, " lps="), (packages, " packages=")] {
                    if gone {
                        f.write_str(name)?;
                    }
                }
                f.write_str(" (scripts/platform.py boot PROFILE --smp SMP prints them)")
            }
            Self::Cmrs { range: 0, defect } => write!(f, "cmrs=: {}", defect.what()),
            Self::Cmrs { range, defect } => write!(f, "cmrs=: range {range}: {}", defect.what()),
            Self::Lps(n) => write!(f, "lps={n}: more than the {MAX_LPS} LPs the model keeps"),
            Self::Packages(n) => write!(
                f,
                "packages={n}: more than lps= or the {MAX_PKGS} packages the model keeps"
            ),
        }
    }
}

/// The platform's CMRs: `cmrs[..len]`, then zero-size entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct CmrTable {
    pub(crate) cmrs: [Cmr; MAX_CMRS],
    pub(crate) len: usize,
}

/// The checked parameters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Checked {
    pub(crate) cmrs: CmrTable,
    pub(crate) lps: u32,
    pub(crate) packages: u32,
}

/// Checks every parameter: first that each is there, then each value.
pub(crate) fn check(p: &Params<'_>) -> Result<Checked, ParamError> {
    let Some(cmrs) = p.cmrs.filter(|_| p.lps != 0 && p.packages != 0) else {
        return Err(ParamError::Missing {
            cmrs: p.cmrs.is_none(),
            lps: p.lps == 0,
            packages: p.packages == 0,
        });
    };
    let cmrs = parse_cmrs(cmrs)?;
    if p.lps as usize > MAX_LPS {
        return Err(ParamError::Lps(p.lps));
    }
    if p.packages > p.lps || p.packages > MAX_PKGS {
        return Err(ParamError::Packages(p.packages));
    }
    Ok(Checked {
        cmrs,
        lps: p.lps,
        packages: p.packages,
    })
}

/// Parses `cmrs=`.
pub(crate) fn parse_cmrs(s: &[u8]) -> Result<CmrTable, ParamError> {
    let fail = |range, defect| Err(ParamError::Cmrs { range, defect });
    if s.is_empty() {
        return fail(0, CmrDefect::Empty);
    }
    let mut table = CmrTable {
        cmrs: [Cmr::default(); MAX_CMRS],
        len: 0,
    };
    let mut prev_end = 0;
    for (i, item) in s.split(|&b| b == b',').enumerate() {
        let n = i + 1;
        if i == MAX_CMRS {
            return fail(0, CmrDefect::TooMany);
        }
        let mut parts = item.splitn(2, |&b| b == b'-');
        let (Some(start), Some(end)) = (parts.next(), parts.next()) else {
            return fail(n, CmrDefect::NotARange);
        };
        let (Some(start), Some(end)) = (hex(start), hex(end)) else {
            return fail(n, CmrDefect::NotHex);
        };
        if end <= start {
            return fail(n, CmrDefect::EmptyRange);
        }
        if start % PAGE != 0 || end % PAGE != 0 {
            return fail(n, CmrDefect::Unaligned);
        }
        if start < prev_end {
            return fail(n, CmrDefect::NotAscending);
        }
        table.cmrs[i] = Cmr {
            base: start,
            size: end - start,
        };
        table.len = n;
        prev_end = end;
    }
    Ok(table)
}

/// A hex number of at most 64 bits, with or without `0x`; nothing else.
pub(crate) fn hex(s: &[u8]) -> Option<u64> {
    let digits = match s {
        [b'0', b'x' | b'X', rest @ ..] => rest,
        _ => s,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(16)?;
        v = v.checked_mul(16)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 1 << 30;

    fn cmrs(t: &CmrTable) -> Vec<(u64, u64)> {
        t.cmrs[..t.len]
            .iter()
            .map(|c| (c.base, c.base + c.size))
            .collect()
    }

    fn defect(s: &str) -> ParamError {
        parse_cmrs(s.as_bytes()).expect_err(s)
    }

    #[test]
    fn good_lists() {
        let t = parse_cmrs(b"0x100000-0x80000000,100000000-0x180000000").unwrap();
        assert_eq!(cmrs(&t), [(0x10_0000, 2 * G), (4 * G, 6 * G)]);
        // Past the list: zero-size entries, as the module's table has.
        assert!(t.cmrs[2..].iter().all(|c| *c == Cmr::default()));
        // Touching ranges stay two CMRs; upper-case hex; the highest page.
        let t = parse_cmrs(b"0X1000-0x2000,0x2000-0xABCD000,FFFFFFFFFFFFE000-fffffffffffff000")
            .unwrap();
        assert_eq!(
            cmrs(&t),
            [
                (0x1000, 0x2000),
                (0x2000, 0xABCD000),
                (u64::MAX - 0x1fff, u64::MAX - 0xfff)
            ]
        );
    }

    #[test]
    fn thirty_two_ranges_and_no_more() {
        let mut s = String::new();
        for i in 0..32u64 {
            s += &format!(
                "{}{:x}-{:x}",
                if i > 0 { "," } else { "" },
                i * G,
                i * G + 4096
            );
        }
        let t = parse_cmrs(s.as_bytes()).unwrap();
        assert_eq!(t.len, 32);
        assert_eq!(
            t.cmrs[31],
            Cmr {
                base: 31 * G,
                size: 4096
            }
        );
        s += &format!(",{:x}-{:x}", 32 * G, 33 * G);
        assert_eq!(
            parse_cmrs(s.as_bytes()),
            Err(ParamError::Cmrs {
                range: 0,
                defect: CmrDefect::TooMany
            })
        );
    }

    #[test]
    fn each_defect_is_refused() {
        use CmrDefect::*;
        for (s, range, d) in [
            ("", 0, Empty),
            ("0x1000", 1, NotARange),
            ("0x1000-0x2000,", 2, NotARange),
            ("0x1000-0x2000,,0x3000-0x4000", 2, NotARange),
            ("0x1000-", 1, NotHex),
            ("-0x2000", 1, NotHex),
            ("0x-0x2000", 1, NotHex),
            ("0x1000-0x2000-0x3000", 1, NotHex),
            ("0x1000-0x2g00", 1, NotHex),
            (" 0x1000-0x2000", 1, NotHex),
            ("0x1000-0x2000\n", 1, NotHex),
            ("+1000-2000", 1, NotHex),
            ("0x1000-0x10000000000000000", 1, NotHex),
            ("0x2000-0x2000", 1, EmptyRange),
            ("0x3000-0x2000", 1, EmptyRange),
            ("0x1800-0x3000", 1, Unaligned),
            ("0x1000-0x2800", 1, Unaligned),
            ("0x1000-0x2000,0x2000-0xfffffffffffff001", 2, Unaligned),
            ("0x1000-0x4000,0x3000-0x5000", 2, NotAscending),
            ("0x4000-0x5000,0x1000-0x2000", 2, NotAscending),
        ] {
            assert_eq!(defect(s), ParamError::Cmrs { range, defect: d }, "{s:?}");
        }
    }

    #[test]
    fn missing_parameters_are_named() {
        let p = Params {
            cmrs: None,
            lps: 2,
            packages: 0,
        };
        let e = check(&p).unwrap_err();
        assert_eq!(
            e,
            ParamError::Missing {
                cmrs: true,
                lps: false,
                packages: true
            }
        );
        assert_eq!(
            e.to_string(),
            "no platform: missing cmrs= packages= \
             (scripts/platform.py boot PROFILE --smp SMP prints them)"
        );
        let p = Params {
            cmrs: Some(b"0x1000-0x2000"),
            lps: 0,
            packages: 1,
        };
        assert!(check(&p)
            .unwrap_err()
            .to_string()
            .contains("missing lps= ("));
        let p = Params {
            cmrs: Some(b"0x1000-0x2000"),
            lps: 1,
            packages: 0,
        };
        assert_eq!(
            check(&p),
            Err(ParamError::Missing {
                cmrs: false,
                lps: false,
                packages: true
            })
        );
    }

    #[test]
    fn counts_are_checked() {
        let p = |lps, packages| Params {
            cmrs: Some(b"0x100000-0x80000000"),
            lps,
            packages,
        };
        let ok = check(&p(4, 2)).unwrap();
        assert_eq!((ok.lps, ok.packages, ok.cmrs.len), (4, 2, 1));
        let max_lps = MAX_LPS as u32;
        assert!(check(&p(max_lps, MAX_PKGS)).is_ok());
        assert_eq!(check(&p(max_lps + 1, 1)), Err(ParamError::Lps(max_lps + 1)));
        assert_eq!(check(&p(2, 3)), Err(ParamError::Packages(3)));
        assert_eq!(
            check(&p(max_lps, MAX_PKGS + 1)),
            Err(ParamError::Packages(MAX_PKGS + 1))
        );
        // A bad list is reported before the counts.
        let bad = Params {
            cmrs: Some(b"0x2000-0x1000"),
            ..p(2, 3)
        };
        assert_eq!(
            check(&bad).unwrap_err().to_string(),
            "cmrs=: range 1: END is not above START"
        );
    }
}
