// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_emu's VMX controls: a test stand-in for VMXON and VMXOFF, which on a
 * host the hypervisor (kvm_intel) executes. SEAMCALL outside VMX operation
 * raises #UD (model/vmx.rs), so a test that wants the emulated TDX module
 * to answer turns VMX on first, as tools/testing/tdx_host_rs/kvm_virt.c
 * does for every CPU. Each holds the model lock around one Rust call.
 */
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/tdx_emu.h>
#include "glue.h"

int tdx_emu_vmxon(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_vmxon(tdx_emu_model, smp_processor_id());
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_vmxon, TDX_EMU);

int tdx_emu_vmxoff(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_vmxoff(tdx_emu_model, smp_processor_id());
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_vmxoff, TDX_EMU);

bool tdx_emu_in_vmx(unsigned int cpu)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_in_vmx(tdx_emu_model, cpu);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_in_vmx, TDX_EMU);

u64 tdx_emu_ud_outside_vmx(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_ud_outside_vmx(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_ud_outside_vmx, TDX_EMU);
