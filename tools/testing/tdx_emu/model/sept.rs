// SPDX-License-Identifier: GPL-2.0

//! One Secure EPT entry as the emulated TDX module keeps it: Intel's 64-bit
//! format (`ia32e_sept_t`, `x86_defs.h`), its state encoding
//! (`sept_manager.h`, `auto_gen/sept_state_lookup.h`) and the
//! architectural view a failed leaf hands back in RCX and RDX
//! (`set_arch_septe_details_in_vmm_regs()`).
//!
//! The state of an entry is not a field of its own: it is seven bits spread
//! over the entry (D 9, TDEX 53, TDBW 54, TDB 55, TDP 56, IPAT 6, PS 7),
//! gathered into a 7-bit index. The model knows the states its leaves can
//! reach (FREE, REMOVED, NL_MAPPED, NL_BLOCKED, MAPPED, BLOCKED, PENDING,
//! PENDING_BLOCKED); an entry in any other state (the BLOCKEDW and EXPORTED
//! states of migration, or bits a host wrote into a SEPT page) decodes to
//! `None`, and a leaf that meets one declines.
//!
//! Pure `core`.

/// Entries in one SEPT page.
pub(crate) const ENTRIES: u64 = 512;

/// Entry bits (`SEPT_ENTRY_*_BIT_POSITION`).
const R: u64 = 1 << 0;
const W: u64 = 1 << 1;
const X: u64 = 1 << 2;
pub(crate) const RWX: u64 = R | W | X;
const MT_SHIFT: u32 = 3;
const MT_MASK: u64 = 7 << MT_SHIFT;
/// Write-back: the memory type every leaf the module sets up has.
const MT_WB: u64 = 6;
const IPAT: u64 = 1 << 6;
/// PS: a leaf (at level 0, always set by the module for leaves).
const PS: u64 = 1 << 7;
const D: u64 = 1 << 9;
const TDEX: u64 = 1 << 53;
const TDBW: u64 = 1 << 54;
const TDB: u64 = 1 << 55;
const TDP: u64 = 1 << 56;
/// Suppress #VE: set in every entry the module writes.
pub(crate) const SVE: u64 = 1 << 63;
/// The page frame (`SEPT_HPA_MASK`).
pub(crate) const HPA_MASK: u64 = 0x000F_FFFF_FFFF_F000;

/// The bits that encode the state (`SEPT_STATE_ENCODING_MASK`).
const STATE_MASK: u64 = D | IPAT | PS | TDP | TDB | TDBW | TDEX;

/// What the architectural view keeps of a leaf and of a non-leaf
/// (`SEPT_ARCH_ENTRY_LEAF_MASK`, `SEPT_ARCH_ENTRY_NON_LEAF_MASK`).
const ARCH_LEAF: u64 = RWX | MT_MASK | HPA_MASK | IPAT | PS | SVE;
const ARCH_NON_LEAF: u64 = RWX | PS;

/// The states the model's leaves reach, with Intel's 7-bit encodings
/// (`SEPT_STATE_*_ENCODING`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum State {
    Free = 0x0e,
    Removed = 0x0c,
    NlMapped = 0x00,
    NlBlocked = 0x08,
    Mapped = 0x60,
    Blocked = 0x68,
    Pending = 0x70,
    PendingBlocked = 0x78,
}

impl State {
    /// The entry bits of this state (`SEPT_STATE_ENC_TO_MASK()`): encoding
    /// bit 0 is D, bits 4:1 are TDEX..TDP, bits 6:5 are IPAT and PS.
    pub(crate) const fn bits(self) -> u64 {
        let e = self as u64;
        (e & 1) << 9 | (e >> 1 & 0xf) << 53 | (e >> 5 & 3) << 6
    }

    /// The state whose bits `raw` carries (`SEPT_CONVERT_TO_ENCODING()`);
    /// `None` for a state the model does not reach.
    pub(crate) const fn of(raw: u64) -> Option<State> {
        let e = (raw >> 9 & 1) | (raw >> 53 & 0xf) << 1 | (raw >> 6 & 3) << 5;
        Some(match e {
            0x0e => State::Free,
            0x0c => State::Removed,
            0x00 => State::NlMapped,
            0x08 => State::NlBlocked,
            0x60 => State::Mapped,
            0x68 => State::Blocked,
            0x70 => State::Pending,
            0x78 => State::PendingBlocked,
            _ => return None,
        })
    }

    /// The public state number of the architectural view (`public_state`).
    pub(crate) const fn public(self) -> u64 {
        match self {
            State::Free => 0,
            State::Blocked => 1,
            State::Pending => 2,
            State::PendingBlocked => 3,
            State::Mapped => 4,
            State::Removed => 5,
            State::NlBlocked => 129,
            State::NlMapped => 132,
        }
    }

    /// A leaf state: the entry maps a page.
    pub(crate) const fn is_leaf(self) -> bool {
        matches!(
            self,
            State::Mapped | State::Blocked | State::Pending | State::PendingBlocked
        )
    }

    /// `any_blocked` of Intel's state table.
    pub(crate) const fn is_blocked(self) -> bool {
        matches!(
            self,
            State::NlBlocked | State::Blocked | State::PendingBlocked
        )
    }

    /// `tlb_tracking_required`: a translation of it may be cached.
    pub(crate) const fn needs_tracking(self) -> bool {
        !matches!(self, State::Free | State::Removed)
    }
}

/// The value of a FREE entry the module writes (`SEPTE_INIT_VALUE`).
pub(crate) const FREE: u64 = State::Free.bits() | SVE;

/// A non-leaf entry pointing at the SEPT page `page`
/// (`sept_set_mapped_non_leaf()`).
pub(crate) const fn non_leaf(page: u64) -> u64 {
    RWX | State::NlMapped.bits() | (page & HPA_MASK) | SVE
}

/// A leaf entry mapping `page` in `state` with permissions `perms`
/// (`sept_set_leaf_*()`: write-back, IPAT, suppress #VE).
pub(crate) const fn leaf(page: u64, state: State, perms: u64) -> u64 {
    perms | state.bits() | MT_WB << MT_SHIFT | IPAT | (page & HPA_MASK) | SVE
}

/// `raw` moved to `state`, its other bits kept (`sept_update_state()`).
pub(crate) const fn with_state(raw: u64, state: State) -> u64 {
    raw & !STATE_MASK | state.bits() | SVE
}

/// RCX and RDX of a leaf that failed on this entry at `level`: the entry as
/// the architecture shows it and `state << 8 | level`.
pub(crate) fn arch_details(raw: u64, level: u8) -> (u64, u64) {
    let Some(state) = State::of(raw) else {
        return (raw, level as u64);
    };
    let entry = match state {
        State::Free => SVE,
        _ if raw & PS != 0 => raw & ARCH_LEAF,
        _ => raw & ARCH_NON_LEAF,
    };
    (entry, state.public() << 8 | level as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [State; 8] = [
        State::Free,
        State::Removed,
        State::NlMapped,
        State::NlBlocked,
        State::Mapped,
        State::Blocked,
        State::Pending,
        State::PendingBlocked,
    ];

    #[test]
    fn states_sit_in_intels_bits() {
        // sept_manager.h: FREE is TDEX|TDBW|TDB, PENDING is MAPPED|TDP.
        assert_eq!(State::Free.bits(), TDEX | TDBW | TDB);
        assert_eq!(State::Mapped.bits(), IPAT | PS);
        assert_eq!(State::Pending.bits(), State::Mapped.bits() | TDP);
        assert_eq!(State::Blocked.bits(), IPAT | PS | TDB);
        assert_eq!(State::Removed.bits(), TDBW | TDB);
        assert_eq!(State::NlBlocked.bits(), TDB);
        for s in ALL {
            assert_eq!(State::of(s.bits() | SVE | 0x1234_5000), Some(s));
        }
        assert_eq!(State::of(State::Mapped.bits() | TDBW), None, "BLOCKEDW");
        assert_eq!(State::of(D), None);
    }

    #[test]
    fn entries_the_module_writes() {
        assert_eq!(FREE, 0x80E0_0000_0000_0000);
        let nl = non_leaf(0x1234_5678_9000);
        assert_eq!(nl, 0x8000_1234_5678_9007);
        assert_eq!(State::of(nl), Some(State::NlMapped));
        let p = leaf(0x4000_1000, State::Pending, 0);
        assert_eq!(p, 0x8100_0000_4000_10F0);
        let m = with_state(p, State::Mapped) | RWX;
        assert_eq!(m, leaf(0x4000_1000, State::Mapped, RWX));
    }

    #[test]
    fn the_architectural_view() {
        assert_eq!(arch_details(FREE, 2), (SVE, 2));
        let nl = non_leaf(0x1234_5000);
        assert_eq!(arch_details(nl, 3), (RWX, 132 << 8 | 3));
        let p = leaf(0x4000_1000, State::Pending, 0);
        assert_eq!(
            arch_details(p, 0),
            (0x8000_0000_4000_10F0, 2 << 8),
            "TDP is not architectural"
        );
        let b = with_state(leaf(0x4000_1000, State::Mapped, 0), State::Blocked);
        assert_eq!(arch_details(b, 0).1, 1 << 8);
    }
}
