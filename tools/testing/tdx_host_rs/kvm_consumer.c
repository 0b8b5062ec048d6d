// SPDX-License-Identifier: GPL-2.0
/*
 * A KVM-shaped consumer of tdx_host_rs: runs a vCPU of a TD built by
 * kvm_td.h the way KVM's TDX support does, on the public header and the
 * TDX_HOST_RS exports alone.
 *
 * The guest's registers are the vCPU's arch.regs[], declared as KVM declares
 * kvm_vcpu_arch::regs[]. TDH.VP.ENTER reads and writes that array in place,
 * and every TDG.VP.VMCALL is handled by reading and writing
 * regs[VCPU_REGS_R10] and friends directly: no cast, no second structure,
 * no copy. The handlers follow KVM's: R10 0 is a GHCI call whose
 * subfunction is R11, anything else a hypercall whose number is R10; the
 * status goes back in R10. An EPT violation on a private GPA is mapped
 * (Secure EPT + TDH.MEM.PAGE.AUG), MapGPA to shared takes the pages away
 * (kvm_td_mem.c). A vCPU moved to another CPU is flushed first on the one it
 * left (TDH.VP.FLUSH), as KVM's vcpu_load() does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/tdx_host_rs.h>
#include <asm/fpu/api.h>
#include <asm/vmx.h>
#include "kvm_consumer.h"
#include "kvm_td.h"
#include "td_leaves.h"

static_assert(__same_type(((struct fake_vcpu_arch *)0)->regs,
			  ((struct kvm_vcpu_arch *)0)->regs),
	      "fake_vcpu_arch::regs must be declared as kvm_vcpu_arch::regs");

/* Bits 15:0 of a TD exit's RAX: the VMX basic exit reason. */
#define TDX_EXIT_REASON(status)	((u16)(status))

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

/*
 * MapGPA: start GPA in R12 (the shared bit says which way), size in R13.
 * To shared: the private pages in the range leave the TD. To private:
 * nothing now, the pages come on the guest's next access (PAGE.AUG).
 */
static int tdvmcall_map_gpa(struct fake_vcpu *vcpu)
{
	unsigned long *regs = vcpu->arch.regs;
	u64 gpa = regs[VCPU_REGS_R12], size = regs[VCPU_REGS_R13];
	int ret;

	if (!exposed(vcpu, VCPU_REGS_R12) || !exposed(vcpu, VCPU_REGS_R13) ||
	    !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(size) || !size || !vcpu->td) {
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
	vcpu->memory_exits++;
	if (vcpu->verbose)
		pr_info("%s vCPU %u: MapGPA %#llx + %#llx to %s\n",
			vcpu->td->name, vcpu->id, gpa, size,
			gpa & KVM_TD_SHARED_BIT ? "shared: BLOCK, TRACK, kick, REMOVE, WBINVD" :
			"private");
	if (gpa & KVM_TD_SHARED_BIT) {
		ret = kvm_td_unmap_private(vcpu->td, gpa, size);
		if (ret)
			return ret;
	}
	set_return_code(vcpu, TDVMCALL_STATUS_SUCCESS);
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
	case TDVMCALL_MAP_GPA:
		return tdvmcall_map_gpa(vcpu);
	case TDVMCALL_REPORT_FATAL_ERROR:
		vcpu->fatal_error = exposed(vcpu, VCPU_REGS_R12) ?
				    regs[VCPU_REGS_R12] : 0;
		return -EPROTO;
	default:
		set_return_code(vcpu, TDVMCALL_STATUS_INVALID_OPERAND);
		return 0;
	}
}

/*
 * An EPT violation: the GPA in R8. A private GPA gets its page (KVM's
 * kvm_tdp_mmu_map() through the TDX hooks); the guest retries its access.
 */
static int handle_ept_violation(struct fake_vcpu *vcpu)
{
	u64 gpa = vcpu->arch.regs[VCPU_REGS_R8];
	int ret;

	if (!vcpu->td || (gpa & KVM_TD_SHARED_BIT))
		return -EIO;
	vcpu->memory_exits++;
	vcpu->td->ept_violations++;
	ret = kvm_td_map_private(vcpu->td, gpa);
	if (vcpu->verbose)
		pr_info("%s vCPU %u: EPT violation at GPA %#llx: Secure EPT + PAGE.AUG: %d\n",
			vcpu->td->name, vcpu->id, gpa, ret);
	return ret;
}

static int handle_exit(struct fake_vcpu *vcpu)
{
	u64 status = vcpu->exit_status;

	if (TD_STATUS(status) != TDX_SUCCESS)
		return -EIO;
	switch (TDX_EXIT_REASON(status)) {
	case TD_EXIT_TDCALL:
		vcpu->tdvmcalls++;
		return handle_tdvmcall(vcpu);
	case TD_EXIT_EPT_VIOLATION:
		return handle_ept_violation(vcpu);
	case TD_EXIT_EXTERNAL_INTERRUPT:
		/* The host took its interrupt when IRQs came back on: re-enter. */
		vcpu->interrupt_exits++;
		return 0;
	default:
		return -EIO;
	}
}

/* As KVM's tdx_vcpu_enter_exit(): guest state in, TDH.VP.ENTER, out. */
static noinstr void fake_vcpu_enter_exit(struct fake_vcpu *vcpu)
{
	guest_state_enter_irqoff();
	vcpu->exit_status = tdx_rs_vp_enter(vcpu->vp.tdvpr_pa, vcpu->arch.regs);
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

struct flush {
	struct tdx_rs_vp *vp;
	u64 status;
};

static void flush_here(void *data)
{
	struct flush *f = data;

	f->status = tdx_rs_vp_flush(f->vp);
}

int fake_vcpu_flush(struct fake_vcpu *vcpu)
{
	struct flush f = { .vp = &vcpu->vp };
	u64 status;

	if (vcpu->cpu < 0 || !vcpu->created)
		return 0;
	smp_call_function_single(vcpu->cpu, flush_here, &f, 1);
	status = f.status;
	/* Never entered on that CPU since the last flush: nothing to do. */
	if (status && status != TDX_VCPU_NOT_ASSOCIATED)
		return vcpu->td ? kvm_td_failed(vcpu->td, "TDH.VP.FLUSH", status) : -EIO;
	if (vcpu->td)
		vcpu->td->vp_flushes++;
	if (vcpu->verbose && vcpu->td)
		pr_info("%s vCPU %u: TDH.VP.FLUSH on CPU %d: %#llx\n",
			vcpu->td->name, vcpu->id, vcpu->cpu, status);
	vcpu->cpu = -1;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_flush, TDX_RS_TEST);

/*
 * One entry on this CPU, to the next TD exit. The TDX module initializes the
 * extended state at every TD exit: the task's FPU state is saved first, as
 * KVM's guest FPU swap (kvm_load_guest_fpu()) does.
 */
int fake_vcpu_enter_here(struct fake_vcpu *vcpu)
{
	int ret = 0;

	kernel_fpu_begin();
	if (vcpu->cpu != smp_processor_id()) {
		ret = -EINVAL;
	} else {
		local_irq_disable();
		fake_vcpu_enter_exit(vcpu);
		local_irq_enable();
	}
	kernel_fpu_end();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_enter_here, TDX_RS_TEST);

struct run {
	struct fake_vcpu *vcpu;
	u64 max_exits;
};

/* The vCPU loop, on a kworker bound to the vCPU's CPU. */
static int run_here(void *data)
{
	struct fake_vcpu *vcpu = ((struct run *)data)->vcpu;
	const struct fake_vcpu_hooks *hooks = vcpu->hooks;
	u64 exits, max_exits = ((struct run *)data)->max_exits;
	int ret = 0;

	for (exits = 0; exits < max_exits; exits++) {
		ret = fake_vcpu_enter_here(vcpu);
		if (ret)
			break;

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
	if (ret > 0)
		vcpu->done = true;
	if (exits == max_exits)
		return -E2BIG;
	return ret > 0 ? 0 : ret;
}

int fake_vcpu_run_on(struct fake_vcpu *vcpu, int cpu, u64 max_exits)
{
	struct run run = { .vcpu = vcpu, .max_exits = max_exits };
	int ret;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	if (vcpu->td && vcpu->td->bugged)
		return -EIO;
	/* vcpu_load(): a vCPU stays associated with its CPU until flushed. */
	if (vcpu->cpu != cpu) {
		ret = fake_vcpu_flush(vcpu);
		if (ret)
			return ret;
		vcpu->cpu = cpu;
	}
	return smp_call_on_cpu(cpu, run_here, &run, false);
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_run_on, TDX_RS_TEST);

int fake_vcpu_run(struct fake_vcpu *vcpu, u64 max_exits)
{
	return fake_vcpu_run_on(vcpu, vcpu->cpu >= 0 ? vcpu->cpu :
				cpumask_first(cpu_online_mask), max_exits);
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_run, TDX_RS_TEST);

int fake_vcpu_finish(struct fake_vcpu *vcpu)
{
	if (!vcpu->done || vcpu->cpu < 0)
		return -EINVAL;
	return fake_vcpu_run_on(vcpu, vcpu->cpu, 1);
}
EXPORT_SYMBOL_NS_GPL(fake_vcpu_finish, TDX_RS_TEST);

MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_DESCRIPTION("tdx_host_rs test: a KVM-shaped TD vCPU loop");
MODULE_LICENSE("GPL");
