/* SPDX-License-Identifier: GPL-2.0 */
/* make bench's TDH.VP.ENTER paths (bench_vp_*.c): counted, never called. */
#ifndef TDX_RS_BENCH_VP_H
#define TDX_RS_BENCH_VP_H

#include <linux/types.h>
#include <asm/kvm_vcpu_regs.h>

/* kvm_vcpu_arch::regs[]: the sixteen GPRs and RIP (NR_VCPU_REGS). */
#define BENCH_NR_VCPU_REGS	(__VCPU_REGS_R15 + 2)

struct ref_vcpu;
struct ref_vp;
struct ours_vcpu;
struct tdx_module_args;

u64 tdx_rs_bench_ref_tdh_vp_enter(struct ref_vp *vp, struct tdx_module_args *args);

void tdx_rs_bench_ref_exit(struct ref_vcpu *v);
void tdx_rs_bench_ref_hypercall(struct ref_vcpu *v);
void tdx_rs_bench_ours_exit(struct ours_vcpu *v);
void tdx_rs_bench_ours_hypercall(struct ours_vcpu *v);

#endif
