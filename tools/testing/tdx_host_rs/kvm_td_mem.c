// SPDX-License-Identifier: GPL-2.0
/*
 * A TD's private memory, as upstream KVM's TDP MMU hooks drive it
 * (tdx_sept_link_private_spt(), tdx_sept_set_private_spte(),
 * tdx_sept_remove_private_spte()): the Secure EPT pages a GPA needs, a page
 * AUGmented on an EPT violation, and a private page taken away again
 * (BLOCK, TRACK, kick, REMOVE, WBINVD) when the guest converts it to
 * shared. The mirror of what the module maps is td->sept[] and
 * td->private[].
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include "kvm_td.h"
#include "td_leaves.h"

/* TDX_OPERAND_BUSY: KVM retries (the fault, or the zap's loop). */
#define BUSY_RETRIES	16

static bool busy(u64 status)
{
	return TD_STATUS(status) == TDX_OPERAND_BUSY;
}

/* The GPA a level-@level Secure EPT entry covers @gpa from. */
static u64 level_base(u64 gpa, int level)
{
	return gpa & ~(BIT_ULL(12 + 9 * level) - 1);
}

static bool sept_present(const struct kvm_td *td, u64 gpa, int level)
{
	unsigned int i;

	for (i = 0; i < td->nr_sept; i++)
		if (td->sept[i].level == level &&
		    td->sept[i].gpa == level_base(gpa, level))
			return true;
	return false;
}

int kvm_td_map_sept(struct kvm_td *td, u64 gpa)
{
	u64 status, e1 = 0, e2 = 0, base;
	struct kvm_td_page *s;
	struct page *page;
	int level, tries;

	for (level = 3; level >= 1; level--) {
		if (sept_present(td, gpa, level))
			continue;
		if (td->nr_sept >= KVM_TD_MAX_SEPT)
			return -ENOSPC;
		page = kvm_td_alloc_page(td);
		if (!page)
			return -ENOMEM;
		base = level_base(gpa, level);
		tries = 0;
		do {
			status = tdx_rs_mem_sept_add(&td->td, base, level, page,
						     &e1, &e2);
		} while (busy(status) && ++tries < BUSY_RETRIES);
		if (status) {
			kvm_td_free_page(td, page);
			pr_err("%s: TDH.MEM.SEPT.ADD %#llx level %d: entry %#llx level %#llx\n",
			       td->name, base, level, e1, e2);
			return kvm_td_failed(td, "TDH.MEM.SEPT.ADD", status);
		}
		s = &td->sept[td->nr_sept++];
		s->gpa = base;
		s->level = level;
		s->page = page;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_map_sept, TDX_RS_TEST);

static int find_private(const struct kvm_td *td, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < td->nr_private; i++)
		if (td->private[i].gpa == gpa)
			return i;
	return -1;
}

struct page *kvm_td_private_page(struct kvm_td *td, u64 gpa)
{
	struct page *page;
	int ret;

	if (td->nr_private >= KVM_TD_MAX_PRIVATE)
		return ERR_PTR(-ENOSPC);
	ret = kvm_td_map_sept(td, gpa);
	if (ret)
		return ERR_PTR(ret);
	page = kvm_td_alloc_page(td);
	return page ? page : ERR_PTR(-ENOMEM);
}

void kvm_td_add_private(struct kvm_td *td, u64 gpa, struct page *page)
{
	struct kvm_td_page *p = &td->private[td->nr_private++];

	p->gpa = gpa;
	p->level = 0;
	p->page = page;
}

int kvm_td_map_private(struct kvm_td *td, u64 gpa)
{
	u64 status, e1 = 0, e2 = 0;
	struct page *page;
	int tries = 0;

	gpa &= PAGE_MASK;
	if (td->bugged || td->state != KVM_TD_RUNNABLE ||
	    (gpa & KVM_TD_SHARED_BIT))
		return -EINVAL;
	/* Already mapped: another vCPU got there first; the guest retries. */
	if (find_private(td, gpa) >= 0)
		return 0;
	page = kvm_td_private_page(td, gpa);
	if (IS_ERR(page))
		return PTR_ERR(page);
	do {
		status = tdx_rs_mem_page_aug(&td->td, gpa, 0, page, &e1, &e2);
	} while (busy(status) && ++tries < BUSY_RETRIES);
	if (status) {
		/* As KVM's tdx_unpin(): never the module's. */
		kvm_td_free_page(td, page);
		pr_err("%s: TDH.MEM.PAGE.AUG %#llx: entry %#llx level %#llx\n",
		       td->name, gpa, e1, e2);
		return kvm_td_failed(td, "TDH.MEM.PAGE.AUG", status);
	}
	kvm_td_add_private(td, gpa, page);
	td->augs++;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_map_private, TDX_RS_TEST);

/*
 * TDH.MEM.TRACK, then KVM's kvm_make_all_cpus_request(KVM_REQ_OUTSIDE_GUEST_MODE):
 * every vCPU of the TD out of guest mode, so that each re-enters with the new
 * epoch. This consumer enters one vCPU at a time and handles its exits
 * outside the TD, so no vCPU is in guest mode here: the kick is counted, and
 * each vCPU re-enters when it is next run. Before finalization no vCPU ever
 * ran and KVM skips the TRACK.
 */
static int track(struct kvm_td *td)
{
	u64 status;
	int tries = 0;

	if (td->state != KVM_TD_RUNNABLE)
		return 0;
	do {
		status = tdx_rs_mem_track(&td->td);
	} while (busy(status) && ++tries < BUSY_RETRIES);
	if (status)
		return kvm_td_failed(td, "TDH.MEM.TRACK", status);
	td->kicks++;
	return 0;
}

/* One private page out of the TD, as tdx_sept_remove_private_spte(). */
static int remove_one(struct kvm_td *td, unsigned int i)
{
	struct kvm_td_page p = td->private[i];
	u64 status, e1 = 0, e2 = 0;
	int ret, tries = 0;

	td->private[i] = td->private[--td->nr_private];
	do {
		status = tdx_rs_mem_range_block(&td->td, p.gpa, p.level, &e1, &e2);
	} while (busy(status) && ++tries < BUSY_RETRIES);
	if (status) {
		ret = kvm_td_failed(td, "TDH.MEM.RANGE.BLOCK", status);
		goto leak;
	}
	ret = track(td);
	if (ret)
		goto leak;
	tries = 0;
	do {
		status = tdx_rs_mem_page_remove(&td->td, p.gpa, p.level, &e1, &e2);
	} while (busy(status) && ++tries < BUSY_RETRIES);
	if (status) {
		pr_err("%s: TDH.MEM.PAGE.REMOVE %#llx: entry %#llx level %#llx\n",
		       td->name, p.gpa, e1, e2);
		ret = kvm_td_failed(td, "TDH.MEM.PAGE.REMOVE", status);
		goto leak;
	}
	status = tdx_rs_phymem_page_wbinvd_hkid(td->hkid, p.page);
	if (status) {
		ret = kvm_td_failed(td, "TDH.PHYMEM.PAGE.WBINVD", status);
		goto leak;
	}
	kvm_td_free_page(td, p.page);
	td->removes++;
	return 0;
leak:
	/* KVM keeps the page pinned when the module may still hold it. */
	kvm_td_leak_page(td, p.page, KVM_TD_PRIVATE, -1);
	return ret;
}

int kvm_td_unmap_private(struct kvm_td *td, u64 gpa, u64 size)
{
	int ret = 0, err;
	unsigned int i;

	gpa &= ~KVM_TD_SHARED_BIT;
	for (i = 0; i < td->nr_private;) {
		if (td->private[i].gpa < gpa || td->private[i].gpa >= gpa + size) {
			i++;
			continue;
		}
		/* remove_one() moves the last entry to @i. */
		err = remove_one(td, i);
		if (err && !ret)
			ret = err;
	}
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_unmap_private, TDX_RS_TEST);
