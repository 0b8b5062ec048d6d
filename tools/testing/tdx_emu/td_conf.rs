// SPDX-License-Identifier: GPL-2.0

//! What the emulated TDX module tells about TDs (global metadata classes
//! TD control structures and TD configurability): the values a TDX module
//! 1.5.06 reports on a Sapphire Rapids-class server, taken from Intel's TDX
//! 1.5 source (`td_control_structures.h`, `tdx_tdvps.h`,
//! `cpuid_configurations.c`, `metadata_sys.c`) for a CPU that supports every
//! feature those tables can enable. Never from what the kernel under test
//! believes.
//!
//! Pure `core`: built into `tdx_emu.ko` and into the host test crate.

/// TDR_BASE_SIZE: one page (`sizeof(tdr_t)`).
pub(crate) const TDR_BASE_SIZE: u64 = 4096;
/// TDCS_BASE_SIZE: `MIN_NUM_TDCS_PAGES` (6) pages.
pub(crate) const TDCS_BASE_SIZE: u64 = 6 * 4096;
/// TDVPS_BASE_SIZE: `MIN_TDVPS_PAGES` (6) pages, the TDVPR included.
pub(crate) const TDVPS_BASE_SIZE: u64 = 6 * 4096;
/// TDCS_SIZE_PER_L2_VM and TDVPS_SIZE_PER_L2_VM: 1 and 3 pages.
pub(crate) const TDCS_SIZE_PER_L2_VM: u64 = 4096;
pub(crate) const TDVPS_SIZE_PER_L2_VM: u64 = 3 * 4096;

/// ATTRIBUTES_FIXED0: the bits a TD may set: DEBUG (0), SEPT_VE_DISABLE
/// (28), MIGRATABLE (29), PKS (30), PERFMON (63).
pub(crate) const ATTRIBUTES_FIXED0: u64 = 1 | 1 << 28 | 1 << 29 | 1 << 30 | 1 << 63;
/// ATTRIBUTES_FIXED1: none must be set.
pub(crate) const ATTRIBUTES_FIXED1: u64 = 0;
/// XFAM_FIXED0: `TDX_XFAM_FIXED0` (0x6DBE7) within XCR0 | IA32_XSS of
/// Sapphire Rapids, which supports all of it: x87, SSE, AVX, AVX-512, PT,
/// PKRU, CET, UINTR, arch LBR, AMX.
pub(crate) const XFAM_FIXED0: u64 = 0x0006_DBE7;
/// XFAM_FIXED1: x87 and SSE.
pub(crate) const XFAM_FIXED1: u64 = 0x3;
/// CONFIG_FLAGS_FIXED0/1: GPAW, FLEXIBLE_PENDING_VE, NO_RBP_MOD allowed.
pub(crate) const CONFIG_FLAGS_FIXED0: u64 = 0x7;
pub(crate) const CONFIG_FLAGS_FIXED1: u64 = 0;
/// MAX_VCPUS_PER_TD (`MAX_VCPUS_PER_TD`).
pub(crate) const MAX_VCPUS_PER_TD: u64 = 576;

/// NUM_CPUID_CONFIG (`MAX_NUM_CPUID_CONFIG`).
pub(crate) const NUM_CPUID_CONFIG: usize = 12;

/// CPUID_CONFIG_LEAVES: leaf in bits 31:0, subleaf in 63:32 (all ones: no
/// subleaf), in the module's table order.
pub(crate) const CPUID_CONFIG_LEAVES: [u64; NUM_CPUID_CONFIG] = [
    leaf(0x1, NO_SUBLEAF),
    leaf(0x4, 0),
    leaf(0x4, 1),
    leaf(0x4, 2),
    leaf(0x4, 3),
    leaf(0x7, 0),
    leaf(0x7, 1),
    leaf(0xa, NO_SUBLEAF),
    leaf(0x1c, NO_SUBLEAF),
    leaf(0x8000_0008, NO_SUBLEAF),
    leaf(0x7, 2),
    leaf(0x23, 0),
];

/// CPUID_CONFIG_VALUES: per leaf, the bits the host may configure, as
/// `[EBX:EAX, EDX:ECX]` (the table's `config_direct | allow_direct`).
pub(crate) const CPUID_CONFIG_VALUES: [[u64; 2]; NUM_CPUID_CONFIG] = [
    regs(0x0fff_3fff, 0x00ff_0000, 0x3104_4d88, 0xb844_0000),
    regs(0xffff_c3ff, 0xffff_f000, 0xffff_ffff, 0xffff_fffb),
    regs(0xffff_c3ff, 0xffff_f000, 0xffff_ffff, 0xffff_fffb),
    regs(0xffff_c3ff, 0xffff_f000, 0xffff_ffff, 0xffff_fffb),
    regs(0xffff_c3ff, 0xffff_f000, 0xffff_ffff, 0x0000_0007),
    regs(0, 0xdc2b_9b18, 0x0241_7f65, 0x0005_411c),
    regs(0x0000_1d30, 0, 0, 0),
    regs(0, 0, 0, 0),
    regs(0x0000_00ff, 0, 0, 0),
    regs(0, 0x0000_0200, 0, 0),
    regs(0, 0, 0, 0x0000_0028),
    regs(0x0000_000f, 0, 0, 0),
];

const NO_SUBLEAF: u32 = u32::MAX;

const fn leaf(leaf: u32, subleaf: u32) -> u64 {
    leaf as u64 | (subleaf as u64) << 32
}

const fn regs(eax: u32, ebx: u32, ecx: u32, edx: u32) -> [u64; 2] {
    [
        eax as u64 | (ebx as u64) << 32,
        ecx as u64 | (edx as u64) << 32,
    ]
}
