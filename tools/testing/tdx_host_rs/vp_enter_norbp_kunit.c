// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_vp_enter_norbp: a TDX module without
 * TDX_FEATURES0.NO_RBP_MOD may hand RBP back changed after a TD exit, so
 * tdx_rs_vp_enter() must refuse to enter, whatever the caller passes. Load
 * after tdx_emu.ko, a fresh tdx_host_rs.ko (not initialized yet) and
 * tdx_rs_kvm_consumer.ko: the case initializes the module itself.
 */
#include "kvm_consumer.h"
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>

#define NO_RBP_MOD		BIT_ULL(18)

static void vp_enter_is_refused_without_no_rbp_mod(struct kunit *test)
{
	unsigned long before[NR_VCPU_REGS];
	const struct tdx_rs_sysinfo *si;
	struct fake_vcpu *vcpu;
	struct page *page;
	unsigned int reg;
	u64 calls;

	/* A module that reports no features at all, NO_RBP_MOD among them. */
	tdx_emu_set_features0(0);
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	si = tdx_rs_get_sysinfo();
	KUNIT_ASSERT_NOT_NULL(test, si);
	KUNIT_ASSERT_EQ(test, si->features0 & NO_RBP_MOD, 0);

	/*
	 * No TD is needed (KVM builds none on such a module): the refusal
	 * comes before any SEAMCALL, whatever page is named.
	 */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	vcpu->cpu = -1;
	vcpu->vp.tdvpr_page = page;
	vcpu->vp.tdvpr_pa = page_to_phys(page);
	for (reg = 0; reg < NR_VCPU_REGS; reg++)
		vcpu->arch.regs[reg] = 0x5a5a000000000000ULL | reg;
	memcpy(before, vcpu->arch.regs, sizeof(before));
	calls = tdx_emu_calls_of(TDX_RS_LEAF_VP_ENTER);

	KUNIT_EXPECT_EQ(test, tdx_rs_vp_enter(vcpu->vp.tdvpr_pa, vcpu->arch.regs),
			TDX_RS_VP_ENTER_RBP_UNSAFE);
	KUNIT_EXPECT_MEMEQ(test, vcpu->arch.regs, before, sizeof(before));
	/* The consumer sees an entry failure, not a TD exit. */
	KUNIT_EXPECT_EQ(test, fake_vcpu_run(vcpu, 4), -EIO);
	KUNIT_EXPECT_EQ(test, vcpu->exit_status, TDX_RS_VP_ENTER_RBP_UNSAFE);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls_of(TDX_RS_LEAF_VP_ENTER), calls);

	__free_page(page);
}

static struct kunit_case norbp_cases[] = {
	KUNIT_CASE(vp_enter_is_refused_without_no_rbp_mod),
	{}
};

static struct kunit_suite norbp_suite = {
	.name = "tdx_rs_vp_enter_norbp",
	.test_cases = norbp_cases,
};

kunit_test_suite(norbp_suite);

MODULE_DESCRIPTION("tdx_host_rs: no TDH.VP.ENTER without NO_RBP_MOD (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
