// SPDX-License-Identifier: GPL-2.0
/*
 * A TD's teardown as upstream KVM does it at VM destruction: the MMU zaps
 * the private pages (tdx_sept_remove_private_spte()), tdx_mmu_release_hkid()
 * flushes every vCPU on its CPU, TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB on
 * one CPU of every package (resumed while interrupted), TDH.MNG.KEY.FREEID
 * and frees the KeyID; then tdx_vcpu_free() reclaims the TDCX and TDVPR
 * pages, tdx_sept_free_private_spt() the Secure EPT pages and
 * tdx_reclaim_td_control_pages() the TDCS pages, the TDR
 * (TDH.PHYMEM.PAGE.RECLAIM + TDH.PHYMEM.PAGE.WBINVD of the TDR).
 *
 * As KVM: while the HKID could not be released nothing is reclaimed, and a
 * page that does not come back is leaked on purpose, never freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include "kvm_td.h"
#include "td_leaves.h"

#define CACHE_WB_RETRIES	10000

static void cache_wb_on_package(void *data)
{
	atomic64_t *failed = data;
	u64 status = 0;
	int i;

	/* As KVM's smp_func_do_phymem_cache_wb(). */
	for (i = 0; i < CACHE_WB_RETRIES; i++) {
		status = tdx_rs_phymem_cache_wb(status != 0);
		if (status != TDX_INTERRUPTED_RESUMABLE)
			break;
	}
	if (status == TDX_NO_HKID_READY_TO_WBCACHE)
		status = TDX_SUCCESS;	/* another CPU did it */
	if (status)
		atomic64_set(failed, status);
}

/* TDH.PHYMEM.CACHE.WB on the first online CPU of each package. */
static int cache_wb(struct kvm_td *td)
{
	atomic64_t failed = ATOMIC64_INIT(0);
	cpumask_var_t packages, targets;
	int cpu, ret = -ENOMEM;

	if (!zalloc_cpumask_var(&packages, GFP_KERNEL))
		return ret;
	if (!zalloc_cpumask_var(&targets, GFP_KERNEL))
		goto out;
	cpus_read_lock();
	for_each_online_cpu(cpu)
		if (!cpumask_test_and_set_cpu(topology_physical_package_id(cpu),
					      packages))
			cpumask_set_cpu(cpu, targets);
	on_each_cpu_mask(targets, cache_wb_on_package, &failed, true);
	cpus_read_unlock();
	ret = atomic64_read(&failed) ?
	      kvm_td_failed(td, "TDH.PHYMEM.CACHE.WB", atomic64_read(&failed)) : 0;
	free_cpumask_var(targets);
out:
	free_cpumask_var(packages);
	return ret;
}

/* tdx_mmu_release_hkid(): 0 once the KeyID is free again. */
static int release_hkid(struct kvm_td *td)
{
	unsigned int i;
	u64 status;
	int ret;

	if (td->hkid < 0)
		return 0;
	if (td->state == KVM_TD_EMPTY) {
		/* KeyID allocated, TD never created. */
		tdx_rs_guest_keyid_free(td->hkid);
		td->hkid = -1;
		return 0;
	}
	for (i = 0; i < td->nr_vcpus; i++)
		fake_vcpu_flush(td->vcpus[i]);
	status = tdx_rs_mng_vpflushdone(&td->td);
	if (status) {
		pr_err("%s: HKID %d leaked: VPFLUSHDONE failed\n", td->name,
		       td->hkid);
		return kvm_td_failed(td, "TDH.MNG.VPFLUSHDONE", status);
	}
	/* Its failure shows as KEY.FREEID's. */
	cache_wb(td);
	status = tdx_rs_mng_key_freeid(&td->td);
	if (status) {
		pr_err("%s: HKID %d leaked: KEY.FREEID failed\n", td->name,
		       td->hkid);
		return kvm_td_failed(td, "TDH.MNG.KEY.FREEID", status);
	}
	ret = td->hkid;
	tdx_rs_guest_keyid_free(td->hkid);
	td->hkid = -1;
	if (td->verbose)
		pr_info("%s: teardown: vCPUs flushed, caches written back, HKID %d free\n",
			td->name, ret);
	return 0;
}

/* tdx_reclaim_control_page(): freed when given back, else leaked. */
static void reclaim(struct kvm_td *td, struct page *page,
		    enum kvm_td_page_kind kind)
{
	u64 status, type = 0, owner = 0, size = 0;

	if (!page)
		return;
	status = tdx_rs_phymem_page_reclaim(page, &type, &owner, &size);
	if (status) {
		pr_err("%s: give-back of %#llx refused: page type %llu owner %#llx size %llu\n",
		       td->name, (u64)page_to_phys(page), type, owner, size);
		kvm_td_failed(td, "TDH.PHYMEM.PAGE.RECLAIM", status);
		kvm_td_leak_page(td, page, kind, -1);
		return;
	}
	kvm_td_free_page(td, page);
}

static void free_vcpu(struct kvm_td *td, struct fake_vcpu *vcpu, bool reclaimable)
{
	struct page **tdcx = vcpu->vp.tdcx_pages;
	int i;

	for (i = 0; tdcx && i < td->td.tdcx_nr_pages; i++) {
		if (!vcpu->created)
			kvm_td_free_page(td, tdcx[i]);
		else if (reclaimable)
			reclaim(td, tdcx[i], KVM_TD_TDCX);
		else
			kvm_td_leak_page(td, tdcx[i], KVM_TD_TDCX, -1);
	}
	if (!vcpu->created)
		kvm_td_free_page(td, vcpu->vp.tdvpr_page);
	else if (reclaimable)
		reclaim(td, vcpu->vp.tdvpr_page, KVM_TD_TDVPR);
	else
		kvm_td_leak_page(td, vcpu->vp.tdvpr_page, KVM_TD_TDVPR, vcpu->cpu);
	kfree(tdcx);
	vcpu->vp.tdcx_pages = NULL;
	vcpu->vp.tdvpr_page = NULL;
	vcpu->created = false;
}

/* The TDR: reclaimed, its cache lines written back, then freed. */
static void free_tdr(struct kvm_td *td, bool reclaimable)
{
	struct page *tdr = td->td.tdr_page;
	u64 status, type = 0, owner = 0, size = 0;

	if (!tdr)
		return;
	if (td->state == KVM_TD_EMPTY) {
		kvm_td_free_page(td, tdr);
		return;
	}
	if (!reclaimable) {
		kvm_td_leak_page(td, tdr, KVM_TD_TDR, -1);
		return;
	}
	status = tdx_rs_phymem_page_reclaim(tdr, &type, &owner, &size);
	if (status) {
		kvm_td_failed(td, "TDH.PHYMEM.PAGE.RECLAIM", status);
		kvm_td_leak_page(td, tdr, KVM_TD_TDR, -1);
		return;
	}
	status = tdx_rs_phymem_page_wbinvd_tdr(&td->td);
	if (status) {
		kvm_td_failed(td, "TDH.PHYMEM.PAGE.WBINVD", status);
		kvm_td_leak_page(td, tdr, KVM_TD_TDR, -1);
		return;
	}
	kvm_td_free_page(td, tdr);
}

void kvm_td_destroy(struct kvm_td *td)
{
	bool reclaimable;
	unsigned int i;
	int j;

	/* The MMU's zap of every private page, with the HKID still assigned. */
	if (td->nr_private)
		kvm_td_unmap_private(td, 0, KVM_TD_SHARED_BIT);
	reclaimable = !release_hkid(td);

	for (i = 0; i < td->nr_vcpus; i++) {
		free_vcpu(td, td->vcpus[i], reclaimable);
		if (td->own_vcpus)
			kfree(td->vcpus[i]);
		td->vcpus[i] = NULL;
	}
	td->nr_vcpus = 0;
	for (i = 0; i < td->nr_sept; i++) {
		if (reclaimable)
			reclaim(td, td->sept[i].page, KVM_TD_SEPT);
		else
			kvm_td_leak_page(td, td->sept[i].page, KVM_TD_SEPT, -1);
	}
	td->nr_sept = 0;
	for (j = 0; td->td.tdcs_pages && j < td->td.tdcs_nr_pages; j++) {
		if (td->state == KVM_TD_EMPTY)
			kvm_td_free_page(td, td->td.tdcs_pages[j]);
		else if (reclaimable)
			reclaim(td, td->td.tdcs_pages[j], KVM_TD_TDCS);
		else
			kvm_td_leak_page(td, td->td.tdcs_pages[j], KVM_TD_TDCS, -1);
	}
	kfree(td->td.tdcs_pages);
	td->td.tdcs_pages = NULL;
	free_tdr(td, reclaimable);
	td->td.tdr_page = NULL;
	if (td->verbose)
		pr_info("%s: teardown: %llu pages allocated, %llu given back and freed, %llu leaked\n",
			td->name, td->pages.allocated, td->pages.freed,
			td->pages.leaked);
	td->state = KVM_TD_EMPTY;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_destroy, TDX_RS_TEST);
