// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_td_misuse: a TD's leaves called out of order, on pages
 * in the wrong state, with a KeyID still bound, on a TD whose vCPU is still
 * associated or whose pages are still there. Each gets the TDX module's own
 * status (Intel's TDX module 1.5 handlers), nothing oopses, a page the
 * module refused keeps only the caller's reference, and the TD still tears
 * down with every page back.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "td_check.h"
#include "td_leaves.h"

static struct kvm_td *new_td(struct kunit *test, const char *name)
{
	struct kvm_td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, td);
	td_init_struct(td, name);
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	return td;
}

static struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	return page;
}

/* A refused page: only the caller's reference, and not the module's. */
static void expect_refused_page(struct kunit *test, struct page *page)
{
	KUNIT_EXPECT_EQ(test, page_count(page), 1);
	__free_page(page);
}

static void destroy_all_back(struct kunit *test, struct kvm_td *td)
{
	u64 leaked = tdx_rs_leaked_pages();

	kvm_td_destroy(td);
	KUNIT_EXPECT_EQ(test, td->pages.leaked, 0);
	KUNIT_EXPECT_EQ(test, td->pages.freed, td->pages.allocated);
	KUNIT_EXPECT_EQ(test, tdx_rs_leaked_pages(), leaked);
	td_expect_owned_ok(test, NULL, "after the teardown");
}

/* TDH.VP.CREATE before TDH.MNG.INIT: the TD's op state refuses it. */
static void vp_create_before_mng_init(struct kunit *test)
{
	struct kvm_td *td = new_td(test, "misuse-order");
	struct tdx_rs_vp vp = {};

	KUNIT_ASSERT_EQ(test, kvm_td_create(td), 0);
	vp.tdvpr_page = test_page(test);
	vp.tdvpr_pa = page_to_phys(vp.tdvpr_page);
	KUNIT_EXPECT_EQ(test, tdx_rs_vp_create(&td->td, &vp), TDX_OP_STATE_INCORRECT);
	expect_refused_page(test, vp.tdvpr_page);
	destroy_all_back(test, td);
}

/* TDH.MEM.PAGE.ADD after TDH.MR.FINALIZE: the same. */
static void page_add_after_finalize(struct kunit *test)
{
	struct kvm_td *td = new_td(test, "misuse-add");
	struct page *page, *source;
	u64 e1 = 0, e2 = 0;

	KUNIT_ASSERT_EQ(test, kvm_td_build(td, td_test_image(), 1), 0);
	page = test_page(test);
	source = test_page(test);
	KUNIT_EXPECT_EQ(test, tdx_rs_mem_page_add(&td->td, td_test_extra_gpa(),
						  page, source, &e1, &e2),
			TDX_OP_STATE_INCORRECT);
	expect_refused_page(test, page);
	__free_page(source);
	/* And TDH.MR.EXTEND of an image page, once more after the end. */
	KUNIT_EXPECT_EQ(test, tdx_rs_mr_extend(&td->td, td_test_image()->gpa, &e1, &e2),
			TDX_OP_STATE_INCORRECT);
	destroy_all_back(test, td);
}

/* The TDVPR page of one vCPU handed again as another's: not PT_NDA. */
static void page_in_the_wrong_state(struct kunit *test)
{
	struct kvm_td *td = new_td(test, "misuse-page");
	struct fake_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);
	struct tdx_rs_vp vp = {};
	int count;

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	KUNIT_ASSERT_EQ(test, kvm_td_create(td), 0);
	KUNIT_ASSERT_EQ(test, kvm_td_init(td), 0);
	KUNIT_ASSERT_EQ(test, kvm_td_vcpu_create(td, vcpu, 0), 0);
	vp.tdvpr_page = vcpu->vp.tdvpr_page;
	vp.tdvpr_pa = vcpu->vp.tdvpr_pa;
	count = page_count(vp.tdvpr_page);
	KUNIT_EXPECT_EQ(test, tdx_rs_vp_create(&td->td, &vp),
			TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, page_count(vp.tdvpr_page), count);
	/*
	 * A TDCS page handed to the TD again: there is room for more TDCS
	 * pages (Intel's MAX_NUM_TDCS_PAGES is above the 6 a TD without L2 VMs
	 * uses), so the page itself is refused: it is PT_TDCX, not PT_NDA.
	 */
	count = page_count(td->td.tdcs_pages[0]);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_addcx(&td->td, td->td.tdcs_pages[0]),
			TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, page_count(td->td.tdcs_pages[0]), count);
	destroy_all_back(test, td);
}

/* A KeyID bound to a TD stays allocated until TDH.MNG.KEY.FREEID. */
static void hkid_reused_before_freeid(struct kunit *test)
{
	struct kvm_td *td = new_td(test, "misuse-hkid");
	struct tdx_rs_td other = {};
	int hkid, next;

	KUNIT_ASSERT_EQ(test, kvm_td_create(td), 0);
	hkid = td->hkid;
	/* Refused (a warning): the KeyID must not come back from alloc. */
	tdx_rs_guest_keyid_free(hkid);
	next = tdx_rs_guest_keyid_alloc();
	KUNIT_EXPECT_GT(test, next, 0);
	KUNIT_EXPECT_NE(test, next, hkid);
	if (next > 0)
		tdx_rs_guest_keyid_free(next);
	/* A second TD on the bound KeyID: the module's KOT says it is not free. */
	other.tdr_page = test_page(test);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_create(&other, hkid), TDX_HKID_NOT_FREE);
	expect_refused_page(test, other.tdr_page);
	destroy_all_back(test, td);
}

/* Teardown with a vCPU still associated, and FREEID before the write-back. */
static void teardown_out_of_order(struct kunit *test)
{
	struct kvm_td *td = new_td(test, "misuse-flush");

	KUNIT_ASSERT_EQ(test, kvm_td_build(td, td_test_image(), 1), 0);
	/* Entered once: now associated with its CPU. */
	KUNIT_EXPECT_EQ(test, fake_vcpu_run(td->vcpus[0], 1), -E2BIG);
	KUNIT_EXPECT_GE(test, td->vcpus[0]->cpu, 0);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_vpflushdone(&td->td), TDX_FLUSHVP_NOT_DONE);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_key_freeid(&td->td),
			TDX_LIFECYCLE_STATE_INCORRECT);
	KUNIT_EXPECT_EQ(test, fake_vcpu_flush(td->vcpus[0]), 0);
	/* The private pages first, as KVM's zap; then the HKID by hand. */
	KUNIT_EXPECT_EQ(test, kvm_td_unmap_private(td, 0, KVM_TD_SHARED_BIT), 0);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_vpflushdone(&td->td), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_key_freeid(&td->td), TDX_WBCACHE_NOT_COMPLETE);
	KUNIT_EXPECT_EQ(test, td_cache_wb_all(), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_rs_mng_key_freeid(&td->td), TDX_SUCCESS);
	tdx_rs_guest_keyid_free(td->hkid);
	td->hkid = -1;
	/* The TDR while its TDCS, TDVPR, TDCX and Secure EPT pages are there. */
	KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_reclaim(td->td.tdr_page, &(u64){0},
							 &(u64){0}, &(u64){0}),
			TDX_TD_ASSOCIATED_PAGES_EXIST);
	KUNIT_EXPECT_FALSE(test, td_page_is_free(page_to_phys(td->td.tdr_page)));
	destroy_all_back(test, td);
}

static struct kunit_case td_misuse_cases[] = {
	KUNIT_CASE(vp_create_before_mng_init),
	KUNIT_CASE(page_add_after_finalize),
	KUNIT_CASE(page_in_the_wrong_state),
	KUNIT_CASE(hkid_reused_before_freeid),
	KUNIT_CASE(teardown_out_of_order),
	{}
};

struct kunit_suite td_misuse_suite = {
	.name = "tdx_rs_td_misuse",
	.test_cases = td_misuse_cases,
};
