// SPDX-License-Identifier: GPL-2.0

//! The texts of the host's own errors: the TDMR planner's, and the platform
//! checks made before any SEAMCALL. Each list names the log line it
//! explains.

use super::table::{BIOS_TDX, REPORT};
use super::{Platform, Text};
use crate::init::tdmr::PlanError;

/// The planner's errors: the gist of the error's line, and its text.
pub(super) const PLAN: [(&str, Text); 9] = [
    (
        "TDX memory needs N TDMRs, the TDX module supports M",
        Text {
            cause: "System RAM falls into more separate 1 GiB-aligned regions than the TDX \
                module's MAX_TDMRS: the memory map has many gaps",
            fix: "update the BIOS (fewer holes in the memory map), or leave the highest System \
                RAM ranges of /proc/iomem out with mem= or memmap=",
        },
    ),
    (
        "TDMR N: reserved areas exhausted",
        Text {
            cause: "a TDMR needs more reserved areas (its parts outside convertible memory, and \
                PAMTs) than the TDX module's MAX_RESERVED_PER_TDMR: the firmware's memory map \
                is fragmented there",
            fix: "update the BIOS to one with fewer holes in that range (typically below 4 GiB); \
                report this log, with the ranges it names, to tdx_host_rs",
        },
    ),
    (
        "TDX memory list empty, unsorted, overlapping, unaligned or above 2^52",
        Text {
            cause: "the kernel's System RAM list is not one the planner can cover: a kernel or \
                driver bug",
            fix: "report it with this log and /proc/iomem",
        },
    ),
    (
        "TDX module TDMR metadata invalid",
        Text {
            cause: "the TDX module reports no TDMRs (MAX_TDMRS 0) or a PAMT entry size of 0",
            fix: "update the TDX module; report it with the module's version",
        },
    ),
    (
        "memory [A, B) reported for NUMA nodes N and M",
        Text {
            cause: "the kernel's walk of System RAM reported one range twice, for two nodes: \
                a bug in tdx_host_rs",
            fix: "report it with this log, /proc/iomem and the kernel's \"node N: [mem ...]\" \
                boot lines",
        },
    ),
    (
        "CMR list unsorted, overlapping, unaligned or above 2^52",
        Text {
            cause: "the convertible memory ranges the TDX module reports break the ABI's rules",
            fix: "update the BIOS and the TDX module; report it with the module's version",
        },
    ),
    (
        "TDX memory [A, B) is outside every CMR",
        Text {
            cause: "System RAM the kernel uses is not convertible memory: the BIOS measured the \
                CMRs without it (memory added later, or a BIOS that reports RAM the TDX \
                module does not cover)",
            fix: "leave the named range out with memmap=SIZE$START (or mem=), or update the BIOS \
                so that its CMRs cover all System RAM",
        },
    ),
    (
        "TDMR N: no contiguous free memory for its PAMT",
        Text {
            cause: "no node has a physically contiguous free range as large as the TDMR's PAMT \
                (about 1/256 of the TDMR)",
            fix: "initialize TDX early, before memory fragments (load kvm_intel at boot), or \
                boot with less memory in use",
        },
    ),
    (
        "any other planner error",
        Text {
            cause: "the TDMR planner made an inconsistent plan",
            fix: REPORT,
        },
    ),
];

/// The text of a planner error.
pub(super) fn plan(e: &PlanError) -> Text {
    let i = match e {
        PlanError::TooManyTdmrs { .. } => 0,
        PlanError::TooManyReserved { .. } => 1,
        PlanError::InvalidMemory => 2,
        PlanError::BadLimits => 3,
        PlanError::NodesOverlap { .. } => 4,
        PlanError::InvalidCmrs => 5,
        PlanError::OutsideCmrs { .. } => 6,
        PlanError::NoRoomForPamt { .. } => 7,
        PlanError::OutputTooSmall
        | PlanError::InvalidTdmr { .. }
        | PlanError::BadPamt { .. }
        | PlanError::PamtOverlap { .. }
        | PlanError::InfoTooSmall { .. } => 8,
    };
    PLAN[i].1
}

/// The platform checks: the gist of the log line, and the text.
pub(super) const PLATFORM: [(Platform, &str, Text); 4] = [
    (
        Platform::NoKeyIdPartitioning,
        "no TDX KeyID partitioning on this platform",
        Text {
            cause: "IA32_MKTME_KEYID_PARTITIONING (MSR 0x87) cannot be read: TME-MT is off or \
                the CPU has no TDX",
            fix: BIOS_TDX,
        },
    ),
    (
        Platform::TooFewKeyIds,
        "N TDX KeyIDs: at least 2 are needed",
        Text {
            cause: "the BIOS gives TDX fewer than 2 private KeyIDs: one is the TDX module's, \
                each TD needs another",
            fix: "raise the TDX KeyID split (TME-MT key split) in the BIOS",
        },
    ),
    (
        Platform::CpuNeverInitialized,
        "CPU N is offline and never did TDH.SYS.LP.INIT",
        Text {
            cause: "the TDX module needs TDH.SYS.LP.INIT on every logical processor the BIOS \
                enabled, and a present CPU is offline",
            fix: "bring every CPU online (/sys/devices/system/cpu/cpuN/online), then enable \
                again; do not boot with maxcpus=",
        },
    ),
    (
        Platform::NotInVmxOperation,
        "CPU N is not in VMX operation (SEAMCALL raised #UD): load kvm_intel first; ...",
        Text {
            cause: "SEAMCALL needs VMX operation (VMXON) on every CPU and tdx_host_rs never \
                executes VMXON: the hypervisor does. On Linux 6.12 kvm_intel turns VMX on at \
                load (kvm.enable_virt_at_load=1, the default) and in its CPU hotplug callback \
                (CPUHP_AP_KVM_ONLINE) for each CPU that comes online; nothing reached the TDX \
                module",
            fix: "load kvm_intel (with kvm.enable_virt_at_load=1) before calling tdx_rs_enable() \
                or loading tdx_host_rs with init_at_load=1, then call tdx_rs_enable() again: \
                the TDX module was left untouched; on a CPU without TDX, enable VT-x and TDX in \
                the BIOS",
        },
    ),
];

/// The text of a platform check.
pub(super) const fn platform(p: Platform) -> Text {
    PLATFORM[p as usize].2
}
