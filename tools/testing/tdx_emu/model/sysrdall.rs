// SPDX-License-Identifier: GPL-2.0

//! The list TDH.SYS.RDALL writes (`md_dump_list()` and `md_dump_sequence()`,
//! TDX 1.5 `metadata_generic.c`) for the global context.
//!
//! The list: an 8-byte header (bits 15:0 the list's size in bytes, header
//! included; bits 31:16 the number of sequences; the rest zero), then
//! sequences. A sequence is a header, the field identifier of its first
//! field with LAST_ELEMENT_IN_FIELD (bits 37:34) and LAST_FIELD_IN_SEQUENCE
//! (bits 46:38) set and the context code, reserved bits and WRITE_MASK_VALID
//! cleared, then every element of its fields, 8 bytes each. A sequence
//! holds fields of one class with consecutive field codes, the same number
//! of elements and the same element size; a new sequence starts where one
//! of these changes. The dump goes field by field (never a part of one) while
//! the buffer holds another sequence header and one whole field; it returns
//! `TDX_SUCCESS` past the context's last field, `TDX_METADATA_LIST_OVERFLOW`
//! otherwise, and the next field to dump: R8 of the next call.
//!
//! Every global field is readable by the host (`vmm_rd_mask` non-zero in
//! `global_sys_lookup`), so none is skipped. The values come from a function
//! of the caller; where it has none, the dump gives `None`: the leaf then
//! declines rather than write a list the module would not.
//!
//! Pure `core`.

use super::sys::Sys;
use super::sys_fields::{entry_from, find, value, TABLE};
use crate::abi::metadata::{
    class_code, element_size_code, field_code, is_null, FIELD_CODE_MASK, FIELD_ID_NA,
    LAST_ELEMENT_SHIFT, LAST_FIELD_SHIFT, RESERVED_MASK,
};
use crate::abi::status::code;
use crate::module_version::ModuleVersion;
use crate::platform::Platform;

/// `sizeof(md_list_header_t)` and `sizeof(md_field_id_t)`.
const HEADER: u32 = 8;
/// `MAX_ELEMENTS_IN_FIELD`: `md_dump_list()` asks the buffer for at least
/// 8 + 8 + this many bytes (the module's own sum).
const MAX_ELEMENTS_IN_FIELD: u32 = 16;
/// Bits of a sequence header the module clears or sets itself: the last
/// element and last field (bits 46:34), the context code (54:52),
/// WRITE_MASK_VALID (51) and the reserved bits.
const SEQUENCE_OWN_BITS: u64 = 0x1fff << LAST_ELEMENT_SHIFT | 0xf << 51 | RESERVED_MASK;

/// A field of the table: entry `idx`, identifier `id` (the entry's, with
/// this field's code).
#[derive(Clone, Copy)]
struct Field {
    idx: usize,
    id: u64,
}

impl Field {
    fn elements(self) -> u32 {
        u32::from(TABLE[self.idx].elements)
    }

    /// The next field in `version`'s context
    /// (`md_get_next_item_with_iterator()` by field), `None` after the last.
    fn next(self, version: ModuleVersion) -> Option<Field> {
        let entry = &TABLE[self.idx];
        let field_num = (field_code(self.id) - field_code(entry.id)) / self.elements();
        if field_num + 1 < u32::from(entry.fields) {
            return Some(Field {
                idx: self.idx,
                id: self.id + u64::from(self.elements()),
            });
        }
        let idx = entry_from(version, self.idx + 1)?;
        Some(Field {
            idx,
            id: TABLE[idx].id,
        })
    }

    /// Whether `next` continues this field's sequence
    /// (`is_sequential_field_id()` and `md_dump_sequence()`'s checks).
    fn continued_by(self, next: Field) -> bool {
        class_code(self.id) == class_code(next.id)
            && field_code(self.id) + self.elements() == field_code(next.id)
            && self.elements() == next.elements()
            && element_size_code(self.id) == element_size_code(next.id)
    }
}

/// What a dump ends with: the status and R8, the next field (or
/// [`FIELD_ID_NA`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dumped {
    pub(crate) status: u64,
    pub(crate) next: u64,
}

/// `md_check_field_and_get_entry()`: `id` must be the first element of a
/// field of `version`'s table, with the entry's element size.
fn start_field(version: ModuleVersion, id: u64) -> Option<Field> {
    let idx = find(version, id)?;
    let entry = &TABLE[idx];
    let elem = field_code(id) - field_code(entry.id);
    if elem % u32::from(entry.elements) != 0 || element_size_code(id) != element_size_code(entry.id)
    {
        return None;
    }
    Some(Field {
        idx,
        id: entry.id & !FIELD_CODE_MASK | u64::from(field_code(id)),
    })
}

/// `md_dump_list()` for `version`'s global context into a buffer of `size`
/// bytes, from field `start` (its context code already taken as global;
/// null: the first field). `value(idx, id)` gives element `id` of entry
/// `idx`; `out(offset, word)` stores 8 bytes at `offset` in the buffer.
/// `None`: `value` had no value for an element, or `out` failed.
pub(crate) fn dump(
    version: ModuleVersion,
    start: u64,
    size: u32,
    value: &dyn Fn(usize, u64) -> Option<u64>,
    out: &mut dyn FnMut(u32, u64) -> bool,
) -> Option<Dumped> {
    if size < 2 * HEADER + MAX_ELEMENTS_IN_FIELD {
        return Some(Dumped {
            status: code::METADATA_LIST_OVERFLOW,
            next: start,
        });
    }
    let first = if is_null(start) { TABLE[0].id } else { start };
    let Some(mut next) = start_field(version, first) else {
        return Some(Dumped {
            status: code::METADATA_FIELD_ID_INCORRECT,
            next: FIELD_ID_NA,
        });
    };
    let mut left = size - HEADER;
    let (mut used, mut sequences) = (HEADER, 0u32);
    let mut cur = Some(next);
    while let Some(f) = cur {
        if left < HEADER + f.elements() * 8 {
            break;
        }
        // One sequence from `f`: whole fields while they fit and continue it.
        let at = used;
        left -= HEADER;
        let (mut words, mut fields) = (0u32, 0u64);
        let mut no_space = true;
        next = f;
        while left >= next.elements() * 8 {
            for e in 0..u64::from(next.elements()) {
                let v = value(next.idx, next.id + e)?;
                if !out(at + HEADER + words * 8, v) {
                    return None;
                }
                words += 1;
            }
            left -= next.elements() * 8;
            fields += 1;
            let after = next.next(version);
            cur = after;
            match after {
                Some(a) if next.continued_by(a) => next = a,
                _ => {
                    no_space = false;
                    break;
                }
            }
        }
        let header = f.id & !SEQUENCE_OWN_BITS
            | u64::from(f.elements() - 1) << LAST_ELEMENT_SHIFT
            | (fields - 1) << LAST_FIELD_SHIFT;
        if !out(at, header) {
            return None;
        }
        sequences += 1;
        used += HEADER + words * 8;
        if no_space {
            break;
        }
    }
    if !out(0, u64::from(used) | u64::from(sequences) << 16) {
        return None;
    }
    Some(Dumped {
        status: if cur.is_none() {
            code::SUCCESS
        } else {
            code::METADATA_LIST_OVERFLOW
        },
        next: cur.map_or(FIELD_ID_NA, |f| f.id),
    })
}

/// The list the model's TDH.SYS.RDALL writes for `platform` from field
/// `start` into `out` (`out.len()` bytes, whole words): the status and R8,
/// `None` where the model declines. For the host crate's reader tests
/// (`core_tests.rs`): the kernel module does not call it.
#[allow(dead_code)]
pub(crate) fn list_of(platform: Platform, start: u64, out: &mut [u8]) -> Option<Dumped> {
    let mut slot = core::mem::MaybeUninit::<Sys>::uninit();
    // SAFETY: `slot` is valid for writes of a `Sys` and aligned, and holds
    // nothing yet; `write_new` initializes every field, so it is then a
    // valid `Sys`.
    let sys = unsafe {
        Sys::write_new(slot.as_mut_ptr(), platform);
        slot.assume_init()
    };
    let values = |idx, id| value(&sys, idx, id);
    let size = u32::try_from(out.len()).ok()?;
    let mut write = |off: u32, v: u64| {
        let at = off as usize;
        out.get_mut(at..at + 8)
            .map(|w| w.copy_from_slice(&v.to_le_bytes()))
            .is_some()
    };
    dump(platform.version, start, size, &values, &mut write)
}

#[cfg(test)]
mod tests;
