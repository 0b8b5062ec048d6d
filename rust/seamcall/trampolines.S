/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL trampolines over struct tdx_module_args.
 *
 * u64 fn(u64 leaf, struct tdx_module_args *args): the leaf arrives in RDI
 * and goes to RAX, @args arrives in RSI. The return value is RAX after the
 * instruction: the TDX module's completion status, TDX_RS_SEAMCALL_VMFAILINVALID
 * when CF is set, or TDX_RS_SW_ERROR | trap number when the instruction
 * raises #UD or #GP. Nothing is written back to @args on those failures.
 * A NULL or misaligned @args is refused with TDX_RS_SEAMCALL_BAD_ARGS.
 */
#include <linux/export.h>
#include <linux/linkage.h>
#include <linux/tdx_host_rs.h>
#include <asm/asm.h>
#include <asm/frame.h>
#include <asm/percpu.h>
#include "asm_offsets.h"

/* tdx_rs_vp_enter_scratch[] (exports.c): the caller's RBP, then @regs. */
#define TDX_RS_SCRATCH_rbp	0
#define TDX_RS_SCRATCH_args	8

/* Binutils < 2.36 has no mnemonic for it. */
#define SEAMCALL	.byte 0x66, 0x0f, 0x01, 0xcf

/* The operands every leaf may use: RCX, RDX, R8-R11 (caller-clobbered). */
.macro LOAD_COMMON_ARGS base
	movq	TDX_RS_ARGS_rcx(\base), %rcx
	movq	TDX_RS_ARGS_rdx(\base), %rdx
	movq	TDX_RS_ARGS_r8(\base),  %r8
	movq	TDX_RS_ARGS_r9(\base),  %r9
	movq	TDX_RS_ARGS_r10(\base), %r10
	movq	TDX_RS_ARGS_r11(\base), %r11
.endm

.macro STORE_COMMON_ARGS base
	movq	%rcx, TDX_RS_ARGS_rcx(\base)
	movq	%rdx, TDX_RS_ARGS_rdx(\base)
	movq	%r8,  TDX_RS_ARGS_r8(\base)
	movq	%r9,  TDX_RS_ARGS_r9(\base)
	movq	%r10, TDX_RS_ARGS_r10(\base)
	movq	%r11, TDX_RS_ARGS_r11(\base)
.endm

/*
 * ARGS_OR_REFUSE - unless \base (\base32 its low half) is a non-NULL, 8-byte
 * aligned pointer, tail-call tdx_rs_refuse_bad_args(). Before any frame is
 * set up, so that returns straight to the caller; neither branch is taken
 * on a good call.
 */
.macro ARGS_OR_REFUSE base, base32
	testq	\base, \base
	jz	tdx_rs_refuse_bad_args
	testl	$7, \base32
	jnz	tdx_rs_refuse_bad_args
.endm

/*
 * SEAMCALL_OR_FAIL - execute SEAMCALL; on VMfailInvalid or a trap, put the
 * software status in RAX and jump to \fail, where the caller unwinds its own
 * stack. A #UD or #GP lands on the exception-table fixup with the trap number
 * in RAX (EX_TYPE_FAULT).
 */
.macro SEAMCALL_OR_FAIL fail
.Lseamcall\@:
	SEAMCALL
	jnc	.Ldone\@
	movabsq	$TDX_RS_SEAMCALL_VMFAILINVALID, %rax
	jmp	\fail
.Ltrap\@:
	movabsq	$TDX_RS_SW_ERROR, %rdi
	orq	%rdi, %rax
	jmp	\fail
	_ASM_EXTABLE_FAULT(.Lseamcall\@, .Ltrap\@)
.Ldone\@:
.endm

	.text

/* u64 tdx_rs_seamcall(u64 leaf, struct tdx_module_args *args) */
SYM_FUNC_START(tdx_rs_seamcall)
	ARGS_OR_REFUSE %rsi, %esi
	FRAME_BEGIN
	movq	%rdi, %rax
	LOAD_COMMON_ARGS %rsi
	SEAMCALL_OR_FAIL .Lseamcall_out
.Lseamcall_out:
	FRAME_END
	RET
SYM_FUNC_END(tdx_rs_seamcall)
EXPORT_SYMBOL_NS_GPL(tdx_rs_seamcall, TDX_HOST_RS)

/*
 * u64 tdx_rs_seamcall_ret(u64 leaf, struct tdx_module_args *args)
 * Leaves that use this variant keep RSI (the @args pointer) intact.
 */
SYM_FUNC_START(tdx_rs_seamcall_ret)
	ARGS_OR_REFUSE %rsi, %esi
	FRAME_BEGIN
	movq	%rdi, %rax
	LOAD_COMMON_ARGS %rsi
	SEAMCALL_OR_FAIL .Lseamcall_ret_out
	STORE_COMMON_ARGS %rsi
.Lseamcall_ret_out:
	FRAME_END
	RET
SYM_FUNC_END(tdx_rs_seamcall_ret)
EXPORT_SYMBOL_NS_GPL(tdx_rs_seamcall_ret, TDX_HOST_RS)

/*
 * u64 tdx_rs_seamcall_saved_ret(u64 leaf, struct tdx_module_args *args)
 *
 * All fourteen operands in and out, RSI, RBP and the callee-saved RBX,
 * R12-R15 included (TDH.VP.ENTER returns a TDVMCALL with every one of them
 * live). RBP is TDH.VP.ENTER's: the host's value the guest gets when a
 * TDG.VP.VMCALL of a TD without CONFIG_FLAGS.NO_RBP_MOD selected it, and
 * after a TD exit the guest's or 0, which TDX modules 1.5.01 and 1.5.05 write
 * at every asynchronous exit whatever the TD's flags. The caller's RBP is
 * kept on the stack and restored, so the function returns with it on every
 * module version; the module's RBP goes to the slot. It touches no
 * instrumented code, so KVM may call it between guest state enter and exit.
 */
	.section .noinstr.text, "ax"

/*
 * The answer to a NULL or misaligned argument block, or to a regs[] outside
 * the kernel's half: no SEAMCALL.
 */
SYM_FUNC_START_LOCAL(tdx_rs_refuse_bad_args)
	movabsq	$TDX_RS_SEAMCALL_BAD_ARGS, %rax
	RET
SYM_FUNC_END(tdx_rs_refuse_bad_args)

/*
 * SAVED_RET_CALL - the saved-register SEAMCALL on @args in RSI, already
 * checked. \leaf_rcx loads RCX, and RAX (the leaf) unless the caller did;
 * every other operand comes from @args, and all of them go back to it after
 * the call. \percpu keeps @args and the caller's RBP in this CPU's slots
 * rather than on the stack (interrupts must be off). Instantiated by
 * tdx_rs_seamcall_saved_ret() and tdx_rs_vp_enter(), so that neither jumps
 * into the other and each checks its arguments once.
 */
.macro SAVED_RET_CALL leaf_rcx, percpu=0
	FRAME_BEGIN
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/*
	 * The module may write RBP: the caller's comes back from here. RSI is
	 * an operand: @args is kept here across the call. On the stack, or
	 * with interrupts off in this CPU's scratch slots (exports.c).
	 */
.if \percpu
	movq	%rbp, PER_CPU_VAR(tdx_rs_vp_enter_scratch + TDX_RS_SCRATCH_rbp)
	movq	%rsi, PER_CPU_VAR(tdx_rs_vp_enter_scratch + TDX_RS_SCRATCH_args)
.else
	pushq	%rbp
	pushq	%rsi
.endif

	\leaf_rcx
	movq	TDX_RS_ARGS_rdx(%rsi), %rdx
	movq	TDX_RS_ARGS_r8(%rsi),  %r8
	movq	TDX_RS_ARGS_r9(%rsi),  %r9
	movq	TDX_RS_ARGS_r10(%rsi), %r10
	movq	TDX_RS_ARGS_r11(%rsi), %r11
	movq	TDX_RS_ARGS_rbx(%rsi), %rbx
	movq	TDX_RS_ARGS_r12(%rsi), %r12
	movq	TDX_RS_ARGS_r13(%rsi), %r13
	movq	TDX_RS_ARGS_r14(%rsi), %r14
	movq	TDX_RS_ARGS_r15(%rsi), %r15
	movq	TDX_RS_ARGS_rdi(%rsi), %rdi
	movq	TDX_RS_ARGS_rbp(%rsi), %rbp
	movq	TDX_RS_ARGS_rsi(%rsi), %rsi	/* last: it was the base */

	SEAMCALL_OR_FAIL .Lsaved_fail\@

	/*
	 * No register is free: push the module's RSI, fetch @args from its
	 * slot, then pop the module's RSI straight into @args.
	 */
	pushq	%rsi
.if \percpu
	movq	PER_CPU_VAR(tdx_rs_vp_enter_scratch + TDX_RS_SCRATCH_args), %rsi
.else
	movq	8(%rsp), %rsi
.endif
	popq	TDX_RS_ARGS_rsi(%rsi)
	STORE_COMMON_ARGS %rsi
	movq	%rbx, TDX_RS_ARGS_rbx(%rsi)
	movq	%rdi, TDX_RS_ARGS_rdi(%rsi)
	movq	%rbp, TDX_RS_ARGS_rbp(%rsi)
	movq	%r12, TDX_RS_ARGS_r12(%rsi)
	movq	%r13, TDX_RS_ARGS_r13(%rsi)
	movq	%r14, TDX_RS_ARGS_r14(%rsi)
	movq	%r15, TDX_RS_ARGS_r15(%rsi)

	/*
	 * Values a guest chose must not survive in registers into the
	 * caller, not even speculatively while the pops below are pending.
	 * RSI holds @args, RAX the status; RBP gets the caller's back below;
	 * RSP is never an operand.
	 */
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%ebx, %ebx
	xorl	%edi, %edi
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d

.Lsaved_fail\@:
.if \percpu
	movq	PER_CPU_VAR(tdx_rs_vp_enter_scratch + TDX_RS_SCRATCH_rbp), %rbp
.else
	popq	%rsi
	popq	%rbp
.endif
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	FRAME_END
	RET
.endm

/* The generic variant: the leaf from RDI, RCX from @args. */
.macro LEAF_RDI_RCX_ARGS
	movq	%rdi, %rax
	movq	TDX_RS_ARGS_rcx(%rsi), %rcx
.endm

SYM_FUNC_START(tdx_rs_seamcall_saved_ret)
	ARGS_OR_REFUSE %rsi, %esi
	SAVED_RET_CALL LEAF_RDI_RCX_ARGS
SYM_FUNC_END(tdx_rs_seamcall_saved_ret)
EXPORT_SYMBOL_NS_GPL(tdx_rs_seamcall_saved_ret, TDX_HOST_RS)

/* TDH.VP.ENTER: RCX the TDVPR (and flags) from RDI. */
.macro RCX_RDI
	movq	%rdi, %rcx
.endm

/*
 * Off the hot path: tdx_rs_vp_enter() found @regs at or below
 * tdx_rs_vp_enter_gate. Not initialized: return the refusal status. @regs
 * still at or below the gate: refuse it. Otherwise the gate opened since it
 * was read: enter.
 */
SYM_FUNC_START_LOCAL(tdx_rs_vp_enter_gated)
	movq	tdx_rs_vp_enter_refusal(%rip), %rax
	testq	%rax, %rax
	jnz	.Lgated_out
	cmpq	tdx_rs_vp_enter_gate(%rip), %rsi
	jbe	tdx_rs_refuse_bad_args
	jmp	tdx_rs_vp_enter
.Lgated_out:
	RET
SYM_FUNC_END(tdx_rs_vp_enter_gated)

/*
 * u64 tdx_rs_vp_enter(u64 tdvpr_pa, unsigned long *regs)
 *
 * TDH.VP.ENTER with KVM's kvm_vcpu_arch::regs[] as the argument block: it
 * has the register-index layout of struct tdx_module_args, so @regs is the
 * saved-register SEAMCALL's block as it is; @tdvpr_pa goes straight to RCX.
 * Its own instance of the trampoline (no jump into another that checks
 * again), keeping @regs and the caller's RBP in per-CPU slots: the caller
 * has interrupts off.
 *
 * One compare is the whole entry check: @regs must be above
 * tdx_rs_vp_enter_gate, which is U64_MAX until the module is initialized
 * and TASK_SIZE_MAX from then on (exports.c). That refuses every entry
 * before initialization, and after it a NULL @regs or any other address
 * outside the kernel's half. x86 needs no alignment: @regs is not checked
 * for it.
 */
SYM_FUNC_START(tdx_rs_vp_enter)
	cmpq	tdx_rs_vp_enter_gate(%rip), %rsi
	jbe	tdx_rs_vp_enter_gated
	xorl	%eax, %eax			/* TDH.VP.ENTER is leaf 0 */
	SAVED_RET_CALL RCX_RDI, percpu=1
SYM_FUNC_END(tdx_rs_vp_enter)
EXPORT_SYMBOL_NS_GPL(tdx_rs_vp_enter, TDX_HOST_RS)
