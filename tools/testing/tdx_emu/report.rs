// SPDX-License-Identifier: GPL-2.0

//! The text of `/sys/kernel/debug/tdx_emu/report`: the module's state, the
//! SEAMCALLs per leaf, and what the last TDH.SYS.CONFIG configured. One fact
//! per line, `key: value` or `leaf NUMBER NAME COUNT`, for scripts; after a
//! successful TDH.SYS.CONFIG one line per TDMR as the module recorded it:
//!
//! ```text
//! tdmr INDEX BASE-END reserved AREAS pamt 4K_BASE-4K_END 2M_BASE-2M_END 1G_BASE-1G_END
//! ```
//!
//! (ranges `[BASE, END)` in hex; AREAS counts the non-null reserved areas).
//! Once any TDH.SYS.TDMR.INIT was seen, after the per-leaf lines,
//! `tdmr_init_path: MOST lps LPS`: the most TDH.SYS.TDMR.INIT calls one LP
//! made (the critical path, `model/critical_path.rs`) and how many LPs
//! made any.
//! Last, the CPUs' side (`model/vmx.rs`): `vmx: LPS`, the LPs in VMX
//! operation as ranges of ids (`0-2,5`; `none`), and `ud_outside_vmx: N`,
//! the SEAMCALLs that raised #UD outside it (never counted in `calls`).
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

use crate::abi::leaf::Leaf;
use crate::model::Model;
use core::fmt::{self, Write};

/// Writes into a byte slice and stops, without splitting, at the end.
struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn render(m: &Model, w: &mut impl Write) -> fmt::Result {
    writeln!(w, "state: {:?}", m.state())?;
    writeln!(w, "calls: {}", m.calls())?;
    for leaf in Leaf::ALL {
        let n = m.calls_of(*leaf as u16);
        if n > 0 {
            writeln!(w, "leaf {} {} {}", *leaf as u16, leaf.abi_name(), n)?;
        }
    }
    let (longest, lps) = m.tdmr_init_path();
    if lps > 0 {
        writeln!(w, "tdmr_init_path: {longest} lps {lps}")?;
    }
    match m.config_record() {
        Some(r) => writeln!(
            w,
            "config: tdmrs {} reserved {} pamt_kib {} hkid {}",
            r.nr_tdmrs,
            r.nr_reserved_areas,
            r.pamt_bytes / 1024,
            r.global_hkid
        ),
        None => writeln!(w, "config: none"),
    }?;
    for (i, t) in m.configured_tdmrs().iter().enumerate() {
        let areas = t.reserved.iter().take_while(|r| r.size != 0).count();
        write!(
            w,
            "tdmr {i} {:#x}-{:#x} reserved {areas} pamt",
            t.base,
            t.base + t.size
        )?;
        for p in &t.pamt {
            write!(w, " {:#x}-{:#x}", p.base, p.base + p.size)?;
        }
        writeln!(w)?;
    }
    write!(w, "vmx:")?;
    let mut first = true;
    let mut lps = m.vmx().lps_on().peekable();
    while let Some(start) = lps.next() {
        let mut end = start;
        while lps.next_if_eq(&(end + 1)).is_some() {
            end += 1;
        }
        let sep = if first { " " } else { "," };
        first = false;
        if end == start {
            write!(w, "{sep}{start}")?;
        } else {
            write!(w, "{sep}{start}-{end}")?;
        }
    }
    if first {
        write!(w, " none")?;
    }
    writeln!(w)?;
    writeln!(w, "ud_outside_vmx: {}", m.vmx().ud_outside())
}

/// Writes the report into `buf`; returns its length. A report that does not
/// fit ends at the last whole line that did.
pub(crate) fn write(m: &Model, buf: &mut [u8]) -> usize {
    let mut w = SliceWriter { buf, len: 0 };
    let mut last_line_end = 0;
    let mut lines = LineTracker {
        inner: &mut w,
        last_line_end: &mut last_line_end,
    };
    match render(m, &mut lines) {
        Ok(()) => w.len,
        Err(_) => last_line_end,
    }
}

/// Remembers where the last complete line ended.
struct LineTracker<'a, 'b> {
    inner: &'a mut SliceWriter<'b>,
    last_line_end: &'a mut usize,
}

impl Write for LineTracker<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_str(s)?;
        if s.ends_with('\n') {
            *self.last_line_end = self.inner.len;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{lp, platform, FakeMem};
    use crate::platform::Cmr;

    fn model() -> Model {
        Model::new(platform(
            2,
            1,
            &[Cmr {
                base: 1 << 20,
                size: 1 << 30,
            }],
        ))
    }

    #[test]
    fn reports_state_counts_and_config() {
        let mut m = model();
        let mut regs = [0u64; 16];
        regs[0] = Leaf::SysInit as u64;
        m.seamcall(lp(0, 0), &mut regs, &mut FakeMem::new());
        let mut buf = [0u8; 512];
        let n = write(&m, &mut buf);
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(
            text,
            "state: InitDone\ncalls: 1\nleaf 33 TDH.SYS.INIT 1\nconfig: none\n\
             vmx: 0-1023\nud_outside_vmx: 0\n"
        );
    }

    #[test]
    fn reports_vmx_operation_and_the_calls_it_refused() {
        let mut m = Model::new_without_vmx(platform(4, 1, &[]));
        let mut regs = [0u64; 16];
        regs[0] = Leaf::SysInit as u64;
        m.seamcall(lp(2, 0), &mut regs, &mut FakeMem::new());
        for on in [0, 2, 3, 5] {
            m.vmxon(on).unwrap();
        }
        let mut buf = [0u8; 512];
        let n = write(&m, &mut buf);
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(
            text,
            "state: InitPending\ncalls: 0\nconfig: none\nvmx: 0,2-3,5\nud_outside_vmx: 1\n"
        );
        let m = Model::new_without_vmx(platform(4, 1, &[]));
        let n = write(&m, &mut buf);
        assert!(core::str::from_utf8(&buf[..n])
            .unwrap()
            .ends_with("\nvmx: none\nud_outside_vmx: 0\n"));
    }

    /// TDH.SYS.TDMR.INIT from two LPs, three calls and two: the critical
    /// path is the busier LP's three, whatever the calls returned.
    #[test]
    fn reports_the_tdmr_init_critical_path() {
        let mut m = Model::new(platform(4, 1, &[]));
        let mut mem = FakeMem::new();
        for id in [1, 3, 1, 3, 1] {
            let mut regs = [0u64; 16];
            regs[0] = Leaf::SysTdmrInit as u64;
            m.seamcall(lp(id, 0), &mut regs, &mut mem);
        }
        let mut buf = [0u8; 512];
        let n = write(&m, &mut buf);
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert!(
            text.starts_with(
                "state: InitPending\ncalls: 5\nleaf 36 TDH.SYS.TDMR.INIT 5\n\
                 tdmr_init_path: 3 lps 2\nconfig: none\n"
            ),
            "{text}"
        );
    }

    /// After TDH.SYS.CONFIG of two TDMRs, [1G, 2G) with two reserved areas
    /// (the first 4 KiB and both PAMTs at 1.5G) and [2G, 4G) with none, the
    /// report has one line per TDMR with its PAMTs 4K, 2M, 1G.
    #[test]
    fn reports_each_configured_tdmr() {
        use crate::abi::leaf::{Leaf, LeafCall};
        use crate::model::test_support::{pamt_block, pamt_sizes, put_config};
        use crate::model::test_support::{two_tdmrs, G};

        let mut m = Model::new(platform(
            1,
            1,
            &[Cmr {
                base: 0,
                size: 4 * G,
            }],
        ));
        let mut mem = FakeMem::new();
        let mut call = |m: &mut Model, leaf: Leaf, ops: &[(usize, u64)]| {
            let mut regs = [0u64; 16];
            regs[0] = LeafCall::new(leaf).rax();
            for &(r, v) in ops {
                regs[r] = v;
            }
            m.seamcall(lp(0, 0), &mut regs, &mut mem);
            regs[0]
        };
        call(&mut m, Leaf::SysInit, &[]);
        call(&mut m, Leaf::SysLpInit, &[]);
        // The PAMTs of two_tdmrs(): p0, then the second's.
        let p0 = G + (512 << 20);
        let block = pamt_block(G) + pamt_block(2 * G);
        let tdmrs = two_tdmrs();
        let mut cfg_mem = FakeMem::new();
        put_config(&mut cfg_mem, 0x10_0000, 0x20_0000, &tdmrs);
        let mut regs = [0u64; 16];
        regs[0] = LeafCall::new(Leaf::SysConfig).rax();
        (regs[1], regs[2], regs[8]) = (0x10_0000, 2, 2);
        m.seamcall(lp(0, 0), &mut regs, &mut cfg_mem);
        assert_eq!(regs[0], 0);

        let mut buf = [0u8; 1024];
        let n = write(&m, &mut buf);
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        let tdmr_lines: std::vec::Vec<&str> =
            text.lines().filter(|l| l.starts_with("tdmr ")).collect();
        let [s4, s2, _] = pamt_sizes(G);
        let q = p0 + pamt_block(G);
        let [t4, t2, t1] = pamt_sizes(2 * G);
        assert_eq!(
            tdmr_lines,
            [
                std::format!(
                    "tdmr 0 0x40000000-0x80000000 reserved 2 pamt {:#x}-{:#x} {:#x}-{:#x} {:#x}-{:#x}",
                    p0,
                    p0 + s4,
                    p0 + s4,
                    p0 + s4 + s2,
                    p0 + s4 + s2,
                    p0 + pamt_block(G)
                ),
                std::format!(
                    "tdmr 1 0x80000000-0x100000000 reserved 0 pamt {:#x}-{:#x} {:#x}-{:#x} {:#x}-{:#x}",
                    q,
                    q + t4,
                    q + t4,
                    q + t4 + t2,
                    q + t4 + t2,
                    q + t4 + t2 + t1
                ),
            ]
        );
        assert!(text.contains(&std::format!(
            "config: tdmrs 2 reserved 2 pamt_kib {} ",
            block / 1024
        )));
    }

    #[test]
    fn a_short_buffer_gets_whole_lines_only() {
        let m = model();
        let mut buf = [0u8; 24];
        let n = write(&m, &mut buf);
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "state: InitPending\n"
        );
    }
}
