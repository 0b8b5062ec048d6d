// SPDX-License-Identifier: GPL-2.0

//! Reading the metadata list TDH.SYS.RDALL writes (TDX 1.5 ABI: the
//! `md_list_header_t`, then sequences), without trusting it: every length
//! is checked against the buffer before a byte is read.
//!
//! The list: an 8-byte header (bits 15:0 the list's size in bytes, header
//! included; bits 31:16 the number of sequences; 63:32 zero), then the
//! sequences. A sequence is an 8-byte header, the field identifier of its
//! first field with LAST_ELEMENT_IN_FIELD (bits 37:34) and
//! LAST_FIELD_IN_SEQUENCE (bits 46:38) set, then its fields' elements, 8
//! bytes each. Element `i` of the sequence has the header's identifier with
//! those bits cleared and `i` added to the field code: a header names its
//! first field only, so the others may differ from their own identifiers in
//! bits the field code does not hold (the non-architectural bit): match
//! elements by class and field code ([`same_field`]).
//!
//! Pure `core`.

/// LAST_ELEMENT_IN_FIELD (37:34) and LAST_FIELD_IN_SEQUENCE (46:38).
const LAST_BITS: u64 = 0x1fff << 34;
/// The field code (bits 23:0) and the class code (bits 61:56).
const CLASS_AND_FIELD: u64 = 0x3f << 56 | 0xff_ffff;

/// Why a list cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListError {
    /// The buffer is shorter than the list header.
    NoHeader,
    /// The list header's reserved bits 63:32 are not zero.
    HeaderReserved,
    /// The list's size is below its header, not a multiple of 8, or past
    /// the buffer.
    BadSize(u16),
    /// Sequence `n` (from 0) does not fit in the list's size.
    SequenceOverrun(u16),
    /// A sequence's elements would step past the field code's 24 bits.
    FieldCodeWraps(u16),
    /// The sequences end before the list's size.
    TrailingBytes,
}

/// Whether element identifiers `a` and `b` name the same element: equal
/// class and field codes.
pub(crate) const fn same_field(a: u64, b: u64) -> bool {
    a & CLASS_AND_FIELD == b & CLASS_AND_FIELD
}

fn word(list: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&list[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Checks the list in `list`, then gives each element to `each` as
/// (element identifier, value), in list order; returns the number of
/// elements. Nothing is given if the list is malformed.
pub(crate) fn parse(list: &[u8], each: &mut dyn FnMut(u64, u64)) -> Result<usize, ListError> {
    let total = walk(list, &mut |_, _| {})?;
    walk(list, each)?;
    Ok(total)
}

/// The value of element `id` in `list` (matched by [`same_field`]; the
/// first if listed twice), `None` if the list does not hold it.
pub(crate) fn find(list: &[u8], id: u64) -> Result<Option<u64>, ListError> {
    let mut found = None;
    walk(list, &mut |e, v| {
        if found.is_none() && same_field(e, id) {
            found = Some(v);
        }
    })?;
    Ok(found)
}

fn walk(list: &[u8], each: &mut dyn FnMut(u64, u64)) -> Result<usize, ListError> {
    if list.len() < 8 {
        return Err(ListError::NoHeader);
    }
    let header = word(list, 0);
    if header >> 32 != 0 {
        return Err(ListError::HeaderReserved);
    }
    let size = header as u16;
    let nseq = (header >> 16) as u16;
    let len = usize::from(size);
    if len < 8 || len % 8 != 0 || len > list.len() {
        return Err(ListError::BadSize(size));
    }
    let (mut at, mut count) = (8usize, 0usize);
    for n in 0..nseq {
        if len - at < 8 {
            return Err(ListError::SequenceOverrun(n));
        }
        let h = word(list, at);
        let elements = ((h >> 34) & 0xf) + 1;
        let fields = ((h >> 38) & 0x1ff) + 1;
        let words = (elements * fields) as usize;
        if (len - at - 8) / 8 < words {
            return Err(ListError::SequenceOverrun(n));
        }
        let base = h & !LAST_BITS;
        if (base & 0xff_ffff) + words as u64 > 0x100_0000 {
            return Err(ListError::FieldCodeWraps(n));
        }
        for i in 0..words {
            each(base + i as u64, word(list, at + 8 + i * 8));
        }
        at += 8 + words * 8;
        count += words;
    }
    if at != len {
        return Err(ListError::TrailingBytes);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(words: &[u64]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    fn all(list: &[u8]) -> Result<Vec<(u64, u64)>, ListError> {
        let mut got = Vec::new();
        let n = parse(list, &mut |id, v| got.push((id, v)))?;
        assert_eq!(n, got.len());
        Ok(got)
    }

    /// VENDOR_ID's sequence: 2 fields of 1 element, then CMR_BASE's
    /// first 2 fields.
    fn sample() -> Vec<u64> {
        let vendor = 0x0800_0002_0000_0000 | 1 << 38;
        let cmr = 0x9000_0003_0000_0080 | 1 << 38;
        vec![
            8 * 7 | 2 << 16,
            vendor,
            0x8086,
            20240129,
            cmr,
            0x1000,
            0x2000,
        ]
    }

    #[test]
    fn reads_elements_in_order_with_their_ids() {
        let got = all(&bytes(&sample())).unwrap();
        assert_eq!(
            got,
            [
                (0x0800_0002_0000_0000, 0x8086),
                (0x0800_0002_0000_0001, 20240129),
                (0x9000_0003_0000_0080, 0x1000),
                (0x9000_0003_0000_0081, 0x2000),
            ]
        );
        // BUILD_DATE's own id has the non-architectural bit set.
        assert!(same_field(got[1].0, 0x8800_0002_0000_0001));
        assert!(!same_field(got[1].0, 0x0900_0002_0000_0001));
    }

    #[test]
    fn two_elements_per_field() {
        let h = 0x9900_0003_0000_0500 | 1 << 34;
        let got = all(&bytes(&[32 | 1 << 16, h, 7, 9])).unwrap();
        assert_eq!(
            got,
            [(0x9900_0003_0000_0500, 7), (0x9900_0003_0000_0501, 9)]
        );
    }

    #[test]
    fn malformed_lists_are_refused_whole() {
        let mut s = sample();
        assert_eq!(all(&[0; 7]), Err(ListError::NoHeader));
        s[0] |= 1 << 32;
        assert_eq!(all(&bytes(&s)), Err(ListError::HeaderReserved));
        // A size past the buffer, below the header, not of whole words.
        // The buffer has one word more than the list.
        for size in [72, 4, 60] {
            s[0] = size | 2 << 16;
            let mut b = bytes(&s);
            b.extend([0; 8]);
            assert_eq!(all(&b), Err(ListError::BadSize(size as u16)));
        }
        // A size that cuts the last sequence short; one more sequence than
        // there is; a sequence longer than the list.
        s[0] = 48 | 2 << 16;
        assert_eq!(all(&bytes(&s)), Err(ListError::SequenceOverrun(1)));
        s[0] = 56 | 3 << 16;
        assert_eq!(all(&bytes(&s)), Err(ListError::SequenceOverrun(2)));
        s[0] = 56 | 2 << 16;
        s[4] |= 0x1ff << 38;
        assert_eq!(all(&bytes(&s)), Err(ListError::SequenceOverrun(1)));
        // Fewer sequences than the size holds.
        let s = sample();
        let mut t = s.clone();
        t[0] = 56 | 1 << 16;
        assert_eq!(all(&bytes(&t)), Err(ListError::TrailingBytes));
        // Field codes past 24 bits.
        let h = 0x9000_0003_00ff_ffff | 1 << 38;
        let w = bytes(&[32 | 1 << 16, h, 1, 2]);
        assert_eq!(all(&w), Err(ListError::FieldCodeWraps(0)));
        // A refused list gives nothing, even what precedes the defect.
        let mut seen = 0;
        let bad = bytes(&t);
        assert!(parse(&bad, &mut |_, _| seen += 1).is_err());
        assert_eq!(seen, 0);
    }

    #[test]
    fn find_matches_class_and_field_code() {
        let list = bytes(&sample());
        // BUILD_DATE by its own id (non-architectural bit set).
        assert_eq!(find(&list, 0x8800_0002_0000_0001), Ok(Some(20240129)));
        assert_eq!(find(&list, 0x9000_0003_0000_0081), Ok(Some(0x2000)));
        assert_eq!(find(&list, 0x9000_0003_0000_0082), Ok(None));
        let mut bad = sample();
        bad[0] |= 1 << 32;
        assert_eq!(
            find(&bytes(&bad), 0x9000_0003_0000_0081),
            Err(ListError::HeaderReserved)
        );
    }

    #[test]
    fn a_longer_buffer_is_read_to_the_lists_size_only() {
        let mut s = sample();
        s.extend([0xdead; 8]);
        assert_eq!(all(&bytes(&s)).unwrap().len(), 4);
    }
}
