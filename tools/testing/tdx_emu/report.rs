// SPDX-License-Identifier: GPL-2.0

//! The text of `/sys/kernel/debug/tdx_emu/report`: the module's state, the
//! SEAMCALLs per leaf, and what the last TDH.SYS.CONFIG configured. One fact
//! per line, `key: value` or `leaf NUMBER NAME COUNT`, for scripts.
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
    }
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
            "state: InitDone\ncalls: 1\nleaf 33 TDH.SYS.INIT 1\nconfig: none\n"
        );
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
