/* SPDX-License-Identifier: GPL-2.0 */
/*
 * u64 tdx_rs_test_callee_saved_<variant>(u64 leaf, struct tdx_module_args *args)
 *
 * Calls one trampoline with a known value in every callee-saved register
 * (RBX, RBP, R12-R15) and returns a mask of those that came back different:
 * bit 3 RBX, bit 5 RBP, bits 12-15 R12-R15 (register index). Test only.
 */
#include <linux/linkage.h>
#include <asm/frame.h>

.macro CALLEE_SAVED_CHECK name, target
SYM_FUNC_START(\name)
	FRAME_BEGIN
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rbp
	movabsq	$0x5a5a0005b5b5b5b5, %rbp
	movabsq	$0x5a5a0003b0b0b0b3, %rbx
	movabsq	$0x5a5a000cc1c1c1cc, %r12
	movabsq	$0x5a5a000dd2d2d2dd, %r13
	movabsq	$0x5a5a000ee3e3e3ee, %r14
	movabsq	$0x5a5a000ff4f4f4ff, %r15
	call	\target
	xorl	%eax, %eax
	movabsq	$0x5a5a0003b0b0b0b3, %rdx
	cmpq	%rdx, %rbx
	je	1f
	orl	$(1 << 3), %eax
1:	movabsq	$0x5a5a000cc1c1c1cc, %rdx
	cmpq	%rdx, %r12
	je	2f
	orl	$(1 << 12), %eax
2:	movabsq	$0x5a5a000dd2d2d2dd, %rdx
	cmpq	%rdx, %r13
	je	3f
	orl	$(1 << 13), %eax
3:	movabsq	$0x5a5a000ee3e3e3ee, %rdx
	cmpq	%rdx, %r14
	je	4f
	orl	$(1 << 14), %eax
4:	movabsq	$0x5a5a000ff4f4f4ff, %rdx
	cmpq	%rdx, %r15
	je	5f
	orl	$(1 << 15), %eax
5:	movabsq	$0x5a5a0005b5b5b5b5, %rdx
	cmpq	%rdx, %rbp
	je	6f
	orl	$(1 << 5), %eax
6:	popq	%rbp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	FRAME_END
	RET
SYM_FUNC_END(\name)
.endm

	.text
#ifdef CALLEE_SAVED_VP_ENTER
/* u64 tdx_rs_test_callee_saved_vp_enter(u64 tdvpr_pa, unsigned long *regs) */
CALLEE_SAVED_CHECK tdx_rs_test_callee_saved_vp_enter, tdx_rs_vp_enter
#else
CALLEE_SAVED_CHECK tdx_rs_test_callee_saved_plain, tdx_rs_seamcall
CALLEE_SAVED_CHECK tdx_rs_test_callee_saved_ret, tdx_rs_seamcall_ret
CALLEE_SAVED_CHECK tdx_rs_test_callee_saved_saved_ret, tdx_rs_seamcall_saved_ret
#endif
