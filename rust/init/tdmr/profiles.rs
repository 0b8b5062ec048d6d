// SPDX-License-Identifier: GPL-2.0

//! Platform profiles for the host tests: the parser of
//! `tools/testing/tdx_emu/platforms/NAME.profile` (the format is described
//! in that directory's profiles; one keyword per line, `#` comments,
//! decimal or 0x-hex numbers, `[start, end)` ranges) and the loader of every
//! profile there. Test only: it uses `std`.

use super::{MemBlock, Range};
use std::path::{Path, PathBuf};

/// One platform, as its profile describes it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Profile {
    /// `name`: the file name without `.profile`.
    pub(crate) name: String,
    /// `source` lines: where the facts come from.
    pub(crate) sources: Vec<String>,
    /// `cpu`.
    pub(crate) cpu: String,
    /// `packages`: sockets.
    pub(crate) packages: u32,
    /// `lps`: BIOS-enabled logical processors.
    pub(crate) lps: u32,
    /// `keyids MKTME TDX`.
    pub(crate) keyids: (u32, u32),
    /// `module MAJOR.MINOR.UPDATE`.
    pub(crate) module: (u32, u32, u32),
    /// `cmr START END`, ascending, as `Range`s.
    pub(crate) cmrs: Vec<Range>,
    /// `ram START END NODE`, ascending: System RAM with its node.
    pub(crate) ram: Vec<MemBlock>,
    /// `node NODE START END`: node spans (a node may have several).
    pub(crate) nodes: Vec<(i32, u64, u64)>,
    /// `qemu START END`: the window QEMU boots reproduce, if any.
    pub(crate) qemu: Option<(u64, u64)>,
    /// `hotplug START END NODE SLOTS`: a region DIMMs may be added to later
    /// (not System RAM at boot, so the plans here leave it out).
    pub(crate) hotplug: Option<(u64, u64)>,
}

/// Where the profiles live: `tools/testing/tdx_emu/platforms/`.
pub(crate) fn platform_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/testing/tdx_emu/platforms")
}

/// This directory's test fixtures (`rust/init/tdmr/testdata/`).
pub(crate) fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("init/tdmr/testdata")
}

/// Every `*.profile` in `dir`, sorted by file name. A missing directory is
/// no profile; a profile that does not parse is an error naming the file.
pub(crate) fn load_dir(dir: &Path) -> Result<Vec<Profile>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "profile"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// Parses the profile at `path`; its name must be the file's stem.
pub(crate) fn load(path: &Path) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let p = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if p.name != stem {
        return Err(format!(
            "{}: name {} is not the file's",
            path.display(),
            p.name
        ));
    }
    Ok(p)
}

/// A number: decimal or `0x` hex.
fn number(word: &str) -> Result<u64, String> {
    let parsed = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => word.parse(),
    };
    parsed.map_err(|_| format!("not a number: {word}"))
}

/// `n` numbers from `words`, exactly.
fn numbers<const N: usize>(words: &[&str]) -> Result<[u64; N], String> {
    if words.len() != N {
        return Err(format!("{} numbers expected, {} given", N, words.len()));
    }
    let mut out = [0; N];
    for (o, w) in out.iter_mut().zip(words) {
        *o = number(w)?;
    }
    Ok(out)
}

fn small<T: TryFrom<u64>>(x: u64) -> Result<T, String> {
    T::try_from(x).map_err(|_| format!("out of range: {x}"))
}

/// `[start, end)` must be non-empty and above the previous range's end.
fn check_range(start: u64, end: u64, prev_end: Option<u64>) -> Result<(), String> {
    if start >= end {
        return Err(format!("empty range [{start:#x}, {end:#x})"));
    }
    if prev_end.is_some_and(|p| start < p) {
        return Err(format!("[{start:#x}, {end:#x}) not ascending or overlaps"));
    }
    Ok(())
}

/// Parses a profile's text. Errors name the line.
pub(crate) fn parse(text: &str) -> Result<Profile, String> {
    let mut p = Profile::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let (key, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        if key.is_empty() {
            continue;
        }
        let rest = rest.trim();
        let words: Vec<&str> = rest.split_whitespace().collect();
        let fail = |e: String| format!("line {}: {key}: {e}", i + 1);
        match key {
            "name" if !rest.is_empty() => p.name = rest.to_string(),
            "source" if !rest.is_empty() => p.sources.push(rest.to_string()),
            "cpu" if !rest.is_empty() => p.cpu = rest.to_string(),
            "packages" => {
                p.packages = small(numbers::<1>(&words).map_err(fail)?[0]).map_err(fail)?
            }
            "lps" => p.lps = small(numbers::<1>(&words).map_err(fail)?[0]).map_err(fail)?,
            "keyids" => {
                let [mktme, tdx] = numbers::<2>(&words).map_err(fail)?;
                p.keyids = (small(mktme).map_err(fail)?, small(tdx).map_err(fail)?);
            }
            "module" => {
                let parts: Vec<&str> = rest.split('.').collect();
                let [a, b, c] = numbers::<3>(&parts).map_err(fail)?;
                p.module = (
                    small(a).map_err(fail)?,
                    small(b).map_err(fail)?,
                    small(c).map_err(fail)?,
                );
            }
            // The CPU and the SEAM loader's hand-over, for the emulator
            // only: checked for their shape, not kept.
            "fms" => {
                numbers::<3>(&words).map_err(fail)?;
            }
            "handoff" => {
                numbers::<4>(&words).map_err(fail)?;
            }
            "cmr" => {
                let [start, end] = numbers::<2>(&words).map_err(fail)?;
                check_range(start, end, p.cmrs.last().map(Range::end)).map_err(fail)?;
                p.cmrs.push(Range {
                    base: start,
                    size: end - start,
                });
            }
            "ram" => {
                let [start, end, nid] = numbers::<3>(&words).map_err(fail)?;
                check_range(start, end, p.ram.last().map(|b| b.end)).map_err(fail)?;
                let nid = small(nid).map_err(fail)?;
                p.ram.push(MemBlock { start, end, nid });
            }
            "node" => {
                let [nid, start, end] = numbers::<3>(&words).map_err(fail)?;
                check_range(start, end, None).map_err(fail)?;
                p.nodes.push((small(nid).map_err(fail)?, start, end));
            }
            "qemu" => {
                let [start, end] = numbers::<2>(&words).map_err(fail)?;
                check_range(start, end, None).map_err(fail)?;
                p.qemu = Some((start, end));
            }
            "hotplug" => {
                let [start, end, nid, slots] = numbers::<4>(&words).map_err(fail)?;
                check_range(start, end, None).map_err(fail)?;
                let _: i32 = small(nid).map_err(fail)?;
                if slots == 0 {
                    return Err(fail("no DIMM slots".into()));
                }
                p.hotplug = Some((start, end));
            }
            _ => return Err(fail("unknown keyword or missing value".into())),
        }
    }
    check_profile(&p)?;
    Ok(p)
}

/// What every profile must have: a name and a source; each RAM range inside
/// a span of its node when the profile gives node spans. A profile may have
/// no CMR or RAM lines (a machine whose log has none: it is recorded, not
/// planned for).
fn check_profile(p: &Profile) -> Result<(), String> {
    if p.name.is_empty() || p.sources.is_empty() {
        return Err("name and source are required".into());
    }
    if !p.nodes.is_empty() {
        for b in &p.ram {
            let inside = p
                .nodes
                .iter()
                .any(|&(nid, s, e)| nid == b.nid && s <= b.start && b.end <= e);
            if !inside {
                return Err(format!(
                    "ram [{:#x}, {:#x}) is not inside a span of node {}",
                    b.start, b.end, b.nid
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn parses_the_fixture() {
    let p = load(&testdata_dir().join("synthetic-2s.profile")).unwrap();
    assert_eq!(p.name, "synthetic-2s");
    assert_eq!(
        (p.packages, p.lps, p.keyids, p.module),
        (2, 8, (31, 32), (1, 5, 6))
    );
    assert_eq!(p.cmrs.len(), 3);
    assert_eq!(
        p.cmrs[1],
        Range {
            base: 1 << 32,
            size: 0x103c000000 - (1 << 32)
        }
    );
    assert_eq!(p.ram.len(), 6);
    assert_eq!(
        p.ram[2],
        MemBlock {
            start: 0x5a20_0000,
            end: 0x6c00_0000,
            nid: 0
        }
    );
    assert_eq!(p.ram[5].nid, 1);
    assert_eq!(
        p.nodes,
        [(0, 0, 0x1040000000), (1, 0x1040000000, 0x2040000000)]
    );
    assert_eq!(p.qemu, None);
}

#[test]
fn rejects_bad_profiles() {
    let good = "name x\nsource s\ncmr 0x100000 0x200000\nram 0x100000 0x200000 0\n";
    assert!(parse(good).is_ok());
    // A machine known only by its log lines, no memory map.
    assert!(parse("name x\nsource s\nmodule 2.0.08\n").is_ok());
    let bad = [
        // No source.
        "name x\ncmr 0 0x1000\nram 0 0x1000 0\n",
        // No name.
        "source s\ncmr 0 0x1000\nram 0 0x1000 0\n",
        // CMRs not ascending.
        "name x\nsource s\ncmr 0x2000 0x3000\ncmr 0x1000 0x2000\nram 0 0x1000 0\n",
        // Empty range.
        "name x\nsource s\ncmr 0x1000 0x1000\nram 0 0x1000 0\n",
        // Not a number.
        "name x\nsource s\ncmr 0x1000 0x2g00\nram 0 0x1000 0\n",
        // Unknown keyword.
        "name x\nsource s\ncmr 0 0x1000\nram 0 0x1000 0\nsockets 2\n",
        // RAM outside its node's span.
        "name x\nsource s\ncmr 0 0x3000\nram 0 0x2000 1\nnode 1 0x1000 0x3000\n",
        // A missing number.
        "name x\nsource s\ncmr 0 0x1000\nram 0 0x1000\n",
    ];
    for text in bad {
        assert!(parse(text).is_err(), "accepted: {text:?}");
    }
    let err = parse("name x\nsource s\n\ncmr 0x1000 zz\n").unwrap_err();
    assert!(err.starts_with("line 4: cmr:"), "{err}");
}

/// Every profile in the tree parses and is named after its file.
#[test]
fn every_platform_profile_parses() {
    load_dir(&platform_dir()).unwrap();
    assert!(!load_dir(&testdata_dir()).unwrap().is_empty());
}
