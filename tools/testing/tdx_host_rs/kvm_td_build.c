// SPDX-License-Identifier: GPL-2.0
/*
 * Building a TD as upstream KVM does (KVM_TDX_INIT_VM, KVM_TDX_INIT_VCPU,
 * KVM_TDX_INIT_MEM_REGION, KVM_TDX_FINALIZE_VM), in its order:
 * a guest KeyID, the TDR page, TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG on one CPU
 * of every package, TDH.MNG.ADDCX of each TDCS page, TDH.MNG.INIT; per vCPU
 * TDH.VP.CREATE, TDH.VP.ADDCX, TDH.VP.INIT; the image's pages with
 * TDH.MEM.SEPT.ADD, TDH.MEM.PAGE.ADD and TDH.MR.EXTEND; TDH.MR.FINALIZE.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include "kvm_td.h"
#include "kvm_td_params.h"
#include "td_leaves.h"

#define td_log(td, fmt, ...)						\
	do {								\
		if ((td)->verbose)					\
			pr_info("%s: " fmt, (td)->name, ##__VA_ARGS__);	\
	} while (0)

struct key_config {
	struct kvm_td *td;
	u64 status;
};

static void do_key_config(void *data)
{
	struct key_config *kc = data;

	kc->status = tdx_rs_mng_key_config(&kc->td->td);
}

/*
 * TDH.MNG.KEY.CONFIG on the first online CPU of each package, as KVM's
 * __tdx_td_init() does (it uses smp_call_on_cpu(); an IPI is the same CPU).
 */
static int configure_keys(struct kvm_td *td)
{
	struct key_config kc = { .td = td };
	cpumask_var_t packages;
	int cpu, ret = 0, nr = 0;

	if (!zalloc_cpumask_var(&packages, GFP_KERNEL))
		return -ENOMEM;
	cpus_read_lock();
	for_each_present_cpu(cpu)
		cpumask_set_cpu(topology_physical_package_id(cpu), packages);
	for_each_online_cpu(cpu)
		cpumask_clear_cpu(topology_physical_package_id(cpu), packages);
	if (!cpumask_empty(packages)) {
		pr_warn("%s: every package needs an online CPU to create a TD\n",
			td->name);
		ret = -EIO;
		goto out;
	}
	for_each_online_cpu(cpu) {
		if (cpumask_test_and_set_cpu(topology_physical_package_id(cpu),
					     packages))
			continue;
		smp_call_function_single(cpu, do_key_config, &kc, 1);
		if (kc.status) {
			ret = kvm_td_failed(td, "TDH.MNG.KEY.CONFIG", kc.status);
			break;
		}
		nr++;
	}
out:
	cpus_read_unlock();
	free_cpumask_var(packages);
	if (!ret)
		td_log(td, "keys: HKID %d programmed on %d package(s)\n",
		       td->hkid, nr);
	return ret;
}

int kvm_td_create(struct kvm_td *td)
{
	const struct tdx_rs_sysinfo *si = tdx_rs_get_sysinfo();
	struct page **tdcs;
	u64 status;
	int i, ret;

	if (!si || td->state != KVM_TD_EMPTY)
		return -EINVAL;
	td->hkid = -1;
	ret = tdx_rs_guest_keyid_alloc();
	if (ret < 0)
		return ret;
	td->hkid = ret;

	td->td.tdcs_nr_pages = si->td_ctrl.tdcs_base_size / PAGE_SIZE;
	/* TDVPS = the TDVPR page + TDCX pages. */
	td->td.tdcx_nr_pages = si->td_ctrl.tdvps_base_size / PAGE_SIZE - 1;
	if (td->td.tdcs_nr_pages <= 0 || td->td.tdcx_nr_pages < 0)
		return -EIO;
	tdcs = kcalloc(td->td.tdcs_nr_pages, sizeof(*tdcs), GFP_KERNEL);
	if (!tdcs)
		return -ENOMEM;
	td->td.tdcs_pages = tdcs;
	td->td.tdr_page = kvm_td_alloc_page(td);
	for (i = 0; i < td->td.tdcs_nr_pages; i++)
		tdcs[i] = kvm_td_alloc_page(td);
	for (i = 0; i < td->td.tdcs_nr_pages; i++)
		if (!tdcs[i])
			return -ENOMEM;
	if (!td->td.tdr_page)
		return -ENOMEM;

	status = tdx_rs_mng_create(&td->td, td->hkid);
	if (status) {
		/* Never handed over: back to the allocator. */
		kvm_td_free_page(td, td->td.tdr_page);
		td->td.tdr_page = NULL;
		return kvm_td_failed(td, "TDH.MNG.CREATE", status);
	}
	td->state = KVM_TD_CREATED;
	td_log(td, "create: HKID %d, TDR at %#llx\n", td->hkid,
	       (u64)page_to_phys(td->td.tdr_page));

	ret = configure_keys(td);
	if (ret) {
		/* As KVM: the TDCS pages were never handed over. */
		for (i = 0; i < td->td.tdcs_nr_pages; i++) {
			kvm_td_free_page(td, tdcs[i]);
			tdcs[i] = NULL;
		}
		return ret;
	}

	for (i = 0; i < td->td.tdcs_nr_pages; i++) {
		status = tdx_rs_mng_addcx(&td->td, tdcs[i]);
		if (status) {
			/* This page and the ones after it were never handed over. */
			for (; i < td->td.tdcs_nr_pages; i++) {
				kvm_td_free_page(td, tdcs[i]);
				tdcs[i] = NULL;
			}
			return kvm_td_failed(td, "TDH.MNG.ADDCX", status);
		}
	}
	td_log(td, "create: %d TDCS pages added, %d TDCX pages per vCPU\n",
	       td->td.tdcs_nr_pages, td->td.tdcx_nr_pages);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_create, TDX_RS_TEST);

int kvm_td_init(struct kvm_td *td)
{
	struct page *params;
	u64 status, ext = 0;
	int ret;

	if (td->state != KVM_TD_CREATED)
		return -EINVAL;
	params = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!params)
		return -ENOMEM;
	ret = kvm_td_fill_params(page_address(params), tdx_rs_get_sysinfo());
	if (ret) {
		__free_page(params);
		return ret;
	}
	status = tdx_rs_mng_init(&td->td, page_to_phys(params), &ext);
	if (td->verbose && !status)
		kvm_td_log_params(td->name, page_address(params));
	__free_page(params);
	if (status) {
		pr_err("%s: TDH.MNG.INIT extended error %#llx\n", td->name, ext);
		return kvm_td_failed(td, "TDH.MNG.INIT", status);
	}
	td->state = KVM_TD_INITIALIZED;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_init, TDX_RS_TEST);

struct vcpu_init {
	struct kvm_td *td;
	struct fake_vcpu *vcpu;
	u64 entry;
};

/*
 * tdx_td_vcpu_init(), on the CPU the vCPU is loaded on: TDH.VP.ADDCX and
 * TDH.VP.INIT associate the vCPU with the CPU that makes them.
 */
static int vcpu_init_here(void *data)
{
	struct vcpu_init *vi = data;
	struct fake_vcpu *vcpu = vi->vcpu;
	struct kvm_td *td = vi->td;
	struct page **tdcx;
	u64 status;
	int i;

	if (td->state != KVM_TD_INITIALIZED || td->nr_vcpus >= KVM_TD_MAX_VCPUS)
		return -EINVAL;
	tdcx = kcalloc(max(td->td.tdcx_nr_pages, 1), sizeof(*tdcx), GFP_KERNEL);
	if (!tdcx)
		return -ENOMEM;
	vcpu->vp.tdcx_pages = tdcx;
	/* From here on the TD's teardown frees or reclaims what is listed. */
	td->vcpus[td->nr_vcpus++] = vcpu;
	vcpu->vp.tdvpr_page = kvm_td_alloc_page(td);
	for (i = 0; i < td->td.tdcx_nr_pages; i++)
		tdcx[i] = kvm_td_alloc_page(td);
	for (i = 0; i < td->td.tdcx_nr_pages; i++)
		if (!tdcx[i])
			return -ENOMEM;
	if (!vcpu->vp.tdvpr_page)
		return -ENOMEM;
	vcpu->vp.tdvpr_pa = page_to_phys(vcpu->vp.tdvpr_page);

	status = tdx_rs_vp_create(&td->td, &vcpu->vp);
	if (status) {
		/* Nothing was handed over. */
		kvm_td_free_page(td, vcpu->vp.tdvpr_page);
		vcpu->vp.tdvpr_page = NULL;
		vcpu->vp.tdvpr_pa = 0;
		for (i = 0; i < td->td.tdcx_nr_pages; i++) {
			kvm_td_free_page(td, tdcx[i]);
			tdcx[i] = NULL;
		}
		return kvm_td_failed(td, "TDH.VP.CREATE", status);
	}
	vcpu->created = true;
	for (i = 0; i < td->td.tdcx_nr_pages; i++) {
		status = tdx_rs_vp_addcx(&vcpu->vp, tdcx[i]);
		if (status) {
			for (; i < td->td.tdcx_nr_pages; i++) {
				kvm_td_free_page(td, tdcx[i]);
				tdcx[i] = NULL;
			}
			return kvm_td_failed(td, "TDH.VP.ADDCX", status);
		}
	}
	status = tdx_rs_vp_init(&vcpu->vp, vi->entry, vcpu->id);
	if (status)
		return kvm_td_failed(td, "TDH.VP.INIT", status);
	vcpu->initialized = true;
	td_log(td, "vCPU %u: TDVPR %#llx + %d TDCX pages, initial RCX %#llx, on CPU %d\n",
	       vcpu->id, vcpu->vp.tdvpr_pa, td->td.tdcx_nr_pages, vi->entry,
	       vcpu->cpu);
	return 0;
}

/* KVM_TDX_INIT_VCPU on the first online CPU, @entry as the initial RCX. */
int kvm_td_vcpu_create(struct kvm_td *td, struct fake_vcpu *vcpu, u64 entry)
{
	struct vcpu_init vi = { .td = td, .vcpu = vcpu, .entry = entry };

	if (td->state != KVM_TD_INITIALIZED || td->nr_vcpus >= KVM_TD_MAX_VCPUS)
		return -EINVAL;
	vcpu->td = td;
	vcpu->id = td->nr_vcpus;
	vcpu->verbose = td->verbose;
	/* vcpu_load(): associated from its first SEAMCALL on until flushed. */
	vcpu->cpu = cpumask_first(cpu_online_mask);
	return smp_call_on_cpu(vcpu->cpu, vcpu_init_here, &vi, false);
}
EXPORT_SYMBOL_NS_GPL(kvm_td_vcpu_create, TDX_RS_TEST);

/* One page of the image: TDH.MEM.PAGE.ADD from @source, then measured. */
static int add_page(struct kvm_td *td, u64 gpa, struct page *source)
{
	struct page *page;
	u64 status, e1 = 0, e2 = 0;
	int off;

	page = kvm_td_private_page(td, gpa);
	if (IS_ERR(page))
		return PTR_ERR(page);
	status = tdx_rs_mem_page_add(&td->td, gpa, page, source, &e1, &e2);
	if (status) {
		kvm_td_free_page(td, page);
		pr_err("%s: TDH.MEM.PAGE.ADD %#llx: entry %#llx level %#llx\n",
		       td->name, gpa, e1, e2);
		return kvm_td_failed(td, "TDH.MEM.PAGE.ADD", status);
	}
	kvm_td_add_private(td, gpa, page);
	for (off = 0; off < PAGE_SIZE; off += 256) {
		status = tdx_rs_mr_extend(&td->td, gpa + off, &e1, &e2);
		if (status)
			return kvm_td_failed(td, "TDH.MR.EXTEND", status);
	}
	return 0;
}

/* KVM_TDX_INIT_MEM_REGION with KVM_TDX_MEASURE_MEMORY_REGION. */
int kvm_td_add_image(struct kvm_td *td, const struct kvm_td_image *image)
{
	struct page *source;
	size_t done, n;
	int ret = 0;

	if (td->state != KVM_TD_INITIALIZED || !PAGE_ALIGNED(image->gpa))
		return -EINVAL;
	source = alloc_page(GFP_KERNEL);
	if (!source)
		return -ENOMEM;
	for (done = 0; done < image->size && !ret; done += PAGE_SIZE) {
		n = min_t(size_t, PAGE_SIZE, image->size - done);
		memcpy(page_address(source), image->bytes + done, n);
		memset(page_address(source) + n, 0, PAGE_SIZE - n);
		ret = add_page(td, image->gpa + done, source);
	}
	__free_page(source);
	if (!ret)
		td_log(td, "image: %zu bytes at GPA %#llx added and measured (%u pages, %u Secure EPT pages)\n",
		       image->size, image->gpa, td->nr_private, td->nr_sept);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_add_image, TDX_RS_TEST);

int kvm_td_finalize(struct kvm_td *td)
{
	u64 status;
	int i;

	if (td->state != KVM_TD_INITIALIZED)
		return -EINVAL;
	status = tdx_rs_mr_finalize(&td->td);
	if (status)
		return kvm_td_failed(td, "TDH.MR.FINALIZE", status);
	td->state = KVM_TD_RUNNABLE;
	for (i = 0; i < ARRAY_SIZE(td->mrtd); i++) {
		status = tdx_rs_mng_rd(&td->td, TD_MD_FIELD_ID_MRTD + i,
				       &td->mrtd[i]);
		if (status)
			return kvm_td_failed(td, "TDH.MNG.RD", status);
	}
	td_log(td, "finalized: MRTD %*phN\n", (int)sizeof(td->mrtd), td->mrtd);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_finalize, TDX_RS_TEST);

int kvm_td_build(struct kvm_td *td, const struct kvm_td_image *image,
		 unsigned int nr_vcpus)
{
	struct fake_vcpu *vcpu;
	unsigned int i;
	int ret;

	if (nr_vcpus > KVM_TD_MAX_VCPUS)
		return -EINVAL;
	td->own_vcpus = true;
	ret = kvm_td_create(td);
	if (!ret)
		ret = kvm_td_init(td);
	for (i = 0; !ret && i < nr_vcpus; i++) {
		vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);
		ret = vcpu ? kvm_td_vcpu_create(td, vcpu, image->entry) : -ENOMEM;
		/* Not listed in the TD: its teardown will not free it. */
		if (vcpu && (!td->nr_vcpus || td->vcpus[td->nr_vcpus - 1] != vcpu))
			kfree(vcpu);
	}
	if (!ret)
		ret = kvm_td_add_image(td, image);
	if (!ret)
		ret = kvm_td_finalize(td);
	if (ret)
		kvm_td_destroy(td);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kvm_td_build, TDX_RS_TEST);
