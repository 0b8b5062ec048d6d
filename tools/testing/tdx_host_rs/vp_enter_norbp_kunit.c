// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_vp_enter_norbp: the register contract of a TD exit on
 * a TDX module that zeroes the host's RBP. Loaded after tdx_emu.ko with
 * version=1.5.01 (whose asynchronous TD exits zero RBP whatever the TD's
 * CONFIG_FLAGS.NO_RBP_MOD), a fresh tdx_host_rs.ko and
 * tdx_rs_kvm_consumer.ko; the suite initializes the module itself, reporting
 * no TDX_FEATURES0.NO_RBP_MOD either. tdx_rs_vp_enter() must enter anyway
 * and give the caller its RBP back; the exit's registers are the module's,
 * and the extended state is initialized (XMM0-15 zero) right after it.
 */
#include "kvm_consumer.h"
#include "kvm_td.h"
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>
#include <linux/workqueue.h>
#include <asm/fpu/api.h>
#include "td_image.h"

/* callee_saved_vp_enter.S (callee_saved.h's, without its header here). */
u64 tdx_rs_test_callee_saved_vp_enter(u64 tdvpr_pa, unsigned long *regs);

#define NO_RBP_MOD		BIT_ULL(18)
#define EXIT_INTERRUPT		1
#define VECTOR			0xec
#define MAX_EXITS		64
#define MAJOR_VERSION		0x0800000100000004ULL
#define UPDATE_VERSION		0x0800000100000005ULL

static const struct kvm_td_image image = {
	.bytes = tdx_td_image,
	.size = sizeof(tdx_td_image),
	.gpa = TDX_TD_IMAGE_GPA,
	.entry = TDX_TD_ENTRY_GPA,
};

static void td_release(void *data)
{
	kvm_td_destroy(data);
}

static struct kvm_td *td_new(struct kunit *test)
{
	struct kvm_td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, td);
	td->name = "norbp";
	td->hkid = -1;
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	KUNIT_ASSERT_EQ(test, kvm_td_build(td, &image, 1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, td_release, td), 0);
	return td;
}

/* XMM0-15, 16 bytes each. */
static void xmm_load(const u8 (*x)[16])
{
	asm volatile("movdqu 0x00(%0), %%xmm0\n\tmovdqu 0x10(%0), %%xmm1\n\t"
		     "movdqu 0x20(%0), %%xmm2\n\tmovdqu 0x30(%0), %%xmm3\n\t"
		     "movdqu 0x40(%0), %%xmm4\n\tmovdqu 0x50(%0), %%xmm5\n\t"
		     "movdqu 0x60(%0), %%xmm6\n\tmovdqu 0x70(%0), %%xmm7\n\t"
		     "movdqu 0x80(%0), %%xmm8\n\tmovdqu 0x90(%0), %%xmm9\n\t"
		     "movdqu 0xa0(%0), %%xmm10\n\tmovdqu 0xb0(%0), %%xmm11\n\t"
		     "movdqu 0xc0(%0), %%xmm12\n\tmovdqu 0xd0(%0), %%xmm13\n\t"
		     "movdqu 0xe0(%0), %%xmm14\n\tmovdqu 0xf0(%0), %%xmm15"
		     : : "r" (x) : "memory");
}

static void xmm_store(u8 (*x)[16])
{
	asm volatile("movdqu %%xmm0, 0x00(%0)\n\tmovdqu %%xmm1, 0x10(%0)\n\t"
		     "movdqu %%xmm2, 0x20(%0)\n\tmovdqu %%xmm3, 0x30(%0)\n\t"
		     "movdqu %%xmm4, 0x40(%0)\n\tmovdqu %%xmm5, 0x50(%0)\n\t"
		     "movdqu %%xmm6, 0x60(%0)\n\tmovdqu %%xmm7, 0x70(%0)\n\t"
		     "movdqu %%xmm8, 0x80(%0)\n\tmovdqu %%xmm9, 0x90(%0)\n\t"
		     "movdqu %%xmm10, 0xa0(%0)\n\tmovdqu %%xmm11, 0xb0(%0)\n\t"
		     "movdqu %%xmm12, 0xc0(%0)\n\tmovdqu %%xmm13, 0xd0(%0)\n\t"
		     "movdqu %%xmm14, 0xe0(%0)\n\tmovdqu %%xmm15, 0xf0(%0)"
		     : : "r" (x) : "memory");
}

struct probe {
	struct fake_vcpu *vcpu;
	u8 pattern[16][16];
	u8 after[16][16];
	u64 changed;
};

/*
 * On the vCPU's CPU: a pattern in XMM0-15, TDH.VP.ENTER through the
 * callee-saved check, XMM0-15 read back, all in one kernel_fpu section (the
 * FPU state saved as KVM's guest FPU swap does) with IRQs off.
 */
static long probe_on_cpu(void *data)
{
	struct probe *p = data;

	kernel_fpu_begin();
	local_irq_disable();
	xmm_load(p->pattern);
	p->changed = tdx_rs_test_callee_saved_vp_enter(p->vcpu->vp.tdvpr_pa,
							p->vcpu->arch.regs);
	xmm_store(p->after);
	local_irq_enable();
	kernel_fpu_end();
	return 0;
}

/*
 * The first entry of a fresh vCPU with an external interrupt armed: an
 * asynchronous TD exit. On 1.5.01 the module zeroes RBP; the caller's RBP
 * (and RBX, R12-R15) must come back unchanged, the RBP slot gets the
 * module's 0, R9 the interruption information, every other GPR 0 (RAX,
 * RSP and RIP are not written to the array).
 */
static void an_interrupt_exit_keeps_the_callers_rbp(struct kunit *test)
{
	static const u8 zero[16][16];
	const struct tdx_rs_sysinfo *si;
	struct tdx_emu_td_report r;
	struct fake_vcpu *vcpu;
	unsigned long *regs;
	struct probe *p;
	struct kvm_td *td;
	unsigned int reg;
	int cpu;

	tdx_emu_set_features0(0);
	td = td_new(test);
	si = tdx_rs_get_sysinfo();
	KUNIT_ASSERT_NOT_NULL(test, si);
	KUNIT_ASSERT_EQ(test, si->features0 & NO_RBP_MOD, 0);
	vcpu = td->vcpus[0];
	regs = vcpu->arch.regs;
	for (reg = 0; reg < NR_VCPU_REGS; reg++)
		regs[reg] = 0x5a5a000000000000ULL | reg;
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->vcpu = vcpu;
	memset(p->pattern, 0x5a, sizeof(p->pattern));

	tdx_emu_arm_interrupt(VECTOR);
	/* Where TDH.VP.INIT associated it, as the consumer runs it. */
	cpu = vcpu->cpu >= 0 ? vcpu->cpu : cpumask_first(cpu_online_mask);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, probe_on_cpu, p), 0);
	vcpu->cpu = cpu;

	KUNIT_EXPECT_EQ_MSG(test, p->changed, 0, "callee-saved registers changed: %#llx",
			    p->changed);
	/* The helper returns its mask, not the status: the model's count. */
	KUNIT_EXPECT_EQ(test, tdx_emu_td_vcpu_report(vcpu->vp.tdvpr_pa, &r), 0);
	KUNIT_EXPECT_EQ(test, r.interrupts, 1);
	KUNIT_EXPECT_EQ(test, r.exits, 1);
	for (reg = 0; reg < NR_VCPU_REGS; reg++) {
		unsigned long want = 0;

		if (reg == VCPU_REGS_RAX || reg == VCPU_REGS_RSP ||
		    reg == VCPU_REGS_RIP)
			want = 0x5a5a000000000000ULL | reg;
		else if (reg == VCPU_REGS_RCX)
			want = 0;
		else if (reg == VCPU_REGS_R9)
			want = BIT(31) | VECTOR;
		KUNIT_EXPECT_EQ_MSG(test, regs[reg], want, "register %u", reg);
	}
	KUNIT_EXPECT_MEMEQ_MSG(test, p->after, zero, sizeof(zero),
			       "XMM0-15 not initialized after the TD exit");
}

/* The exit status, and the rest of the run through the KVM-shaped consumer. */
static void the_consumer_runs_the_td_on_a_module_that_zeroes_rbp(struct kunit *test)
{
	struct tdx_emu_td_report r;
	struct fake_vcpu *vcpu;
	struct kvm_td *td;
	u64 exits;

	tdx_emu_set_features0(0);
	td = td_new(test);
	vcpu = td->vcpus[0];
	tdx_emu_arm_interrupt(VECTOR);
	KUNIT_ASSERT_EQ(test, fake_vcpu_run(vcpu, MAX_EXITS), 0);
	KUNIT_EXPECT_TRUE(test, vcpu->done);
	KUNIT_EXPECT_EQ(test, vcpu->interrupt_exits, 1);
	exits = vcpu->nr_exits;
	KUNIT_ASSERT_EQ(test, fake_vcpu_finish(vcpu), 0);
	KUNIT_EXPECT_EQ(test, vcpu->nr_exits, exits + 1);
	KUNIT_ASSERT_EQ(test, tdx_emu_td_vcpu_report(vcpu->vp.tdvpr_pa, &r), 0);
	KUNIT_EXPECT_EQ(test, r.interrupts, 1);
	KUNIT_EXPECT_TRUE(test, r.finished);
	KUNIT_EXPECT_FALSE(test, r.fatal);
}

static struct kunit_case norbp_cases[] = {
	KUNIT_CASE(an_interrupt_exit_keeps_the_callers_rbp),
	KUNIT_CASE(the_consumer_runs_the_td_on_a_module_that_zeroes_rbp),
	{}
};

static struct kunit_suite norbp_suite = {
	.name = "tdx_rs_vp_enter_norbp",
	.test_cases = norbp_cases,
};

kunit_test_suite(norbp_suite);

MODULE_DESCRIPTION("tdx_host_rs: TDH.VP.ENTER on a module that zeroes RBP (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
