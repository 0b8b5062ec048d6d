// SPDX-License-Identifier: GPL-2.0

//! TDH.SYS.TDMR.INIT on several CPUs at once: one worker per online CPU, at
//! most one per TDMR and at most [`k::MAX_WORKERS`]; each claims TDMRs,
//! largest first, and initializes one at a time (`tdmr_order.rs`). The
//! module's rules hold: it is ready (every TDH.SYS.KEY.CONFIG done), every
//! CPU did TDH.SYS.LP.INIT, and no two workers ever name one TDMR, whose
//! mutex the module takes per call; a busy status from anyone else's call
//! is retried like any other (`seamcall/retry.rs`). The first worker that
//! fails stops the others at their next TDMR.

use super::check;
use super::tdmr::{Tdmr, PAGE_SIZE};
use super::tdmr_order::{largest_first, Claims};
use crate::abi::leaf::Leaf;
use crate::abi::status::code;
use crate::glue::services as k;
use crate::seamcall::sys;
use kernel::prelude::*;

/// What the workers share: the TDMRs, the order to claim them in, the
/// claims.
struct Job<'a> {
    tdmrs: &'a [Tdmr],
    order: &'a [usize],
    claims: Claims,
}

/// TDH.SYS.TDMR.INIT on every TDMR, on several CPUs at once; `order` has
/// one entry per TDMR (allocated before the module was ready, so nothing
/// here allocates). The caller holds the CPU hotplug lock.
pub(super) fn init_tdmrs(tdmrs: &[Tdmr], order: &mut [usize]) -> Result {
    largest_first(order, |i| tdmrs[i].size);
    let job = Job {
        tdmrs,
        order,
        claims: Claims::new(order.len()),
    };
    k::on_cpus_at_once(&job, tdmrs.len(), worker)
}

/// One CPU's share: TDMRs until none is left or a worker failed.
fn worker(job: &Job<'_>) -> Result {
    while let Some(at) = job.claims.claim() {
        if let Err(e) = init_one(&job.tdmrs[job.order[at]]) {
            job.claims.stop();
            return Err(e);
        }
    }
    Ok(())
}

/// TDH.SYS.TDMR.INIT on `t` until RDX (the next address to initialize)
/// reaches its end. Each call does a bounded chunk; RDX may stay put for
/// many calls (the module reports it by the GiB).
fn init_one(t: &Tdmr) -> Result {
    // However small the module's chunks, it initializes at least one
    // 4 KiB page's metadata per call.
    let mut calls_left = t.size / PAGE_SIZE;
    loop {
        let (status, next) = check(Leaf::SysTdmrInit, sys::tdmr_init(t.base))?;
        // Informational: the module has nothing left to do here.
        if status.code() == code::TDMR_ALREADY_INITIALIZED || next >= t.end() {
            return Ok(());
        }
        calls_left -= 1;
        if calls_left == 0 {
            pr_err!(
                "TDH.SYS.TDMR.INIT did not finish the TDMR at {:#x}\n",
                t.base
            );
            return Err(EIO);
        }
        k::cond_resched();
    }
}
