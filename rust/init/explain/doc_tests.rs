// SPDX-License-Identifier: GPL-2.0

//! `Documentation/admin-guide.rst`'s "Troubleshooting by status code"
//! tables, generated from the explanations: the test fails when they
//! differ (a row missing, added or changed on either side), and rewrites
//! them when `TDX_RS_BLESS` is set. They are the documentation's one copy:
//! no other page carries them.

use super::host::{PLAN, PLATFORM};
use super::table::{ALL, ROWS};
use super::Detail;

/// `text` as lines of at most 79 columns, the first after `first`, the
/// others after `indent` spaces.
fn wrap(out: &mut String, first: &str, indent: usize, text: &str) {
    let mut col = first.len();
    out.push_str(first);
    let mut start = true;
    for word in text.split(' ') {
        if !start && col + 1 + word.len() > 79 {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
            start = true;
        }
        if !start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
        start = false;
    }
    out.push('\n');
}

fn detail_doc(d: Detail) -> &'static str {
    match d {
        Detail::None => "",
        Detail::Operand => "bits 31:0 an operand id",
        Detail::Msr => "bits 31:0 an MSR",
        Detail::CpuidLeaf => "bits 31:0 a CPUID leaf",
        Detail::Tdmr => "bits 7:0 a TDMR",
        Detail::TdmrPamt => "bits 7:0 a TDMR, 15:8 a PAMT level",
        Detail::TdmrPamtTdmr => "bits 7:0 a TDMR, 15:8 a PAMT level, 23:16 a TDMR",
        Detail::TdmrArea => "bits 7:0 a TDMR, 15:8 a reserved area",
        Detail::Smrr => "bits 31:0 an SMRR",
        Detail::SmrrCmr => "bits 7:0 an SMRR, 15:8 a CMR",
        Detail::Package => "bits 31:0 a package",
        Detail::MaxKeyIds => "bits 31:0 the KeyIDs supported",
    }
}

/// The generated part of the "Troubleshooting by status code" section.
fn rst() -> String {
    let mut out = String::new();
    out.push_str(
        ".. list-table:: Statuses of the initialization leaves\n   :header-rows: 1\n   \
         :widths: 24 14 31 31\n\n   * - status\n     - leaf\n     - cause\n     - fix\n",
    );
    for row in ROWS {
        let status = match row.low {
            Some(low) => format!("``{:#018X}``", row.code | u64::from(low)),
            None => format!("``{:#018X}``", row.code),
        }
        .replace("0X", "0x");
        let mut first = format!("{status} ``{}``", row.name);
        if row.low.is_none() && row.detail != Detail::None {
            first = format!("{first} ({})", detail_doc(row.detail));
        }
        wrap(&mut out, "   * - ", 7, &first);
        let leaves = if row.leaves == ALL {
            String::from("any of the seven")
        } else {
            row.leaves
                .iter()
                .map(|l| l.abi_name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        wrap(&mut out, "     - ", 7, &leaves);
        wrap(&mut out, "     - ", 7, row.text.cause);
        wrap(&mut out, "     - ", 7, row.text.fix);
    }
    out.push_str(
        "\n.. list-table:: The host's own errors\n   :header-rows: 1\n   \
         :widths: 24 38 38\n\n   * - log line\n     - cause\n     - fix\n",
    );
    let host = PLAN.iter().map(|(l, t)| (*l, *t));
    for (what, text) in host.chain(PLATFORM.iter().map(|(_, l, t)| (*l, *t))) {
        wrap(&mut out, "   * - ", 7, what);
        wrap(&mut out, "     - ", 7, text.cause);
        wrap(&mut out, "     - ", 7, text.fix);
    }
    out
}

const BEGIN: &str = ".. Generated from rust/init/explain/ by its host test; \
    TDX_RS_BLESS=1 cargo test rewrites it.\n\n";
const END: &str = "\n.. End of the generated tables.\n";

/// The administrator's guide, which carries the tables.
const GUIDE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../Documentation/admin-guide.rst"
);

#[test]
fn the_documentation_table_is_the_table() {
    let path = GUIDE;
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc
        .find(BEGIN)
        .expect("no generated tables in the documentation")
        + BEGIN.len();
    let end = start
        + doc[start..]
            .find(END)
            .expect("the generated tables do not end");
    let want = rst();
    if std::env::var_os("TDX_RS_BLESS").is_some() {
        std::fs::write(path, format!("{}{want}{}", &doc[..start], &doc[end..])).unwrap();
        return;
    }
    assert!(
        doc[start..end] == want,
        "Documentation/admin-guide.rst differs from the explanations: run \
         TDX_RS_BLESS=1 cargo test --offline the_documentation_table and review the diff"
    );
}

/// One copy of the tables: every other page of `Documentation/` refers to
/// the guide's instead of carrying its own.
#[test]
fn only_the_guide_carries_the_tables() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../Documentation");
    let mut pages = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension() != Some(std::ffi::OsStr::new("rst")) {
            continue;
        }
        pages += 1;
        let doc = std::fs::read_to_string(&path).unwrap();
        let copies = doc.matches(BEGIN).count();
        let want = usize::from(path.file_name().unwrap() == "admin-guide.rst");
        assert_eq!(
            copies,
            want,
            "{}: {copies} copies of the tables",
            path.display()
        );
    }
    assert!(pages >= 2, "{dir}: only {pages} pages");
}
