// SPDX-License-Identifier: GPL-2.0

//! tdx-preflight: whether this host can run TDX with tdx_host_rs, and what
//! to fix when it cannot. One line per check, in dependency order:
//!
//! ```text
//! ok      NAME: finding
//! MISSING NAME: finding
//!         fix: what to do
//! unknown NAME: why it cannot tell
//!         fix: how to find out
//! ```
//!
//! Exit status: 0 when nothing is missing, 1 otherwise, 2 on bad usage.
//! Run as root on the host, or with `--root DIR` on a recorded host (see
//! `input::Recorded`).

mod checks;
mod dmesg;
mod input;
#[cfg(test)]
mod tests;

use input::{Inputs, Live, Recorded, Source};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: tdx-preflight [--root DIR]\n\
    \n\
    Checks this host for what TDX with tdx_host_rs needs: the CPU, TME, the\n\
    TDX KeyID split, SEAMRR, the kernel configuration, KVM's VMX at load, the\n\
    TDX module, its version, the memory plan and the initialization's statuses.\n\
    Run as root. --root DIR reads a recorded host instead: DIR/proc/cpuinfo,\n\
    DIR/msr (lines `CPU MSR VALUE` in hex, VALUE `gp` for a faulting read),\n\
    DIR/dmesg, DIR/sys/..., DIR/config.\n\
    Exit status: 0 when nothing is missing, 1 otherwise, 2 on bad usage.";

/// What the command line asks for.
enum Args {
    Run(Option<PathBuf>),
    Help,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    match args {
        [] => Ok(Args::Run(None)),
        [h] if h == "-h" || h == "--help" => Ok(Args::Help),
        [r, dir] if r == "--root" => Ok(Args::Run(Some(PathBuf::from(dir)))),
        [r] if r == "--root" => Err("--root needs a directory".into()),
        [other, ..] => Err(format!("unexpected argument {other:?}")),
    }
}

#[cfg(test)]
#[test]
fn bad_usage_is_refused() {
    let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(matches!(args(&[]), Ok(Args::Run(None))));
    assert!(matches!(args(&["--root", "d"]), Ok(Args::Run(Some(_)))));
    assert!(matches!(args(&["--help"]), Ok(Args::Help)));
    assert!(args(&["--root"]).is_err());
    assert!(args(&["--root", "d", "x"]).is_err());
    assert!(args(&["-x"]).is_err());
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = match parse_args(&args) {
        Ok(Args::Run(root)) => root,
        Ok(Args::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("tdx-preflight: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let source: Box<dyn Source> = match root {
        Some(root) if !root.is_dir() => {
            eprintln!("tdx-preflight: {} is not a directory", root.display());
            return ExitCode::from(2);
        }
        Some(root) => Box::new(Recorded { root }),
        None => Box::new(Live),
    };
    let outcomes = checks::run(&Inputs::gather(source.as_ref()));
    for o in &outcomes {
        println!("{o}");
    }
    if outcomes
        .iter()
        .any(|o| matches!(o.verdict, checks::Verdict::Missing { .. }))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
