// SPDX-License-Identifier: GPL-2.0

//! The kernel-log checks: each failure line, upstream's and this module's,
//! and what the explain table makes of it.

use super::tests::{missing, unknown};
use super::{Verdict, CHECKS};
use crate::tests::host::{spr, Fake};
use tdx_host_rs_core::preflight_api::{self as api, Plan, Software};

fn check(f: &Fake, name: &str) -> Verdict {
    let (_, c) = CHECKS.iter().find(|(n, _)| *n == name).unwrap();
    c(&f.inputs())
}

/// The good host, with this log and no tdx_host_rs sysfs.
fn with_log(log: &str) -> Fake {
    let mut f = spr();
    f.dmesg = Some(log.into());
    f.set_sys("kernel/tdx_host_rs/state", None);
    f.set_sys("kernel/tdx_host_rs/module_version", None);
    f
}

#[test]
fn no_tdx_module_is_missing_with_the_tables_text() {
    let t = api::software(Software::NoModule);
    for log in [
        "[    9.1] virt/tdx: module not loaded\n",
        "tdx_host_rs: TDH.SYS.INIT: no TDX module loaded\ntdx_host_rs: cause: TDX_RS_X: none; \
         fix: load one\n",
    ] {
        let (finding, fix) = missing(check(&with_log(log), "tdx-module"));
        assert!(fix == t.fix || fix == "load one", "{log}: {fix}");
        assert!(finding.contains("no TDX module") || finding.contains("none"));
    }
    let (finding, fix) = missing(check(
        &with_log("tdx: not enabled by BIOS.\n"),
        "tdx-module",
    ));
    assert!(
        finding.ends_with("the kernel found no SEAM range"),
        "{finding}"
    );
    assert_eq!(fix, api::software(Software::Gp).fix);
    let log = "tdx_host_rs: TDH.SYS.INIT: #GP, TDX disabled by the BIOS\n\
               tdx_host_rs: cause: TDX_RS_SEAMCALL_GP: no SEAM range; fix: enable TDX\n";
    let (finding, fix) = missing(check(&with_log(log), "tdx-module"));
    assert!(finding.ends_with("no SEAM range"), "{finding}");
    assert_eq!(fix, "enable TDX");
    assert_ne!(api::software(Software::Gp).fix, t.fix);
}

#[test]
fn the_tdx_module_is_unknown_until_a_seamcall_is_logged() {
    let (why, _) = unknown(check(
        &with_log("virt/tdx: BIOS enabled: ...\n"),
        "tdx-module",
    ));
    assert!(why.starts_with("no SEAMCALL"));
    let mut f = with_log("");
    f.set_sys("kernel/tdx_host_rs/state", Some("initialized"));
    assert!(matches!(check(&f, "tdx-module"), Verdict::Ok(_)));
    f.dmesg = None;
    let (_, fix) = unknown(check(&f, "tdx-module"));
    assert!(fix.starts_with("run as root"));
}

#[test]
fn the_module_version_must_be_1_5_or_later() {
    let too_old = api::module_too_old();
    let v = |major: u32, minor: u32| {
        check(
            &with_log(&format!(
                "virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version \
                 {major}, minor_version {minor}, build_date 20230206, build_num 457\n"
            )),
            "module-version",
        )
    };
    let (finding, fix) = missing(v(1, 0));
    assert!(finding.starts_with("TDX module 1.0 build 457: ") && fix == too_old.fix);
    assert!(matches!(v(1, 5), Verdict::Ok(_)));
    assert!(matches!(v(2, 0), Verdict::Ok(_)));
    let six_14 = "virt/tdx: TDX module 2.0.08.00, build number 882, build date 0134fed5\n";
    assert!(matches!(
        check(&with_log(six_14), "module-version"),
        Verdict::Ok(_)
    ));
    // sysfs first.
    let mut f = with_log(six_14);
    f.set_sys("kernel/tdx_host_rs/module_version", Some("1.0.3.0"));
    missing(check(&f, "module-version"));
    f.set_sys("kernel/tdx_host_rs/module_version", Some("unknown"));
    assert!(matches!(check(&f, "module-version"), Verdict::Ok(_)));
    unknown(check(&with_log(""), "module-version"));
}

#[test]
fn memory_failures_carry_the_planners_texts() {
    let reserved = api::plan(Plan::ReservedAreasExhausted);
    let tdmrs = api::plan(Plan::TdmrsExhausted);
    assert_ne!(reserved.fix, tdmrs.fix);
    let (finding, fix) = missing(check(
        &with_log(
            "virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas \
             exhausted.\nvirt/tdx: module initialization failed (-28)\n",
        ),
        "memory",
    ));
    assert!(finding.contains("TDMR [0x0, 0x80000000)") && finding.contains(reserved.cause));
    assert_eq!(fix, reserved.fix);
    let (_, fix) = missing(check(
        &with_log("virt/tdx: initialization failed: TDMRs exhausted.\n"),
        "memory",
    ));
    assert_eq!(fix, tdmrs.fix);
    // This module's own line, with its explanation after it.
    let (finding, fix) = missing(check(
        &with_log(
            "tdx_host_rs: cannot cover TDX memory with TDMRs: TDX memory [0x0, 0x1000) is \
             outside every CMR\ntdx_host_rs: cause: not convertible; fix: memmap=\n",
        ),
        "memory",
    ));
    assert!(finding.ends_with("outside every CMR\": not convertible"));
    assert_eq!(fix, "memmap=");
    assert!(matches!(check(&spr(), "memory"), Verdict::Ok(_)));
    unknown(check(
        &with_log("virt/tdx: module initialization failed (-5)\n"),
        "memory",
    ));
}

#[test]
fn seamcall_statuses_are_decoded_with_the_explain_table() {
    let too_old = api::module_too_old();
    let log = "virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000\n\
               virt/tdx: module initialization failed (-5)\n";
    let (finding, fix) = missing(check(&with_log(log), "init-status"));
    assert!(finding.ends_with(too_old.cause), "{finding}");
    assert_eq!(fix, too_old.fix);
    // A status the table lacks for that leaf: its bits, decoded.
    let log = "virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc0000a0100000000\n";
    let (finding, _) = missing(check(&with_log(log), "init-status"));
    assert!(
        finding.contains("is not one TDH.SYS.RD returns"),
        "{finding}"
    );
    // This module's line and explanation.
    let log = "tdx_host_rs: TDH.SYS.CONFIG failed: TDX_X (0xc000)\n\
               tdx_host_rs: cause: TDX_X: bad; fix: do this\n";
    assert_eq!(missing(check(&with_log(log), "init-status")).1, "do this");
    // Its lines not followed by an explanation are no failures.
    let log = "tdx_host_rs: CMR: [0x0, 0x1000)\ntdx_host_rs: module initialized\n";
    assert!(matches!(
        check(&with_log(log), "init-status"),
        Verdict::Ok(_)
    ));
    unknown(check(
        &with_log("virt/tdx: module not loaded\n"),
        "init-status",
    ));
    unknown(check(&with_log(""), "init-status"));
}

#[test]
fn system_ram_must_lie_in_the_logged_cmrs() {
    let outside = api::plan(Plan::OutsideCmrs);
    assert!(
        matches!(check(&spr(), "memory"), Verdict::Ok(ok) if ok.contains("in the log's CMRs (1)"))
    );
    let mut f = spr();
    f.iomem = Some("00100000-8fffffff : System RAM\n".into());
    let (finding, fix) = missing(check(&f, "memory"));
    assert!(
        finding.starts_with("System RAM [0x80000000, 0x90000000)"),
        "{finding}"
    );
    assert_eq!(fix, outside.fix);
    // Not root: /proc/iomem shows no addresses, and says nothing.
    f.iomem = Some("00000000-00000000 : System RAM\n".into());
    assert!(matches!(check(&f, "memory"), Verdict::Ok(ok) if !ok.contains("CMRs")));
    // CMRs logged, not initialized yet: the RAM check alone.
    let mut f = spr();
    f.dmesg = Some("tdx_host_rs: CMR: [0x100000, 0x80000000)\n".into());
    assert!(matches!(check(&f, "memory"), Verdict::Ok(ok) if ok.contains("not laid out")));
    f.dmesg = Some("tdx_host_rs: CMR: [0x100000, 0x70000000)\n".into());
    missing(check(&f, "memory"));
}
