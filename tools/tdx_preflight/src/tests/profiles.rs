// SPDX-License-Identifier: GPL-2.0

//! The emulator's platforms: a good host generated, at test time, from each
//! profile in tools/testing/tdx_emu/platforms/ (its CPU, KeyID split and
//! TDX module version) comes out all ok, but for the CPU of QEMU's own
//! machines, which are not TDX hosts; the same host with no TDX KeyIDs
//! comes out MISSING.

use super::host::{good, Fake};
use crate::checks::{run, Verdict};
use std::fs;
use std::path::PathBuf;

/// What a profile says of the CPU, KeyIDs and module.
#[derive(Clone)]
struct Profile {
    name: String,
    cpu: String,
    mktme: u32,
    tdx: u32,
    module: String,
}

/// The value words of a profile's `key` line, comment cut.
fn line<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let l = l.split('#').next()?;
        let rest = l.strip_prefix(key)?;
        rest.starts_with(char::is_whitespace).then(|| rest.trim())
    })
}

fn profiles() -> Vec<Profile> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testing/tdx_emu/platforms");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).expect("the emulator's platforms") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("profile") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let name = line(&text, "name").expect("name").to_string();
        let mut keyids = line(&text, "keyids").expect("keyids").split_whitespace();
        out.push(Profile {
            cpu: line(&text, "cpu").expect("cpu").to_string(),
            mktme: keyids.next().unwrap().parse().unwrap(),
            tdx: keyids.next().unwrap().parse().unwrap(),
            module: line(&text, "module").expect("module").to_string(),
            name,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The host a profile describes.
fn host(p: &Profile) -> Fake {
    // QEMU's TCG "max" CPU reports AMD's vendor string (the profiles say so).
    let vendor = if p.cpu.contains("AMD vendor") {
        "AuthenticAMD"
    } else {
        "GenuineIntel"
    };
    good(vendor, &p.cpu, p.mktme, p.tdx, &p.module)
}

/// The names of the checks that are not ok.
fn not_ok(f: &Fake) -> Vec<(&'static str, &'static str)> {
    run(&f.inputs())
        .into_iter()
        .filter(|o| !matches!(o.verdict, Verdict::Ok(_)))
        .map(|o| (o.verdict.word(), o.name))
        .collect()
}

#[test]
fn every_profile_is_a_good_host() {
    let profiles = profiles();
    // All nine profiles of the emulator, QEMU's three among them.
    assert!(profiles.len() >= 9, "{} profiles", profiles.len());
    let mut qemu = 0;
    for p in &profiles {
        let expected: Vec<(&str, &str)> = if p.cpu.starts_with("QEMU") {
            qemu += 1;
            vec![("MISSING", "cpu")]
        } else {
            vec![]
        };
        assert_eq!(not_ok(&host(p)), expected, "{}", p.name);
    }
    assert_eq!(qemu, 3);
}

#[test]
fn every_profile_without_tdx_keyids_is_missing_them() {
    for p in profiles() {
        for tdx in [0, 1] {
            let findings = not_ok(&host(&Profile { tdx, ..p.clone() }));
            assert!(
                findings.contains(&("MISSING", "keyid-split")),
                "{} with {tdx} TDX KeyIDs: {findings:?}",
                p.name
            );
        }
    }
}
