// SPDX-License-Identifier: GPL-2.0

//! The scaling table as an SVG plot (test only, `std`, no dependency):
//! cost against memory size, ours and upstream's, on log-log axes. Two
//! panels: the TDH.SYS.TDMR.INIT critical path (calls on the busiest CPU)
//! and the planner's own time. One line per planner and node count, on the
//! maps with 8 firmware holes and aligned nodes (upstream plans those).

use super::scale::{Figures, Row, WORKERS};
use std::fmt::Write as _;

const W: f64 = 460.0;
const H: f64 = 300.0;
const PAD: f64 = 60.0;

/// One line: its label, colour, dash and points `(memory bytes, value)`.
struct Series {
    label: String,
    colour: &'static str,
    dashed: bool,
    points: Vec<(f64, f64)>,
}

/// The lines of one panel: `value` picks the figure (ours, upstream).
fn series(rows: &[Row], value: fn(&Figures, bool) -> f64) -> Vec<Series> {
    let mut out = Vec::new();
    for (nodes, up_colour, our_colour) in [(1, "#d62728", "#1f77b4"), (8, "#ff7f0e", "#2ca02c")] {
        let pick = |ours: bool| -> Vec<(f64, f64)> {
            rows.iter()
                .filter(|r| r.spec.nodes == nodes && r.spec.holes == 8 && r.spec.skew == 0)
                .filter_map(|r| {
                    let f = if ours { &r.ours } else { &r.upstream };
                    f.as_ref()
                        .ok()
                        .map(|f| (r.spec.total as f64, value(f, ours)))
                })
                .collect()
        };
        out.push(Series {
            label: format!("upstream, {nodes} node(s)"),
            colour: up_colour,
            dashed: true,
            points: pick(false),
        });
        out.push(Series {
            label: format!("ours, {nodes} node(s)"),
            colour: our_colour,
            dashed: false,
            points: pick(true),
        });
    }
    out
}

/// log10 bounds of the values, widened to whole decades.
fn decades(all: &[Series], f: impl Fn(&(f64, f64)) -> f64) -> (f64, f64) {
    let vals = all.iter().flat_map(|s| s.points.iter().map(&f));
    let (lo, hi) = vals
        .filter(|v| *v > 0.0)
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.log10().floor(), hi.log10().ceil());
    (lo, if hi > lo { hi } else { lo + 1.0 })
}

/// Draws one panel at `(x0, y0)`.
fn panel(svg: &mut String, x0: f64, y0: f64, title: &str, unit: &str, all: &[Series]) {
    let (xl, xh) = decades(all, |p| p.0);
    let (yl, yh) = decades(all, |p| p.1);
    let (pw, ph) = (W - PAD - 20.0, H - PAD - 40.0);
    let px = |v: f64| x0 + PAD + (v.log10() - xl) / (xh - xl) * pw;
    let py = |v: f64| y0 + 30.0 + ph - (v.max(1e-9).log10() - yl) / (yh - yl) * ph;
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle">{title}</text>"#,
        x0 + W / 2.0,
        y0 + 18.0
    );
    let _ = writeln!(
        svg,
        r#"<rect x="{:.1}" y="{:.1}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="black"/>"#,
        x0 + PAD,
        y0 + 30.0
    );
    // Decade ticks on both axes.
    let mut d = yl;
    while d <= yh {
        let y = py(10f64.powf(d));
        let _ = writeln!(
            svg,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">1e{d}</text>"##,
            x0 + PAD,
            x0 + PAD + pw,
            x0 + PAD - 4.0,
            y + 3.0
        );
        d += 1.0;
    }
    for gib in [2.0f64, 16.0, 256.0, 1024.0, 8192.0] {
        let x = px(gib * (1u64 << 30) as f64);
        if x < x0 + PAD - 0.5 || x > x0 + PAD + pw + 0.5 {
            continue;
        }
        let label = if gib >= 1024.0 {
            format!("{}T", gib / 1024.0)
        } else {
            format!("{gib}G")
        };
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{label}</text>"#,
            y0 + 30.0 + ph + 14.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">memory; y: {unit}</text>"#,
        x0 + PAD + pw / 2.0,
        y0 + 30.0 + ph + 30.0
    );
    for (i, s) in all.iter().enumerate() {
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let dash = if s.dashed {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
            pts.join(" "),
            s.colour
        );
        let ly = y0 + 40.0 + 13.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{ly:.1}" font-size="10" fill="{}">{}</text>"#,
            x0 + PAD + 6.0,
            s.colour,
            s.label
        );
    }
}

/// The SVG document.
pub(crate) fn plot(rows: &[Row]) -> String {
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{H}" font-family="sans-serif">"#,
        2.0 * W
    );
    svg.push('\n');
    let crit = |f: &Figures, ours: bool| f.critical[usize::from(ours)] as f64;
    let title = format!(
        "TDMR.INIT critical path (ours at {} CPUs, upstream serial)",
        WORKERS[1]
    );
    panel(&mut svg, 0.0, 0.0, &title, "calls", &series(rows, crit));
    let time = |f: &Figures, _: bool| f.plan_ns as f64 / 1000.0;
    panel(
        &mut svg,
        W,
        0.0,
        "Planner time per plan",
        "microseconds",
        &series(rows, time),
    );
    svg.push_str("</svg>\n");
    svg
}

/// A series from 100 to 10^6 spans the panel's decades exactly: 100 on
/// the bottom edge (y 230), 10^6 on the top (y 30), and 10^4 half way.
#[test]
fn values_map_to_decades() {
    let s = [Series {
        label: "x".into(),
        colour: "black",
        dashed: false,
        points: vec![(1e9, 100.0), (1e10, 1e4), (1e11, 1e6)],
    }];
    let mut svg = String::new();
    panel(&mut svg, 0.0, 0.0, "t", "u", &s);
    let line = svg.lines().find(|l| l.starts_with("<polyline")).unwrap();
    assert!(
        line.contains(&format!(
            "{:.1},230.0 {:.1},130.0 {:.1},30.0",
            PAD,
            PAD + 190.0,
            W - 20.0
        )),
        "{line}"
    );
}
