// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_td_sweep: a fault at every SEAMCALL of a TD's life.
 * A clean life (build a one-vCPU TD, run its guest, tear it down) is
 * counted per leaf with tdx_emu_calls_of(); then, for each failure kind (an
 * error status, a busy status, VMfailInvalid, #UD) and each (leaf, nth) call
 * of that life, the n-th call of the leaf fails once (tdx_emu_inject) and
 * the life goes on as KVM's code would: the build or the run stops, the
 * teardown goes as far as it can. After each: no page the module holds is
 * free, every page the TD allocated was freed after the module gave it back
 * or leaked (and is not free), and tdx_host_rs's own count of pages kept
 * never went down. A janitor (test code, not KVM's) then takes back what
 * the module still holds, so that the next scenario starts clean.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "td_check.h"
#include "td_leaves.h"

#define MAX_EXITS	64

struct outcome {
	u64 scenarios, recovered, failed_build, failed_run, leaky, pages_leaked;
	u64 rs_kept;
};

/* One life: 0 when it all went through. */
static int life(struct kvm_td *td, int *stage)
{
	int ret;

	*stage = 0;
	ret = kvm_td_build(td, td_test_image(), 1);
	if (ret)
		return ret;
	*stage = 1;
	ret = td_run_all(td, MAX_EXITS);
	*stage = 2;
	kvm_td_destroy(td);
	return ret ? ret : (td->pages.leaked ? -EIO : 0);
}

/* The janitor: what a KVM-shaped teardown left with the module comes back. */
static void janitor(struct kunit *test, struct kvm_td *td, struct page *tdr)
{
	u64 t, o, s, i, n = min_t(u64, td->pages.leaked, KVM_TD_MAX_LEAKED);
	struct td_owned left;

	td->td.tdr_page = tdr;
	if (td->hkid >= 0) {
		for (i = 0; i < n; i++) {
			struct kvm_td_leak *l = &td->pages.leaks[i];
			struct tdx_rs_vp vp = {
				.tdvpr_page = l->page,
				.tdvpr_pa = page_to_phys(l->page),
			};
			struct fake_vcpu flush = { .vp = vp, .cpu = l->cpu, .created = true };

			if (l->kind == KVM_TD_TDVPR)
				fake_vcpu_flush(&flush);
		}
		tdx_rs_mng_vpflushdone(&td->td);
		td_cache_wb_all();
		if (!tdx_rs_mng_key_freeid(&td->td)) {
			tdx_rs_guest_keyid_free(td->hkid);
			td->hkid = -1;
		}
	}
	for (i = 0; i < n; i++) {
		struct kvm_td_leak *l = &td->pages.leaks[i];

		if (l->kind == KVM_TD_TDR)
			continue;
		if (!tdx_rs_phymem_page_reclaim(l->page, &t, &o, &s) ||
		    l->kind == KVM_TD_PRIVATE)
			__free_page(l->page);
	}
	if (tdr) {
		tdx_rs_phymem_page_reclaim(tdr, &t, &o, &s);
		tdx_rs_phymem_page_wbinvd_tdr(&td->td);
	}
	KUNIT_EXPECT_EQ(test, td_owned_scan(tdr ? page_to_phys(tdr) : 0, &left), 0);
	KUNIT_EXPECT_EQ_MSG(test, left.of_tdr, 0, "pages still with the module after the clean-up");
	if (tdr && !left.of_tdr)
		__free_page(tdr);
	td->td.tdr_page = NULL;
}

/* The leaked TDR, if the teardown kept it. */
static struct page *leaked_tdr(const struct kvm_td *td)
{
	u64 i, n = min_t(u64, td->pages.leaked, KVM_TD_MAX_LEAKED);

	for (i = 0; i < n; i++)
		if (td->pages.leaks[i].kind == KVM_TD_TDR)
			return td->pages.leaks[i].page;
	return NULL;
}

static void scenario(struct kunit *test, struct kvm_td *td, u16 leaf, u32 nth,
		     u32 fault, u64 status, struct outcome *out)
{
	u64 leaked = tdx_rs_leaked_pages(), calls = tdx_emu_calls_of(leaf);
	struct td_owned o;
	int ret, stage;

	td_init_struct(td, "td-faulted");
	KUNIT_ASSERT_EQ(test, tdx_emu_inject(leaf, nth, 1, fault, status), 0);
	ret = life(td, &stage);
	/*
	 * Up to the fault the life is the clean one, which made @nth calls of
	 * @leaf: the injection fired (none stays armed for the next one).
	 */
	KUNIT_ASSERT_GE_MSG(test, tdx_emu_calls_of(leaf) - calls, (u64)nth,
			    "%s #%u never came", kvm_td_leaf_name(leaf), nth);
	out->scenarios++;
	if (!ret)
		out->recovered++;
	else if (stage == 0)
		out->failed_build++;
	else
		out->failed_run++;

	/* No page freed while owned; every page back or leaked and held. */
	KUNIT_EXPECT_EQ(test, td_owned_scan(0, &o), 0);
	KUNIT_EXPECT_EQ_MSG(test, o.free, 0, "%s #%u: %ld owned pages free",
			    kvm_td_leaf_name(leaf), nth, o.free);
	KUNIT_EXPECT_EQ_MSG(test, td->pages.allocated,
			    td->pages.freed + td->pages.leaked, "%s #%u",
			    kvm_td_leaf_name(leaf), nth);
	td_expect_leaks_held(test, td);
	/* tdx_host_rs counts only pages it kept itself: never more than lost. */
	KUNIT_EXPECT_GE(test, tdx_rs_leaked_pages(), leaked);
	KUNIT_EXPECT_LE(test, tdx_rs_leaked_pages() - leaked, td->pages.leaked);
	out->rs_kept += tdx_rs_leaked_pages() - leaked;
	if (td->pages.leaked) {
		out->leaky++;
		out->pages_leaked += td->pages.leaked;
		janitor(test, td, leaked_tdr(td));
	}
}

static void sweep(struct kunit *test, const char *kind, u32 fault, u64 status)
{
	struct kvm_td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	u64 *before, *calls;
	struct outcome out = {};
	struct td_owned o;
	int stage;
	u16 leaf;
	u32 nth;

	KUNIT_ASSERT_NOT_NULL(test, td);
	before = kunit_kcalloc(test, TD_NR_LEAVES, sizeof(u64), GFP_KERNEL);
	calls = kunit_kcalloc(test, TD_NR_LEAVES, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, calls);
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);

	/* The clean life that says which calls there are. */
	td_init_struct(td, "td-faulted");
	td_calls_snapshot(before);
	KUNIT_ASSERT_EQ(test, life(td, &stage), 0);
	td_calls_snapshot(calls);
	for (leaf = 0; leaf < TD_NR_LEAVES; leaf++)
		calls[leaf] -= before[leaf];

	for (leaf = 0; leaf < TD_NR_LEAVES; leaf++)
		for (nth = 1; nth <= calls[leaf]; nth++)
			scenario(test, td, leaf, nth, fault, status, &out);

	kunit_info(test, "%s: %llu scenarios: %llu went through anyway, %llu stopped the build, %llu the run or teardown; %llu leaked %llu pages (%llu counted by tdx_host_rs), all held, all taken back by the janitor\n",
		   kind, out.scenarios, out.recovered, out.failed_build,
		   out.failed_run, out.leaky, out.pages_leaked, out.rs_kept);
	KUNIT_EXPECT_GT(test, out.scenarios, 50);
	/* The module is left as the sweep found it: a clean life still works. */
	td_init_struct(td, "td-faulted");
	KUNIT_EXPECT_EQ(test, life(td, &stage), 0);
	KUNIT_EXPECT_EQ(test, td_owned_scan(0, &o), 0);
	KUNIT_EXPECT_EQ(test, o.owned, 0);
}

static void every_call_fails_with_an_error(struct kunit *test)
{
	sweep(test, "error status", TDX_EMU_FAULT_STATUS, TDX_OPERAND_INVALID);
}

static void every_call_is_busy_once(struct kunit *test)
{
	sweep(test, "busy status", TDX_EMU_FAULT_STATUS, TDX_OPERAND_BUSY);
}

static void every_call_fails_vmfailinvalid(struct kunit *test)
{
	sweep(test, "VMfailInvalid", TDX_EMU_FAULT_VMFAILINVALID, 0);
}

static void every_call_faults_ud(struct kunit *test)
{
	sweep(test, "#UD", TDX_EMU_FAULT_UD, 0);
}

static struct kunit_case td_sweep_cases[] = {
	KUNIT_CASE_SLOW(every_call_fails_with_an_error),
	KUNIT_CASE_SLOW(every_call_is_busy_once),
	KUNIT_CASE_SLOW(every_call_fails_vmfailinvalid),
	KUNIT_CASE_SLOW(every_call_faults_ud),
	{}
};

struct kunit_suite td_sweep_suite = {
	.name = "tdx_rs_td_sweep",
	.test_cases = td_sweep_cases,
};
