// SPDX-License-Identifier: GPL-2.0

//! What the kernel log and this module's sysfs say of the TDX module: loaded
//! by the SEAM loader, its version, the memory plan, the statuses of the
//! initialization's SEAMCALLs. Causes and fixes come from the module's own
//! explain table (`rust/init/explain.rs`, through `preflight_api`).

use super::Verdict;
use crate::dmesg::{self, Failure, Kind, Log, Origin};
use crate::input::Inputs;
use tdx_host_rs_core::preflight_api::{self as api, Coverage, Plan, Software, Text};

const NO_DMESG: (&str, &str) = (
    "cannot read the kernel log",
    "run as root (with kernel.dmesg_restrict=1, dmesg needs CAP_SYSLOG)",
);

const NOT_TRIED: &str = "load kvm_intel, then tdx_host_rs with init_at_load=1 (or let KVM \
    initialize TDX), and run this check again";

/// The parsed log, or the verdict for an unreadable one.
fn log(i: &Inputs) -> Result<Log, Verdict> {
    match &i.dmesg {
        Some(d) => Ok(dmesg::parse(d)),
        None => Err(Verdict::unknown(NO_DMESG.0, NO_DMESG.1)),
    }
}

/// Who said it, for a finding.
fn who(f: &Failure) -> &'static str {
    match f.origin {
        Origin::Upstream => "the kernel logs",
        Origin::Ours => "tdx_host_rs logs",
    }
}

/// A cause and a fix as owned strings.
fn owned(t: Text) -> (String, String) {
    (t.cause.to_string(), t.fix.to_string())
}

/// A failure as a missing verdict: its line, then the cause and fix of
/// `text` (this module's own explanation when the log has it).
fn missing(f: &Failure, text: Option<(String, String)>) -> Verdict {
    match f.explained.clone().or(text) {
        Some((cause, fix)) => Verdict::missing(format!("{} \"{}\": {cause}", who(f), f.line), fix),
        None => Verdict::missing(
            format!("{} \"{}\"", who(f), f.line),
            "read the lines around it in the kernel log; report it with the log",
        ),
    }
}

/// The SEAM loader loaded a TDX module: the first SEAMCALL reached one.
pub(crate) fn tdx_module(i: &Inputs) -> Verdict {
    let log = match log(i) {
        Ok(l) => l,
        Err(v) => return v,
    };
    for f in &log.failures {
        let s = match f.kind {
            Kind::NoModule => Software::NoModule,
            Kind::Gp => Software::Gp,
            _ => continue,
        };
        let (cause, fix) = owned(api::software(s));
        // Older vendor kernels checked SEAMRR themselves ("not enabled by
        // BIOS."): no SEAMCALL was made, the fix is the same.
        let cause = match (f.origin, f.kind) {
            (Origin::Upstream, Kind::Gp) => {
                "TDX is not enabled in the BIOS: the kernel found no SEAM range".to_string()
            }
            _ => cause,
        };
        return missing(f, Some((cause, fix)));
    }
    let state = i.state.as_deref();
    if let Some((_, _, v)) = &log.version {
        return Verdict::Ok(format!("loaded: the log names TDX module {v}"));
    }
    if log.initialized || matches!(state, Some("initialized") | Some("failed")) {
        return Verdict::Ok("loaded: the kernel log or sysfs shows it answering".into());
    }
    if let Some(f) = log.failures.iter().find(|f| f.kind == Kind::Ud) {
        let t = api::software(Software::Ud);
        return Verdict::unknown(
            format!(
                "{} \"{}\": no SEAMCALL reached the TDX module",
                who(f),
                f.line
            ),
            t.fix,
        );
    }
    Verdict::unknown(
        "no SEAMCALL in this boot's log: nothing says whether the SEAM loader loaded a TDX \
         module",
        NOT_TRIED,
    )
}

/// The TDX module is 1.5 or later: this driver reads its metadata with
/// TDH.SYS.RD, which 1.0 lacks.
pub(crate) fn module_version(i: &Inputs) -> Verdict {
    let from_sysfs = i
        .module_version
        .as_deref()
        .filter(|v| *v != "unknown")
        .and_then(|v| {
            let mut p = v.split('.');
            let major = p.next()?.parse().ok()?;
            let minor = p.next()?.parse().ok()?;
            Some((major, minor, v.to_string()))
        });
    let from_log = i.dmesg.as_deref().and_then(|d| dmesg::parse(d).version);
    let Some((major, minor, text)) = from_sysfs.or(from_log) else {
        if i.dmesg.is_none() {
            return Verdict::unknown(NO_DMESG.0, NO_DMESG.1);
        }
        return Verdict::unknown(
            "neither the log nor /sys/kernel/tdx_host_rs/module_version gives the TDX module's \
             version (it is known once initialization reads it)",
            NOT_TRIED,
        );
    };
    if (major, minor) < (1, 5) {
        let t = api::module_too_old();
        return Verdict::missing(format!("TDX module {text}: {}", t.cause), t.fix);
    }
    Verdict::Ok(format!("TDX module {text}: 1.5 or later"))
}

/// The memory: System RAM above the first MiB in the CMRs the log lists
/// (the planner's own check, when /proc/iomem shows addresses), and the
/// TDMRs covered it (no "reserved areas exhausted" or other planner error).
pub(crate) fn memory(i: &Inputs) -> Verdict {
    let log = match log(i) {
        Ok(l) => l,
        Err(v) => return v,
    };
    if let Some(f) = log.failures.iter().find(|f| f.kind == Kind::Memory) {
        let plan = if f.line.contains("TDMRs exhausted") {
            Plan::TdmrsExhausted
        } else {
            Plan::ReservedAreasExhausted
        };
        return missing(f, Some(owned(api::plan(plan))));
    }
    let n = log.cmrs.len();
    let in_cmrs = match (&i.ram, n) {
        (Some(ram), 1..) => match api::ram_in_cmrs(ram, &log.cmrs) {
            Coverage::Outside { start, end } => {
                let t = api::plan(Plan::OutsideCmrs);
                return Verdict::missing(
                    format!(
                        "System RAM [{start:#x}, {end:#x}) (/proc/iomem) is outside the log's \
                         CMRs ({n}): {}",
                        t.cause
                    ),
                    t.fix,
                );
            }
            Coverage::Invalid => {
                return Verdict::unknown(
                    "the System RAM of /proc/iomem or the log's CMRs overlap or are unaligned",
                    "report it with /proc/iomem and the log",
                )
            }
            Coverage::Covered => Some(format!("System RAM above 1 MiB in the log's CMRs ({n})")),
        },
        _ => None,
    };
    if log.initialized {
        let pamt = match log.pamt_kb {
            Some(kb) => format!("covered by TDMRs, {kb} KB allocated for PAMT"),
            None => "covered by TDMRs".into(),
        };
        return Verdict::Ok(match in_cmrs {
            Some(c) => format!("{c}, {pamt}"),
            None => pamt,
        });
    }
    if let Some(c) = in_cmrs {
        return Verdict::Ok(format!("{c} (the TDMRs are not laid out yet)"));
    }
    if log.init_failed.is_some() {
        return Verdict::unknown(
            "the initialization failed before the memory was planned (see init-status)",
            "fix what init-status and tdx-module report, then run this check again",
        );
    }
    Verdict::unknown(
        "no TDX initialization in this boot's log: the memory was not planned yet",
        NOT_TRIED,
    )
}

/// Every SEAMCALL of the initialization succeeded; a status in the log is
/// decoded with the explain table.
pub(crate) fn init_status(i: &Inputs) -> Verdict {
    let log = match log(i) {
        Ok(l) => l,
        Err(v) => return v,
    };
    if let Some(f) = log.failures.iter().find(|f| f.kind == Kind::Status) {
        let text = f
            .seamcall
            .and_then(|(leaf, rax)| api::status(leaf, rax))
            .map(|s| match s.text() {
                Some(t) => owned(t),
                // Not in the table for that leaf: its bits, decoded.
                None => {
                    let line = s.to_string();
                    let (c, x) = line.split_once("; fix: ").unwrap_or((&line, ""));
                    (c.trim_start_matches("cause: ").to_string(), x.to_string())
                }
            });
        return missing(f, text);
    }
    if let Some(f) = log
        .failures
        .iter()
        .find(|f| matches!(f.kind, Kind::NoModule | Kind::Gp | Kind::Ud))
    {
        return Verdict::unknown(
            format!(
                "{} \"{}\": no SEAMCALL reached the TDX module",
                who(f),
                f.line
            ),
            "fix what tdx-module and kvm-vmx report, then run this check again",
        );
    }
    if log.initialized || log.init_failed.is_some() {
        return Verdict::Ok("no SEAMCALL of the initialization failed".into());
    }
    Verdict::unknown("no TDX initialization in this boot's log", NOT_TRIED)
}
