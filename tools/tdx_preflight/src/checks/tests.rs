// SPDX-License-Identifier: GPL-2.0

//! Each check's logic on a good host broken one way at a time.

use super::{run, Outcome, Verdict, CHECKS};
use crate::input::{msr, Msr, Why};
use crate::tests::host::{spr, Fake};

/// The verdict of check `name` on `f`.
fn check(f: &Fake, name: &str) -> Verdict {
    let (_, c) = CHECKS.iter().find(|(n, _)| *n == name).unwrap();
    c(&f.inputs())
}

/// The finding and fix of a missing verdict, or a panic.
pub(super) fn missing(v: Verdict) -> (String, String) {
    match v {
        Verdict::Missing { finding, fix } => (finding, fix),
        v => panic!("not missing: {v:?}"),
    }
}

/// The why and fix of an unknown verdict, or a panic.
pub(super) fn unknown(v: Verdict) -> (String, String) {
    match v {
        Verdict::Unknown { why, fix } => (why, fix),
        v => panic!("not unknown: {v:?}"),
    }
}

fn is_ok(v: &Verdict) -> bool {
    matches!(v, Verdict::Ok(_))
}

#[test]
fn the_good_host_is_ok_everywhere() {
    for o in run(&spr().inputs()) {
        assert!(is_ok(&o.verdict), "{o}");
    }
}

#[test]
fn cpu_needs_intel_vmx_and_the_bare_machine() {
    let with = |info: &str| {
        let mut f = spr();
        f.cpuinfo = Some(info.into());
        check(&f, "cpu")
    };
    let intel = "vendor_id\t: GenuineIntel\nmodel name\t: X\nflags\t\t: fpu vmx tme\n";
    assert!(is_ok(&with(intel)));
    let (_, fix) = missing(with(&intel.replace("GenuineIntel", "AuthenticAMD")));
    assert!(fix.contains("Intel Xeon with TDX"));
    let (_, fix) = missing(with(&intel.replace(" vmx", "")));
    assert!(fix.contains("VT-x"));
    let (f, _) = missing(with(&intel.replace("tme", "tme hypervisor")));
    assert!(f.contains("hypervisor"));
    // Only the first processor's block counts.
    assert!(!is_ok(&with(&format!(
        "vendor_id\t: GenuineIntel\n\n{intel}"
    ))));
    let mut f = spr();
    f.cpuinfo = None;
    unknown(check(&f, "cpu"));
}

#[test]
fn tme_must_be_enabled_locked_and_with_an_algorithm() {
    let act = 0x1_0017_0000_0003u64;
    let with = |act: Msr| {
        let mut f = spr();
        f.set_msr(msr::TME_ACTIVATE, act);
        check(&f, "tme")
    };
    assert!(is_ok(&with(Msr::Value(act))));
    for broken in [act & !1, act & !2, act & !(0xf << 48)] {
        let (_, fix) = missing(with(Msr::Value(broken)));
        assert!(fix.contains("Memory Encryption (TME)"), "{broken:#x}");
    }
    missing(with(Msr::Faults));
    // Integrity algorithms count when the CPU has them.
    let mut f = spr();
    f.set_msr(msr::TME_CAPABILITY, Msr::Value(0x2));
    f.set_msr(msr::TME_ACTIVATE, Msr::Value(act & !(0xf << 48) | 1 << 49));
    assert!(is_ok(&check(&f, "tme")));
    f.set_msr(msr::TME_CAPABILITY, Msr::Value(0x5));
    missing(check(&f, "tme"));
}

#[test]
fn an_unreadable_msr_is_unknown_with_its_fix_never_ok() {
    for (why, fix) in [
        (Why::NoDriver, "modprobe msr"),
        (Why::NotRoot, "run as root"),
        (Why::NotRecorded, "DIR/msr"),
    ] {
        for (index, name) in [
            (msr::TME_ACTIVATE, "tme"),
            (msr::TME_CAPABILITY, "tme"),
            (msr::KEYID_PARTITIONING, "keyid-split"),
            (msr::MTRRCAP, "seamrr"),
            (msr::SEAMRR_MASK, "seamrr"),
            (msr::SEAMRR_BASE, "seamrr"),
        ] {
            let mut f = spr();
            f.set_msr(index, Msr::Unreadable(why.clone()));
            let (w, x) = unknown(check(&f, name));
            assert!(w.contains(&format!("{index:#x}")), "{w}");
            assert!(x.contains(fix), "{name} {why:?}: {x}");
        }
    }
}

#[test]
fn keyid_split_needs_tme_mt_and_two_tdx_keyids() {
    let ok = check(&spr(), "keyid-split");
    assert_eq!(
        ok,
        Verdict::Ok("63 MKTME and 64 TDX KeyIDs: private KeyID range [64, 128), 63 for TDs".into())
    );
    for tdx in [0u64, 1] {
        let mut f = spr();
        f.set_msr(msr::KEYID_PARTITIONING, Msr::Value(tdx << 32 | 63));
        let (finding, fix) = missing(check(&f, "keyid-split"));
        assert!(finding.starts_with(&format!("{tdx} TDX KeyIDs")));
        assert_eq!(
            fix,
            "raise the TDX KeyID split (TME-MT key split) in the BIOS"
        );
    }
    let mut f = spr();
    f.set_msr(msr::KEYID_PARTITIONING, Msr::Value(2 << 32));
    assert!(is_ok(&check(&f, "keyid-split")));
    f.set_msr(msr::KEYID_PARTITIONING, Msr::Faults);
    let (finding, _) = missing(check(&f, "keyid-split"));
    assert!(finding.contains("MSR 0x87"));
    let mut f = spr();
    f.set_msr(msr::TME_ACTIVATE, Msr::Value(0x1_0000_0000_0003));
    let (_, fix) = missing(check(&f, "keyid-split"));
    assert!(fix.contains("TME-MT"));
}

#[test]
fn seamrr_must_be_supported_configured_enabled_and_locked() {
    let with = |index, v| {
        let mut f = spr();
        f.set_msr(index, Msr::Value(v));
        check(&f, "seamrr")
    };
    let mask = 0x3f_fe00_0c00u64;
    assert!(is_ok(&with(msr::SEAMRR_MASK, mask)));
    let (f, _) = missing(with(msr::MTRRCAP, 0xfd0a & !(1 << 15)));
    assert!(f.contains("bit 15"));
    let (f, fix) = missing(with(msr::SEAMRR_MASK, mask & !(1 << 11)));
    assert!(f.contains("not enabled") && fix.contains("enable TME, TME-MT"));
    let (f, fix) = missing(with(msr::SEAMRR_MASK, mask & !(1 << 10)));
    assert!(f.contains("not locked") && fix.contains("enable the TDX SEAM loader"));
    let (f, _) = missing(with(msr::SEAMRR_BASE, 0x7e00_0000));
    assert!(f.contains("not configured"));
}

#[test]
fn the_kernel_config_needs_every_symbol_of_the_table() {
    assert!(is_ok(&check(&spr(), "kernel-config")));
    let config = spr().config.unwrap();
    for s in &super::kernel::SYMBOLS {
        let mut f = spr();
        f.config = Some(
            config
                .lines()
                .filter(|l| !l.starts_with(&format!("{}=", s.name)))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let (finding, fix) = missing(check(&f, "kernel-config"));
        assert_eq!(finding, format!("{} is not set ({})", s.name, s.why));
        assert!(fix.contains("host.config"));
    }
    let mut f = spr();
    f.config = Some(config.replace("CONFIG_KVM_INTEL=m", "CONFIG_KVM_INTEL=y"));
    assert!(is_ok(&check(&f, "kernel-config")));
    f.config = Some(config.replace("6.12.118", "6.8.0"));
    let (finding, _) = missing(check(&f, "kernel-config"));
    assert!(finding.starts_with("Linux 6.8.0"));
    f.config = None;
    unknown(check(&f, "kernel-config"));
}

#[test]
fn kvm_must_keep_vmx_on_from_its_load() {
    const P: &str = "module/kvm/parameters/enable_virt_at_load";
    let with = |p: Option<&str>, intel: bool| {
        let mut f = spr();
        f.set_sys(P, p);
        if !intel {
            f.set_sys("module/kvm_intel/parameters/ept", None);
        }
        check(&f, "kvm-vmx")
    };
    assert!(is_ok(&with(Some("Y"), true)));
    let (finding, fix) = missing(with(Some("N"), true));
    assert!(finding.contains("=N") && fix.contains("kvm.enable_virt_at_load=1"));
    let (finding, fix) = missing(with(None, true));
    assert!(finding.contains("before 6.12") && fix.contains("Linux 6.12"));
    let (_, fix) = missing(with(Some("Y"), false));
    assert!(fix.starts_with("load kvm_intel first"));
    // Built in, its initialization failed: parameters but no /dev/kvm.
    let mut f = spr();
    f.set_sys("class/misc/kvm/dev", None);
    let (_, fix) = missing(check(&f, "kvm-vmx"));
    assert!(fix.contains("VT-x"));
    f.has_sys = false;
    unknown(check(&f, "kvm-vmx"));
}

#[test]
fn the_output_has_the_fixed_format() {
    let line = |verdict| Outcome { name: "x", verdict }.to_string();
    assert_eq!(line(Verdict::Ok("fine".into())), "ok      x: fine");
    assert_eq!(
        line(Verdict::missing("gone", "add it")),
        "MISSING x: gone\n        fix: add it"
    );
    assert_eq!(
        line(Verdict::unknown("cannot tell", "look")),
        "unknown x: cannot tell\n        fix: look"
    );
}
