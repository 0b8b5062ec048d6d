// SPDX-License-Identifier: GPL-2.0
/*
 * The TD library's bookkeeping: every page it allocates for the TDX module
 * is counted, and ends either freed (the module gave it back) or leaked on
 * purpose (it did not: the page is never freed). A failing SEAMCALL marks
 * the TD bugged, as KVM_BUG_ON() marks a VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include "kvm_td.h"
#include "td_leaves.h"

struct page *kvm_td_alloc_page(struct kvm_td *td)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (page)
		td->pages.allocated++;
	return page;
}

static bool dropped(const struct kvm_td *td, struct page *page)
{
	unsigned int i;

	for (i = 0; i < td->pages.nr_dropped; i++)
		if (td->pages.dropped[i] == page)
			return true;
	return false;
}

int kvm_td_drop_ref_early(struct kvm_td *td, struct page *page)
{
	if (td->pages.nr_dropped >= ARRAY_SIZE(td->pages.dropped))
		return -ENOSPC;
	td->pages.dropped[td->pages.nr_dropped++] = page;
	__free_page(page);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_drop_ref_early, TDX_RS_TEST);

/* A page the module never held, or gave back: to the allocator. NULL is fine. */
void kvm_td_free_page(struct kvm_td *td, struct page *page)
{
	if (!page)
		return;
	if (!dropped(td, page))
		__free_page(page);
	td->pages.freed++;
}

/* A page the module did not give back: kept allocated for good. */
void kvm_td_leak_page(struct kvm_td *td, struct page *page,
		      enum kvm_td_page_kind kind, int cpu)
{
	struct kvm_td_leak *l;

	if (!page)
		return;
	if (td->pages.leaked < KVM_TD_MAX_LEAKED) {
		l = &td->pages.leaks[td->pages.leaked];
		l->page = page;
		l->kind = kind;
		l->cpu = cpu;
	}
	td->pages.leaked++;
	pr_warn_ratelimited("%s: page %#llx leaked: the TDX module did not give it back\n",
			    td->name, (u64)page_to_phys(page));
}

u64 kvm_td_pages_held(const struct kvm_td *td)
{
	return td->pages.allocated - td->pages.freed - td->pages.leaked;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_pages_held, TDX_RS_TEST);

int kvm_td_failed(struct kvm_td *td, const char *leaf, u64 status)
{
	td->bugged = true;
	td->last_status = status;
	td->last_leaf = leaf;
	pr_err_ratelimited("%s: SEAMCALL %s failed: %#llx\n", td->name, leaf,
			   status);
	return TD_STATUS(status) == TDX_OPERAND_BUSY ? -EBUSY : -EIO;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_failed, TDX_RS_TEST);

static const char *const leaf_names[] = {
	[TD_LEAF_VP_ENTER] = "TDH.VP.ENTER",
	[TD_LEAF_MNG_ADDCX] = "TDH.MNG.ADDCX",
	[TD_LEAF_MEM_PAGE_ADD] = "TDH.MEM.PAGE.ADD",
	[TD_LEAF_MEM_SEPT_ADD] = "TDH.MEM.SEPT.ADD",
	[TD_LEAF_VP_ADDCX] = "TDH.VP.ADDCX",
	[TD_LEAF_MEM_PAGE_AUG] = "TDH.MEM.PAGE.AUG",
	[TD_LEAF_MEM_RANGE_BLOCK] = "TDH.MEM.RANGE.BLOCK",
	[TD_LEAF_MNG_KEY_CONFIG] = "TDH.MNG.KEY.CONFIG",
	[TD_LEAF_MNG_CREATE] = "TDH.MNG.CREATE",
	[TD_LEAF_VP_CREATE] = "TDH.VP.CREATE",
	[TD_LEAF_MNG_RD] = "TDH.MNG.RD",
	[TD_LEAF_MR_EXTEND] = "TDH.MR.EXTEND",
	[TD_LEAF_MR_FINALIZE] = "TDH.MR.FINALIZE",
	[TD_LEAF_VP_FLUSH] = "TDH.VP.FLUSH",
	[TD_LEAF_MNG_VPFLUSHDONE] = "TDH.MNG.VPFLUSHDONE",
	[TD_LEAF_MNG_KEY_FREEID] = "TDH.MNG.KEY.FREEID",
	[TD_LEAF_MNG_INIT] = "TDH.MNG.INIT",
	[TD_LEAF_VP_INIT] = "TDH.VP.INIT",
	[TD_LEAF_VP_RD] = "TDH.VP.RD",
	[TD_LEAF_PHYMEM_PAGE_RECLAIM] = "TDH.PHYMEM.PAGE.RECLAIM",
	[TD_LEAF_MEM_PAGE_REMOVE] = "TDH.MEM.PAGE.REMOVE",
	[TD_LEAF_MEM_TRACK] = "TDH.MEM.TRACK",
	[TD_LEAF_PHYMEM_CACHE_WB] = "TDH.PHYMEM.CACHE.WB",
	[TD_LEAF_PHYMEM_PAGE_WBINVD] = "TDH.PHYMEM.PAGE.WBINVD",
	[TD_LEAF_VP_WR] = "TDH.VP.WR",
};

const char *kvm_td_leaf_name(u16 leaf)
{
	if (leaf < ARRAY_SIZE(leaf_names) && leaf_names[leaf])
		return leaf_names[leaf];
	return "?";
}
EXPORT_SYMBOL_NS_GPL(kvm_td_leaf_name, TDX_RS_TEST);
