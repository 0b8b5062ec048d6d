// SPDX-License-Identifier: GPL-2.0

//! Host tests of the image `scripts/td_image.py` makes for the test
//! modules, read from the very header it generates: the program runs to its
//! end against a KVM-like host, and `Mrtd` gives the MRTD the python tool
//! computed with python's hashlib. Needs python3 (bootstrap installs it).

use super::super::measure::{Mrtd, CHUNK};
use super::tests::{run, TdMem};
use super::*;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What `td_image.h` says (also read by `td/guest_tests.rs`).
pub(crate) struct Header {
    defines: Vec<(String, String)>,
    arrays: Vec<(String, Vec<u8>)>,
}

impl Header {
    pub(crate) fn generate(extra_args: &[&str]) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../scripts/td_image.py");
        // Tests run in parallel threads of one process: one file each.
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("td_image_{}_{n}.h", std::process::id());
        let out = std::env::temp_dir().join(name);
        let status = Command::new("python3")
            .arg(script)
            .arg("header")
            .arg(&out)
            .args(extra_args)
            .status()
            .expect("python3 runs");
        assert!(status.success());
        let text = std::fs::read_to_string(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        Self::parse(&text)
    }

    fn parse(text: &str) -> Self {
        let mut h = Header {
            defines: Vec::new(),
            arrays: Vec::new(),
        };
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("#define ") {
                if let Some((k, v)) = rest.split_once('\t') {
                    h.defines.push((k.into(), v.into()));
                }
            } else if let Some(rest) = line.strip_prefix("static const u8 ") {
                let name = rest.split('[').next().unwrap();
                h.arrays.push((name.into(), Vec::new()));
            } else if let Some(hexes) = line.strip_prefix('\t') {
                let bytes = &mut h.arrays.last_mut().unwrap().1;
                for b in hexes.split(',').map(str::trim).filter(|b| !b.is_empty()) {
                    bytes.push(u8::from_str_radix(b.trim_start_matches("0x"), 16).unwrap());
                }
            }
        }
        h
    }

    pub(crate) fn num(&self, name: &str) -> u64 {
        let v = &self.defines.iter().find(|d| d.0 == name).unwrap().1;
        if let Some(bit) = v.strip_prefix("(1ULL << ") {
            return 1 << bit.trim_end_matches(')').parse::<u32>().unwrap();
        }
        let v = v.trim_end_matches("ULL");
        match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
            None => v.parse().unwrap(),
        }
    }

    pub(crate) fn bytes(&self, name: &str) -> &[u8] {
        &self.arrays.iter().find(|a| a.0 == name).unwrap().1
    }
}

/// KVM's order: per page, TDH.MEM.PAGE.ADD then TDH.MR.EXTEND of its
/// chunks.
fn measure(image: &[u8], base: u64) -> [u8; 48] {
    let mut m = Mrtd::new();
    for (p, page) in image.chunks(PAGE as usize).enumerate() {
        let gpa = base + p as u64 * PAGE;
        m.page_add(gpa);
        for (c, chunk) in page.chunks(CHUNK).enumerate() {
            m.extend(gpa + (c * CHUNK) as u64, chunk.try_into().unwrap());
        }
    }
    m.finalize()
}

fn check(h: &Header) {
    let (base, entry, extra) = (
        h.num("TDX_TD_IMAGE_GPA"),
        h.num("TDX_TD_ENTRY_GPA"),
        h.num("TDX_TD_EXTRA_GPA"),
    );
    let image = h.bytes("tdx_td_image");
    assert_eq!(image.len() as u64, h.num("TDX_TD_IMAGE_PAGES") * PAGE);
    assert!(
        extra >= base + image.len() as u64,
        "the extra page is outside"
    );
    assert_eq!(measure(image, base), h.bytes("tdx_td_image_mrtd"));

    let mut mem = TdMem::default();
    mem.add(base, image);
    let mut p = Program::new(entry);
    let actions = run(&mut p, &mut mem);
    assert_eq!(actions.last(), Some(&Action::Done), "{:?}", p.mismatch);
    assert_eq!(u64::from(p.steps_done), h.num("TDX_TD_IMAGE_STEPS"));
    let accepts = actions
        .iter()
        .filter(|&&a| a == Action::Accept { gpa: extra });
    assert_eq!(accepts.count(), 2, "an EPT violation, then the retry");
    let size = PAGE;
    assert!(actions.contains(&Action::MapGpaShared { gpa: extra, size }));
    assert_eq!(p.regs[14], 0xf4, "the done port write came last");
    assert_eq!(mem.pages.len() as u64, h.num("TDX_TD_IMAGE_PAGES") + 1);
}

#[test]
fn the_python_image_runs_and_measures_alike() {
    check(&Header::generate(&[]));
}

#[test]
fn another_base_moves_every_gpa() {
    let h = Header::generate(&["--gpa-base", "0x40000000"]);
    assert_eq!(h.num("TDX_TD_IMAGE_GPA"), 0x4000_0000);
    check(&h);
    let moved = measure(h.bytes("tdx_td_image"), 0x4000_1000);
    assert_ne!(moved, h.bytes("tdx_td_image_mrtd"), "the GPAs are measured");
}
