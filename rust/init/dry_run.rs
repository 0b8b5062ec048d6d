// SPDX-License-Identifier: GPL-2.0

//! The planner's dry run: the TDMRs, reserved areas and PAMTs
//! `tdx_rs_enable()` would plan now, or the error it would stop at, as text
//! (`/sys/kernel/debug/tdx_host_rs/plan`). Readable before, after or
//! without an initialization; nothing is allocated for the TDX module and
//! no SEAMCALL is made.
//!
//! It plans with today's TDX memory and with what the TDX module said of
//! itself the last time this module asked (TDH.SYS.RD, the first step of
//! every `tdx_rs_enable()`, kept even when a later step fails). Before
//! that, it takes TDX 1.5's limits and, knowing no CMR, treats every hole
//! as outside convertible memory (upstream's rule): the first line says
//! which. PAMTs go where the kernel would put them if every window were
//! free (`tdmr::place_pamts` with nothing taken), so the TDMRs, reserved
//! areas and PAMT sizes are the initialization's, the PAMT addresses may
//! not be.

use super::explain;
use super::tdmr::{self, Limits, MemBlock, Range, Tdmr};
use super::{tdx_memory, Host, State};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// TDX 1.5's TDMR limits (TDX module ABI: MAX_TDMRS, MAX_RESERVED_PER_TDMR,
/// PAMT entry sizes), used until the module has been asked.
const TDX_1_5: Limits = Limits {
    max_tdmrs: 64,
    max_reserved_per_tdmr: 16,
    pamt_entry_size: [16, 16, 16],
};

/// What the TDX module reported that planning needs.
pub(super) struct ModuleInputs {
    limits: Limits,
    cmrs: KVec<Range>,
}

impl ModuleInputs {
    pub(super) fn new(limits: Limits, cmrs: &[Range]) -> Result<Self> {
        let mut copy = KVec::with_capacity(cmrs.len(), GFP_KERNEL)?;
        copy.extend_from_slice(cmrs, GFP_KERNEL)?;
        Ok(Self { limits, cmrs: copy })
    }
}

/// Text into a fixed buffer; what does not fit is dropped and the last
/// line says so.
pub(crate) struct TextBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
    truncated: bool,
}

impl<'a> TextBuf<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            truncated: false,
        }
    }

    /// Bytes written, with a closing "(truncated)" line if text was dropped.
    pub(crate) fn finish(mut self) -> usize {
        const MARK: &[u8] = b"\n(truncated)\n";
        if self.truncated && self.buf.len() >= MARK.len() {
            let at = self.len.min(self.buf.len() - MARK.len());
            self.buf[at..at + MARK.len()].copy_from_slice(MARK);
            self.len = at + MARK.len();
        }
        self.len
    }
}

impl Write for TextBuf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        self.truncated |= n < s.len();
        Ok(())
    }
}

/// The node holding `pa`, if TDX memory does.
fn node_of(pa: u64, mem: &[MemBlock]) -> Option<i32> {
    mem.iter()
        .find(|b| b.start <= pa && pa < b.end)
        .map(|b| b.nid)
}

/// TDX memory as CMRs: touching blocks joined. Used before the module's own
/// CMRs are known, so that every hole counts as outside them.
fn memory_as_cmrs(mem: &[MemBlock]) -> Result<KVec<Range>> {
    let mut cmrs: KVec<Range> = KVec::new();
    for b in mem {
        match cmrs.last_mut() {
            Some(last) if last.end() == b.start => last.size += b.end - b.start,
            _ => cmrs.push(
                Range {
                    base: b.start,
                    size: b.end - b.start,
                },
                GFP_KERNEL,
            )?,
        }
    }
    Ok(cmrs)
}

impl Host {
    /// Writes the dry run to `out`.
    pub(crate) fn dry_run(&self, out: &mut impl Write) -> Result {
        let state = match self.state {
            State::Unavailable(_) => "unavailable",
            State::Uninitialized => "uninitialized",
            State::Initialized => "initialized",
            State::Failed(_) => "failed",
        };
        let memory = tdx_memory()?;
        let own_cmrs;
        let (limits, cmrs, whence) = match &self.module {
            Some(m) => (m.limits, &m.cmrs[..], "the TDX module's (TDH.SYS.RD)"),
            None => {
                own_cmrs = memory_as_cmrs(&memory)?;
                (
                    TDX_1_5,
                    &own_cmrs[..],
                    "not read yet (tdx_rs_enable() reads them): TDX 1.5's limits, every hole outside the CMRs",
                )
            }
        };
        let _ = writeln!(out, "state: {state}; module limits and CMRs: {whence}");
        let _ = writeln!(
            out,
            "limits: {} TDMRs, {} reserved areas per TDMR, PAMT entries {:?} bytes",
            limits.max_tdmrs, limits.max_reserved_per_tdmr, limits.pamt_entry_size
        );
        for c in cmrs {
            let _ = writeln!(out, "CMR: [{:#x}, {:#x})", c.base, c.end());
        }
        for b in memory.iter() {
            let _ = writeln!(out, "memory: [{:#x}, {:#x}) node {}", b.start, b.end, b.nid);
        }
        let mut all = KVec::from_elem(Tdmr::EMPTY, usize::from(limits.max_tdmrs), GFP_KERNEL)?;
        let planned = tdmr::cover(&memory, cmrs, &limits, &mut all).and_then(|n| {
            let tdmrs = &mut all[..n];
            tdmr::place_pamts(tdmrs, &memory, &[], &limits)?;
            tdmr::populate_reserved(tdmrs, &memory, cmrs, &limits)?;
            Ok(n)
        });
        let n = match planned {
            Ok(n) => n,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                let _ = writeln!(out, "{}", explain::plan(&e));
                return Ok(());
            }
        };
        let tdmrs = &all[..n];
        for (i, t) in tdmrs.iter().enumerate() {
            let pamt = t.pamt_range();
            let _ = write!(
                out,
                "TDMR {i}: [{:#x}, {:#x}) node {}, {} reserved areas, PAMT {} KiB at [{:#x}, {:#x})",
                t.base,
                t.end(),
                tdmr::tdmr_nid(t, &memory),
                t.reserved().len(),
                pamt.size / 1024,
                pamt.base,
                pamt.end()
            );
            match node_of(pamt.base, &memory) {
                Some(nid) => writeln!(out, " node {nid}"),
                None => writeln!(out),
            }
            .ok();
        }
        let sum = tdmr::summarize(tdmrs, &memory);
        let _ = writeln!(
            out,
            "plan: {} TDMRs, at most {} reserved areas in one, {} KiB of PAMT, {} PAMT bytes for other nodes' memory",
            sum.tdmrs, sum.worst_reserved, sum.pamt_kib, sum.foreign_pamt_bytes
        );
        Ok(())
    }
}
