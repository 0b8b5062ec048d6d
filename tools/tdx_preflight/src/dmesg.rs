// SPDX-License-Identifier: GPL-2.0

//! The kernel log's TDX lines, as events: upstream's (`virt/tdx: `, and
//! `tdx: ` of older vendor kernels) and this module's (`tdx_host_rs: `,
//! whose failure lines are each followed by `cause: ...; fix: ...` from the
//! explain table).

/// Who logged a line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The kernel's own TDX host code (arch/x86/virt/vmx/tdx/tdx.c).
    Upstream,
    /// tdx_host_rs.
    Ours,
}

/// What a failure is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// SEAMCALL failed with VMfailInvalid: no TDX module.
    NoModule,
    /// SEAMCALL raised #GP: TDX off in the BIOS.
    Gp,
    /// SEAMCALL raised #UD: a CPU not in VMX operation.
    Ud,
    /// The TDMRs could not cover the memory.
    Memory,
    /// A leaf returned an error status.
    Status,
    /// The platform has no or too few TDX KeyIDs.
    KeyIds,
}

/// One failure: the log line, and its cause and fix when known.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Failure {
    /// What it is about.
    pub kind: Kind,
    /// Who logged it.
    pub origin: Origin,
    /// The line, without its prefix.
    pub line: String,
    /// Upstream's SEAMCALL line: leaf number and status.
    pub seamcall: Option<(u64, u64)>,
    /// This module's explanation, from the line after.
    pub explained: Option<(String, String)>,
}

/// What the log says of the TDX module.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Log {
    /// Every failure, in order.
    pub failures: Vec<Failure>,
    /// The TDX module's version as logged: (major, minor, the line's words).
    pub version: Option<(u32, u32, String)>,
    /// `module initialized`, by either.
    pub initialized: bool,
    /// `module initialization failed (ERRNO)`, by either.
    pub init_failed: Option<String>,
    /// `N KB allocated for PAMT`.
    pub pamt_kb: Option<u64>,
    /// The CMRs, `CMR: [START, END)`, sorted, each once.
    pub cmrs: Vec<(u64, u64)>,
}

/// The message of a TDX line, and who logged it.
fn message(line: &str) -> Option<(Origin, &str)> {
    if let Some(i) = line.find("virt/tdx: ") {
        return Some((Origin::Upstream, &line[i + "virt/tdx: ".len()..]));
    }
    if let Some(i) = line.find("tdx_host_rs: ") {
        return Some((Origin::Ours, &line[i + "tdx_host_rs: ".len()..]));
    }
    // Vendor kernels before 6.8 logged as "tdx: ".
    let i = line.find("tdx: ")?;
    if i == 0 || line[..i].ends_with(' ') || line[..i].ends_with(']') {
        return Some((Origin::Upstream, &line[i + "tdx: ".len()..]));
    }
    None
}

/// `0x...` at the start of `s`, and the rest.
fn hex_prefix(s: &str) -> Option<(u64, &str)> {
    let s = s.strip_prefix("0x")?;
    let end = s.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(s.len());
    Some((u64::from_str_radix(&s[..end], 16).ok()?, &s[end..]))
}

/// Upstream's `SEAMCALL (0xLEAF) failed: 0xSTATUS`.
fn seamcall(msg: &str) -> Option<(u64, u64)> {
    let rest = msg.strip_prefix("SEAMCALL (")?;
    let (leaf, rest) = hex_prefix(rest)?;
    let rest = rest.strip_prefix(") failed: ")?;
    let (rax, _) = hex_prefix(rest)?;
    Some((leaf, rax))
}

/// The number after `key` in `msg` (`major_version 1,`).
fn number_after(msg: &str, key: &str) -> Option<u32> {
    let rest = &msg[msg.find(key)? + key.len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The TDX module's version from upstream's lines: `TDX module: attributes
/// 0x0, vendor_id 0x8086, major_version 1, minor_version 5, ...` (6.8
/// vendor kernels) or `TDX module 2.0.08.00, build number 882, ...` (6.14+).
fn version(msg: &str) -> Option<(u32, u32, String)> {
    if msg.starts_with("TDX module: ") {
        let major = number_after(msg, "major_version ")?;
        let minor = number_after(msg, "minor_version ")?;
        let build = number_after(msg, "build_num ");
        let text = match build {
            Some(b) => format!("{major}.{minor} build {b}"),
            None => format!("{major}.{minor}"),
        };
        return Some((major, minor, text));
    }
    let rest = msg.strip_prefix("TDX module ")?;
    let v = rest.split(',').next()?.trim();
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor, v.to_string()))
}

/// What a line of this module that precedes its `cause:` line is about.
fn our_kind(msg: &str) -> Kind {
    if msg.contains("no TDX module loaded") {
        Kind::NoModule
    } else if msg.contains("#GP") {
        Kind::Gp
    } else if msg.contains("#UD") || msg.contains("not in VMX operation") {
        Kind::Ud
    } else if msg.starts_with("cannot lay out reserved areas")
        || msg.starts_with("cannot cover TDX memory")
        || msg.starts_with("cannot list TDX memory")
        || msg.contains("no contiguous free memory")
    {
        Kind::Memory
    } else if msg.contains("TDX KeyID") {
        Kind::KeyIds
    } else {
        Kind::Status
    }
}

/// `CMR: [0xSTART, 0xEND)`, by upstream or this module.
fn cmr(msg: &str) -> Option<(u64, u64)> {
    let rest = msg.strip_prefix("CMR: [")?;
    let (start, rest) = hex_prefix(rest)?;
    let (end, rest) = hex_prefix(rest.strip_prefix(", ")?)?;
    rest.starts_with(')').then_some((start, end))
}

/// The TDX lines of a kernel log.
pub fn parse(dmesg: &str) -> Log {
    let mut log = Log::default();
    let mut pending: Option<Failure> = None;
    for line in dmesg.lines() {
        let Some((origin, msg)) = message(line) else {
            continue;
        };
        let msg = msg.trim_end();
        if origin == Origin::Ours {
            if let Some(explained) = msg.strip_prefix("cause: ") {
                if let Some(mut f) = pending.take() {
                    f.explained = explained
                        .split_once("; fix: ")
                        .map(|(c, x)| (c.to_string(), x.to_string()));
                    log.failures.push(f);
                }
                continue;
            }
        }
        // A line of this module not followed by its explanation is not a
        // failure.
        pending = None;
        let failure = |kind| Failure {
            kind,
            origin,
            line: msg.to_string(),
            seamcall: None,
            explained: None,
        };
        if msg.starts_with("module initialized") {
            log.initialized = true;
        } else if let Some(e) = msg.strip_prefix("module initialization failed ") {
            log.init_failed = Some(e.to_string());
        } else if let Some(kb) = msg.strip_suffix(" KB allocated for PAMT") {
            log.pamt_kb = kb.trim().parse().ok();
        } else if let Some(c) = cmr(msg) {
            log.cmrs.push(c);
        } else if let Some(v) = version(msg) {
            log.version = Some(v);
        } else if origin == Origin::Ours {
            // A line followed by its explanation, or a line of no interest.
            pending = Some(failure(our_kind(msg)));
        } else if let Some(call) = seamcall(msg) {
            let mut f = failure(Kind::Status);
            f.seamcall = Some(call);
            log.failures.push(f);
        } else if msg == "module not loaded" {
            log.failures.push(failure(Kind::NoModule));
        } else if msg.starts_with("not enabled by BIOS") {
            log.failures.push(failure(Kind::Gp));
        } else if msg.contains("reserved areas exhausted") || msg.contains("TDMRs exhausted") {
            log.failures.push(failure(Kind::Memory));
        } else if msg.contains("too few private KeyIDs") {
            log.failures.push(failure(Kind::KeyIds));
        }
    }
    log.cmrs.sort_unstable();
    log.cmrs.dedup();
    log
}
