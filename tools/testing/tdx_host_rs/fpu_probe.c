// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_fpu_probe: TD entries made in a user task's own context, for the
 * kselftest that checks the task's FPU registers survive them
 * (tools/testing/selftests/tdx_host_rs/fpu_keep.c). At load it builds a
 * one-vCPU TD with the KVM-shaped library; /sys/kernel/debug/tdx_rs_fpu/:
 *
 *   cpu    the vCPU's CPU, where the writer of "enter" must run
 *   enter  any write: one TDH.VP.ENTER through the consumer's
 *          fake_vcpu_enter_here(), an external interrupt armed first so the
 *          TD exits at once (tdx_emu only). The write returns its length
 *          after an interrupt exit; -EAGAIN when the writer's FPU registers
 *          were not live (already saved: the entry would prove nothing) or
 *          it runs on another CPU; -EIO for any other outcome.
 *
 * The TDX module (and tdx_emu after it) initializes the live extended state
 * at every TD exit: only the consumer's FPU save keeps the task's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "kvm_consumer.h"
#include "kvm_td.h"
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tdx_emu.h>
#include "td_image.h"

#define EXIT_INTERRUPT	1
#define VECTOR		0xec

static const struct kvm_td_image image = {
	.bytes = tdx_td_image,
	.size = sizeof(tdx_td_image),
	.gpa = TDX_TD_IMAGE_GPA,
	.entry = TDX_TD_ENTRY_GPA,
};

static struct kvm_td *td;
static struct dentry *dir;

static ssize_t enter_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *pos)
{
	struct fake_vcpu *vcpu = td->vcpus[0];
	bool live;
	int ret;

	/* Before anything that could sleep and save the task's registers. */
	preempt_disable();
	live = !test_thread_flag(TIF_NEED_FPU_LOAD);
	tdx_emu_arm_interrupt(VECTOR);
	ret = fake_vcpu_enter_here(vcpu);
	preempt_enable();
	if (ret == -EINVAL || (!ret && !live))
		return -EAGAIN;
	if (ret || vcpu->exit_status != EXIT_INTERRUPT)
		return -EIO;
	return len;
}

static int cpu_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", td->vcpus[0]->cpu);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu);

static const struct file_operations enter_fops = {
	.owner = THIS_MODULE,
	.write = enter_write,
};

static int __init fpu_probe_init(void)
{
	int ret;

	td = kzalloc(sizeof(*td), GFP_KERNEL);
	if (!td)
		return -ENOMEM;
	td->name = "fpu-probe";
	td->hkid = -1;
	ret = tdx_rs_enable();
	if (!ret)
		ret = kvm_td_build(td, &image, 1);
	if (ret) {
		pr_err("cannot build its TD: %d\n", ret);
		kvm_td_destroy(td);
		kfree(td);
		return ret;
	}
	dir = debugfs_create_dir("tdx_rs_fpu", NULL);
	debugfs_create_file("cpu", 0444, dir, NULL, &cpu_fops);
	debugfs_create_file("enter", 0200, dir, NULL, &enter_fops);
	return 0;
}

static void __exit fpu_probe_exit(void)
{
	debugfs_remove_recursive(dir);
	kvm_td_destroy(td);
	kfree(td);
}

module_init(fpu_probe_init);
module_exit(fpu_probe_exit);

MODULE_DESCRIPTION("tdx_host_rs test: TD entries in a user task's context");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
