// SPDX-License-Identifier: GPL-2.0
/*
 * make run's TDs: the KVM-shaped library (kvm_td.h) builds two TDs with
 * different KeyIDs from the image scripts/td_image.py made, one with two
 * vCPUs, runs them at once on two CPUs (a vCPU moving between them, flushed
 * as KVM does), and tears both down; every phase says what it did.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "kvm_td.h"
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tdx_emu.h>
#include "td_image.h"

static const struct kvm_td_image image = {
	.bytes = tdx_td_image,
	.size = sizeof(tdx_td_image),
	.gpa = TDX_TD_IMAGE_GPA,
	.entry = TDX_TD_ENTRY_GPA,
};

static void report(struct fake_vcpu *vcpu)
{
	struct tdx_emu_td_report r;

	if (tdx_emu_td_vcpu_report(vcpu->vp.tdvpr_pa, &r))
		return;
	pr_info("%s vCPU %u: %llu TD exits (%llu TDG.VP.VMCALL, %llu memory); emulated guest: %u of %u steps answered right, finished %u, fatal %u\n",
		vcpu->td->name, vcpu->id, vcpu->nr_exits, vcpu->tdvmcalls,
		vcpu->memory_exits, r.steps_done, r.nr_steps, r.finished, r.fatal);
}

/*
 * One slice of @vcpu on @cpu: 1 once its guest is done. Then it is entered
 * once more: the guest checks the reply to its done port write only when it
 * runs again.
 */
static int slice(struct fake_vcpu *vcpu, int cpu, int *err)
{
	int ret;

	if (vcpu->done)
		return 1;
	ret = fake_vcpu_run_on(vcpu, cpu, 4);
	if (ret == -E2BIG)
		return 0;
	if (!ret)
		ret = fake_vcpu_finish(vcpu);
	if (ret && !*err)
		*err = ret;
	return 1;
}

static int run_both(struct kvm_td *a, struct kvm_td *b)
{
	int cpu0 = cpumask_first(cpu_online_mask), cpu1, round, done = 0, err = 0;

	cpu1 = cpumask_next(cpu0, cpu_online_mask);
	if (cpu1 >= nr_cpu_ids)
		cpu1 = cpu0;
	pr_info("run: TD A vCPU 0 on CPU %d, TD A vCPU 1 and TD B on CPU %d, both moving to CPU %d after a first slice\n",
		cpu0, cpu1, cpu0);
	for (round = 0; round < 40 && done < 3 && !err; round++) {
		done = slice(a->vcpus[0], cpu0, &err);
		done += slice(a->vcpus[1], round ? cpu0 : cpu1, &err);
		done += slice(b->vcpus[0], round ? cpu0 : cpu1, &err);
	}
	report(a->vcpus[0]);
	report(a->vcpus[1]);
	report(b->vcpus[0]);
	pr_info("run: %d rounds; TD A: %llu EPT violations, %llu PAGE.AUG, %llu MapGPA removals, %llu VP.FLUSH; TD B: %llu, %llu, %llu, %llu\n",
		round, a->ept_violations, a->augs, a->removes, a->vp_flushes,
		b->ept_violations, b->augs, b->removes, b->vp_flushes);
	return err ? err : (done == 3 ? 0 : -ETIMEDOUT);
}

static long owned_pages(void)
{
	return tdx_emu_owned_pages(NULL, 0);
}

static int __init td_demo_init(void)
{
	struct kvm_td *a, *b;
	int ret;

	ret = tdx_rs_enable();
	if (ret)
		return ret;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	ret = -ENOMEM;
	if (!a || !b)
		goto out;
	a->name = "TD A";
	b->name = "TD B";
	a->verbose = b->verbose = true;
	a->hkid = b->hkid = -1;
	pr_info("the image: %zu bytes at GPA %#llx, entry %#llx\n", image.size,
		image.gpa, image.entry);
	ret = kvm_td_build(a, &image, 2);
	if (ret)
		goto out;
	ret = kvm_td_build(b, &image, 1);
	if (ret) {
		kvm_td_destroy(a);
		goto out;
	}
	pr_info("built: TD A on HKID %d, TD B on HKID %d; the module holds %ld pages\n",
		a->hkid, b->hkid, owned_pages());
	ret = run_both(a, b);
	kvm_td_destroy(a);
	kvm_td_destroy(b);
	pr_info("torn down: the module holds %ld pages; pages kept by tdx_host_rs: %llu\n",
		owned_pages(), tdx_rs_leaked_pages());
	if (!ret && (a->pages.leaked || b->pages.leaked))
		ret = -EIO;
	if (!ret)
		pr_info("the TDs ran their program\n");
out:
	kfree(a);
	kfree(b);
	return ret;
}

static void __exit td_demo_exit(void)
{
}

module_init(td_demo_init);
module_exit(td_demo_exit);

MODULE_DESCRIPTION("tdx_host_rs: two emulated TDs built, run and torn down (make run)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
