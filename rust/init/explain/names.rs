// SPDX-License-Identifier: GPL-2.0

//! Names for the numbers in bits 31:0 of a status: operand ids and MSRs.

/// `OPERAND_ID_*` names (tdx_error_codes_defs.h) of the operands named by
/// the initialization leaves and the general purpose registers.
pub(super) fn operand_name(id: u32) -> Option<&'static str> {
    const GPRS: [&str; 16] = [
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12",
        "R13", "R14", "R15",
    ];
    match id {
        0..=15 if id != 4 => Some(GPRS[id as usize]),
        184 => Some("SYS (the TDX module's global state)"),
        185 => Some("TDMR"),
        186 => Some("KOT (the KeyID ownership table)"),
        super::table::KET => Some("KET (the package's key table)"),
        _ => None,
    }
}

/// The MSRs TDH.SYS.INIT and TDH.SYS.LP.INIT check (Intel's `*_MSR_ADDR`),
/// and IA32_TSX_CTRL, which TDX module 1.0 checked.
pub(super) fn msr_name(msr: u32) -> Option<&'static str> {
    Some(match msr {
        0x3b => "IA32_TSC_ADJUST",
        0x87 => "IA32_MKTME_KEYID_PARTITIONING",
        0x98 => "IA32_WBINVDP",
        0x99 => "IA32_WBNOINVDP",
        0xbc => "IA32_MISC_PACKAGE_CTLS",
        0xbd => "IA32_XAPIC_DISABLE_STATUS",
        0xcf => "IA32_CORE_CAPABILITIES",
        0xfe => "IA32_MTRRCAP",
        0x10a => "IA32_ARCH_CAPABILITIES",
        0x122 => "IA32_TSX_CTRL",
        0x1a0 => "IA32_MISC_ENABLE",
        0x1f2 => "IA32_SMRR_PHYSBASE",
        0x1f3 => "IA32_SMRR_PHYSMASK",
        0x1f6 => "IA32_SMRR2_PHYSBASE",
        0x1f7 => "IA32_SMRR2_PHYSMASK",
        0x345 => "IA32_PERF_CAPABILITIES",
        0x480 => "IA32_VMX_BASIC",
        0x485 => "IA32_VMX_MISC",
        0x486 => "IA32_VMX_CR0_FIXED0",
        0x487 => "IA32_VMX_CR0_FIXED1",
        0x488 => "IA32_VMX_CR4_FIXED0",
        0x489 => "IA32_VMX_CR4_FIXED1",
        0x48b => "IA32_VMX_PROCBASED_CTLS2",
        0x48c => "IA32_VMX_EPT_VPID_CAP",
        0x48d => "IA32_VMX_TRUE_PINBASED_CTLS",
        0x48e => "IA32_VMX_TRUE_PROCBASED_CTLS",
        0x48f => "IA32_VMX_TRUE_EXIT_CTLS",
        0x490 => "IA32_VMX_TRUE_ENTRY_CTLS",
        0x492 => "IA32_VMX_PROCBASED_CTLS3",
        0x981 => "IA32_TME_CAPABILITY",
        0x982 => "IA32_TME_ACTIVATE",
        _ => return None,
    })
}
