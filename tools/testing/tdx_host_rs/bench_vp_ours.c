// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's path for tdx_rs_vp_enter(): what a KVM built on it does
 * around the call, for the same exits as bench_vp_ref.c. The status is
 * stored; the exit information (RCX, RDX, R8, R9) and a GHCI TDG.VP.VMCALL's
 * operands stay where the trampoline wrote them, in regs[], and are read
 * there. A KVM hypercall still needs R10-R14 in regs[] RAX, RBX, RCX, RDX and
 * RSI, where __kvm_emulate_hypercall() reads them: that copy is made here.
 */
#include <linux/compiler.h>
#include <linux/tdx_host_rs.h>
#include "bench_vp.h"

struct ours_vcpu {
	unsigned long regs[BENCH_NR_VCPU_REGS];	/* kvm_vcpu_arch::regs[] */
	u64 tdvpr_pa;
	u64 vp_enter_ret;
};

/* Any exit: a GHCI TDG.VP.VMCALL or an asynchronous exit. */
noinstr void tdx_rs_bench_ours_exit(struct ours_vcpu *v)
{
	v->vp_enter_ret = tdx_rs_vp_enter(v->tdvpr_pa, v->regs);
}

/* A KVM hypercall: the exit, then R10-R14 where KVM's handler reads them. */
noinstr void tdx_rs_bench_ours_hypercall(struct ours_vcpu *v)
{
	v->vp_enter_ret = tdx_rs_vp_enter(v->tdvpr_pa, v->regs);
	v->regs[__VCPU_REGS_RAX] = v->regs[__VCPU_REGS_R10];
	v->regs[__VCPU_REGS_RBX] = v->regs[__VCPU_REGS_R11];
	v->regs[__VCPU_REGS_RCX] = v->regs[__VCPU_REGS_R12];
	v->regs[__VCPU_REGS_RDX] = v->regs[__VCPU_REGS_R13];
	v->regs[__VCPU_REGS_RSI] = v->regs[__VCPU_REGS_R14];
}
