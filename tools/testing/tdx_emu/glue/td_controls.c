// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_emu's TD controls: read back what the guest of a TD vCPU, built with
 * the TDX module's own leaves, went through. Each holds the model lock around one
 * Rust call, as the controls in trap.c do.
 */
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/tdx_emu.h>
#include "glue.h"

int tdx_emu_td_vcpu_report(u64 tdvpr_pa, struct tdx_emu_td_report *report)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_td_vcpu_report(tdx_emu_model, tdvpr_pa, report);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_td_vcpu_report, TDX_EMU);

int tdx_emu_td_exit_regs(u64 tdvpr_pa, u64 n, u64 *gprs)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_td_exit_regs(tdx_emu_model, tdvpr_pa, n, gprs);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_td_exit_regs, TDX_EMU);

void tdx_emu_arm_interrupt(u8 vector)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_arm_interrupt(tdx_emu_model, vector);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_arm_interrupt, TDX_EMU);

long tdx_emu_owned_pages(struct tdx_emu_owned_page *pages, long max)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_owned_pages(tdx_emu_model, pages, max);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_owned_pages, TDX_EMU);
