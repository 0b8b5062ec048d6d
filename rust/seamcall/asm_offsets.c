// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets of struct tdx_module_args for the SEAMCALL trampolines.
 *
 * Only the fourteen real SEAMCALL operands get an offset (RBP is
 * TDH.VP.ENTER's). rax_unused and rsp_unused have none, so naming them in
 * assembly is an undefined symbol and fails the build.
 */
#include <linux/kbuild.h>
#include <linux/tdx_host_rs.h>

int main(void)
{
	OFFSET(TDX_RS_ARGS_rcx, tdx_module_args, rcx);
	OFFSET(TDX_RS_ARGS_rdx, tdx_module_args, rdx);
	OFFSET(TDX_RS_ARGS_rbx, tdx_module_args, rbx);
	OFFSET(TDX_RS_ARGS_rbp, tdx_module_args, rbp);
	OFFSET(TDX_RS_ARGS_rsi, tdx_module_args, rsi);
	OFFSET(TDX_RS_ARGS_rdi, tdx_module_args, rdi);
	OFFSET(TDX_RS_ARGS_r8, tdx_module_args, r8);
	OFFSET(TDX_RS_ARGS_r9, tdx_module_args, r9);
	OFFSET(TDX_RS_ARGS_r10, tdx_module_args, r10);
	OFFSET(TDX_RS_ARGS_r11, tdx_module_args, r11);
	OFFSET(TDX_RS_ARGS_r12, tdx_module_args, r12);
	OFFSET(TDX_RS_ARGS_r13, tdx_module_args, r13);
	OFFSET(TDX_RS_ARGS_r14, tdx_module_args, r14);
	OFFSET(TDX_RS_ARGS_r15, tdx_module_args, r15);
	return 0;
}
