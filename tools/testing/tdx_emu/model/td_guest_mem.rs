// SPDX-License-Identifier: GPL-2.0

//! What the TDX module does when the guest touches its private memory:
//! an access through the Secure EPT (GPA to HPA, or a TD exit on EPT
//! violation) and TDG.MEM.PAGE.ACCEPT of a PENDING 4 KiB page
//! (`td_ept_violation.c`, `tdg_mem_page_accept.c`, `td_exit.c`). The guest
//! program that makes these accesses drives them from TDH.VP.ENTER.
//!
//! An EPT violation TD exit (`tdx_ept_violation_exit_to_vmm()`): RAX
//! TDX_SUCCESS | 48, RCX the exit qualification with bits 12:7 cleared (bit
//! 0 a read, bit 1 a write, bits 5:3 what the GPA allows), RDX the extended
//! exit qualification (type in bits 3:0: 0 none, 1 ACCEPT; for ACCEPT, bits
//! 63:32 the requested level, the failing entry's level, state and leaf
//! bit), R8 the GPA with bits 11:0 cleared, R9 0: an asynchronous exit,
//! whose other registers `td/vp_exit.rs` writes. PENDING pages of a TD whose
//! accesses should raise #VE are not modeled: only a GPA whose walk does not
//! reach a present leaf exits.
//!
//! Pure `core`.

use super::sept::{self, State, RWX};
use super::sept_walk::{self, PageInfo, LVL_PD, LVL_PT};
use super::td::vp_exit::AsyncExit;
use super::td_program::{Fault, GuestMem};
use crate::abi::status::{code, OPERAND_ID_RCX};
use crate::platform::PhysMem;
use core::cell::Cell;

const PAGE: u64 = 4096;

/// The VMX basic exit reason of an EPT violation.
pub(crate) const EXIT_REASON_EPT_VIOLATION: u64 = 48;
/// Extended exit qualification types (`VMX_EEQ_*`).
pub(crate) const EEQ_NONE: u64 = 0;
pub(crate) const EEQ_ACCEPT: u64 = 1;

/// A TD exit on EPT violation, before it reaches the host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct EptViolation {
    pub(crate) qualification: u64,
    pub(crate) extended: u64,
    pub(crate) gpa: u64,
}

impl EptViolation {
    /// The exit of a guest read of `gpa` that did not reach a MAPPED leaf:
    /// qualification 1 (a data read; the guest's instruction fetches are
    /// reads of its program too), no extended qualification.
    pub(crate) const fn read(gpa: u64) -> Self {
        Self {
            qualification: 1,
            extended: EEQ_NONE,
            gpa,
        }
    }

    /// The asynchronous TD exit it makes (`td/vp_exit.rs` writes the
    /// host's registers).
    pub(crate) const fn async_exit(&self) -> AsyncExit {
        AsyncExit {
            reason: EXIT_REASON_EPT_VIOLATION,
            qualification: self.qualification & !(0x3f << 7),
            extended: self.extended,
            gpa: self.gpa & !0xfff,
            interruption_info: 0,
        }
    }
}

/// The TD's private memory as its guest reads it: each 4 KiB piece through
/// the Secure EPT at `root` to a MAPPED leaf, then host memory. A GPA that
/// is not private (shared bit, or above GPAW 48), or whose walk ends in a
/// non-present or non-MAPPED entry, is [`Fault::NotMapped`]; a PENDING leaf
/// (AUGed, not accepted) is [`Fault::Pending`]. Both are an EPT violation
/// (#VE on PENDING pages is not modeled).
pub(crate) struct SeptMem<'a> {
    pub(crate) mem: &'a dyn PhysMem,
    pub(crate) root: u64,
    /// Set when the SEPT or a page could not be read (or held an entry the
    /// model cannot decode): the caller declines.
    pub(crate) broken: Cell<bool>,
}

impl<'a> SeptMem<'a> {
    pub(crate) fn new(mem: &'a dyn PhysMem, root: u64) -> Self {
        Self {
            mem,
            root,
            broken: Cell::new(false),
        }
    }

    /// The piece of `buf` at `gpa`, within one page.
    fn read_in_page(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Fault> {
        if !sept_walk::is_private_gpa(gpa) {
            return Err(Fault::NotMapped);
        }
        let Some((w, state)) = sept_walk::walk(self.mem, self.root, gpa, LVL_PT)
            .and_then(|w| Some((w, State::of(w.entry)?)))
        else {
            self.broken.set(true);
            return Err(Fault::NotMapped);
        };
        match state {
            State::Mapped => {
                let hpa = sept_walk::leaf_hpa(w.entry, gpa, w.level);
                if !self.mem.read(hpa, buf) {
                    self.broken.set(true);
                    return Err(Fault::NotMapped);
                }
                Ok(())
            }
            State::Pending | State::PendingBlocked => Err(Fault::Pending),
            _ => Err(Fault::NotMapped),
        }
    }
}

impl GuestMem for SeptMem<'_> {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Fault> {
        let mut done = 0;
        while done < buf.len() {
            let at = gpa.checked_add(done as u64).ok_or(Fault::NotMapped)?;
            let n = ((PAGE - (at & (PAGE - 1))) as usize).min(buf.len() - done);
            self.read_in_page(at, &mut buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }
}

/// TDG.MEM.PAGE.ACCEPT of `info_raw` (level and GPA, as RCX) in the TD
/// whose Secure EPT is at `root`: the status the guest gets in RAX, or the
/// EPT violation it turns into. `None`: declined (the SEPT could not be
/// read, or a 2 MiB accept, which the model does not serve).
pub(crate) fn accept(
    mem: &mut dyn PhysMem,
    root: u64,
    info_raw: u64,
) -> Option<Result<u64, EptViolation>> {
    let invalid = code::OPERAND_INVALID | OPERAND_ID_RCX as u64;
    let Some(info) = PageInfo::decode(info_raw, LVL_PT, LVL_PD) else {
        return Some(Ok(invalid));
    };
    if !sept_walk::is_private_gpa(info.gpa) {
        return Some(Ok(invalid));
    }
    if info.level != LVL_PT {
        return None;
    }
    let w = sept_walk::walk(mem, root, info.gpa, info.level)?;
    let state = State::of(w.entry)?;
    let violation = |entry: u64, level: u8| {
        let (_, details) = sept::arch_details(entry, level);
        let leaf = u64::from(state.is_leaf());
        let eeq_info = info.level as u64 | (level as u64) << 3 | (details >> 8) << 6 | leaf << 14;
        Err(EptViolation {
            qualification: 2 | (entry & RWX) << 3,
            extended: EEQ_ACCEPT | eeq_info << 32,
            gpa: info.gpa,
        })
    };
    if w.level != info.level {
        return Some(match state {
            State::Mapped => Ok(code::PAGE_ALREADY_ACCEPTED | w.level as u64),
            _ => violation(w.entry, w.level),
        });
    }
    match state {
        State::Free => Some(violation(w.entry, w.level)),
        State::Mapped => Some(Ok(code::PAGE_ALREADY_ACCEPTED | w.level as u64)),
        State::Pending => {
            let page = sept_walk::leaf_hpa(w.entry, info.gpa, LVL_PT);
            let zero = [0u8; 256];
            for off in (0..4096).step_by(zero.len()) {
                mem.write(page + off, &zero).then_some(())?;
            }
            let mapped = sept::with_state(w.entry, State::Mapped) | RWX;
            sept_walk::write(mem, w.at, mapped)?;
            Some(Ok(code::SUCCESS))
        }
        _ if !state.is_leaf() => Some(Ok(code::PAGE_SIZE_MISMATCH | w.level as u64)),
        _ => Some(violation(w.entry, w.level)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::td::mem_fixture::*;
    use super::*;
    use crate::abi::leaf::Leaf;

    const GPA: u64 = 0x8040_3000;

    /// The guest faults on an unmapped GPA, the host AUGs it, the guest
    /// accepts it and then reads it.
    #[test]
    fn a_fault_then_aug_and_accept_then_the_access_goes_through() {
        let mut w = World::new();
        w.map_tables(GPA, 0);
        w.finalize();
        let root = w.td().sept_root();
        let mut q = [0u8; 8];
        let read = |mem: &dyn PhysMem, gpa, q: &mut [u8; 8]| {
            let m = SeptMem::new(mem, root);
            let r = m.read(gpa, q);
            assert!(!m.broken.get());
            r
        };
        assert_eq!(read(&w.mem, GPA + 0x10, &mut q), Err(Fault::NotMapped));
        let fault = EptViolation::read(GPA + 0x10);
        assert_eq!(
            fault.async_exit(),
            AsyncExit {
                reason: 48,
                qualification: 1,
                extended: 0,
                gpa: GPA,
                interruption_info: 0
            },
            "read of a FREE GPA: qualification 1, the GPA's page"
        );
        // ACCEPT before the AUG: a write violation of type ACCEPT.
        let v = accept(&mut w.mem, root, GPA).unwrap().unwrap_err();
        let eeq_info = 0; // requested and failing level 0, FREE (0), not a leaf
        assert_eq!(
            (v.qualification, v.extended, v.gpa),
            (2, EEQ_ACCEPT | eeq_info << 32, GPA)
        );
        assert_eq!(w.on_gpa(Leaf::MemPageAug, GPA, 0, pool(3)), (0, 0, 0));
        w.mem.poke(pool(3), &[0xee; 64]);
        assert_eq!(read(&w.mem, GPA, &mut q), Err(Fault::Pending));
        assert_eq!(accept(&mut w.mem, root, GPA), Some(Ok(0)));
        w.mem.poke(pool(3) + 0x10, &[0x5a; 8]);
        assert_eq!(read(&w.mem, GPA + 0x10, &mut q), Ok(()));
        assert_eq!(q, [0x5a; 8], "read through the SEPT to the AUGed page");
        w.mem.poke(pool(3) + 0x10, &[0; 8]);
        // Not private: the shared bit, or beyond GPAW 48.
        for gpa in [1 << 47 | GPA, 1 << 48 | GPA] {
            assert_eq!(read(&w.mem, gpa, &mut q), Err(Fault::NotMapped));
        }
        // Across a page end: the next page is FREE.
        assert_eq!(read(&w.mem, GPA + 0xffc, &mut q), Err(Fault::NotMapped));
        assert_eq!(w.mem.peek_u64(pool(3)), 0, "accepted pages are zeroed");
        assert_eq!(
            accept(&mut w.mem, root, GPA),
            Some(Ok(code::PAGE_ALREADY_ACCEPTED))
        );
        assert_eq!(
            accept(&mut w.mem, root, GPA | 8),
            Some(Ok(code::OPERAND_INVALID | 1))
        );
        assert_eq!(
            accept(&mut w.mem, root, 1 << 47 | GPA),
            Some(Ok(code::OPERAND_INVALID | 1))
        );
        // The host blocks it: a blocked leaf at the level is a violation.
        assert_eq!(w.on_gpa(Leaf::MemRangeBlock, GPA, 0, 0), (0, 0, 0));
        let v = accept(&mut w.mem, root, GPA).unwrap().unwrap_err();
        assert_eq!(v.extended >> 32, 1 << 6 | 1 << 14, "BLOCKED (1), a leaf");
    }
}
