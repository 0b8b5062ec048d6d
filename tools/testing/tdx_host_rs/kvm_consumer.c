// SPDX-License-Identifier: GPL-2.0
/*
 * A KVM-shaped consumer of tdx_host_rs: runs a TD vCPU the way KVM's TDX
 * support does, on the public header and the TDX_HOST_RS exports alone.
 *
 * The guest's registers are the vCPU's arch.regs[], declared as KVM declares
 * kvm_vcpu_arch::regs[]. TDH.VP.ENTER reads and writes that array in place,
 * and every TDG.VP.VMCALL is handled by reading and writing
 * regs[VCPU_REGS_R10] and friends directly: no cast, no second structure,
 * no copy. The handlers follow KVM's: R10 0 is a GHCI call whose
 * subfunction is R11, anything else a hypercall whose number is R10; the
 * status goes back in R10.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/tdx_host_rs.h>
#include <asm/vmx.h>
#include "kvm_consumer.h"

static_assert(__same_type(((struct fake_vcpu_arch *)0)->regs,
			  ((struct kvm_vcpu_arch *)0)->regs),
	      "fake_vcpu_arch::regs must be declared as kvm_vcpu_arch::regs");

/* Linux 6.12's uapi/asm/vmx.h predates it. */
#ifndef EXIT_REASON_TDCALL
#define EXIT_REASON_TDCALL	77
#endif

#define TDX_EXIT_REASON(status)	((u32)(status))
#define TDX_STATUS_ERROR	BIT_ULL(63)

/* The GPRs the guest exposed, from the bitmap the TD exit left in RCX. */
static bool exposed(const struct fake_vcpu *vcpu, unsigned int reg)
{
	return vcpu->arch.regs[VCPU_REGS_RCX] & BIT_ULL(reg);
}

static void set_return_code(struct fake_vcpu *vcpu, u64 status)
{
	vcpu->arch.regs[VCPU_REGS_R10] = status;
	if (status != TDVMCALL_STATUS_SUCCESS)
		vcpu->invalid_tdvmcalls++;
}

/* The test hypercall: every exposed GPR but R10 comes back inverted. */
static int hypercall_echo(struct fake_vcpu *vcpu)
{
	unsigned int reg;

	for (reg = VCPU_REGS_RDX; reg <= VCPU_REGS_R15; reg++)
		if (reg != VCPU_REGS_R10 && exposed(vcpu, reg))
			vcpu->arch.regs[reg] = ~vcpu->arch.regs[reg];
	set_return_code(vcpu, TDVMCALL_STATUS_SUCCESS);
	return 0;
}

/* CPUID: leaf in R12, subleaf in R13; EAX, EBX, ECX, EDX in R12-R15. */
static int tdvmcall_cpuid(struct fake_vcpu *vcpu)
{
	unsigned long *regs = vcpu->arch.regs;
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	if (!exposed(vcpu, VCPU_REGS_R12) || !exposed(vcpu, VCPU_REGS_R13) ||
	    !exposed(vcpu, VCPU_REGS_R14) || !exposed(vcpu, VCPU_REGS_R15)) {
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
	/* Only KVM's signature leaf: "KVMKVMKVM\0\0\0". */
	if (regs[VCPU_REGS_R12] == KVM_CPUID_SIGNATURE) {
		eax = KVM_CPUID_FEATURES;
		ebx = 0x4b4d564b;
		ecx = 0x564b4d56;
		edx = 0x4d;
	}
	regs[VCPU_REGS_R12] = eax;
	regs[VCPU_REGS_R13] = ebx;
	regs[VCPU_REGS_R14] = ecx;
	regs[VCPU_REGS_R15] = edx;
	set_return_code(vcpu, TDVMCALL_STATUS_SUCCESS);
	return 0;
}

/* Port I/O: size R12, direction R13 (1: out), port R14, value R15. */
static int tdvmcall_io(struct fake_vcpu *vcpu)
{
	unsigned long *regs = vcpu->arch.regs;

	if (!exposed(vcpu, VCPU_REGS_R12) || !exposed(vcpu, VCPU_REGS_R13) ||
	    !exposed(vcpu, VCPU_REGS_R14) || !exposed(vcpu, VCPU_REGS_R15)) {
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
	set_return_code(vcpu, TDVMCALL_STATUS_SUCCESS);
	if (regs[VCPU_REGS_R13] && regs[VCPU_REGS_R14] == FAKE_KVM_DONE_PORT &&
	    regs[VCPU_REGS_R12] == 1 && regs[VCPU_REGS_R15] == 0)
		return 1;
	if (!regs[VCPU_REGS_R13])
		regs[VCPU_REGS_R15] = 0xff;	/* nothing behind any port */
	return 0;
}

/* 1: the guest is done; 0: enter it again; or an error. */
static int handle_tdvmcall(struct fake_vcpu *vcpu)
{
	unsigned long *regs = vcpu->arch.regs;

	if (!exposed(vcpu, VCPU_REGS_R10)) {
		/* Nowhere to put a status: the guest broke the GHCI. */
		vcpu->invalid_tdvmcalls++;
		return 0;
	}
	if (regs[VCPU_REGS_R10]) {
		if (regs[VCPU_REGS_R10] == FAKE_KVM_HC_ECHO)
			return hypercall_echo(vcpu);
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
	if (!exposed(vcpu, VCPU_REGS_R11)) {
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
	switch (regs[VCPU_REGS_R11]) {
	case EXIT_REASON_CPUID:
		return tdvmcall_cpuid(vcpu);
	case EXIT_REASON_HLT:
		set_return_code(vcpu, TDVMCALL_STATUS_SUCCESS);
		return 0;
	case EXIT_REASON_IO_INSTRUCTION:
		return tdvmcall_io(vcpu);
	case TDVMCALL_REPORT_FATAL_ERROR:
		vcpu->fatal_error = exposed(vcpu, VCPU_REGS_R12) ?
				    regs[VCPU_REGS_R12] : 0;
		return -EPROTO;
	default:
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
}

static int handle_exit(struct fake_vcpu *vcpu)
{
	u64 status = vcpu->exit_status;

	if ((status & TDX_STATUS_ERROR) ||
	    TDX_EXIT_REASON(status) != EXIT_REASON_TDCALL)
		return -EIO;
	return handle_tdvmcall(vcpu);
}

/* As KVM's tdx_vcpu_enter_exit(): guest state in, TDH.VP.ENTER, out. */
static noinstr void fake_vcpu_enter_exit(struct fake_vcpu *vcpu)
{
	guest_state_enter_irqoff();
	vcpu->exit_status = tdx_rs_vp_enter(vcpu->tdvpr_pa, vcpu->arch.regs);
	guest_state_exit_irqoff();
}

static void log_exit(const struct fake_vcpu *vcpu)
{
	const unsigned long *regs = vcpu->arch.regs;

	pr_info("exit %llu: status %#llx bitmap %#lx r10 %#lx r11 %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx\n",
		vcpu->nr_exits, vcpu->exit_status, regs[VCPU_REGS_RCX],
		regs[VCPU_REGS_R10], regs[VCPU_REGS_R11], regs[VCPU_REGS_R12],
		regs[VCPU_REGS_R13], regs[VCPU_REGS_R14], regs[VCPU_REGS_R15]);
}

int fake_vcpu_run(struct fake_vcpu *vcpu, u64 max_exits)
{
	const struct fake_vcpu_hooks *hooks = vcpu->hooks;
	u64 exits;
	int ret;

	ret = tdx_rs_enable();
	if (ret)
		return ret;

	/*
	 * A TD vCPU stays associated with the CPU that entered it until
	 * TDH.VP.FLUSH, which this consumer does not do: stay on one CPU.
	 */
	migrate_disable();
	for (exits = 0; exits < max_exits; exits++) {
		local_irq_disable();
		fake_vcpu_enter_exit(vcpu);
		local_irq_enable();

		if (vcpu->verbose)
			log_exit(vcpu);
		if (hooks && hooks->exited)
			hooks->exited(vcpu, vcpu->nr_exits, hooks->ctx);
		ret = handle_exit(vcpu);
		vcpu->nr_exits++;
		if (ret)
			break;
		if (hooks && hooks->entering)
			hooks->entering(vcpu, vcpu->nr_exits - 1, hooks->ctx);
		cond_resched();
	}
	migrate_enable();
	if (exits == max_exits)
		return -E2BIG;
	return ret > 0 ? 0 : ret;
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_run, TDX_RS_TEST);

MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_DESCRIPTION("tdx_host_rs test: a KVM-shaped TD vCPU loop");
MODULE_LICENSE("GPL");
