// SPDX-License-Identifier: GPL-2.0

//! Upstream's planner (`upstream_model`) against ours on every platform
//! profile and every generated map (`gen::grid()`). Where upstream
//! succeeds, ours must too, with no more TDMRs, no more reserved areas in
//! its worst TDMR, no more PAMT memory, and no PAMT byte describing another
//! node's memory when no 1 GiB granule holds two nodes' memory. Where
//! upstream fails, the table records why. The table goes to
//! `build/plan-table.txt` ([`table_path`]) for `make check` to print.

use super::gen::{generate, grid};
use super::profiles::{load_dir, platform_dir, testdata_dir, Profile};
use super::upstream_model as up;
use super::{plan_for_test, Limits, MemBlock, PlanError, PlanSummary, Range, Tdmr, TDMR_ALIGN};
use std::fmt::Write as _;
use std::path::PathBuf;

/// TDX 1.5's metadata (the 2.0.08 module of gnr-hpe-dl380a does not log
/// its own).
const LIMITS: Limits = Limits {
    max_tdmrs: 64,
    max_reserved_per_tdmr: 16,
    pamt_entry_size: [16; 3],
};
const FOUR_GIB: u64 = 4 << 30;

/// Our planner on TDX memory `mem` and the module's CMRs, exactly as the
/// kernel path plans (`plan_for_test()`, summary.rs).
fn ours(
    mem: &[MemBlock],
    cmrs: &[Range],
    limits: &Limits,
) -> Result<(Vec<Tdmr>, PlanSummary), PlanError> {
    plan_for_test(mem, cmrs, limits)
}

/// Whether no 1 GiB granule holds memory of two nodes (then no TDMR needs
/// to describe two nodes' memory).
fn granules_single_node(mem: &[MemBlock]) -> bool {
    mem.windows(2)
        .all(|w| w[0].nid == w[1].nid || (w[0].end - 1) / TDMR_ALIGN != w[1].start / TDMR_ALIGN)
}

/// One line of the table: result, TDMRs, worst reserved, PAMT KiB, PAMT KiB
/// below 4 GiB, foreign PAMT KiB (rounded up).
fn cells(r: Option<(usize, usize, u64, u64, u64)>) -> String {
    match r {
        Some((t, w, kib, low, foreign)) => format!(
            "ok   {t:>5} {w:>5} {kib:>10} {:>8} {:>8}",
            low / 1024,
            foreign.div_ceil(1024)
        ),
        None => format!(
            "FAIL {:>5} {:>5} {:>10} {:>8} {:>8}",
            "-", "-", "-", "-", "-"
        ),
    }
}

/// Compares the planners on one machine (`ram` as e820 gives it, with
/// nodes); appends its row to `table`, its failures to `notes`, and what
/// breaks the rules to `violations`.
fn compare(name: &str, ram: &[MemBlock], cmrs: &[Range], out: &mut Report) {
    let memblock = up::memblock_from_ram(ram);
    let mem = up::tdx_memlist(&memblock);
    let upstream = up::plan(&memblock, &LIMITS)
        .map(|p| up::summarize(&p, &memblock, &LIMITS))
        .map_err(|e| e.to_string());
    let theirs = ours(&mem, cmrs, &LIMITS).map_err(|e| e.to_string());
    let row_up = upstream.as_ref().map(|s| {
        (
            s.tdmrs,
            s.worst_reserved,
            s.pamt_kib,
            s.pamt_below_4g,
            s.foreign_pamt_bytes,
        )
    });
    let row_ours = theirs.as_ref().map(|(tdmrs, s)| {
        let low = tdmrs.iter().map(|t| {
            let p = t.pamt_range();
            FOUR_GIB.min(p.end()).saturating_sub(p.base)
        });
        (
            s.tdmrs,
            s.worst_reserved,
            s.pamt_kib,
            low.sum(),
            s.foreign_pamt_bytes,
        )
    });
    let _ = writeln!(
        out.table,
        "{name:<24} | {} | {}",
        cells(row_up.ok()),
        cells(row_ours.ok())
    );
    if let Err(e) = &upstream {
        out.notes.push(format!("{name}: upstream: {e}"));
    }
    if let Err(e) = &theirs {
        out.notes.push(format!("{name}: ours: {e}"));
    }
    let mut bad = |what: &str| out.violations.push(format!("{name}: {what}"));
    // Ours must plan every map, above all those upstream fails on.
    let Ok(o) = row_ours else {
        bad(if row_up.is_ok() {
            "upstream succeeds, ours fails"
        } else {
            "both fail"
        });
        return;
    };
    let Ok(u) = row_up else { return };
    if o.0 > u.0 {
        bad("more TDMRs than upstream");
    }
    if o.1 > u.1 {
        bad("more reserved areas in the worst TDMR than upstream");
    }
    if o.2 > u.2 {
        bad("more PAMT memory than upstream");
    }
    if granules_single_node(&mem) && o.4 != 0 {
        bad("PAMT bytes for another node's memory, with 1 GiB-aligned nodes");
    }
}

/// What the comparison gathers.
#[derive(Default)]
struct Report {
    table: String,
    notes: Vec<String>,
    violations: Vec<String>,
}

/// Where the table goes: `$TDX_PLAN_TABLE`, else `plan-table.txt` next to
/// `$CARGO_TARGET_DIR` (`build/cargo` gives `build/plan-table.txt`), else in
/// `rust/build/`.
fn table_path() -> PathBuf {
    if let Some(p) = std::env::var_os("TDX_PLAN_TABLE") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    let dir = target
        .as_deref()
        .and_then(|t| t.parent())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("build"));
    dir.join("plan-table.txt")
}

/// Every profile with a memory map, the fixtures, and the generated grid.
#[test]
fn ours_against_upstream_everywhere() {
    let mut out = Report::default();
    let head = format!(
        "{:<4} {:>5} {:>5} {:>10} {:>8} {:>8}",
        "", "TDMRs", "worst", "PAMT KiB", "<4G KiB", "foreignK"
    );
    let w = head.len();
    let _ = writeln!(
        out.table,
        "{:<24} | {:<w$} | ours",
        "", "upstream 6.12 (model)"
    );
    let _ = writeln!(out.table, "{:<24} | {head} | {head}", "machine");
    let mut profiles: Vec<Profile> = load_dir(&platform_dir()).unwrap();
    profiles.extend(load_dir(&testdata_dir()).unwrap());
    for p in &profiles {
        if p.ram.is_empty() {
            out.notes.push(format!(
                "{}: no memory map in the profile, not compared",
                p.name
            ));
            continue;
        }
        compare(&p.name, &p.ram, &p.cmrs, &mut out);
    }
    let specs = grid();
    for spec in &specs {
        let map = generate(spec);
        compare(&spec.name(), &map.ram, &map.cmrs, &mut out);
    }
    let mut text = out.table;
    for n in &out.notes {
        let _ = writeln!(text, "note: {n}");
    }
    for v in &out.violations {
        let _ = writeln!(text, "VIOLATION: {v}");
    }
    let path = table_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, &text).unwrap();
    assert!(profiles.iter().any(|p| !p.ram.is_empty()));
    assert!(specs.len() >= 40);
    assert!(out.violations.is_empty(), "{text}");
}

/// canonical/tdx#135: on the Fox Creek Pass profile upstream fails exactly
/// as the thread reports.
#[test]
fn upstream_fails_as_canonical_tdx_135_reports() {
    let p = super::profiles::load(&platform_dir().join("emr-2s-fcp.profile")).unwrap();
    let memblock = up::memblock_from_ram(&p.ram);
    let err = up::plan(&memblock, &LIMITS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."
    );
}

#[test]
fn granules_of_two_nodes_are_seen() {
    let b = |s: u64, e: u64, nid: i32| MemBlock {
        start: s,
        end: e,
        nid,
    };
    const G: u64 = TDMR_ALIGN;
    assert!(granules_single_node(&[b(0, G, 0), b(G, 2 * G, 1)]));
    assert!(!granules_single_node(&[
        b(0, G + 4096, 0),
        b(G + 4096, 2 * G, 1)
    ]));
    assert!(!granules_single_node(&[
        b(0, G / 2, 0),
        b(G / 2 + 4096, G, 1)
    ]));
    assert!(granules_single_node(&[
        b(0, G / 2, 0),
        b(G / 2 + 4096, G, 0)
    ]));
}
