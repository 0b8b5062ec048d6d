// SPDX-License-Identifier: GPL-2.0
/*
 * make run's TD: registers a TD vCPU with the emulated TDX module, runs it
 * with the KVM-shaped consumer (every TD exit logged), and prints what the
 * emulated guest made of the host's replies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "kvm_consumer.h"
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>

static int __init td_demo_init(void)
{
	struct tdx_emu_td_report r;
	struct fake_vcpu *vcpu;
	struct page *page;
	int ret;

	ret = tdx_rs_enable();
	if (ret)
		return ret;
	page = alloc_page(GFP_KERNEL);
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);
	ret = -ENOMEM;
	if (!page || !vcpu)
		goto out;
	vcpu->tdvpr_pa = page_to_phys(page);
	vcpu->verbose = true;
	ret = tdx_emu_td_vcpu_add(vcpu->tdvpr_pa);
	if (ret)
		goto out;
	pr_info("TD vCPU at TDVPR %#llx, guest registers in vcpu->arch.regs\n",
		vcpu->tdvpr_pa);
	ret = fake_vcpu_run(vcpu, 64);
	pr_info("guest done: fake_vcpu_run() = %d after %llu TD exits\n", ret,
		vcpu->nr_exits);
	/* Once more: the guest checks the reply to its last call. */
	if (!ret)
		ret = fake_vcpu_run(vcpu, 64);
	if (!tdx_emu_td_vcpu_report(vcpu->tdvpr_pa, &r))
		pr_info("emulated guest: %u of %u TDG.VP.VMCALLs answered right, %llu refused by the module, finished %u, fatal %u; TDH.VP.ENTER's argument block was %s\n",
			r.steps_done, r.nr_steps, r.refused_vmcalls, r.finished,
			r.fatal, r.stack_top == (uintptr_t)vcpu->arch.regs ?
			"vcpu->arch.regs itself" : "NOT vcpu->arch.regs");
	tdx_emu_td_vcpu_remove(vcpu->tdvpr_pa);
out:
	kfree(vcpu);
	if (page)
		__free_page(page);
	return ret;
}

static void __exit td_demo_exit(void)
{
}

module_init(td_demo_init);
module_exit(td_demo_exit);

MODULE_DESCRIPTION("tdx_host_rs: enter an emulated TD (make run)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
