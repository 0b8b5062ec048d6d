/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential suite's two halves share only this: plain register files
 * indexed by x86 register number, so neither half needs the other's
 * struct tdx_module_args (the two cannot live in one translation unit).
 */
#ifndef _TDX_RS_UPSTREAM_DIFF_H
#define _TDX_RS_UPSTREAM_DIFF_H

#include <linux/types.h>
#include <asm/kvm_vcpu_regs.h>

enum tdx_rs_diff_variant {
	TDX_RS_DIFF_PLAIN,
	TDX_RS_DIFF_RET,
	TDX_RS_DIFF_SAVED_RET,
};

/*
 * Field by field, by register name: the same text compiles against either
 * struct tdx_module_args, whatever its layout.
 */
#define TDX_RS_DIFF_LOAD(args, regs) do {				\
	(args)->rcx = (regs)[__VCPU_REGS_RCX];			\
	(args)->rdx = (regs)[__VCPU_REGS_RDX];			\
	(args)->rbx = (regs)[__VCPU_REGS_RBX];			\
	(args)->rsi = (regs)[__VCPU_REGS_RSI];			\
	(args)->rdi = (regs)[__VCPU_REGS_RDI];			\
	(args)->r8 = (regs)[__VCPU_REGS_R8];			\
	(args)->r9 = (regs)[__VCPU_REGS_R9];			\
	(args)->r10 = (regs)[__VCPU_REGS_R10];			\
	(args)->r11 = (regs)[__VCPU_REGS_R11];			\
	(args)->r12 = (regs)[__VCPU_REGS_R12];			\
	(args)->r13 = (regs)[__VCPU_REGS_R13];			\
	(args)->r14 = (regs)[__VCPU_REGS_R14];			\
	(args)->r15 = (regs)[__VCPU_REGS_R15];			\
} while (0)

#define TDX_RS_DIFF_STORE(args, regs) do {				\
	(regs)[__VCPU_REGS_RCX] = (args)->rcx;			\
	(regs)[__VCPU_REGS_RDX] = (args)->rdx;			\
	(regs)[__VCPU_REGS_RBX] = (args)->rbx;			\
	(regs)[__VCPU_REGS_RSI] = (args)->rsi;			\
	(regs)[__VCPU_REGS_RDI] = (args)->rdi;			\
	(regs)[__VCPU_REGS_R8] = (args)->r8;			\
	(regs)[__VCPU_REGS_R9] = (args)->r9;			\
	(regs)[__VCPU_REGS_R10] = (args)->r10;			\
	(regs)[__VCPU_REGS_R11] = (args)->r11;			\
	(regs)[__VCPU_REGS_R12] = (args)->r12;			\
	(regs)[__VCPU_REGS_R13] = (args)->r13;			\
	(regs)[__VCPU_REGS_R14] = (args)->r14;			\
	(regs)[__VCPU_REGS_R15] = (args)->r15;			\
} while (0)

/*
 * Upstream's __seamcall, __seamcall_ret or __seamcall_saved_ret on @regs,
 * field by field by register name; every field is copied back afterwards.
 */
u64 tdx_rs_diff_upstream_call(enum tdx_rs_diff_variant variant, u64 fn,
			      u64 *regs);

#endif /* _TDX_RS_UPSTREAM_DIFF_H */
