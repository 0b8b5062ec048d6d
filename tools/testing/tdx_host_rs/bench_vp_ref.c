// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's upstream reference: TDH.VP.ENTER as Linux 6.16's KVM makes
 * it, written from reading tdh_vp_enter() (arch/x86/virt/vmx/tdx/tdx.c) and
 * tdx_vcpu_enter_exit() / tdx_emulate_vmcall() (arch/x86/kvm/vmx/tdx.c).
 * Upstream 6.12 has neither function, so they are modelled here over 6.12's
 * struct tdx_module_args (the same 13 registers) and __seamcall_saved_ret().
 *
 * - tdh_vp_enter() writes the TDVPR's physical address into args->rcx and
 *   tail-calls __seamcall_saved_ret(). 6.16 derives it from the page
 *   (page_to_phys()); later kernels keep it cached in struct tdx_vp. The
 *   cached load, the cheaper of the two, is the one modelled.
 * - tdx_vcpu_enter_exit() stores the status, then the exit information on
 *   every exit: RCX to vcpu_vt::exit_qualification, RDX to
 *   vcpu_tdx::ext_exit_qualification, R8 to vcpu_tdx::exit_gpa and R9 to
 *   the 32-bit vcpu_vt::exit_intr_info.
 * - A KVM hypercall (a TDG.VP.VMCALL whose R10 is not 0) also copies R10-R14
 *   into regs[] RAX, RBX, RCX, RDX and RSI for __kvm_emulate_hypercall().
 * - A GHCI TDG.VP.VMCALL is served on vp_enter_args in place: no more copy.
 *
 * What both designs do alike (the exit reason, guest state enter/exit, NMI
 * handling) is left out of both. scripts/bench_path.py counts the built code.
 */
#include <linux/compiler.h>
#include <asm/kvm_vcpu_regs.h>
#include <asm/tdx.h>
#include "bench_vp.h"

#define TDH_VP_ENTER	0

/* struct tdx_vp: the vCPU's TDVPR page. */
struct ref_vp {
	u64 tdvpr_pa;
};

/* The fields of struct vcpu_tdx (and its vcpu_vt) that the entry touches. */
struct ref_vcpu {
	unsigned long regs[BENCH_NR_VCPU_REGS];	/* kvm_vcpu_arch::regs[] */
	unsigned long exit_qualification;	/* vcpu_vt */
	u32 exit_intr_info;			/* vcpu_vt */
	u64 ext_exit_qualification;
	u64 exit_gpa;
	struct tdx_module_args vp_enter_args;
	struct ref_vp vp;
	u64 vp_enter_ret;
};

/* tdh_vp_enter(): exported by upstream's vmlinux, so called, not inlined. */
noinstr u64 tdx_rs_bench_ref_tdh_vp_enter(struct ref_vp *vp,
					  struct tdx_module_args *args)
{
	args->rcx = vp->tdvpr_pa;
	return __seamcall_saved_ret(TDH_VP_ENTER, args);
}

static __always_inline void ref_enter_exit(struct ref_vcpu *v)
{
	v->vp_enter_ret = tdx_rs_bench_ref_tdh_vp_enter(&v->vp, &v->vp_enter_args);
	v->exit_qualification = v->vp_enter_args.rcx;
	v->ext_exit_qualification = v->vp_enter_args.rdx;
	v->exit_gpa = v->vp_enter_args.r8;
	v->exit_intr_info = v->vp_enter_args.r9;
}

/* Any exit: a GHCI TDG.VP.VMCALL or an asynchronous exit. */
noinstr void tdx_rs_bench_ref_exit(struct ref_vcpu *v)
{
	ref_enter_exit(v);
}

/* A KVM hypercall: the exit, then tdx_emulate_vmcall()'s copy. */
noinstr void tdx_rs_bench_ref_hypercall(struct ref_vcpu *v)
{
	ref_enter_exit(v);
	v->regs[__VCPU_REGS_RAX] = v->vp_enter_args.r10;
	v->regs[__VCPU_REGS_RBX] = v->vp_enter_args.r11;
	v->regs[__VCPU_REGS_RCX] = v->vp_enter_args.r12;
	v->regs[__VCPU_REGS_RDX] = v->vp_enter_args.r13;
	v->regs[__VCPU_REGS_RSI] = v->vp_enter_args.r14;
}
