// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's reference: TDH.VP.ENTER the way a KVM without the
 * register-index layout must do it with upstream's 13-register struct
 * tdx_module_args, marshalling its regs[] into the struct before every entry
 * and back after every exit. scripts/bench_path.py counts this function's
 * instructions and copied bytes in the built object, next to
 * tdx_rs_vp_enter(); the module itself does nothing when loaded.
 */
#include <linux/module.h>
#include <asm/kvm_vcpu_regs.h>
#include <asm/tdx.h>

#define TDH_VP_ENTER	0

static noinstr __used u64 tdx_rs_bench_copy_vp_enter(u64 tdvpr_pa, unsigned long *regs)
{
	struct tdx_module_args args = {
		.rcx = tdvpr_pa,
		.rdx = regs[__VCPU_REGS_RDX],
		.rbx = regs[__VCPU_REGS_RBX],
		.rsi = regs[__VCPU_REGS_RSI],
		.rdi = regs[__VCPU_REGS_RDI],
		.r8 = regs[__VCPU_REGS_R8],
		.r9 = regs[__VCPU_REGS_R9],
		.r10 = regs[__VCPU_REGS_R10],
		.r11 = regs[__VCPU_REGS_R11],
		.r12 = regs[__VCPU_REGS_R12],
		.r13 = regs[__VCPU_REGS_R13],
		.r14 = regs[__VCPU_REGS_R14],
		.r15 = regs[__VCPU_REGS_R15],
	};
	u64 ret = __seamcall_saved_ret(TDH_VP_ENTER, &args);

	regs[__VCPU_REGS_RCX] = args.rcx;
	regs[__VCPU_REGS_RDX] = args.rdx;
	regs[__VCPU_REGS_RBX] = args.rbx;
	regs[__VCPU_REGS_RSI] = args.rsi;
	regs[__VCPU_REGS_RDI] = args.rdi;
	regs[__VCPU_REGS_R8] = args.r8;
	regs[__VCPU_REGS_R9] = args.r9;
	regs[__VCPU_REGS_R10] = args.r10;
	regs[__VCPU_REGS_R11] = args.r11;
	regs[__VCPU_REGS_R12] = args.r12;
	regs[__VCPU_REGS_R13] = args.r13;
	regs[__VCPU_REGS_R14] = args.r14;
	regs[__VCPU_REGS_R15] = args.r15;
	return ret;
}

MODULE_IMPORT_NS(TDX_HOST_RS_UPSTREAM_TEST);
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_DESCRIPTION("tdx_host_rs bench: a copy-based TDH.VP.ENTER over upstream's struct");
MODULE_LICENSE("GPL");
