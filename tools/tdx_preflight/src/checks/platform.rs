// SPDX-License-Identifier: GPL-2.0

//! What the CPU and the BIOS provide: the CPU (/proc/cpuinfo), TME, the
//! MK-TME/TDX KeyID split and SEAMRR (MSRs on CPU 0). The MSR layouts are
//! those of Intel's TDX module (`src/common/x86_defs/msr_defs.h`,
//! `src/common/helpers/smrrs.h`).

use super::Verdict;
use crate::input::{msr, Inputs, Msr};
use tdx_host_rs_core::preflight_api::{self as api, Check, Software};

/// Fields of the first processor in /proc/cpuinfo.
pub(crate) fn cpuinfo_field<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
    for line in cpuinfo.lines() {
        if line.trim().is_empty() {
            // The first processor's block ends here.
            return None;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim() == key {
                return Some(v.trim());
            }
        }
    }
    None
}

const ENABLE_VTX: &str = "enable Intel Virtualization Technology (VT-x) in the BIOS";

/// An Intel CPU with VMX, not under a hypervisor.
pub(crate) fn cpu(i: &Inputs) -> Verdict {
    let Some(info) = &i.cpuinfo else {
        return Verdict::unknown(
            "cannot read /proc/cpuinfo",
            "run on the host itself, with /proc mounted",
        );
    };
    let vendor = cpuinfo_field(info, "vendor_id").unwrap_or("none");
    let model = cpuinfo_field(info, "model name").unwrap_or("unknown model");
    let flags: Vec<&str> = cpuinfo_field(info, "flags")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if vendor != "GenuineIntel" {
        return Verdict::missing(
            format!("vendor {vendor} ({model}): TDX is Intel's"),
            "use an Intel Xeon with TDX (4th generation Xeon Scalable or later) whose BIOS \
             offers TDX",
        );
    }
    if flags.contains(&"hypervisor") {
        return Verdict::missing(
            format!("{model} under a hypervisor: the host side of TDX needs the bare machine"),
            "run on the host itself, not in a virtual machine",
        );
    }
    if !flags.contains(&"vmx") {
        return Verdict::missing(
            format!("{model} without the vmx flag: VT-x is off"),
            ENABLE_VTX,
        );
    }
    Verdict::Ok(format!("{vendor}, {model}, VMX"))
}

/// An MSR's value, `None` if it faults; an unknown verdict if unreadable.
fn read(i: &Inputs, index: u32, name: &str) -> Result<Option<u64>, Verdict> {
    match i.msr(index) {
        Msr::Value(v) => Ok(Some(v)),
        Msr::Faults => Ok(None),
        Msr::Unreadable(why) => {
            let (what, fix) = why.text();
            Err(Verdict::unknown(
                format!("{name} (MSR {index:#x}) unreadable: {what}"),
                fix,
            ))
        }
    }
}

const TME_FIX: &str = "in the BIOS enable Memory Encryption (TME) with an AES-XTS algorithm; \
    the BIOS locks IA32_TME_ACTIVATE when it does";

/// TME enabled and locked by the BIOS, with an AES-XTS algorithm the CPU
/// has (the TDX module's `check_mem_enc_alg()` at TDH.SYS.INIT).
pub(crate) fn tme(i: &Inputs) -> Verdict {
    let act = match read(i, msr::TME_ACTIVATE, "IA32_TME_ACTIVATE") {
        Err(v) => return v,
        Ok(None) => {
            return Verdict::missing("IA32_TME_ACTIVATE faults: the CPU has no TME", TME_FIX)
        }
        Ok(Some(v)) => v,
    };
    let (lock, enable) = (act & 1, (act >> 1) & 1);
    if lock == 0 || enable == 0 {
        return Verdict::missing(
            format!(
                "TME is not enabled and locked (IA32_TME_ACTIVATE {act:#x}: lock {lock}, \
                 enable {enable})"
            ),
            TME_FIX,
        );
    }
    let cap = match read(i, msr::TME_CAPABILITY, "IA32_TME_CAPABILITY") {
        Err(v) => return v,
        Ok(None) => return Verdict::missing("IA32_TME_CAPABILITY faults", TME_FIX),
        Ok(Some(v)) => v,
    };
    // AES-XTS 128 and 256, with and without integrity: capability bits 3:0,
    // activated algorithms bits 51:48.
    let algs = cap & (act >> 48) & 0xf;
    if algs == 0 {
        return Verdict::missing(
            format!(
                "no AES-XTS algorithm both supported and activated (IA32_TME_CAPABILITY \
                 {cap:#x}, IA32_TME_ACTIVATE {act:#x})"
            ),
            TME_FIX,
        );
    }
    Verdict::Ok(format!("enabled and locked (IA32_TME_ACTIVATE {act:#x})"))
}

/// TME-MT on, and at least two TDX KeyIDs (IA32_MKTME_KEYID_PARTITIONING:
/// MKTME KeyIDs in bits 31:0, TDX KeyIDs in 63:32; the TDX KeyIDs follow
/// the MKTME ones, and the first is the TDX module's own).
pub(crate) fn keyid_split(i: &Inputs) -> Verdict {
    if let Ok(Some(act)) = read(i, msr::TME_ACTIVATE, "IA32_TME_ACTIVATE") {
        if (act >> 32) & 0xf == 0 {
            return Verdict::missing(
                format!("TME-MT is off: IA32_TME_ACTIVATE {act:#x} gives no KeyID bits (35:32)"),
                "enable Total Memory Encryption Multi-Tenant (TME-MT) in the BIOS, then a TDX \
                 KeyID split",
            );
        }
    }
    let part = match read(i, msr::KEYID_PARTITIONING, "IA32_MKTME_KEYID_PARTITIONING") {
        Err(v) => return v,
        Ok(None) => {
            let t = api::platform(Check::NoKeyIdPartitioning);
            return Verdict::missing(t.cause, t.fix);
        }
        Ok(Some(v)) => v,
    };
    let (mktme, tdx) = (part as u32, (part >> 32) as u32);
    if tdx < 2 {
        let t = api::platform(Check::TooFewKeyIds);
        return Verdict::missing(
            format!(
                "{tdx} TDX KeyIDs (IA32_MKTME_KEYID_PARTITIONING {part:#x}): {}",
                t.cause
            ),
            t.fix,
        );
    }
    let first = u64::from(mktme) + 1;
    Verdict::Ok(format!(
        "{mktme} MKTME and {tdx} TDX KeyIDs: private KeyID range [{first}, {}), {} for TDs",
        first + u64::from(tdx),
        tdx - 1
    ))
}

/// IA32_MTRRCAP bit 15: SEAMRR supported.
const MTRRCAP_SEAMRR: u64 = 1 << 15;
/// IA32_SEAMRR_PHYS_BASE bit 3: configured.
const SEAMRR_BASE_CONFIGURED: u64 = 1 << 3;
/// IA32_SEAMRR_PHYS_MASK bit 10: locked; bit 11: valid (enabled).
const SEAMRR_MASK_LOCK: u64 = 1 << 10;
const SEAMRR_MASK_VALID: u64 = 1 << 11;
/// The address bits of both (51:25).
const SEAMRR_ADDR: u64 = 0x000f_ffff_fe00_0000;

/// The SEAM range: supported, configured, enabled and locked by the BIOS.
pub(crate) fn seamrr(i: &Inputs) -> Verdict {
    let bios_tdx = api::software(Software::Gp).fix;
    let cap = match read(i, msr::MTRRCAP, "IA32_MTRRCAP") {
        Err(v) => return v,
        Ok(v) => v.unwrap_or(0),
    };
    if cap & MTRRCAP_SEAMRR == 0 {
        return Verdict::missing(
            format!("IA32_MTRRCAP {cap:#x}: bit 15 (SEAMRR) is 0: this CPU has no SEAM range"),
            "use a CPU with TDX; on one, update the BIOS to a release with TDX support",
        );
    }
    let mask = match read(i, msr::SEAMRR_MASK, "IA32_SEAMRR_PHYS_MASK") {
        Err(v) => return v,
        Ok(None) => return Verdict::missing("IA32_SEAMRR_PHYS_MASK faults", bios_tdx),
        Ok(Some(v)) => v,
    };
    if mask & SEAMRR_MASK_VALID == 0 {
        return Verdict::missing(
            format!(
                "SEAMRR is not enabled (IA32_SEAMRR_PHYS_MASK {mask:#x}: valid, bit 11, is 0): \
                 TDX is off in the BIOS"
            ),
            bios_tdx,
        );
    }
    if mask & SEAMRR_MASK_LOCK == 0 {
        return Verdict::missing(
            format!(
                "SEAMRR is enabled but not locked (IA32_SEAMRR_PHYS_MASK {mask:#x}: lock, bit \
                 10, is 0): the BIOS did not complete the SEAM set-up, the SEAM loader did not \
                 run"
            ),
            api::software(Software::NoModule).fix,
        );
    }
    let base = match read(i, msr::SEAMRR_BASE, "IA32_SEAMRR_PHYS_BASE") {
        Err(v) => return v,
        Ok(v) => v.unwrap_or(0),
    };
    if base & SEAMRR_BASE_CONFIGURED == 0 {
        return Verdict::missing(
            format!("SEAMRR base not configured (IA32_SEAMRR_PHYS_BASE {base:#x}: bit 3 is 0)"),
            bios_tdx,
        );
    }
    Verdict::Ok(format!(
        "SEAM range at {:#x}, mask {:#x}: enabled and locked",
        base & SEAMRR_ADDR,
        mask & SEAMRR_ADDR
    ))
}
