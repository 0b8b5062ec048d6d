// SPDX-License-Identifier: GPL-2.0

//! A host in memory, for the tests: a good one from a few facts (CPU, KeyID
//! split, TDX module version), whose parts a test then breaks.

use crate::input::{msr, Inputs, Msr, Source};

/// Every file and MSR of a host, in memory.
#[derive(Clone)]
pub(crate) struct Fake {
    pub(crate) cpuinfo: Option<String>,
    pub(crate) msrs: Vec<(u32, Msr)>,
    pub(crate) dmesg: Option<String>,
    pub(crate) sys: Vec<(&'static str, String)>,
    pub(crate) has_sys: bool,
    pub(crate) config: Option<String>,
    pub(crate) iomem: Option<String>,
}

impl Source for Fake {
    fn cpuinfo(&self) -> Option<String> {
        self.cpuinfo.clone()
    }
    fn msr(&self, cpu: u32, index: u32) -> Msr {
        assert_eq!(cpu, 0, "the checks read CPU 0");
        self.msrs
            .iter()
            .find(|(m, _)| *m == index)
            .map_or(Msr::Unreadable(crate::input::Why::NotRecorded), |(_, v)| {
                v.clone()
            })
    }
    fn dmesg(&self) -> Option<String> {
        self.dmesg.clone()
    }
    fn sys(&self, path: &str) -> Option<String> {
        self.sys
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, v)| format!("{v}\n"))
    }
    fn has_sys(&self) -> bool {
        self.has_sys
    }
    fn kernel_config(&self) -> Option<String> {
        self.config.clone()
    }
    fn iomem(&self) -> Option<String> {
        self.iomem.clone()
    }
}

impl Fake {
    /// Sets an MSR.
    pub(crate) fn set_msr(&mut self, index: u32, v: Msr) {
        self.msrs.retain(|(m, _)| *m != index);
        self.msrs.push((index, v));
    }

    /// Sets a sysfs file (`None`: removes it).
    pub(crate) fn set_sys(&mut self, path: &'static str, v: Option<&str>) {
        self.sys.retain(|(p, _)| *p != path);
        if let Some(v) = v {
            self.sys.push((path, v.to_string()));
        }
    }

    /// What the checks read of it.
    pub(crate) fn inputs(&self) -> Inputs {
        Inputs::gather(self)
    }
}

/// A host that TDX with tdx_host_rs runs on: `vendor`'s CPU `model`,
/// `mktme` MKTME and `tdx` TDX KeyIDs, TDX module `version`
/// (MAJOR.MINOR.UPDATE), initialized by tdx_host_rs on Linux 6.12.
pub(crate) fn good(vendor: &str, model: &str, mktme: u32, tdx: u32, version: &str) -> Fake {
    // KeyID bits: enough for KeyIDs 0..=mktme+tdx; the TDX ones on top.
    let keyids = u64::from(mktme) + u64::from(tdx) + 1;
    let bits = 64 - (keyids - 1).leading_zeros() as u64;
    let tdx_bits = 64 - u64::from(tdx.max(1) - 1).leading_zeros() as u64;
    let tme_activate = 0b11 | (bits << 32) | (tdx_bits.min(bits) << 36) | (1 << 48);
    let first = mktme + 1;
    Fake {
        cpuinfo: Some(format!(
            "processor\t: 0\nvendor_id\t: {vendor}\nmodel name\t: {model}\n\
             flags\t\t: fpu msr pae mce cx8 apic lm vmx smx x2apic xsave tme\n\n"
        )),
        msrs: vec![
            (
                msr::KEYID_PARTITIONING,
                Msr::Value(u64::from(tdx) << 32 | u64::from(mktme)),
            ),
            (msr::MTRRCAP, Msr::Value(0xfd0a)),
            (msr::TME_CAPABILITY, Msr::Value(0x5 | (bits << 32))),
            (msr::TME_ACTIVATE, Msr::Value(tme_activate)),
            (msr::SEAMRR_BASE, Msr::Value(0x7e00_0000 | 1 << 3)),
            (msr::SEAMRR_MASK, Msr::Value(0x3f_fe00_0000 | 3 << 10)),
        ],
        dmesg: Some(format!(
            "[    1.000000] virt/tdx: BIOS enabled: private KeyID range [{first}, {})\n\
             [   20.000000] tdx_host_rs: CMR: [0x100000, 0x80000000)\n\
             [   21.000000] tdx_host_rs: 2 TDMRs, at most 3 reserved areas in one, 0 PAMT bytes \
             for other nodes' memory\n\
             [   22.000000] tdx_host_rs: 16404 KB allocated for PAMT\n\
             [   22.000001] tdx_host_rs: module initialized\n",
            first + tdx
        )),
        sys: vec![
            ("module/kvm/parameters/enable_virt_at_load", "Y".into()),
            ("module/kvm_intel/parameters/ept", "Y".into()),
            ("class/misc/kvm/dev", "10:232".into()),
            ("kernel/tdx_host_rs/state", "initialized".into()),
            ("kernel/tdx_host_rs/module_version", format!("{version}.0")),
        ],
        has_sys: true,
        config: Some(
            "#\n# Automatically generated file; DO NOT EDIT.\n\
             # Linux/x86 6.12.118 Kernel Configuration\n#\n\
             CONFIG_CC_IS_CLANG=y\nCONFIG_RUST=y\nCONFIG_X86_64=y\nCONFIG_SMP=y\n\
             CONFIG_X86_X2APIC=y\nCONFIG_INTEL_TDX_HOST=y\nCONFIG_KVM=m\nCONFIG_KVM_INTEL=m\n\
             CONFIG_MODULES=y\nCONFIG_CONTIG_ALLOC=y\n"
                .into(),
        ),
        iomem: Some(
            "00000000-00000fff : Reserved\n00001000-0009efff : System RAM\n\
             00100000-7fffffff : System RAM\n  01000000-01ffffff : Kernel code\n\
             fed00000-fed003ff : HPET 0\n"
                .into(),
        ),
    }
}

/// The good host of the spr-2s-8480c profile.
pub(crate) fn spr() -> Fake {
    good(
        "GenuineIntel",
        "Intel(R) Xeon(R) Platinum 8480C",
        63,
        64,
        "1.5.05",
    )
}
