// SPDX-License-Identifier: GPL-2.0

//! The ABI: the C header `include/linux/tdx_host_rs.h` as bindgen generated
//! it at build time, and the TDX module's own ABI that the host uses: leaf
//! numbers, completion statuses and metadata field IDs (pure `core`).

pub(crate) mod leaf;
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
    assert!(core::mem::size_of::<tdx_module_args>() == 16 * 8);
};

// The leaf table and the header's leaf numbers must agree.
const _: () = {
    use self::leaf::Leaf;
    assert!(Leaf::VpEnter as u32 == TDX_RS_LEAF_VP_ENTER);
    assert!(Leaf::SysKeyConfig as u32 == TDX_RS_LEAF_SYS_KEY_CONFIG);
    assert!(Leaf::SysInit as u32 == TDX_RS_LEAF_SYS_INIT);
    assert!(Leaf::SysRd as u32 == TDX_RS_LEAF_SYS_RD);
    assert!(Leaf::SysLpInit as u32 == TDX_RS_LEAF_SYS_LP_INIT);
    assert!(Leaf::SysTdmrInit as u32 == TDX_RS_LEAF_SYS_TDMR_INIT);
    assert!(Leaf::SysConfig as u32 == TDX_RS_LEAF_SYS_CONFIG);
};
