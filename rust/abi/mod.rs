// SPDX-License-Identifier: GPL-2.0

//! The ABI: the C header `include/linux/tdx_host_rs.h` as bindgen generated
//! it at build time, and the TDX module's own ABI that the host uses: leaf
//! numbers, completion statuses and metadata field IDs (pure `core`).

pub(crate) mod leaf;
pub(crate) mod md_list;
pub(crate) mod metadata;
pub(crate) mod status;

/// `include/linux/tdx_host_rs.h`, as bindgen saw it: generated code, whose
/// naming and unused items are bindgen's, not ours.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]
mod c {
    use kernel::ffi;
    include!(concat!(env!("TDX_RS_OBJTREE"), "/rust/abi_generated.rs"));
}
pub(crate) use c::*;

// The header's software statuses and the Rust decoder must agree. bindgen
// types the unsuffixed hex constants as i64; `as u64` keeps every bit.
const _: () = {
    use self::status;
    assert!(TDX_RS_SW_ERROR as u64 == status::SW_ERROR);
    assert!(TDX_RS_SEAMCALL_VMFAILINVALID as u64 == status::SEAMCALL_VMFAILINVALID);
    assert!(TDX_RS_SEAMCALL_UD as u64 == status::SW_ERROR | status::TRAP_UD as u64);
    assert!(TDX_RS_SEAMCALL_GP as u64 == status::SW_ERROR | status::TRAP_GP as u64);
    assert!(TDX_RS_VP_ENTER_NOT_READY as u64 == status::VP_ENTER_NOT_READY);
    assert!(TDX_RS_VP_ENTER_RBP_UNSAFE as u64 == status::VP_ENTER_RBP_UNSAFE);
    assert!(TDX_RS_SEAMCALL_BAD_ARGS as u64 == status::SEAMCALL_BAD_ARGS);
    assert!(TDX_RS_NOT_READY as u64 == status::NOT_READY);
    assert!(TDX_RS_TD_STATE as u64 == status::TD_STATE);
    assert!(TDX_RS_BAD_KEYID as u64 == status::BAD_KEYID);
    assert!(core::mem::size_of::<tdx_module_args>() == 16 * 8);
};

// The leaf table and the header's leaf numbers must agree, every leaf.
const _: () = {
    use self::leaf::{Leaf, ALL};
    const HEADER: [(Leaf, u32); 32] = [
        (Leaf::VpEnter, TDX_RS_LEAF_VP_ENTER),
        (Leaf::MngAddcx, TDX_RS_LEAF_MNG_ADDCX),
        (Leaf::MemPageAdd, TDX_RS_LEAF_MEM_PAGE_ADD),
        (Leaf::MemSeptAdd, TDX_RS_LEAF_MEM_SEPT_ADD),
        (Leaf::VpAddcx, TDX_RS_LEAF_VP_ADDCX),
        (Leaf::MemPageAug, TDX_RS_LEAF_MEM_PAGE_AUG),
        (Leaf::MemRangeBlock, TDX_RS_LEAF_MEM_RANGE_BLOCK),
        (Leaf::MngKeyConfig, TDX_RS_LEAF_MNG_KEY_CONFIG),
        (Leaf::MngCreate, TDX_RS_LEAF_MNG_CREATE),
        (Leaf::VpCreate, TDX_RS_LEAF_VP_CREATE),
        (Leaf::MngRd, TDX_RS_LEAF_MNG_RD),
        (Leaf::MrExtend, TDX_RS_LEAF_MR_EXTEND),
        (Leaf::MrFinalize, TDX_RS_LEAF_MR_FINALIZE),
        (Leaf::VpFlush, TDX_RS_LEAF_VP_FLUSH),
        (Leaf::MngVpflushdone, TDX_RS_LEAF_MNG_VPFLUSHDONE),
        (Leaf::MngKeyFreeid, TDX_RS_LEAF_MNG_KEY_FREEID),
        (Leaf::MngInit, TDX_RS_LEAF_MNG_INIT),
        (Leaf::VpInit, TDX_RS_LEAF_VP_INIT),
        (Leaf::VpRd, TDX_RS_LEAF_VP_RD),
        (Leaf::PhymemPageReclaim, TDX_RS_LEAF_PHYMEM_PAGE_RECLAIM),
        (Leaf::MemPageRemove, TDX_RS_LEAF_MEM_PAGE_REMOVE),
        (Leaf::SysKeyConfig, TDX_RS_LEAF_SYS_KEY_CONFIG),
        (Leaf::SysInit, TDX_RS_LEAF_SYS_INIT),
        (Leaf::SysRd, TDX_RS_LEAF_SYS_RD),
        (Leaf::SysLpInit, TDX_RS_LEAF_SYS_LP_INIT),
        (Leaf::SysTdmrInit, TDX_RS_LEAF_SYS_TDMR_INIT),
        (Leaf::SysRdall, TDX_RS_LEAF_SYS_RDALL),
        (Leaf::MemTrack, TDX_RS_LEAF_MEM_TRACK),
        (Leaf::PhymemCacheWb, TDX_RS_LEAF_PHYMEM_CACHE_WB),
        (Leaf::PhymemPageWbinvd, TDX_RS_LEAF_PHYMEM_PAGE_WBINVD),
        (Leaf::VpWr, TDX_RS_LEAF_VP_WR),
        (Leaf::SysConfig, TDX_RS_LEAF_SYS_CONFIG),
    ];
    let mut i = 0;
    while i < HEADER.len() {
        assert!(HEADER[i].0 as u32 == HEADER[i].1);
        // Each table entry once, in the table's order: no leaf left out.
        assert!(HEADER[i].0 as u32 == ALL[i] as u32);
        i += 1;
    }
};
