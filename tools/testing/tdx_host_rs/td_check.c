// SPDX-License-Identifier: GPL-2.0
/*
 * The ownership checker and the helpers of the TD suites: see td_check.h.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include <linux/slab.h>
#include <linux/page-flags.h>
#include "td_check.h"
#include "td_image.h"
#include "td_leaves.h"

/* More than the pages of the few TDs the model holds at once. */
#define MAX_OWNED	4096

bool td_page_is_free(u64 pa)
{
	struct page *page;

	if (!pfn_valid(PHYS_PFN(pa)))
		return false;	/* not the page allocator's */
	page = pfn_to_page(PHYS_PFN(pa));
	return !page_count(page) || PageBuddy(page);
}

int td_owned_scan(u64 tdr_pa, struct td_owned *o)
{
	struct tdx_emu_owned_page *pages;
	long n, i;

	memset(o, 0, sizeof(*o));
	pages = kvmalloc_array(MAX_OWNED, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	n = tdx_emu_owned_pages(pages, MAX_OWNED);
	if (n < 0 || n > MAX_OWNED) {
		kvfree(pages);
		return n < 0 ? (int)n : -E2BIG;
	}
	o->owned = n;
	for (i = 0; i < n; i++) {
		if (tdr_pa && (pages[i].owner == tdr_pa || pages[i].pa == tdr_pa))
			o->of_tdr++;
		if (td_page_is_free(pages[i].pa)) {
			if (!o->free)
				o->first_free_pa = pages[i].pa;
			o->free++;
		}
	}
	kvfree(pages);
	return 0;
}

long td_expect_owned_ok(struct kunit *test, const struct kvm_td *td,
			const char *when)
{
	u64 tdr = td && td->td.tdr_page ? page_to_phys(td->td.tdr_page) : 0;
	struct td_owned o;

	KUNIT_EXPECT_EQ_MSG(test, td_owned_scan(tdr, &o), 0, "%s", when);
	KUNIT_EXPECT_EQ_MSG(test, o.free, 0,
			    "%s: %ld pages the TDX module holds are free (first %#llx)",
			    when, o.free, o.first_free_pa);
	return o.of_tdr;
}

const struct kvm_td_image *td_test_image(void)
{
	static const struct kvm_td_image image = {
		.bytes = tdx_td_image,
		.size = sizeof(tdx_td_image),
		.gpa = TDX_TD_IMAGE_GPA,
		.entry = TDX_TD_ENTRY_GPA,
	};

	return &image;
}

u64 td_test_extra_gpa(void)
{
	return TDX_TD_EXTRA_GPA;
}

const u8 *td_test_mrtd(void)
{
	return tdx_td_image_mrtd;
}

void td_init_struct(struct kvm_td *td, const char *name)
{
	memset(td, 0, sizeof(*td));
	td->name = name;
	td->hkid = -1;
}

/* However a case ends, a TD it left half built is torn down. */
static void td_cleanup(void *data)
{
	struct kvm_td *td = data;

	if (td->td.tdcs_pages || td->td.tdr_page || td->nr_vcpus ||
	    td->nr_private || td->nr_sept)
		kvm_td_destroy(td);
}

struct kvm_td *td_new(struct kunit *test, const char *name)
{
	struct kvm_td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, td);
	td_init_struct(td, name);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, td_cleanup, td), 0);
	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	return td;
}

void td_calls_snapshot(u64 *calls)
{
	u16 leaf;

	for (leaf = 0; leaf < TD_NR_LEAVES; leaf++)
		calls[leaf] = tdx_emu_calls_of(leaf);
}

int td_run_all(struct kvm_td *td, u64 max_exits)
{
	unsigned int i;
	int ret;

	for (i = 0; i < td->nr_vcpus; i++) {
		ret = fake_vcpu_run(td->vcpus[i], max_exits);
		if (!ret)
			ret = fake_vcpu_finish(td->vcpus[i]);
		if (ret)
			return ret;
	}
	return 0;
}

void td_expect_leaks_held(struct kunit *test, const struct kvm_td *td)
{
	u64 i, n = min_t(u64, td->pages.leaked, KVM_TD_MAX_LEAKED);

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_FALSE_MSG(test,
				       td_page_is_free(page_to_phys(td->pages.leaks[i].page)),
				       "%s: leaked page %#llx is free", td->name,
				       (u64)page_to_phys(td->pages.leaks[i].page));
}

static void cache_wb_here(void *data)
{
	atomic64_t *worst = data;
	u64 status = 0;
	int i;

	for (i = 0; i < 10000; i++) {
		status = tdx_rs_phymem_cache_wb(status != 0);
		if (status != TDX_INTERRUPTED_RESUMABLE)
			break;
	}
	if (status == TDX_NO_HKID_READY_TO_WBCACHE)
		status = 0;
	if (status)
		atomic64_set(worst, status);
}

u64 td_cache_wb_all(void)
{
	atomic64_t worst = ATOMIC64_INIT(0);
	int cpu, done[8] = {}, pkg;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		pkg = topology_physical_package_id(cpu);
		if (pkg >= 0 && pkg < ARRAY_SIZE(done) && done[pkg]++)
			continue;
		smp_call_function_single(cpu, cache_wb_here, &worst, 1);
	}
	cpus_read_unlock();
	return atomic64_read(&worst);
}
