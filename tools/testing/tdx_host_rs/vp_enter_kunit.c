// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_vp_enter: the KVM-shaped consumer runs the emulated
 * TD's program through tdx_rs_vp_enter(). Load after tdx_emu.ko,
 * tdx_host_rs.ko and tdx_rs_kvm_consumer.ko; the cases initialize the TDX
 * module if nobody did.
 *
 * Each case builds a TD of its own with the KVM-shaped library (kvm_td.h),
 * from the image of scripts/td_image.py, so the cases are independent. The
 * emulated guest checks the host's replies itself; these cases check the
 * other direction (what the host saw) against the emulator's record of what
 * the guest sent.
 */
#include "kvm_td.h"
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>
#include <asm/fpu/api.h>
#include "td_image.h"

#define EXIT_TDCALL		77
#define EXIT_EPT_VIOLATION	48
#define MAX_EXITS		64
#define FATAL_BAD_REPLY		0x7e570000ULL
#define POISON			0x9015011ed0000000ULL

/* TDX 1.5 completion statuses, operand RCX where the module names it. */
#define TDX_OPERAND_INVALID_RCX		0xC000010000000001ULL
#define TDX_OPERAND_ADDR_RANGE_RCX	0xC000010100000001ULL
#define TDX_PAGE_METADATA_RCX		0xC000030000000001ULL
#define TDX_VCPU_ASSOCIATED		0x8000070100000000ULL
/* TDH.VP.ENTER's RCX flags: host recoverability hint, resume L1. */
#define VP_ENTER_HINT			BIT_ULL(52)
#define VP_ENTER_RESUME_L1		BIT_ULL(53)

/*
 * The image's program (scripts/td_image.py): of its steps, one TDG.VP.VMCALL
 * the module refuses inside the TD, and three the module completes there:
 * the read of image data, TDG.MEM.PAGE.ACCEPT of the extra page (after one
 * EPT-violation exit the host answers with PAGE.AUG) and the read of it.
 */
#define IN_MODULE_STEPS			3
/* TDG.MEM.PAGE.ACCEPT's TDCALL leaf (the guest's RAX). */
#define TDG_MEM_PAGE_ACCEPT		6
/*
 * The EPT-violation TD exit of that ACCEPT, as the TDX module makes it
 * (async_tdexit_ept_violation()): RCX the exit qualification, a data write
 * (ACCEPT is one) of a GPA whose Secure EPT entry allows nothing; RDX the
 * extended qualification, type ACCEPT (1), info in bits 63:32: requested
 * level 0 (4 KiB), failing level 1 (bits 5:3; the 2 MiB entry over the
 * extra page, where the walk stops), that entry FREE and not a leaf; R8
 * the GPA, bits 11:0 clear; every other GPR 0.
 */
#define EPT_QUAL_ACCEPT			BIT_ULL(1)
#define EEQ_ACCEPT_LEVEL1_FREE		(1ULL | (1ULL << 3) << 32)

static const struct kvm_td_image image = {
	.bytes = tdx_td_image,
	.size = sizeof(tdx_td_image),
	.gpa = TDX_TD_IMAGE_GPA,
	.entry = TDX_TD_ENTRY_GPA,
};

struct td {
	struct kunit *test;
	struct kvm_td td;
	u64 pa;			/* the vCPU's TDVPR page */
	struct fake_vcpu *vcpu;
};

/* Tears the TD down when the case ends, however it ends: all pages back. */
static void td_release(void *data)
{
	struct td *td = data;

	kvm_td_destroy(&td->td);
	KUNIT_EXPECT_EQ(td->test, td->td.pages.leaked, 0);
}

/* A fresh one-vCPU TD, built as KVM builds it, its registers poisoned. */
static struct td *td_new(struct kunit *test)
{
	unsigned int reg;
	struct td *td;

	td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, td);
	td->test = test;
	td->td.name = "vp-enter";
	td->td.hkid = -1;
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	KUNIT_ASSERT_EQ(test, kvm_td_build(&td->td, &image, 1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, td_release, td), 0);
	td->vcpu = td->td.vcpus[0];
	td->pa = td->vcpu->vp.tdvpr_pa;
	for (reg = 0; reg < NR_VCPU_REGS; reg++)
		td->vcpu->arch.regs[reg] = POISON | reg;
	return td;
}

/* Releases the TD now rather than when the case ends. */
static void td_exit(struct kunit *test, struct td *td)
{
	kunit_release_action(test, td_release, td);
}

static struct tdx_emu_td_report td_report(struct kunit *test, struct td *td)
{
	struct tdx_emu_td_report r;

	KUNIT_EXPECT_EQ(test, tdx_emu_td_vcpu_report(td->pa, &r), 0);
	return r;
}

/* Runs the program to "done", then once more so the guest checks that reply. */
static void run_to_the_end(struct kunit *test, struct td *td)
{
	u64 exits;

	KUNIT_ASSERT_EQ(test, fake_vcpu_run(td->vcpu, MAX_EXITS), 0);
	exits = td->vcpu->nr_exits;
	KUNIT_ASSERT_EQ(test, fake_vcpu_finish(td->vcpu), 0);
	KUNIT_EXPECT_EQ(test, td->vcpu->nr_exits, exits + 1);
}

static void consumer_runs_the_whole_script(struct kunit *test)
{
	u64 before = tdx_emu_calls_of(TDX_RS_LEAF_VP_ENTER);
	struct tdx_emu_td_report r;
	struct td *td;

	td = td_new(test);
	run_to_the_end(test, td);
	r = td_report(test, td);
	KUNIT_EXPECT_EQ(test, r.finished, 1);
	KUNIT_EXPECT_EQ(test, r.fatal, 0);
	KUNIT_EXPECT_EQ(test, r.steps_done, r.nr_steps);
	/* One call of the script never leaves the TD: the module refuses it. */
	KUNIT_EXPECT_EQ(test, r.refused_vmcalls, 1);
	/* One ACCEPT, done in the module once the host answered its exit. */
	KUNIT_EXPECT_EQ(test, r.accepts, 1);
	KUNIT_EXPECT_EQ(test, r.ept_violations, 1);
	KUNIT_EXPECT_EQ(test, td->td.ept_violations, r.ept_violations);
	/* Every other step a TDG.VP.VMCALL exit; the done write made twice. */
	KUNIT_EXPECT_EQ(test, td->vcpu->tdvmcalls,
			r.nr_steps - r.refused_vmcalls - IN_MODULE_STEPS + 1);
	KUNIT_EXPECT_EQ(test, r.exits, td->vcpu->tdvmcalls + r.ept_violations);
	KUNIT_EXPECT_EQ(test, r.entries, r.exits);
	KUNIT_EXPECT_EQ(test, td->vcpu->nr_exits, r.exits);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls_of(TDX_RS_LEAF_VP_ENTER) - before, r.entries);
	/* An undefined subfunction and a CPUID without room for the answer. */
	KUNIT_EXPECT_EQ(test, td->vcpu->invalid_tdvmcalls, 2);
	td_exit(test, td);
}

/*
 * The trampoline works on the consumer's own regs[]: a whole run goes
 * through it, and the slots that are no operand (RAX, RSP, RIP) are never
 * touched. The host stack holds no pointer to it: tdx_rs_vp_enter() keeps
 * @regs in a per-CPU slot, so the word on top at TDH.VP.ENTER is not @regs.
 */
static void argument_block_is_the_consumers_array(struct kunit *test)
{
	static const int untouched[] = { VCPU_REGS_RAX, VCPU_REGS_RSP, VCPU_REGS_RIP };
	unsigned long *regs;
	struct tdx_emu_td_report r;
	struct td *td;
	int i;

	td = td_new(test);
	regs = td->vcpu->arch.regs;
	for (i = 0; i < ARRAY_SIZE(untouched); i++)
		regs[untouched[i]] = 0x5a5a5a5a00000000UL | i;
	KUNIT_ASSERT_EQ(test, fake_vcpu_run(td->vcpu, MAX_EXITS), 0);
	r = td_report(test, td);
	KUNIT_EXPECT_GT(test, r.exits, 1);
	KUNIT_EXPECT_EQ(test, td->vcpu->nr_exits, r.exits);
	for (i = 0; i < ARRAY_SIZE(untouched); i++)
		KUNIT_EXPECT_EQ(test, regs[untouched[i]], 0x5a5a5a5a00000000UL | i);
	KUNIT_EXPECT_NE(test, r.stack_top, (u64)(uintptr_t)regs);
	td_exit(test, td);
}

struct exit_check {
	struct kunit *test;
	u64 tdvpr_pa;
	u64 checked;
	u64 ept_violations;
};

/*
 * What the host must find in GPR @reg (RDX..R15) at an exit: at a
 * TDG.VP.VMCALL exit each GPR the bitmap exposes holds the guest's value,
 * every other one 0; at the EPT violation of the guest's ACCEPT (the
 * program's only one) RDX and R8 say what and where, every other GPR is 0.
 */
static u64 exit_reg(u64 status, const u64 *guest, unsigned int reg)
{
	if (status == EXIT_TDCALL)
		return guest[VCPU_REGS_RCX] & BIT_ULL(reg) ? guest[reg] : 0;
	if (reg == VCPU_REGS_RDX)
		return EEQ_ACCEPT_LEVEL1_FREE;
	if (reg == VCPU_REGS_R8)
		return guest[VCPU_REGS_RCX] & PAGE_MASK;
	return 0;
}

/* Every register of the exit against what the guest had in it. */
static void check_exit(struct fake_vcpu *vcpu, u64 nr, void *ctx)
{
	struct exit_check *c = ctx;
	struct kunit *test = c->test;
	const unsigned long *regs = vcpu->arch.regs;
	u64 guest[16], status = vcpu->exit_status;
	unsigned int reg;

	/* A hook runs on the vCPU's worker, not the case's thread: no ASSERT. */
	if (tdx_emu_td_exit_regs(c->tdvpr_pa, nr, guest)) {
		KUNIT_FAIL(test, "exit %llu: the emulator has no record of it", nr);
		return;
	}
	if (status == EXIT_EPT_VIOLATION) {
		/* The guest's TDG.MEM.PAGE.ACCEPT of the extra page, 4 KiB. */
		KUNIT_EXPECT_EQ(test, guest[VCPU_REGS_RAX], TDG_MEM_PAGE_ACCEPT);
		KUNIT_EXPECT_EQ(test, guest[VCPU_REGS_RCX], TDX_TD_EXTRA_GPA);
		KUNIT_EXPECT_EQ(test, regs[VCPU_REGS_RCX], EPT_QUAL_ACCEPT);
		c->ept_violations++;
	} else {
		KUNIT_EXPECT_EQ(test, status, EXIT_TDCALL);
		KUNIT_EXPECT_EQ(test, regs[VCPU_REGS_RCX], guest[VCPU_REGS_RCX]);
	}
	for (reg = VCPU_REGS_RDX; reg <= VCPU_REGS_R15; reg++) {
		if (reg == VCPU_REGS_RSP || reg == VCPU_REGS_RBP) {
			/* Never an operand: the trampoline leaves them alone. */
			KUNIT_EXPECT_EQ(test, regs[reg], POISON | reg);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, regs[reg], exit_reg(status, guest, reg),
				    "exit %llu reg %u", nr, reg);
		c->checked++;
	}
	KUNIT_EXPECT_EQ(test, regs[VCPU_REGS_RAX], POISON | VCPU_REGS_RAX);
	KUNIT_EXPECT_EQ(test, regs[VCPU_REGS_RIP], POISON | VCPU_REGS_RIP);
}

static void every_register_of_every_exit_round_trips(struct kunit *test)
{
	struct exit_check c = { .test = test };
	struct fake_vcpu_hooks hooks = { .exited = check_exit, .ctx = &c };
	struct td *td;

	td = td_new(test);
	c.tdvpr_pa = td->pa;
	td->vcpu->hooks = &hooks;
	run_to_the_end(test, td);
	/* 12 operand registers per exit; the replies the guest checked. */
	KUNIT_EXPECT_EQ(test, c.checked, 12 * td->vcpu->nr_exits);
	KUNIT_EXPECT_EQ(test, c.ept_violations, 1);
	KUNIT_EXPECT_EQ(test, td_report(test, td).finished, 1);
	td_exit(test, td);
}

struct tamper {
	u64 exit;		/* which exit's reply to change */
	unsigned int reg;	/* which register; 0: every unexposed one */
};

static void tamper_reply(struct fake_vcpu *vcpu, u64 nr, void *ctx)
{
	const struct tamper *t = ctx;
	unsigned long *regs = vcpu->arch.regs;
	u64 bitmap = regs[VCPU_REGS_RCX];
	unsigned int reg;

	if (nr != t->exit)
		return;
	if (t->reg) {
		regs[t->reg] ^= BIT_ULL(40);
		return;
	}
	for (reg = VCPU_REGS_RDX; reg <= VCPU_REGS_R15; reg++)
		if (!(bitmap & BIT_ULL(reg)))
			regs[reg] = 0xbad0000000000000ULL | reg;
}

static void record_bitmap(struct fake_vcpu *vcpu, u64 nr, void *ctx)
{
	u64 *bitmaps = ctx;

	if (nr < MAX_EXITS && vcpu->exit_status == EXIT_TDCALL)
		bitmaps[nr] = vcpu->arch.regs[VCPU_REGS_RCX];
}

/*
 * The bitmap of each TDG.VP.VMCALL exit of a clean run (0 for the EPT
 * violation: the host gives the guest nothing back there); returns the
 * number of exits.
 */
static u64 script_bitmaps(struct kunit *test, u64 *bitmaps)
{
	struct fake_vcpu_hooks hooks = { .exited = record_bitmap, .ctx = bitmaps };
	struct td *td;
	u64 n;

	td = td_new(test);
	td->vcpu->hooks = &hooks;
	KUNIT_EXPECT_EQ(test, fake_vcpu_run(td->vcpu, MAX_EXITS), 0);
	n = td->vcpu->nr_exits;
	td_exit(test, td);
	return n;
}

/*
 * Each exposed register of each exit but the last, changed after the
 * consumer replied: the guest must name exactly that register.
 */
static void every_wrong_reply_is_caught(struct kunit *test)
{
	struct tamper t = {};
	struct fake_vcpu_hooks hooks = { .entering = tamper_reply, .ctx = &t };
	u64 *bitmaps, nr_exits, cases = 0;
	struct tdx_emu_td_report r;
	struct td *td;

	bitmaps = kunit_kcalloc(test, MAX_EXITS, sizeof(*bitmaps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bitmaps);
	nr_exits = script_bitmaps(test, bitmaps);
	KUNIT_ASSERT_GT(test, nr_exits, 1);

	for (t.exit = 0; t.exit + 1 < nr_exits; t.exit++) {
		for (t.reg = VCPU_REGS_RDX; t.reg <= VCPU_REGS_R15; t.reg++) {
			if (!(bitmaps[t.exit] & BIT_ULL(t.reg)))
				continue;
			td = td_new(test);
			td->vcpu->hooks = &hooks;
			KUNIT_EXPECT_EQ(test, fake_vcpu_run(td->vcpu, MAX_EXITS),
					-EPROTO);
			r = td_report(test, td);
			KUNIT_EXPECT_EQ(test, r.fatal, 1);
			KUNIT_EXPECT_EQ(test, r.bad_reg, t.reg);
			KUNIT_EXPECT_EQ(test, r.got, r.expected ^ BIT_ULL(40));
			KUNIT_EXPECT_EQ(test, td->vcpu->fatal_error,
					FATAL_BAD_REPLY | r.bad_step << 8 | t.reg);
			KUNIT_EXPECT_EQ(test, td->vcpu->nr_exits, t.exit + 2);
			td_exit(test, td);
			cases++;
		}
	}
	kunit_info(test, "%llu wrong replies over %llu exits, each caught and named\n",
		   cases, nr_exits - 1);
	KUNIT_EXPECT_GE(test, cases, nr_exits - 1);
}

/* Junk in every register an exit did not expose never reaches the guest. */
static void unexposed_registers_stay_on_the_host(struct kunit *test)
{
	struct tamper t = {};
	struct fake_vcpu_hooks hooks = { .entering = tamper_reply, .ctx = &t };
	u64 *bitmaps, nr_exits;
	struct td *td;

	bitmaps = kunit_kcalloc(test, MAX_EXITS, sizeof(*bitmaps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bitmaps);
	nr_exits = script_bitmaps(test, bitmaps);
	for (t.exit = 0; t.exit < nr_exits; t.exit++) {
		td = td_new(test);
		td->vcpu->hooks = &hooks;
		run_to_the_end(test, td);
		KUNIT_EXPECT_EQ(test, td_report(test, td).finished, 1);
		td_exit(test, td);
	}
}

struct raw_entry {
	struct fake_vcpu *vcpu;
	u64 rcx;
	u64 status;
};

static int raw_enter_here(void *data)
{
	struct raw_entry *e = data;

	/* The caller owns its FPU state: a TD exit initializes it. */
	kernel_fpu_begin();
	local_irq_disable();
	e->status = tdx_rs_vp_enter(e->rcx, e->vcpu->arch.regs);
	local_irq_enable();
	kernel_fpu_end();
	return 0;
}

/*
 * Misuse gets the TDX module's statuses, and @regs stays as it was. On the
 * vCPU's own CPU: elsewhere the association check would answer first.
 */
static void misuse_gets_the_module_statuses(struct kunit *test)
{
	struct raw_entry e;
	unsigned long saved[NR_VCPU_REGS];
	struct page *stray;
	struct td *td;
	u64 status;
	struct {
		u64 rcx;
		u64 want;
	} cases[] = {
		{ 0, TDX_OPERAND_INVALID_RCX },			/* set below */
		{ 0, TDX_OPERAND_INVALID_RCX },
		{ 0, TDX_PAGE_METADATA_RCX },
		{ 0, TDX_PAGE_METADATA_RCX },
		{ 0, TDX_OPERAND_INVALID_RCX },
		{ 0, TDX_OPERAND_INVALID_RCX },
		{ 0, TDX_OPERAND_ADDR_RANGE_RCX },
		{ 0, TDX_OPERAND_INVALID_RCX },
	};
	unsigned int i, keyid_start;

	/*
	 * The KeyID bits of a physical address: the emulated IA32_TME_ACTIVATE's
	 * below the CPU's MAXPHYADDR, where the TDX module reads them.
	 */
	keyid_start = (cpuid_eax(0x80000008) & 0xff) - tdx_emu_tme_keyid_bits();
	/*
	 * The bit under them lies above every TDMR: no RAM in its 1 GiB
	 * (TDMRs are 1 GiB aligned) nor anywhere up to the KeyID bits.
	 */
	KUNIT_ASSERT_EQ(test, region_intersects(BIT_ULL(keyid_start - 1) - SZ_1G,
						BIT_ULL(keyid_start - 1) + SZ_1G,
						IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE),
			REGION_DISJOINT);
	td = td_new(test);
	stray = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stray);
	cases[0].rcx = td->pa | 0x8;			/* reserved bits 11:0 */
	cases[1].rcx = td->pa | BIT_ULL(63);		/* reserved bits 63:54 */
	cases[2].rcx = page_to_phys(stray);		/* not a TDVPR page */
	cases[3].rcx = page_to_phys(stray) | VP_ENTER_HINT; /* page first */
	cases[4].rcx = td->pa | VP_ENTER_HINT;		/* no async trap yet */
	cases[5].rcx = td->pa | VP_ENTER_RESUME_L1;	/* no L2 VM */
	cases[6].rcx = BIT_ULL(keyid_start - 1); /* no TDMR, KeyID 0 */
	cases[7].rcx = td->pa | BIT_ULL(keyid_start); /* a KeyID: not plain */

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(saved, td->vcpu->arch.regs, sizeof(saved));
		e.vcpu = td->vcpu;
		e.rcx = cases[i].rcx;
		KUNIT_ASSERT_EQ(test, smp_call_on_cpu(td->vcpu->cpu, raw_enter_here,
						      &e, false), 0);
		status = e.status;
		KUNIT_EXPECT_EQ_MSG(test, status, cases[i].want, "RCX %#llx",
				    cases[i].rcx);
		/* Only RCX was written, with what the caller passed. */
		saved[VCPU_REGS_RCX] = cases[i].rcx;
		KUNIT_EXPECT_MEMEQ(test, td->vcpu->arch.regs, saved, sizeof(saved));
	}
	KUNIT_EXPECT_EQ(test, td_report(test, td).entries, 0);
	__free_page(stray);
	td_exit(test, td);
}

struct entry {
	struct fake_vcpu *vcpu;
	u64 status;
};

static int enter_here(void *data)
{
	struct entry *e = data;

	/* The caller owns its FPU state: a TD exit initializes it. */
	kernel_fpu_begin();
	local_irq_disable();
	e->status = tdx_rs_vp_enter(e->vcpu->vp.tdvpr_pa, e->vcpu->arch.regs);
	local_irq_enable();
	kernel_fpu_end();
	return 0;
}

/*
 * A vCPU entered on one CPU cannot be entered on another without a
 * TDH.VP.FLUSH on the first; after the flush it can.
 */
static void a_vcpu_stays_on_its_cpu(struct kunit *test)
{
	struct entry e;
	struct td *td;
	int cpu, other;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	td = td_new(test);
	e.vcpu = td->vcpu;
	cpu = cpumask_first(cpu_online_mask);
	other = cpumask_next(cpu, cpu_online_mask);
	KUNIT_ASSERT_LT(test, other, nr_cpu_ids);

	/* The first entry associates the vCPU with its CPU: a TD exit. */
	KUNIT_ASSERT_EQ(test, smp_call_on_cpu(cpu, enter_here, &e, false), 0);
	KUNIT_EXPECT_EQ(test, e.status, EXIT_TDCALL);
	KUNIT_ASSERT_EQ(test, smp_call_on_cpu(other, enter_here, &e, false), 0);
	KUNIT_EXPECT_EQ(test, e.status, TDX_VCPU_ASSOCIATED);
	KUNIT_EXPECT_EQ(test, td_report(test, td).entries, 1);
	/* What KVM's vcpu_load() does: flush where it was, then enter. */
	td->vcpu->cpu = cpu;
	KUNIT_EXPECT_EQ(test, fake_vcpu_flush(td->vcpu), 0);
	KUNIT_ASSERT_EQ(test, smp_call_on_cpu(other, enter_here, &e, false), 0);
	KUNIT_EXPECT_EQ(test, e.status, EXIT_TDCALL);
	KUNIT_EXPECT_EQ(test, td_report(test, td).entries, 2);
	td->vcpu->cpu = other;
	td_exit(test, td);
}

static struct kunit_case vp_enter_cases[] = {
	KUNIT_CASE(consumer_runs_the_whole_script),
	KUNIT_CASE(argument_block_is_the_consumers_array),
	KUNIT_CASE(every_register_of_every_exit_round_trips),
	KUNIT_CASE(every_wrong_reply_is_caught),
	KUNIT_CASE(unexposed_registers_stay_on_the_host),
	KUNIT_CASE(misuse_gets_the_module_statuses),
	KUNIT_CASE(a_vcpu_stays_on_its_cpu),
	{}
};

static struct kunit_suite vp_enter_suite = {
	.name = "tdx_rs_vp_enter",
	.test_cases = vp_enter_cases,
};

kunit_test_suite(vp_enter_suite);

MODULE_DESCRIPTION("tdx_host_rs: TDH.VP.ENTER on a KVM-shaped vCPU (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
