/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdx_host_rs: the host side of Intel TDX, in Rust.
 *
 * This header is the module's whole C ABI: the SEAMCALL argument block and
 * the functions exported to other modules (KVM first of all). The Rust side
 * of the module is generated from this file by bindgen at build time, so this
 * is the one definition of the layout.
 */
#ifndef _LINUX_TDX_HOST_RS_H
#define _LINUX_TDX_HOST_RS_H

/*
 * SEAMCALL completion statuses produced by software, not by the TDX module.
 * Bit 63 marks an error; bits 47:40 all set is a status class the module never
 * uses, so these can never be mistaken for a real completion status.
 * Unsuffixed on purpose: they are used from assembly too.
 */
#define TDX_RS_SW_ERROR			0x8000FF0000000000
/* CF was set: no SEAM module loaded, or the SEAM loader is busy. */
#define TDX_RS_SEAMCALL_VMFAILINVALID	0x8000FF00FFFF0000
/* The instruction faulted: TDX_RS_SW_ERROR | trap number (#UD 6, #GP 13). */
#define TDX_RS_SEAMCALL_UD		0x8000FF0000000006
#define TDX_RS_SEAMCALL_GP		0x8000FF000000000D
/*
 * tdx_rs_vp_enter() refused and made no SEAMCALL: tdx_rs_enable() has not
 * succeeded. TDX_RS_VP_ENTER_RBP_UNSAFE is no longer returned (the
 * trampoline keeps the caller's RBP on every TDX module); the value stays
 * reserved.
 */
#define TDX_RS_VP_ENTER_NOT_READY	0x8000FF00FFFE0000
#define TDX_RS_VP_ENTER_RBP_UNSAFE	0x8000FF00FFFD0000
/*
 * The argument block is NULL or not 8-byte aligned, regs[] is not a kernel
 * address (tdx_rs_vp_enter() checks no alignment), or an
 * argument of a TD life-cycle function is NULL, misaligned or does not fit
 * its SEAMCALL operand: refused before any SEAMCALL, nothing read or written.
 */
#define TDX_RS_SEAMCALL_BAD_ARGS	0x8000FF00FFFC0000
/*
 * The TD life-cycle functions' own refusals, each before any SEAMCALL and
 * with nothing written:
 * TDX_RS_NOT_READY: tdx_rs_enable() has not succeeded.
 * TDX_RS_TD_STATE: the struct tdx_rs_td does not allow the call: not created
 * by a successful tdx_rs_mng_create() (or created already, for that one),
 * its TDR already given back, or td->tdr_page is not the page it was created
 * with.
 * TDX_RS_BAD_KEYID: tdx_rs_mng_create() with an HKID that
 * tdx_rs_guest_keyid_alloc() did not hand out.
 */
#define TDX_RS_NOT_READY		0x8000FF00FFFB0000
#define TDX_RS_TD_STATE			0x8000FF00FFFA0000
#define TDX_RS_BAD_KEYID		0x8000FF00FFF90000

/*
 * The SEAMCALL leaves tdx_host_rs makes (TDX 1.5 numbering), for RAX bits
 * 15:0. The Rust side checks its own leaf table against these at build time.
 */
#define TDX_RS_LEAF_VP_ENTER		0
#define TDX_RS_LEAF_MNG_ADDCX		1
#define TDX_RS_LEAF_MEM_PAGE_ADD	2
#define TDX_RS_LEAF_MEM_SEPT_ADD	3
#define TDX_RS_LEAF_VP_ADDCX		4
#define TDX_RS_LEAF_MEM_PAGE_AUG	6
#define TDX_RS_LEAF_MEM_RANGE_BLOCK	7
#define TDX_RS_LEAF_MNG_KEY_CONFIG	8
#define TDX_RS_LEAF_MNG_CREATE		9
#define TDX_RS_LEAF_VP_CREATE		10
#define TDX_RS_LEAF_MNG_RD		11
#define TDX_RS_LEAF_MR_EXTEND		16
#define TDX_RS_LEAF_MR_FINALIZE		17
#define TDX_RS_LEAF_VP_FLUSH		18
#define TDX_RS_LEAF_MNG_VPFLUSHDONE	19
#define TDX_RS_LEAF_MNG_KEY_FREEID	20
#define TDX_RS_LEAF_MNG_INIT		21
#define TDX_RS_LEAF_VP_INIT		22
#define TDX_RS_LEAF_VP_RD		26
#define TDX_RS_LEAF_PHYMEM_PAGE_RECLAIM	28
#define TDX_RS_LEAF_MEM_PAGE_REMOVE	29
#define TDX_RS_LEAF_SYS_KEY_CONFIG	31
#define TDX_RS_LEAF_SYS_INIT		33
#define TDX_RS_LEAF_SYS_RD		34
#define TDX_RS_LEAF_SYS_LP_INIT		35
#define TDX_RS_LEAF_SYS_TDMR_INIT	36
#define TDX_RS_LEAF_SYS_RDALL		37
#define TDX_RS_LEAF_MEM_TRACK		38
#define TDX_RS_LEAF_PHYMEM_CACHE_WB	40
#define TDX_RS_LEAF_PHYMEM_PAGE_WBINVD	41
#define TDX_RS_LEAF_VP_WR		43
#define TDX_RS_LEAF_SYS_CONFIG		45

#ifndef __ASSEMBLY__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/kvm_vcpu_regs.h>

#ifdef _ASM_X86_SHARED_TDX_H
/*
 * Upstream's asm/shared/tdx.h is in scope (KVM's headers pull it in through
 * asm/kvm_para.h): its struct tdx_module_args has the 13-register layout,
 * not ours. Such a translation unit gets the whole API but the three
 * trampolines, which are declared so that any call to them fails the build:
 * they must never be handed upstream's layout. tdx_rs_vp_enter() takes KVM's
 * regs[] and needs neither struct. (Included the other way round, upstream's
 * header fails on a redefinition of struct tdx_module_args.)
 */
#define TDX_RS_UPSTREAM_ARGS_MSG					\
	"tdx_host_rs.h: upstream's asm/shared/tdx.h is also in scope: "	\
	"its struct tdx_module_args is not the register-index layout"
#if __has_attribute(__unavailable__)
#define __tdx_rs_args_fn __attribute__((__unavailable__(TDX_RS_UPSTREAM_ARGS_MSG)))
#else
#define __tdx_rs_args_fn __attribute__((__error__(TDX_RS_UPSTREAM_ARGS_MSG)))
#endif
#else
#define __tdx_rs_args_fn

/**
 * struct tdx_module_args - SEAMCALL input and output registers
 *
 * One u64 per general purpose register, in the x86 register-index order
 * (RAX = 0, RCX = 1, ... R15 = 15). KVM keeps a vCPU's registers in
 * kvm_vcpu_arch::regs[] in the same order, so KVM can hand its own array to
 * TDH.VP.ENTER and no register is copied on the way in or out.
 *
 * RAX carries the leaf in and the status out, so it travels as a function
 * argument and return value instead; RSP is never a SEAMCALL operand. Those
 * two slots exist only to keep the layout and are never read or written by
 * the SEAMCALL trampolines (they have no assembler offset at all). RBP is an
 * operand of TDH.VP.ENTER only (see tdx_rs_vp_enter()): the saved-register
 * trampoline passes the slot in and out, and keeps the caller's own RBP.
 */
struct tdx_module_args {
	u64 rax_unused;
	u64 rcx;
	u64 rdx;
	u64 rbx;
	u64 rsp_unused;
	u64 rbp;
	u64 rsi;
	u64 rdi;
	u64 r8;
	u64 r9;
	u64 r10;
	u64 r11;
	u64 r12;
	u64 r13;
	u64 r14;
	u64 r15;
};

#define TDX_RS_ASSERT_REG(field, index)						\
	static_assert(offsetof(struct tdx_module_args, field) ==		\
		      (index) * sizeof(u64),					\
		      "tdx_module_args." #field " is not at register index " #index)

TDX_RS_ASSERT_REG(rax_unused, __VCPU_REGS_RAX);
TDX_RS_ASSERT_REG(rcx, __VCPU_REGS_RCX);
TDX_RS_ASSERT_REG(rdx, __VCPU_REGS_RDX);
TDX_RS_ASSERT_REG(rbx, __VCPU_REGS_RBX);
TDX_RS_ASSERT_REG(rsp_unused, __VCPU_REGS_RSP);
TDX_RS_ASSERT_REG(rbp, __VCPU_REGS_RBP);
TDX_RS_ASSERT_REG(rsi, __VCPU_REGS_RSI);
TDX_RS_ASSERT_REG(rdi, __VCPU_REGS_RDI);
TDX_RS_ASSERT_REG(r8, __VCPU_REGS_R8);
TDX_RS_ASSERT_REG(r9, __VCPU_REGS_R9);
TDX_RS_ASSERT_REG(r10, __VCPU_REGS_R10);
TDX_RS_ASSERT_REG(r11, __VCPU_REGS_R11);
TDX_RS_ASSERT_REG(r12, __VCPU_REGS_R12);
TDX_RS_ASSERT_REG(r13, __VCPU_REGS_R13);
TDX_RS_ASSERT_REG(r14, __VCPU_REGS_R14);
TDX_RS_ASSERT_REG(r15, __VCPU_REGS_R15);
static_assert(sizeof(struct tdx_module_args) == 16 * sizeof(u64),
	      "tdx_module_args must be exactly 16 registers");
static_assert(sizeof(unsigned long) == sizeof(u64),
	      "kvm_vcpu_arch::regs[] elements must be 64-bit");

#undef TDX_RS_ASSERT_REG
#endif /* _ASM_X86_SHARED_TDX_H */

/*
 * The SEAMCALL trampolines, exported GPL in namespace TDX_HOST_RS.
 * @fn goes to RAX; the return value is RAX after the call (the completion
 * status), or one of the TDX_RS_SEAMCALL_* software statuses above.
 *
 * tdx_rs_seamcall():           RCX, RDX, R8-R11 in; nothing written back.
 * tdx_rs_seamcall_ret():       RCX, RDX, R8-R11 in and out.
 * tdx_rs_seamcall_saved_ret(): RCX, RDX, RBX, RSI, RDI, R8-R15 in and out;
 *                              lives in .noinstr.text.
 * Nothing is written back when the call fails with VMfailInvalid or a trap.
 * A NULL or misaligned @args gets TDX_RS_SEAMCALL_BAD_ARGS and no SEAMCALL.
 */
u64 tdx_rs_seamcall(u64 fn, struct tdx_module_args *args) __tdx_rs_args_fn;
u64 tdx_rs_seamcall_ret(u64 fn, struct tdx_module_args *args) __tdx_rs_args_fn;
u64 tdx_rs_seamcall_saved_ret(u64 fn, struct tdx_module_args *args)
	__tdx_rs_args_fn;

/*
 * TDH.VP.ENTER on KVM's own register array: @regs is laid out like
 * kvm_vcpu_arch::regs[] (NR_VCPU_REGS entries, indexed by VCPU_REGS_*).
 *
 * RCX gets @tdvpr_pa (the TDVPR page, plus any TDH.VP.ENTER flags in bits
 * 52 and 53), then the saved-register SEAMCALL runs on @regs itself: RDX,
 * RBX, RBP, RSI, RDI and R8-R15 go in from @regs and every one of those plus
 * RCX comes back into @regs. Nothing is copied, RAX, RSP and RIP are never
 * touched. regs[VCPU_REGS_RBP] gets what the
 * module wrote: the guest's RBP when a TDG.VP.VMCALL of a TD without
 * CONFIG_FLAGS.NO_RBP_MOD selected it, else 0 or the value passed in (TDX
 * module 1.5.01 and 1.5.05 zero it at every asynchronous exit; 1.5.06 only
 * for a TD without the flag). The caller's own RBP is kept whatever the
 * module does.
 *
 * The module initializes the extended state at every TD exit (x87, XMM0-15
 * zero, MXCSR, the YMM/ZMM upper halves per the TD's XFAM): the caller owns
 * its FPU state and must save it first, as KVM's guest FPU swap does
 * (kernel_fpu_begin() / kernel_fpu_end() around the entry will do).
 *
 * Returns RAX after TDH.VP.ENTER, as upstream's tdh_vp_enter() does: the
 * TD exit (for TDG.VP.VMCALL, TDX_SUCCESS | 77 with the guest's register
 * bitmap in regs[VCPU_REGS_RCX]), a TDX module error status, one of the
 * TDX_RS_SEAMCALL_* software statuses, or TDX_RS_VP_ENTER_NOT_READY /
 * TDX_RS_SEAMCALL_BAD_ARGS (@regs NULL or another address outside the
 * kernel's half; alignment is not checked, x86 needs none), with @regs
 * untouched.
 *
 * noinstr: call it with interrupts disabled (it keeps @regs and the caller's
 * RBP in per-CPU slots across the call), between guest_state_enter_irqoff()
 * and guest_state_exit_irqoff(), on a CPU that did tdx_rs_cpu_enable().
 */
u64 tdx_rs_vp_enter(u64 tdvpr_pa, unsigned long *regs);

#define TDX_RS_MAX_CMRS	32

/* A convertible memory range: [base, base + size). */
struct tdx_rs_cmr {
	u64 base;
	u64 size;
};

#define TDX_RS_MAX_CPUID_CONFIG	128

/* Sizes of the TD's control structures, in bytes (upstream's td_ctrl). */
struct tdx_rs_sysinfo_td_ctrl {
	u16 tdr_base_size;
	u16 tdcs_base_size;
	u16 tdvps_base_size;
};

/* What a TD may be configured with (upstream's td_conf). */
struct tdx_rs_sysinfo_td_conf {
	u64 attributes_fixed0;
	u64 attributes_fixed1;
	u64 xfam_fixed0;
	u64 xfam_fixed1;
	u16 num_cpuid_config;
	u16 max_vcpus_per_td;
	u64 cpuid_config_leaves[TDX_RS_MAX_CPUID_CONFIG];
	u64 cpuid_config_values[TDX_RS_MAX_CPUID_CONFIG][2];
};

/* What the TDX module reports about itself (TDH.SYS.RD global metadata). */
struct tdx_rs_sysinfo {
	u16 major_version;
	u16 minor_version;
	u16 update_version;
	u16 internal_version;
	u64 features0;			/* TDX_FEATURES0 */
	u16 max_tdmrs;
	u16 max_reserved_per_tdmr;
	u16 pamt_entry_size[3];		/* bytes per entry: 4K, 2M, 1G */
	u32 nr_cmrs;			/* the non-empty CMRs, in order */
	struct tdx_rs_cmr cmrs[TDX_RS_MAX_CMRS];
	struct tdx_rs_sysinfo_td_ctrl td_ctrl;
	struct tdx_rs_sysinfo_td_conf td_conf;
};

/*
 * Bring the TDX module from "loaded by the BIOS" to "ready for TDs": once,
 * whoever calls first; every caller gets the same result. May sleep.
 * 0, or -ENODEV (no SEAM module), -EOPNOTSUPP (no usable TDX KeyIDs),
 * -EACCES, -ENOMEM, -E2BIG (memory layout beyond the module's limits),
 * -EIO (a SEAMCALL failed; the leaf and the status are logged). Transient
 * statuses (no entropy, busy) are retried a bounded number of times first.
 * -EBUSY changes nothing: a present CPU is offline and never did
 * TDH.SYS.LP.INIT; bring it online and call again.
 */
int tdx_rs_enable(void);

/*
 * TDH.SYS.INIT (once) and TDH.SYS.LP.INIT on this CPU, with interrupts
 * disabled (-EINVAL otherwise). tdx_rs_enable() does it on every online CPU,
 * and so does CPU hotplug for a CPU that comes online later; a caller may
 * still do it early. 0 when this CPU is ready.
 */
int tdx_rs_cpu_enable(void);

/* The module's self-description once tdx_rs_enable() succeeded, else NULL. */
const struct tdx_rs_sysinfo *tdx_rs_get_sysinfo(void);

/*
 * A private KeyID for one TD, from the TDX KeyIDs after the global one (both
 * functions may sleep):
 * the KeyID, or -ENOSPC when all are taken, or -ENODEV before
 * tdx_rs_enable() succeeded. tdx_rs_guest_keyid_free() of a KeyID that is
 * not allocated changes nothing and logs a warning; so does the free of a
 * KeyID a TD holds, from its tdx_rs_mng_create() until its
 * tdx_rs_mng_key_freeid() succeeded: that KeyID stays allocated, on purpose,
 * and is never handed out twice. (The TDX module itself refuses
 * TDH.MNG.KEY.FREEID until TDH.PHYMEM.CACHE.WB ran on every package.)
 */
int tdx_rs_guest_keyid_alloc(void);
void tdx_rs_guest_keyid_free(unsigned int keyid);

/*
 * The life of a TD: the SEAMCALL wrappers KVM's TDX support calls, with
 * upstream's (Linux 6.16+) parameters and semantics. Porting KVM is a
 * rename: tdh_X() -> tdx_rs_X(), struct tdx_td -> struct tdx_rs_td,
 * struct tdx_vp -> struct tdx_rs_vp (Documentation/tdx_host_rs.rst has the
 * table). Each returns the TDX module's completion status (RAX), or a
 * TDX_RS_* software status when the call was refused before any SEAMCALL.
 *
 * Refusals, before any SEAMCALL and with no output written:
 * TDX_RS_NOT_READY before tdx_rs_enable() succeeded;
 * TDX_RS_SEAMCALL_BAD_ARGS for a NULL or misaligned pointer, a page whose
 * count is zero, a GPA with bits 11:0 set or a level outside 0..7 where the
 * two share RCX, an HKID wider than 16 bits;
 * TDX_RS_TD_STATE and TDX_RS_BAD_KEYID (above). Otherwise the outputs are
 * written as upstream's are, from the registers after the call.
 *
 * The caller allocates the pages, as KVM does. Page ownership is enforced
 * with a page reference: when a SEAMCALL hands a page to the TDX module
 * (TDR, TDCS, TDVPR, TDCX, Secure EPT and private pages) tdx_host_rs takes
 * a reference of its own, and drops it only when the module has given the
 * page back (TDH.PHYMEM.PAGE.RECLAIM, TDH.MEM.PAGE.REMOVE) and, for the TDR,
 * after TDH.PHYMEM.PAGE.WBINVD wrote its cache lines back. A caller that
 * frees such a page early frees its own reference only: the page never
 * reaches the page allocator while the module owns it, and when the module
 * gives it back it is kept, not freed (its cache lines and contents are the
 * caller's to clean). Kept pages, and a TDR whose write-back failed after
 * its reclaim, stay allocated on purpose and are counted
 * (tdx_rs_leaked_pages()). Every call on a TD names the TDR that
 * tdx_rs_mng_create() recorded: td->tdr_page must stay that page.
 *
 * The memory functions (mem, mr, phymem) neither sleep nor allocate: KVM
 * calls them under its mmu_lock. tdx_rs_mng_create() and
 * tdx_rs_mng_key_freeid() may sleep.
 */
struct page;

struct tdx_rs_td {
	/* TD root page. */
	struct page *tdr_page;
	int tdcs_nr_pages;
	/* TD control structure pages. */
	struct page **tdcs_pages;
	/* Size of tdcx_pages in struct tdx_rs_vp. */
	int tdcx_nr_pages;
	/*
	 * tdx_host_rs' own bookkeeping (the HKID, the TDR, whether the TD holds
	 * both; Documentation/tdx_host_rs.rst): callers zero it before
	 * tdx_rs_mng_create() and never touch it.
	 */
	u64 rs_private;
};

struct tdx_rs_vp {
	/* TDVP root page. */
	struct page *tdvpr_page;
	/* page_to_phys(tdvpr_page), for tdx_rs_vp_enter() in noinstr code. */
	phys_addr_t tdvpr_pa;
	/* TD vCPU control structure pages. */
	struct page **tdcx_pages;
};

/* TD management. */
u64 tdx_rs_mng_create(struct tdx_rs_td *td, u16 hkid);
u64 tdx_rs_mng_addcx(struct tdx_rs_td *td, struct page *tdcs_page);
u64 tdx_rs_mng_key_config(struct tdx_rs_td *td);
u64 tdx_rs_mng_init(struct tdx_rs_td *td, u64 td_params, u64 *extended_err);
u64 tdx_rs_mng_rd(struct tdx_rs_td *td, u64 field, u64 *data);
u64 tdx_rs_mng_vpflushdone(struct tdx_rs_td *td);
u64 tdx_rs_mng_key_freeid(struct tdx_rs_td *td);

/* vCPUs (TDH.VP.ENTER is tdx_rs_vp_enter(), above). */
u64 tdx_rs_vp_create(struct tdx_rs_td *td, struct tdx_rs_vp *vp);
u64 tdx_rs_vp_addcx(struct tdx_rs_vp *vp, struct page *tdcx_page);
u64 tdx_rs_vp_init(struct tdx_rs_vp *vp, u64 initial_rcx, u32 x2apicid);
u64 tdx_rs_vp_rd(struct tdx_rs_vp *vp, u64 field, u64 *data);
u64 tdx_rs_vp_wr(struct tdx_rs_vp *vp, u64 field, u64 data, u64 mask);
u64 tdx_rs_vp_flush(struct tdx_rs_vp *vp);

/* Private memory and the Secure EPT. @level: 0 4K, 1 2M, 2 1G. */
u64 tdx_rs_mem_sept_add(struct tdx_rs_td *td, u64 gpa, int level,
			struct page *page, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_mem_page_add(struct tdx_rs_td *td, u64 gpa, struct page *page,
			struct page *source, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_mem_page_aug(struct tdx_rs_td *td, u64 gpa, int level,
			struct page *page, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_mem_range_block(struct tdx_rs_td *td, u64 gpa, int level,
			   u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_mem_track(struct tdx_rs_td *td);
u64 tdx_rs_mem_page_remove(struct tdx_rs_td *td, u64 gpa, u64 level,
			   u64 *ext_err1, u64 *ext_err2);

/* Measurement. */
u64 tdx_rs_mr_extend(struct tdx_rs_td *td, u64 gpa, u64 *ext_err1,
		     u64 *ext_err2);
u64 tdx_rs_mr_finalize(struct tdx_rs_td *td);

/* Physical memory. */
u64 tdx_rs_phymem_page_reclaim(struct page *page, u64 *tdx_pt, u64 *tdx_owner,
			       u64 *tdx_size);
u64 tdx_rs_phymem_cache_wb(bool resume);
u64 tdx_rs_phymem_page_wbinvd_tdr(struct tdx_rs_td *td);
u64 tdx_rs_phymem_page_wbinvd_hkid(u64 hkid, struct page *page);

/* Pages the TDX module never gave back, kept allocated on purpose. */
u64 tdx_rs_leaked_pages(void);

#endif /* !__ASSEMBLY__ */
#endif /* _LINUX_TDX_HOST_RS_H */
