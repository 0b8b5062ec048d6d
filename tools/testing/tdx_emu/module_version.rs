// SPDX-License-Identifier: GPL-2.0

//! The TDX module version the emulator behaves as: the `version=` module
//! parameter (`MAJOR.MINOR.UPDATE`, as a platform profile's `module` line
//! spells it; `scripts/platform.py` passes it). Only versions whose TD-exit
//! behaviour the model follows are accepted; any other fails the load.
//!
//! What differs between them in the model:
//!
//! - MAJOR/MINOR/UPDATE_VERSION, BUILD_NUM and BUILD_DATE (`TDH.SYS.RD`).
//! - RBP at an asynchronous TD exit (an EPT violation, an external
//!   interrupt). 1.5.01's `async_tdexit_internal()` (`td_exit.c`) writes 0
//!   to the host's RBP whatever the TD's CONFIG_FLAGS, although TDX_FEATURES0
//!   reports NO_RBP_MOD; the issue this follows says the same of 1.5.05.
//!   1.5.06's zeroes it only for a TD without CONFIG_FLAGS.NO_RBP_MOD.
//!   TDG.VP.VMCALL (`tdg_vp_vmcall.c`, `copy_gprs_data_from_td_to_vmm()`)
//!   follows CONFIG_FLAGS.NO_RBP_MOD in all three.
//!
//! Pure `core`.

use core::fmt;

/// A modeled TDX module version.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ModuleVersion {
    V1_5_01,
    V1_5_05,
    V1_5_06,
}

/// `version=` when the parameter is not given: the version the model was
/// written against.
pub(crate) const DEFAULT_VERSION: ModuleVersion = ModuleVersion::V1_5_06;

impl ModuleVersion {
    pub(crate) const ALL: [Self; 3] = [Self::V1_5_01, Self::V1_5_05, Self::V1_5_06];

    /// MAJOR, MINOR and UPDATE_VERSION.
    pub(crate) const fn numbers(self) -> (u64, u64, u64) {
        match self {
            Self::V1_5_01 => (1, 5, 1),
            Self::V1_5_05 => (1, 5, 5),
            Self::V1_5_06 => (1, 5, 6),
        }
    }

    /// BUILD_NUM and BUILD_DATE of the release the profiles name (1.5.01:
    /// build 595 of 2023-10-08; 1.5.05: 698 of 2024-01-29; 1.5.06: 744 of
    /// 2024-04-07, the TDX 1.5 release the module's README names).
    pub(crate) const fn build(self) -> (u64, u64) {
        match self {
            Self::V1_5_01 => (595, 20231008),
            Self::V1_5_05 => (698, 20240129),
            Self::V1_5_06 => (744, 20240407),
        }
    }

    /// Whether an asynchronous TD exit of a TD with CONFIG_FLAGS.NO_RBP_MOD
    /// keeps the host's RBP (it is zeroed otherwise).
    pub(crate) const fn async_exit_keeps_rbp(self, no_rbp_mod: bool) -> bool {
        match self {
            Self::V1_5_01 | Self::V1_5_05 => false,
            Self::V1_5_06 => no_rbp_mod,
        }
    }

    /// Parses `version=`: `1.5.01`, `1.5.05` or `1.5.06` (the update in
    /// one or two digits).
    pub(crate) fn parse(s: &[u8]) -> Result<Self, VersionError> {
        let mut parts = s.split(|&b| b == b'.');
        let mut num = || -> Option<u64> {
            let p = parts.next().filter(|p| (1..=2).contains(&p.len()))?;
            p.iter().try_fold(0, |v, &c| {
                c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
            })
        };
        let (Some(major), Some(minor), Some(update)) = (num(), num(), num()) else {
            return Err(VersionError::Malformed);
        };
        if parts.next().is_some() {
            return Err(VersionError::Malformed);
        }
        Self::ALL
            .into_iter()
            .find(|v| v.numbers() == (major, minor, update))
            .ok_or(VersionError::NotModeled(major, minor, update))
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (major, minor, update) = self.numbers();
        write!(f, "{major}.{minor}.{update:02}")
    }
}

/// Why `version=` names no modeled version.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VersionError {
    /// Not MAJOR.MINOR.UPDATE in decimal.
    Malformed,
    /// A version whose behaviour the model does not follow.
    NotModeled(u64, u64, u64),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Malformed => f.write_str("version=: not MAJOR.MINOR.UPDATE")?,
            Self::NotModeled(a, b, c) => write!(f, "version={a}.{b}.{c:02}: not modeled")?,
        }
        f.write_str(" (the emulator models 1.5.01, 1.5.05 and 1.5.06)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_modeled_versions_and_no_other() {
        for v in ModuleVersion::ALL {
            let text = format!("{v}");
            assert_eq!(ModuleVersion::parse(text.as_bytes()), Ok(v));
        }
        assert_eq!(ModuleVersion::parse(b"1.5.6"), Ok(ModuleVersion::V1_5_06));
        for (s, e) in [
            (&b"1.5.08"[..], VersionError::NotModeled(1, 5, 8)),
            (b"2.0.08", VersionError::NotModeled(2, 0, 8)),
            (b"1.5", VersionError::Malformed),
            (b"1.5.06.0", VersionError::Malformed),
            (b"1.5.x6", VersionError::Malformed),
            (b"1.5.006", VersionError::Malformed),
            (b"", VersionError::Malformed),
        ] {
            assert_eq!(ModuleVersion::parse(s), Err(e), "{s:?}");
        }
    }

    #[test]
    fn rbp_at_an_asynchronous_exit() {
        use ModuleVersion::*;
        for flag in [false, true] {
            assert!(!V1_5_01.async_exit_keeps_rbp(flag));
            assert!(!V1_5_05.async_exit_keeps_rbp(flag));
            assert_eq!(V1_5_06.async_exit_keeps_rbp(flag), flag);
        }
    }
}
