// SPDX-License-Identifier: GPL-2.0

//! How the initialization reads the global metadata with TDH.SYS.RDALL
//! (TDX 1.5 `tdh_sys_rdall()` and `md_dump_list()`): what each call's
//! outcome means, and the values of the lists it wrote.
//!
//! The first call starts from the null field id (R8 = -1): the whole global
//! context, listed field by field into one 4 KiB page. `TDX_SUCCESS` ends
//! the context; `TDX_METADATA_LIST_OVERFLOW` means the page is full and R8
//! names the first field not listed, where the next call starts, into a
//! page of its own. The host makes at most [`MAX_LISTS`] calls (a TDX 1.5
//! module's global context fits one page); a module that needs more is
//! refused, not read in part.
//!
//! Only `TDX_OPERAND_INVALID` on RAX at the first call means the module has
//! no TDH.SYS.RDALL: its dispatcher's answer to a leaf it does not know.
//! Then, and only then, the host reads field by field with TDH.SYS.RD. A
//! #UD, VMfailInvalid or any other status is the failure it is.
//!
//! Pure `core`.

use crate::abi::md_list::{self, ListError};
use crate::abi::status::{code, ModuleStatus, SeamcallError};

/// The most TDH.SYS.RDALL calls (and list pages) of one initialization.
pub(crate) const MAX_LISTS: usize = 2;
/// The page each call writes its list into.
pub(crate) const LIST_BYTES: usize = 4096;
/// R8 of the first call: the null field id, the context's first field.
pub(crate) const FIRST: u64 = u64::MAX;
/// `TDX_METADATA_LIST_OVERFLOW`: the page is full, R8 the next field.
pub(crate) const LIST_OVERFLOW: u64 = 0xC000_0C04_0000_0000;
/// `TDX_OPERAND_INVALID` with operand 0 (RAX): the leaf is unknown.
pub(crate) const LEAF_UNKNOWN: u64 = code::OPERAND_INVALID;

/// What to do after a TDH.SYS.RDALL call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The context is listed whole.
    Done,
    /// Call again from this field, into the next page.
    Continue(u64),
    /// The module has no TDH.SYS.RDALL: read with TDH.SYS.RD.
    Fallback,
}

/// Why the lists cannot be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RdallError {
    /// The SEAMCALL failed (a trap, VMfailInvalid, an error status).
    Seamcall(SeamcallError),
    /// A status that is neither an error nor `TDX_SUCCESS`.
    Unexpected(u64),
    /// The context needs more than [`MAX_LISTS`] pages.
    TooManyLists,
    /// A list overflowed but R8 names no next field.
    NoContinuation,
}

/// The outcome of call number `made` (from 1), its status and R8.
pub(crate) fn step(
    made: usize,
    status: Result<ModuleStatus, SeamcallError>,
    r8: u64,
) -> Result<Step, RdallError> {
    let s = match status {
        Ok(s) if s.raw() == code::SUCCESS => return Ok(Step::Done),
        Ok(s) => return Err(RdallError::Unexpected(s.raw())),
        Err(SeamcallError::Module(s)) => s,
        Err(e) => return Err(RdallError::Seamcall(e)),
    };
    if s.raw() == LEAF_UNKNOWN && made == 1 {
        return Ok(Step::Fallback);
    }
    if s.raw() != LIST_OVERFLOW {
        return Err(RdallError::Seamcall(SeamcallError::Module(s)));
    }
    if made >= MAX_LISTS {
        return Err(RdallError::TooManyLists);
    }
    if r8 == FIRST {
        return Err(RdallError::NoContinuation);
    }
    Ok(Step::Continue(r8))
}

/// The lists the calls wrote, checked whole before any value is taken.
pub(crate) struct Lists<'a> {
    lists: [&'a [u8]; MAX_LISTS],
    nr: usize,
}

impl<'a> Lists<'a> {
    /// Checks each of `lists` (at most [`MAX_LISTS`]).
    pub(crate) fn new(lists: &[&'a [u8]]) -> Result<Self, ListError> {
        let mut all: [&[u8]; MAX_LISTS] = [&[]; MAX_LISTS];
        for (slot, list) in all.iter_mut().zip(lists) {
            md_list::parse(list, &mut |_, _| {})?;
            *slot = list;
        }
        Ok(Self {
            lists: all,
            nr: lists.len().min(MAX_LISTS),
        })
    }

    /// The value of element `id`, `None` if no list holds it.
    pub(crate) fn get(&self, id: u64) -> Option<u64> {
        self.lists[..self.nr]
            .iter()
            .find_map(|l| md_list::find(l, id).ok().flatten())
    }

    /// Elements in all lists.
    pub(crate) fn elements(&self) -> usize {
        self.lists[..self.nr]
            .iter()
            .map(|l| md_list::parse(l, &mut |_, _| {}).unwrap_or(0))
            .sum()
    }
}

#[cfg(test)]
mod tests;
