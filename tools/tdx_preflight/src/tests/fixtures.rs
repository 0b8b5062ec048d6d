// SPDX-License-Identifier: GPL-2.0

//! Each fixture under fixtures/ against its `expect` file: the checks that
//! are not ok, with their verdicts, and nothing else. scripts/check.sh's
//! "pre-flight on fixtures" stage makes the same comparison on the built
//! program's output.

use crate::checks::{run, Verdict};
use crate::input::{Inputs, Recorded};
use std::fs;
use std::path::PathBuf;

/// `MISSING NAME` and `unknown NAME` lines, sorted.
fn expected(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn every_fixture_gives_its_expected_verdicts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let root = entry.unwrap().path();
        if !root.is_dir() {
            continue;
        }
        let name = root.file_name().unwrap().to_string_lossy().to_string();
        let expect = fs::read_to_string(root.join("expect")).expect("an expect file");
        let readme = fs::read_to_string(root.join("README")).expect("a README");
        assert!(
            readme.starts_with("Source: "),
            "{name}: README names its source"
        );
        let mut got: Vec<String> = run(&Inputs::gather(&Recorded { root }))
            .into_iter()
            .filter(|o| !matches!(o.verdict, Verdict::Ok(_)))
            .map(|o| format!("{} {}", o.verdict.word(), o.name))
            .collect();
        got.sort();
        assert_eq!(got, expected(&expect), "{name}");
        seen += 1;
    }
    assert!(seen >= 8, "{seen} fixtures");
}

#[test]
fn the_good_fixture_is_all_ok_and_the_failing_ones_are_not() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let missing = |name: &str| {
        run(&Inputs::gather(&Recorded {
            root: dir.join(name),
        }))
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Missing { .. }))
        .count()
    };
    assert_eq!(missing("spr-2s-8480c"), 0);
    for name in [
        "tme-off",
        "seam-loader-missing",
        "reserved-areas-exhausted",
        "debian-6.12",
        "tdx-module-1.0",
        "tdx-keyids-0",
        "not-enabled-by-bios",
    ] {
        assert!(missing(name) > 0, "{name}");
    }
}
