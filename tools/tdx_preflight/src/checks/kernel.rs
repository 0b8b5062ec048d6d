// SPDX-License-Identifier: GPL-2.0

//! The running kernel: its configuration, and whether KVM keeps VMX on.

use super::Verdict;
use crate::input::Inputs;
use tdx_host_rs_core::preflight_api::VMX_FIX;

/// A configuration symbol tdx_host_rs needs on a TDX host: its name, the
/// values that do, and why. `scripts/config/host.config` sets every one.
pub(crate) struct Symbol {
    pub(crate) name: &'static str,
    pub(crate) accepted: &'static [&'static str],
    pub(crate) why: &'static str,
}

/// Every symbol the check reads, in one table.
pub(crate) const SYMBOLS: [Symbol; 9] = [
    Symbol {
        name: "CONFIG_RUST",
        accepted: &["y"],
        why: "tdx_host_rs is a Rust module",
    },
    Symbol {
        name: "CONFIG_CC_IS_CLANG",
        accepted: &["y"],
        why: "Rust modules need a kernel built with LLVM (LLVM=1)",
    },
    Symbol {
        name: "CONFIG_MODULES",
        accepted: &["y"],
        why: "tdx_host_rs is a loadable module",
    },
    Symbol {
        name: "CONFIG_X86_64",
        accepted: &["y"],
        why: "TDX is 64-bit only",
    },
    Symbol {
        name: "CONFIG_SMP",
        accepted: &["y"],
        why: "caches are written back on every CPU",
    },
    Symbol {
        name: "CONFIG_CONTIG_ALLOC",
        accepted: &["y"],
        why: "the PAMTs come from alloc_contig_range()",
    },
    Symbol {
        name: "CONFIG_X86_X2APIC",
        accepted: &["y"],
        why: "TDH.SYS.INIT refuses a platform whose legacy xAPIC is enabled: the kernel must \
              drive the x2APIC",
    },
    Symbol {
        name: "CONFIG_KVM_INTEL",
        accepted: &["y", "m"],
        why: "kvm_intel turns VMX on, which SEAMCALL needs and tdx_host_rs never does, and \
              runs the TDs",
    },
    Symbol {
        name: "CONFIG_INTEL_TDX_HOST",
        accepted: &["y"],
        why: "the kernel's boot-time TDX code turns ACPI S3 off (TDX keys do not survive it) \
              and marks the partial-write #MC erratum; it needs KEXEC_CORE off",
    },
];

/// The kernel series tdx_host_rs is written for.
const SERIES: &str = "6.12";

const CONFIG_FIX: &str = "build and boot a Linux 6.12 kernel made with LLVM=1 from your \
    configuration plus scripts/config/host.config (make host-deb BASE_CONFIG=/boot/config-$(uname \
    -r))";

/// A symbol's value in a configuration; `None` when not set.
pub(crate) fn value<'a>(config: &'a str, name: &str) -> Option<&'a str> {
    config.lines().find_map(|line| {
        let v = line.strip_prefix(name)?.strip_prefix('=')?;
        Some(v.trim())
    })
}

/// The version of the configuration's header, `# Linux/x86 6.12.118 Kernel
/// Configuration`.
fn header_version(config: &str) -> Option<&str> {
    config.lines().take(8).find_map(|line| {
        let rest = line.strip_prefix("# Linux/")?;
        rest.split_whitespace().nth(1)
    })
}

/// Every symbol of [`SYMBOLS`] set to a value that works, on Linux 6.12.
pub(crate) fn config(i: &Inputs) -> Verdict {
    let Some(config) = &i.config else {
        return Verdict::unknown(
            "no kernel configuration: neither /proc/config.gz nor /boot/config-$(uname -r)",
            "modprobe configs (CONFIG_IKCONFIG_PROC), or install the kernel's config file in /boot",
        );
    };
    let mut wrong = Vec::new();
    let version = header_version(config);
    if let Some(v) = version {
        if v != SERIES && !v.starts_with(&format!("{SERIES}.")) {
            wrong.push(format!(
                "Linux {v} (tdx_host_rs is written for Linux {SERIES})"
            ));
        }
    }
    for s in &SYMBOLS {
        match value(config, s.name) {
            Some(v) if s.accepted.contains(&v) => {}
            Some(v) => wrong.push(format!("{}={v} ({})", s.name, s.why)),
            None => wrong.push(format!("{} is not set ({})", s.name, s.why)),
        }
    }
    if !wrong.is_empty() {
        return Verdict::missing(wrong.join("; "), CONFIG_FIX);
    }
    Verdict::Ok(format!(
        "Linux {}: the {} symbols set ({})",
        version.unwrap_or("(no header)"),
        SYMBOLS.len(),
        SYMBOLS
            .iter()
            .map(|s| s.name.trim_start_matches("CONFIG_"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// kvm_intel loaded, with kvm.enable_virt_at_load=Y: VMX on every CPU.
/// tdx_host_rs never executes VMXON, and SEAMCALL raises #UD outside VMX
/// operation, so VMX must be on when it initializes the TDX module.
pub(crate) fn kvm_vmx(i: &Inputs) -> Verdict {
    if !i.has_sys {
        return Verdict::unknown("cannot read /sys", "run on the host with /sys mounted");
    }
    if !i.kvm_intel {
        return Verdict::missing(
            "kvm_intel is not loaded: nothing turns VMX on, and tdx_host_rs never executes VMXON",
            VMX_FIX,
        );
    }
    if !i.kvm_dev {
        return Verdict::missing(
            "kvm_intel is present but KVM did not initialize (no /dev/kvm): VMX is unavailable \
             and nothing turns it on",
            "enable Intel Virtualization Technology (VT-x) in the BIOS; the kernel log says \
             why kvm_intel failed",
        );
    }
    const ONLY_WHILE_A_VM_RUNS: &str = "kvm_intel turns VMX on only while a VM runs, and \
        tdx_host_rs needs it on every CPU when it initializes the TDX module (SEAMCALL raises \
        #UD otherwise)";
    match i.virt_at_load.as_deref() {
        Some("Y") | Some("1") => Verdict::Ok(
            "kvm_intel loaded, kvm.enable_virt_at_load=Y: VMX is on in every online CPU from \
             kvm_intel's load, and on each CPU that comes online"
                .into(),
        ),
        Some(v) => Verdict::missing(
            format!("kvm.enable_virt_at_load={v}: {ONLY_WHILE_A_VM_RUNS}"),
            "boot with kvm.enable_virt_at_load=1 (or `options kvm enable_virt_at_load=1` in \
             /etc/modprobe.d/), then reload kvm_intel",
        ),
        None => Verdict::missing(
            format!(
                "KVM has no enable_virt_at_load parameter (a kernel before 6.12): \
                 {ONLY_WHILE_A_VM_RUNS}"
            ),
            "boot Linux 6.12, where kvm.enable_virt_at_load=1 is the default",
        ),
    }
}
