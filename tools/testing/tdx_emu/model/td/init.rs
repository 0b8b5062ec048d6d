// SPDX-License-Identifier: GPL-2.0

//! Building a TD's control structure in the emulated module: TDH.MNG.ADDCX
//! and TDH.MNG.INIT (`tdh_mng_add_cx.c`, `tdh_mng_init.c`).
//!
//! TDH.MNG.ADDCX (RCX = the new TDCS page, RDX = TDR): a PT_TDR page
//! (operand RDX); the TD not fatal (`TDX_TD_FATAL`) and KEYS_CONFIGURED
//! (`TDX_TD_KEYS_NOT_CONFIGURED`); fewer than [`MAX_TDCS_PAGES`] added
//! (`TDX_TDCX_NUM_INCORRECT`); the page PT_NDA (operand RCX); a page past
//! the sixth only while the op state allows TDH.MNG.ADDCX
//! (`TDX_OP_STATE_INCORRECT`). The page becomes PT_TDCX owned by the TDR.
//! The fourth is the Secure EPT root.
//!
//! TDH.MNG.INIT (RCX = TDR, RDX = TD_PARAMS, a 1 KiB aligned shared
//! address): a PT_TDR page (operand RCX), the TD built and UNINITIALIZED
//! (`check_state_map_tdcs_and_lock()`), TD_PARAMS' address (operand RDX).
//! Then TD_PARAMS, checked in Intel's order: ATTRIBUTES against
//! ATTRIBUTES_FIXED0/1 and a migratable TD neither DEBUG nor PERFMON
//! (operand 64); XFAM against XFAM_FIXED0/1 and its bit pairs (65);
//! MAX_VCPUS not 0 (68); NUM_L2_VMS at most 3 (71) with the TDCS pages they
//! need (`TDX_TDCS_NOT_ALLOCATED`); reserved bytes 20-23 (RDX);
//! CONFIG_FLAGS against CONFIG_FLAGS_FIXED0/1 (66); EPTP_CONTROLS (67): WB
//! memory type, a 4-level walk, or 5-level, which GPAW 52 needs, no other
//! bit; TSC_FREQUENCY in 4..=400 (70); reserved bytes 42-79, the
//! MSR_CONFIG_CTLS reserved bits and bytes 232-255 (RDX); each CPUID_CONFIG
//! entry inside what CPUID_CONFIG_VALUES lets the host configure (69).
//! The op state becomes INITIALIZED.
//!
//! Not modeled (the real module checks them, the model accepts): the native
//! CPUID values behind each configurable bit and the derived leaves (0x1F
//! topology, 0xD), IA32_ARCH_CAPABILITIES_CONFIG, the cross-checks of
//! `td_immutable_state_cross_check()`. A TD with L2 VMs is declined.
//!
//! Pure `core`.

use super::super::pamt::{PageType, PamtEntry};
use super::super::sept_walk;
use super::super::sys::Sys;
use super::super::{Gprs, RCX, RDX};
use super::{
    check_td_state, explicit_4k, finish, op_state_allows, Lifecycle, OpState, Stop, TdConfig, Tds,
    MAX_TDCS_PAGES, MIN_TDCS_PAGES, SEPT_ROOT_TDCX_INDEX,
};
use crate::abi::leaf::Leaf;
use crate::abi::status::{code, OPERAND_ID_RCX, OPERAND_ID_RDX};
use crate::platform::PhysMem;
use crate::td_conf as conf;

/// Operand IDs of TD_PARAMS fields (`OPERAND_ID_*`).
pub(crate) const OPERAND_ID_ATTRIBUTES: u64 = 64;
pub(crate) const OPERAND_ID_XFAM: u64 = 65;
pub(crate) const OPERAND_ID_EXEC_CONTROLS: u64 = 66;
pub(crate) const OPERAND_ID_EPTP_CONTROLS: u64 = 67;
pub(crate) const OPERAND_ID_MAX_VCPUS: u64 = 68;
pub(crate) const OPERAND_ID_CPUID_CONFIG: u64 = 69;
pub(crate) const OPERAND_ID_TSC_FREQUENCY: u64 = 70;
pub(crate) const OPERAND_ID_NUM_L2_VMS: u64 = 71;

/// TD_PARAMS' alignment and the bytes the model reads: the fixed part and
/// one 16-byte CPUID_CONFIG per configurable leaf.
pub(crate) const TD_PARAMS_ALIGN: u64 = 1024;
pub(crate) const TD_PARAMS_CPUID_OFFSET: usize = 256;
const TD_PARAMS_READ: usize = TD_PARAMS_CPUID_OFFSET + 16 * conf::NUM_CPUID_CONFIG;
/// Most L2 VMs (`MAX_L2_VMS`).
const MAX_L2_VMS: u8 = 3;

/// XFAM bits that must be set together (`check_xfam()`): AVX-512's three,
/// CET's two, AMX's two; and AVX-512 needs AVX.
const XFAM_AVX: u64 = 1 << 2;
const XFAM_AVX512: u64 = 0x7 << 5;
const XFAM_CET: u64 = 0x3 << 11;
const XFAM_AMX: u64 = 0x3 << 17;

/// ATTRIBUTES bits `verify_td_attributes()` looks at.
const ATTR_DEBUG: u64 = 1 << 0;
const ATTR_MIGRATABLE: u64 = 1 << 29;
const ATTR_PERFMON: u64 = 1 << 63;

/// CONFIG_FLAGS.GPAW: a 52-bit guest physical address width.
const CONFIG_GPAW: u64 = 1 << 0;

/// EPTP_CONTROLS: bits 2:0 memory type (6, WB), 5:3 walk length - 1.
const EPT_MT_WB: u64 = 6;
const EPT_PWL_SHIFT: u32 = 3;

fn le64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

fn all_zero(b: &[u8]) -> bool {
    b.iter().all(|&x| x == 0)
}

/// `value` sets only bits FIXED0 allows and every bit FIXED1 requires.
fn fits(value: u64, fixed0: u64, fixed1: u64) -> bool {
    value & !fixed0 == 0 && value & fixed1 == fixed1
}

fn invalid(operand: u64) -> Stop {
    Some(code::OPERAND_INVALID | operand)
}

/// TD_PARAMS' fixed fields, checked in Intel's order against the modeled
/// platform (`read_and_set_td_configurations()`, and the CPUID_CONFIG
/// subset of `read_and_set_cpuid_configurations()`).
fn check_td_params(p: &[u8; TD_PARAMS_READ], num_tdcx: u32) -> Result<TdConfig, Stop> {
    let attributes = le64(p, 0);
    if !fits(attributes, conf::ATTRIBUTES_FIXED0, conf::ATTRIBUTES_FIXED1)
        || (attributes & ATTR_MIGRATABLE != 0 && attributes & (ATTR_DEBUG | ATTR_PERFMON) != 0)
    {
        return Err(invalid(OPERAND_ID_ATTRIBUTES));
    }
    let xfam = le64(p, 8);
    let pair = |mask: u64| xfam & mask == 0 || xfam & mask == mask;
    if !fits(xfam, conf::XFAM_FIXED0, conf::XFAM_FIXED1)
        || !pair(XFAM_AVX512)
        || !pair(XFAM_CET)
        || !pair(XFAM_AMX)
        || (xfam & XFAM_AVX512 != 0 && xfam & XFAM_AVX == 0)
    {
        return Err(invalid(OPERAND_ID_XFAM));
    }
    let max_vcpus = u16::from_le_bytes([p[16], p[17]]) as u32;
    if max_vcpus == 0 {
        return Err(invalid(OPERAND_ID_MAX_VCPUS));
    }
    let num_l2_vms = p[18];
    if num_l2_vms > MAX_L2_VMS {
        return Err(invalid(OPERAND_ID_NUM_L2_VMS));
    }
    if num_tdcx < (MIN_TDCS_PAGES as u32) + num_l2_vms as u32 {
        return Err(Some(code::TDCS_NOT_ALLOCATED));
    }
    if num_l2_vms != 0 {
        return Err(None);
    }
    if !all_zero(&p[20..24]) {
        return Err(invalid(OPERAND_ID_RDX as u64));
    }
    let config_flags = le64(p, 32);
    if !fits(
        config_flags,
        conf::CONFIG_FLAGS_FIXED0,
        conf::CONFIG_FLAGS_FIXED1,
    ) {
        return Err(invalid(OPERAND_ID_EXEC_CONTROLS));
    }
    let eptp = le64(p, 24);
    let levels = ((eptp >> EPT_PWL_SHIFT) & 0x7) + 1;
    let gpaw52 = config_flags & CONFIG_GPAW != 0;
    if eptp & 0x7 != EPT_MT_WB
        || eptp & !0x3f != 0
        || !(levels == 4 || levels == 5)
        || (gpaw52 && levels != 5)
    {
        return Err(invalid(OPERAND_ID_EPTP_CONTROLS));
    }
    let tsc_frequency = u16::from_le_bytes([p[40], p[41]]) as u64;
    if !(4..=400).contains(&tsc_frequency) {
        return Err(invalid(OPERAND_ID_TSC_FREQUENCY));
    }
    if !all_zero(&p[42..80]) || p[19] & !1 != 0 || !all_zero(&p[232..256]) {
        return Err(invalid(OPERAND_ID_RDX as u64));
    }
    for (k, allowed) in conf::CPUID_CONFIG_VALUES.iter().enumerate() {
        let at = TD_PARAMS_CPUID_OFFSET + 16 * k;
        let (lo, hi) = (le64(p, at), le64(p, at + 8));
        if lo & !allowed[0] != 0 || hi & !allowed[1] != 0 {
            return Err(invalid(OPERAND_ID_CPUID_CONFIG));
        }
    }
    Ok(TdConfig {
        attributes,
        xfam,
        max_vcpus,
        gpaw: if gpaw52 { 52 } else { 48 },
        eptp,
        config_flags,
        tsc_frequency,
    })
}

impl Tds {
    /// TDH.MNG.ADDCX.
    pub(crate) fn mng_addcx(
        &mut self,
        sys: &Sys,
        regs: &Gprs,
        mem: &mut dyn PhysMem,
    ) -> Option<u64> {
        finish(self.try_addcx(sys, regs[RCX], regs[RDX], mem))
    }

    fn try_addcx(
        &mut self,
        sys: &Sys,
        page: u64,
        tdr: u64,
        mem: &mut dyn PhysMem,
    ) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RDX)?;
        let td = self.td_at(i)?;
        if td.fatal {
            return Err(Some(code::TD_FATAL));
        }
        if td.lifecycle != Lifecycle::KeysConfigured {
            return Err(Some(code::TD_KEYS_NOT_CONFIGURED));
        }
        let n = td.num_tdcx as usize;
        if n >= MAX_TDCS_PAGES {
            return Err(Some(code::TDCX_NUM_INCORRECT));
        }
        explicit_4k(sys, mem, page, OPERAND_ID_RCX, PageType::Nda)?;
        let td = self.td_at(i)?;
        if n + 1 > MIN_TDCS_PAGES && !op_state_allows(Leaf::MngAddcx, td.op_state) {
            return Err(Some(code::OP_STATE_INCORRECT));
        }
        // The SEPT root starts with every entry FREE (`SEPTE_INIT_VALUE`).
        if n == SEPT_ROOT_TDCX_INDEX {
            sept_walk::init_page(mem, page).ok_or(None)?;
        }
        sys.pamt_set(mem, page, PamtEntry::new(PageType::Tdcx, tdr))
            .ok_or(None)?;
        let td = self.td_at(i)?;
        td.tdcx[n] = page;
        td.num_tdcx += 1;
        td.chldcnt += 1;
        if n == SEPT_ROOT_TDCX_INDEX {
            td.mem.sept_root = page;
        }
        Ok(code::SUCCESS)
    }

    /// TDH.MNG.INIT: RCX (the extended error information) is zeroed first.
    pub(crate) fn mng_init(
        &mut self,
        sys: &Sys,
        regs: &mut Gprs,
        mem: &dyn PhysMem,
    ) -> Option<u64> {
        let (tdr, params) = (regs[RCX], regs[RDX]);
        regs[RCX] = 0;
        finish(self.try_mng_init(sys, tdr, params, mem))
    }

    fn try_mng_init(
        &mut self,
        sys: &Sys,
        tdr: u64,
        params: u64,
        mem: &dyn PhysMem,
    ) -> Result<u64, Stop> {
        let i = self.explicit_tdr(sys, mem, tdr, OPERAND_ID_RCX)?;
        let td = self.td_at(i)?;
        check_td_state(td, Leaf::MngInit)?;
        if !sys.keys.is_shared_hpa(params, TD_PARAMS_ALIGN) {
            return Err(invalid(OPERAND_ID_RDX as u64));
        }
        let mut p = [0u8; TD_PARAMS_READ];
        if !mem.read(params, &mut p) {
            return Err(None);
        }
        let config = check_td_params(&p, td.num_tdcx)?;
        td.config = config;
        td.num_vcpus = 0;
        td.num_assoc_vcpus = 0;
        td.mem.epoch = 1;
        td.op_state = OpState::Initialized;
        Ok(code::SUCCESS)
    }
}
