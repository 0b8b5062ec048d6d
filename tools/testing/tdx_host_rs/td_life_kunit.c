// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_td_life: whole TDs built, run and torn down through
 * tdx_host_rs by the KVM-shaped library (kvm_td.h), on the emulated TDX
 * module: the SEAMCALLs of one life counted per leaf, the MRTD printed for
 * the host to compare with scripts/td_image.py, the ownership checker at
 * every point of the life, a TDCS page freed early by its caller, and two
 * TDs with different KeyIDs running at once, one vCPU moving between CPUs.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include "td_check.h"
#include "td_leaves.h"

#define MAX_EXITS	64

static void expect_guest_finished(struct kunit *test, struct fake_vcpu *vcpu)
{
	struct tdx_emu_td_report r;

	KUNIT_ASSERT_EQ(test, tdx_emu_td_vcpu_report(vcpu->vp.tdvpr_pa, &r), 0);
	KUNIT_EXPECT_EQ(test, r.finished, 1);
	KUNIT_EXPECT_EQ(test, r.fatal, 0);
	KUNIT_EXPECT_EQ(test, r.steps_done, r.nr_steps);
	KUNIT_EXPECT_TRUE(test, vcpu->done);
}

/* No TD left anywhere: the emulated PAMT lists no page at all. */
static void expect_module_holds_nothing(struct kunit *test)
{
	struct td_owned o;

	KUNIT_EXPECT_EQ(test, td_owned_scan(0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.owned, 0);
}

static void expect_all_back(struct kunit *test, struct kvm_td *td, u64 tdr_pa,
			    u64 leaked_before)
{
	struct td_owned o;

	KUNIT_EXPECT_EQ(test, td_owned_scan(tdr_pa, &o), 0);
	KUNIT_EXPECT_EQ(test, o.of_tdr, 0);
	KUNIT_EXPECT_EQ(test, o.free, 0);
	KUNIT_EXPECT_EQ(test, td->pages.leaked, 0);
	KUNIT_EXPECT_EQ(test, td->pages.freed, td->pages.allocated);
	KUNIT_EXPECT_EQ(test, tdx_rs_leaked_pages(), leaked_before);
	KUNIT_EXPECT_LT(test, td->hkid, 0);
}

/* One TD of one vCPU, every leaf's SEAMCALLs counted and checked. */
static void one_life_counted(struct kunit *test)
{
	u64 *before, *calls, leaked = tdx_rs_leaked_pages(), tdr_pa;
	const struct kvm_td_image *image = td_test_image();
	struct kvm_td *td = td_new(test, "td-life");
	u64 image_pages = DIV_ROUND_UP(image->size, PAGE_SIZE), reclaims;
	u16 leaf;

	before = kunit_kcalloc(test, TD_NR_LEAVES, sizeof(u64), GFP_KERNEL);
	calls = kunit_kcalloc(test, TD_NR_LEAVES, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, calls);
	td_calls_snapshot(before);
	KUNIT_ASSERT_EQ(test, kvm_td_build(td, image, 1), 0);
	tdr_pa = page_to_phys(td->td.tdr_page);
	kunit_info(test, "MRTD %*phN\n", (int)sizeof(td->mrtd), td->mrtd);
	/* TDH.MNG.RD's MRTD against the one td_image.py computed with hashlib. */
	KUNIT_EXPECT_MEMEQ(test, td->mrtd, td_test_mrtd(), sizeof(td->mrtd));
	KUNIT_EXPECT_EQ(test, td_run_all(td, MAX_EXITS), 0);
	expect_guest_finished(test, td->vcpus[0]);
	KUNIT_EXPECT_EQ(test, td->ept_violations, 1);
	KUNIT_EXPECT_EQ(test, td->augs, 1);
	KUNIT_EXPECT_EQ(test, td->removes, 1);
	reclaims = td->td.tdcs_nr_pages + td->td.tdcx_nr_pages + 1 +
		   td->nr_sept + 1;
	kvm_td_destroy(td);
	expect_all_back(test, td, tdr_pa, leaked);
	expect_module_holds_nothing(test);

	td_calls_snapshot(calls);
	for (leaf = 0; leaf < TD_NR_LEAVES; leaf++) {
		calls[leaf] -= before[leaf];
		if (calls[leaf])
			kunit_info(test, "SEAMCALLs of one life: %-24s %llu\n",
				   kvm_td_leaf_name(leaf), calls[leaf]);
	}
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_CREATE], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_KEY_CONFIG], topology_max_packages());
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_ADDCX], td->td.tdcs_nr_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_INIT], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_VP_CREATE], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_VP_ADDCX], td->td.tdcx_nr_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_VP_INIT], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MEM_PAGE_ADD], image_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MR_EXTEND], image_pages * 16);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MR_FINALIZE], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_RD], 6);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MEM_PAGE_AUG], 1);
	/* The MapGPA'd page, then the image's pages at teardown. */
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MEM_RANGE_BLOCK], 1 + image_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MEM_TRACK], 1 + image_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MEM_PAGE_REMOVE], 1 + image_pages);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_PHYMEM_PAGE_WBINVD], 1 + image_pages + 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_VP_FLUSH], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_VPFLUSHDONE], 1);
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_MNG_KEY_FREEID], 1);
	KUNIT_EXPECT_GE(test, calls[TD_LEAF_PHYMEM_CACHE_WB], topology_max_packages());
	KUNIT_EXPECT_EQ(test, calls[TD_LEAF_PHYMEM_PAGE_RECLAIM], reclaims);
}

struct samples {
	struct kunit *test;
	struct kvm_td *td;
	long after_aug;		/* the TD's pages once the extra page came */
	long after_remove;	/* and once MapGPA took it away */
	u64 checks;
};

/* Before each re-entry: after the exit's handling, nothing owned is free. */
static void check_between_exits(struct fake_vcpu *vcpu, u64 nr, void *ctx)
{
	struct samples *s = ctx;
	long n = td_expect_owned_ok(s->test, s->td, "during the run");

	s->checks++;
	if (s->td->augs == 1 && !s->td->removes)
		s->after_aug = n;
	if (s->td->removes == 1 && s->after_remove < 0)
		s->after_remove = n;
}

static void owned_pages_never_free(struct kunit *test)
{
	struct kvm_td *td = td_new(test, "td-owned");
	struct samples s = { .test = test, .td = td, .after_remove = -1 };
	struct fake_vcpu_hooks hooks = { .entering = check_between_exits, .ctx = &s };
	u64 leaked = tdx_rs_leaked_pages(), tdr_pa;
	long built;

	KUNIT_ASSERT_EQ(test, kvm_td_build(td, td_test_image(), 1), 0);
	tdr_pa = page_to_phys(td->td.tdr_page);
	built = td_expect_owned_ok(test, td, "after the build");
	/* TDR, TDCS, TDVPR, TDCX, Secure EPT and the image's pages. */
	KUNIT_EXPECT_EQ(test, built, td->pages.allocated - td->pages.freed);
	td->vcpus[0]->hooks = &hooks;
	KUNIT_EXPECT_EQ(test, td_run_all(td, MAX_EXITS), 0);
	KUNIT_EXPECT_GT(test, s.checks, 2);
	/* The AUGmented page, and one more Secure EPT page at most. */
	KUNIT_EXPECT_GT(test, s.after_aug, built);
	KUNIT_EXPECT_EQ(test, s.after_remove, s.after_aug - 1);
	kunit_info(test, "pages the module holds for the TD: %ld built, %ld with the AUGmented page, %ld after its removal; %llu checks during the run\n",
		   built, s.after_aug, s.after_remove, s.checks);
	kvm_td_destroy(td);
	expect_all_back(test, td, tdr_pa, leaked);
}

/* A buggy KVM frees a TDCS page it handed over: the page stays allocated. */
static void early_free_of_a_tdcs_page(struct kunit *test)
{
	struct kvm_td *td = td_new(test, "td-early");
	u64 leaked = tdx_rs_leaked_pages(), tdr_pa, pa;
	struct page *page;

	KUNIT_ASSERT_EQ(test, kvm_td_build(td, td_test_image(), 1), 0);
	tdr_pa = page_to_phys(td->td.tdr_page);
	page = td->td.tdcs_pages[0];
	pa = page_to_phys(page);
	KUNIT_ASSERT_EQ(test, kvm_td_drop_ref_early(td, page), 0);
	KUNIT_EXPECT_FALSE_MSG(test, td_page_is_free(pa),
			       "TDCS page %#llx is free while the module holds it", pa);
	td_expect_owned_ok(test, td, "after the early free");
	KUNIT_EXPECT_EQ(test, td_run_all(td, MAX_EXITS), 0);
	KUNIT_EXPECT_FALSE(test, td_page_is_free(pa));
	kvm_td_destroy(td);
	/*
	 * Given back by the module, the page is tdx_host_rs's last reference:
	 * it keeps the page (its contents and cache lines are the caller's
	 * to clean) and counts it, rather than free it behind the caller.
	 */
	expect_all_back(test, td, tdr_pa, leaked + 1);
	KUNIT_EXPECT_FALSE(test, td_page_is_free(pa));
}

/*
 * Runs a slice of @vcpu on @cpu: 1 when its guest is done (and entered once
 * more to check the reply to its done port write), 0 if not yet.
 */
static int slice(struct kunit *test, struct fake_vcpu *vcpu, int cpu)
{
	int ret;

	if (vcpu->done)
		return 1;
	ret = fake_vcpu_run_on(vcpu, cpu, 3);
	if (ret == -E2BIG)
		return 0;
	if (!ret)
		ret = fake_vcpu_finish(vcpu);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s vCPU %u on CPU %d", vcpu->td->name,
			    vcpu->id, cpu);
	return 1;
}

static void two_tds_at_once(struct kunit *test)
{
	struct kvm_td *a = td_new(test, "td-a"), *b = td_new(test, "td-b");
	u64 leaked = tdx_rs_leaked_pages(), a_tdr, b_tdr;
	int cpu0, cpu1, round, done = 0;

	cpu0 = cpumask_first(cpu_online_mask);
	cpu1 = cpumask_next(cpu0, cpu_online_mask);
	KUNIT_ASSERT_LT_MSG(test, cpu1, nr_cpu_ids, "needs two online CPUs");
	KUNIT_ASSERT_EQ(test, kvm_td_build(a, td_test_image(), 2), 0);
	KUNIT_ASSERT_EQ(test, kvm_td_build(b, td_test_image(), 1), 0);
	a_tdr = page_to_phys(a->td.tdr_page);
	b_tdr = page_to_phys(b->td.tdr_page);
	KUNIT_EXPECT_NE(test, a->hkid, b->hkid);
	KUNIT_EXPECT_MEMEQ(test, a->mrtd, b->mrtd, sizeof(a->mrtd));
	td_expect_owned_ok(test, a, "two TDs built");

	/* Round robin; A's vCPU 1 and B's vCPU go to CPU 1, back in round 1. */
	for (round = 0; round < 40 && done < 3; round++) {
		done = slice(test, a->vcpus[0], cpu0);
		done += slice(test, a->vcpus[1], round ? cpu0 : cpu1);
		done += slice(test, b->vcpus[0], round ? cpu0 : cpu1);
	}
	KUNIT_EXPECT_EQ(test, done, 3);
	expect_guest_finished(test, a->vcpus[0]);
	expect_guest_finished(test, a->vcpus[1]);
	expect_guest_finished(test, b->vcpus[0]);
	/*
	 * Each move flushed the vCPU on the CPU it left: created on CPU 0,
	 * A's vCPU 1 and B's vCPU ran on CPU 1, then on CPU 0 again.
	 */
	KUNIT_EXPECT_EQ(test, a->vp_flushes, 2);
	KUNIT_EXPECT_EQ(test, b->vp_flushes, 2);
	kunit_info(test, "TD A (HKID %d, 2 vCPUs) and TD B (HKID %d) ran in %d rounds: %llu + %llu EPT violations, %llu + %llu removes\n",
		   a->hkid, b->hkid, round, a->ept_violations, b->ept_violations,
		   a->removes, b->removes);
	td_expect_owned_ok(test, a, "two TDs run");
	kvm_td_destroy(a);
	expect_all_back(test, a, a_tdr, leaked);
	KUNIT_EXPECT_GT(test, td_expect_owned_ok(test, b, "TD B alone"), 0);
	kvm_td_destroy(b);
	expect_all_back(test, b, b_tdr, leaked);
	expect_module_holds_nothing(test);
}

static struct kunit_case td_life_cases[] = {
	KUNIT_CASE(one_life_counted),
	KUNIT_CASE(owned_pages_never_free),
	KUNIT_CASE(early_free_of_a_tdcs_page),
	KUNIT_CASE(two_tds_at_once),
	{}
};

struct kunit_suite td_life_suite = {
	.name = "tdx_rs_td_life",
	.test_cases = td_life_cases,
};
