// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_emu trap glue: catch SEAMCALL's #UD in kernel mode and let the Rust
 * model answer it, as the TDX module would have.
 *
 * On a CPU without SEAM support SEAMCALL raises #UD. do_error_trap() calls
 * the die notifiers before it looks for an exception-table fixup, so a
 * notifier that recognizes the instruction can complete it instead: load the
 * model's registers, set or clear CF, step over the four bytes and stop the
 * trap there. When the model declines, the #UD goes on to the trampoline's
 * fixup exactly as on hardware without SEAM.
 */
#include <linux/kdebug.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tdx_emu.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>
#include <asm/trapnr.h>
#include "glue.h"

static const u8 seamcall_insn[] = { 0x66, 0x0f, 0x01, 0xcf };

/* Serializes every use of the model: traps on all CPUs and the controls. */
static DEFINE_RAW_SPINLOCK(tdx_emu_lock);
static struct tdx_emu_model *tdx_emu_model;

/* Arithmetic flags VMsucceed clears and VMfailInvalid sets CF among. */
#define VMX_RESULT_FLAGS (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			  X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

static void regs_to_gprs(const struct pt_regs *regs, u64 *gprs)
{
	gprs[0] = regs->ax;
	gprs[1] = regs->cx;
	gprs[2] = regs->dx;
	gprs[3] = regs->bx;
	gprs[4] = regs->sp;
	gprs[5] = regs->bp;
	gprs[6] = regs->si;
	gprs[7] = regs->di;
	gprs[8] = regs->r8;
	gprs[9] = regs->r9;
	gprs[10] = regs->r10;
	gprs[11] = regs->r11;
	gprs[12] = regs->r12;
	gprs[13] = regs->r13;
	gprs[14] = regs->r14;
	gprs[15] = regs->r15;
}

/* RSP and RBP are not SEAMCALL outputs and are never written back. */
static void gprs_to_regs(const u64 *gprs, struct pt_regs *regs)
{
	regs->ax = gprs[0];
	regs->cx = gprs[1];
	regs->dx = gprs[2];
	regs->bx = gprs[3];
	regs->si = gprs[6];
	regs->di = gprs[7];
	regs->r8 = gprs[8];
	regs->r9 = gprs[9];
	regs->r10 = gprs[10];
	regs->r11 = gprs[11];
	regs->r12 = gprs[12];
	regs->r13 = gprs[13];
	regs->r14 = gprs[14];
	regs->r15 = gprs[15];
}

static bool is_kernel_seamcall(struct pt_regs *regs)
{
	u8 insn[sizeof(seamcall_insn)];

	if (user_mode(regs))
		return false;
	if (copy_from_kernel_nofault(insn, (void *)regs->ip, sizeof(insn)))
		return false;
	return !memcmp(insn, seamcall_insn, sizeof(insn));
}

static int tdx_emu_die(struct notifier_block *nb, unsigned long val,
		       void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	u64 gprs[TDX_EMU_NR_GPRS];
	u32 outcome;

	if (val != DIE_TRAP || args->trapnr != X86_TRAP_UD ||
	    !is_kernel_seamcall(regs))
		return NOTIFY_DONE;

	regs_to_gprs(regs, gprs);
	scoped_guard(raw_spinlock_irqsave, &tdx_emu_lock)
		outcome = tdx_emu_rs_seamcall(tdx_emu_model, gprs);

	switch (outcome) {
	case TDX_EMU_COMPLETE:
		gprs_to_regs(gprs, regs);
		regs->flags &= ~VMX_RESULT_FLAGS;
		break;
	case TDX_EMU_VMFAILINVALID:
		regs->flags &= ~VMX_RESULT_FLAGS;
		regs->flags |= X86_EFLAGS_CF;
		break;
	default:
		return NOTIFY_DONE;
	}
	regs->ip += sizeof(seamcall_insn);
	return NOTIFY_STOP;
}

static struct notifier_block tdx_emu_die_nb = {
	.notifier_call = tdx_emu_die,
};

int tdx_emu_trap_register(struct tdx_emu_model *model)
{
	tdx_emu_model = model;
	return register_die_notifier(&tdx_emu_die_nb);
}

/* Returns once no CPU can be inside tdx_emu_die() any more. */
void tdx_emu_trap_unregister(void)
{
	unregister_die_notifier(&tdx_emu_die_nb);
	tdx_emu_model = NULL;
}

/* The test controls: each holds the model lock around one Rust call. */
int tdx_emu_set_mode(u32 mode)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_set_mode(tdx_emu_model, mode);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_set_mode, TDX_EMU);

void tdx_emu_probe_arm(const u64 *outputs, u16 mask)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_probe_arm(tdx_emu_model, outputs, mask);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_probe_arm, TDX_EMU);

bool tdx_emu_probe_take(u64 *inputs)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_probe_take(tdx_emu_model, inputs);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_probe_take, TDX_EMU);

void tdx_emu_inject(u16 leaf, u64 status, u32 count)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_inject(tdx_emu_model, leaf, status, count);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_inject, TDX_EMU);

u64 tdx_emu_calls(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_calls(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_calls, TDX_EMU);

void tdx_emu_reset(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_reset(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_reset, TDX_EMU);

/* The Rust self-test suite calls tdx_host_rs' trampolines. */
MODULE_IMPORT_NS(TDX_HOST_RS);
