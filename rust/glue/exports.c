// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_host_rs' exported C API, sysfs and the memory notifier: thin shims
 * over the Rust side (rust/glue/entry.rs), which holds the state and
 * decides. What stays here is what Linux 6.12's kernel crate cannot express
 * for a module: exports, sysfs tables, notifier registration, the CPU
 * hotplug lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "kernel.h"

/*
 * Read by tdx_rs_vp_enter() without a lock: it may run in noinstr code. Its
 * hot path reads only the gate: @regs must be above it. U64_MAX while
 * entries are refused, TASK_SIZE_MAX once they are not, so that the same
 * compare refuses NULL and any address outside the kernel's half. The
 * refusal status is read only when @regs is at or below the gate. The gate
 * closes before the status changes and opens after it.
 */
u64 tdx_rs_vp_enter_refusal __read_mostly = TDX_RS_VP_ENTER_NOT_READY;
u64 tdx_rs_vp_enter_gate __read_mostly = U64_MAX;

/* tdx_rs_vp_enter()'s slots across TDH.VP.ENTER: the caller's RBP, @regs. */
DEFINE_PER_CPU(u64 [2], tdx_rs_vp_enter_scratch);

void tdx_rs_k_set_vp_enter_refusal(u64 refusal)
{
	if (refusal)
		WRITE_ONCE(tdx_rs_vp_enter_gate, U64_MAX);
	WRITE_ONCE(tdx_rs_vp_enter_refusal, refusal);
	if (!refusal)
		WRITE_ONCE(tdx_rs_vp_enter_gate, TASK_SIZE_MAX);
}

int tdx_rs_enable(void)
{
	int ret;

	/*
	 * No CPU comes or goes while every CPU's TDH.SYS.LP.INIT is done, and
	 * memory that goes online meanwhile waits in the memory notifier for
	 * the outcome (the memory hotplug lock is not exported).
	 */
	cpus_read_lock();
	ret = tdx_rs_rs_enable();
	cpus_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_enable, TDX_HOST_RS);

/*
 * init_at_load=1: tdx_rs_enable() at insmod, as upstream (7.1) initializes
 * TDX at boot. The module loads whatever the outcome: a failure is logged
 * and shown by the state file, and one that left the TDX module untouched
 * (a CPU not in VMX operation) leaves it "uninitialized", for a later
 * tdx_rs_enable().
 */
static bool init_at_load;
module_param(init_at_load, bool, 0444);
MODULE_PARM_DESC(init_at_load, "Initialize the TDX module at load (default N); needs VMX operation on every CPU: load kvm_intel first");

void tdx_rs_k_init_at_load(void)
{
	int ret;

	if (!init_at_load)
		return;
	ret = tdx_rs_enable();
	if (ret)
		pr_err("init_at_load: TDX module not initialized (%d); tdx_host_rs stays loaded, tdx_rs_enable() may be called later\n",
		       ret);
	else
		pr_info("init_at_load: TDX module initialized\n");
}

const struct tdx_rs_sysinfo *tdx_rs_get_sysinfo(void)
{
	return tdx_rs_rs_sysinfo();
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_get_sysinfo, TDX_HOST_RS);

int tdx_rs_guest_keyid_alloc(void)
{
	return tdx_rs_rs_keyid_alloc();
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_guest_keyid_alloc, TDX_HOST_RS);

void tdx_rs_guest_keyid_free(unsigned int keyid)
{
	/*
	 * Nothing changes for a KeyID that is not out (it may be another
	 * TD's), nor for one a TD holds until TDH.MNG.KEY.FREEID succeeds:
	 * that one stays allocated on purpose, never handed out twice.
	 */
	switch (tdx_rs_rs_keyid_free(keyid)) {
	case 0:
		break;
	case -EBUSY:
		pr_warn_ratelimited("%s(%u): still a TD's (no TDH.MNG.KEY.FREEID yet), kept allocated\n",
				    __func__, keyid);
		break;
	default:
		pr_warn_ratelimited("%s(%u): not an allocated guest KeyID\n",
				    __func__, keyid);
	}
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_guest_keyid_free, TDX_HOST_RS);

/*
 * Once the TDX module is initialized its memory is fixed: memory outside it
 * (hot-added since) must not come online, or a TD could be handed a page
 * the TDX module cannot protect. The refusal fails the write to the memory
 * block's state file; the line says which range and why.
 */
static int tdx_rs_memory_notifier(struct notifier_block *nb,
				  unsigned long action, void *v)
{
	struct memory_notify *mn = v;
	u64 start = PFN_PHYS(mn->start_pfn);
	u64 end = PFN_PHYS(mn->start_pfn + mn->nr_pages);

	if (action != MEM_GOING_ONLINE || tdx_rs_rs_memory_online(start, end))
		return NOTIFY_OK;
	pr_err_ratelimited("memory [%#llx, %#llx) stays offline: not TDX memory (hot-added after the TDX module was initialized; TDX memory is fixed then)\n",
			   start, end);
	return NOTIFY_BAD;
}

static struct notifier_block tdx_rs_memory_nb = {
	.notifier_call = tdx_rs_memory_notifier,
};

static const char * const state_names[] = {
	[TDX_RS_STATE_UNAVAILABLE] = "unavailable",
	[TDX_RS_STATE_UNINITIALIZED] = "uninitialized",
	[TDX_RS_STATE_INITIALIZED] = "initialized",
	[TDX_RS_STATE_FAILED] = "failed",
};

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct tdx_rs_status st;

	tdx_rs_rs_status(&st);
	if (st.state >= ARRAY_SIZE(state_names))
		return -EIO;
	return sysfs_emit(buf, "%s\n", state_names[st.state]);
}

static ssize_t module_version_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	const struct tdx_rs_sysinfo *si = tdx_rs_rs_sysinfo();

	if (!si)
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%u.%u.%u.%u\n", si->major_version,
			  si->minor_version, si->update_version,
			  si->internal_version);
}

static ssize_t keyid_range_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct tdx_rs_status st;

	tdx_rs_rs_status(&st);
	if (!st.nr_keyids)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u-%u\n", st.keyid_start,
			  st.keyid_start + st.nr_keyids - 1);
}

static ssize_t nr_tdmrs_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct tdx_rs_status st;

	tdx_rs_rs_status(&st);
	return sysfs_emit(buf, "%u\n", st.nr_tdmrs);
}

static ssize_t pamt_kib_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct tdx_rs_status st;

	tdx_rs_rs_status(&st);
	return sysfs_emit(buf, "%llu\n", st.pamt_kib);
}

static ssize_t nr_reserved_areas_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct tdx_rs_status st;

	tdx_rs_rs_status(&st);
	return sysfs_emit(buf, "%u\n", st.nr_reserved);
}

static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute module_version_attr = __ATTR_RO(module_version);
static struct kobj_attribute keyid_range_attr = __ATTR_RO(keyid_range);
static struct kobj_attribute nr_tdmrs_attr = __ATTR_RO(nr_tdmrs);
static struct kobj_attribute pamt_kib_attr = __ATTR_RO(pamt_kib);
static struct kobj_attribute nr_reserved_areas_attr = __ATTR_RO(nr_reserved_areas);

static struct attribute *tdx_rs_attrs[] = {
	&state_attr.attr,
	&module_version_attr.attr,
	&keyid_range_attr.attr,
	&nr_tdmrs_attr.attr,
	&pamt_kib_attr.attr,
	&nr_reserved_areas_attr.attr,
	NULL,
};

static const struct attribute_group tdx_rs_attr_group = {
	.attrs = tdx_rs_attrs,
};

static struct kobject *tdx_rs_kobj;

/*
 * debugfs tdx_host_rs/plan: the planner's dry run, made when the file is
 * opened, so that one reader sees one plan however it reads.
 */
#define TDX_RS_PLAN_SIZE SZ_64K

struct tdx_rs_plan_text {
	u64 len;
	char buf[];
};

static int plan_open(struct inode *inode, struct file *file)
{
	struct tdx_rs_plan_text *t;

	/* Zeroed: the Rust side takes the buffer as initialized bytes. */
	t = kvzalloc(struct_size(t, buf, TDX_RS_PLAN_SIZE), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->len = tdx_rs_rs_plan(t->buf, TDX_RS_PLAN_SIZE);
	file->private_data = t;
	return 0;
}

static ssize_t plan_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct tdx_rs_plan_text *t = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, t->buf, t->len);
}

static int plan_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations plan_fops = {
	.owner = THIS_MODULE,
	.open = plan_open,
	.read = plan_read,
	.release = plan_release,
	.llseek = default_llseek,
};

static struct dentry *tdx_rs_debugfs;

/* Called by the Rust module init once its state is reachable. */
int tdx_rs_k_register(void)
{
	int ret;

	tdx_rs_kobj = kobject_create_and_add("tdx_host_rs", kernel_kobj);
	if (!tdx_rs_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(tdx_rs_kobj, &tdx_rs_attr_group);
	if (ret)
		goto put_kobj;
	ret = register_memory_notifier(&tdx_rs_memory_nb);
	if (ret)
		goto put_kobj;
	ret = tdx_rs_k_cpus_register();
	if (ret)
		goto unregister_memory;
	/* Optional: without debugfs there is no dry run, and nothing else lacks. */
	tdx_rs_debugfs = debugfs_create_dir("tdx_host_rs", NULL);
	debugfs_create_file("plan", 0400, tdx_rs_debugfs, NULL, &plan_fops);
	return 0;

unregister_memory:
	unregister_memory_notifier(&tdx_rs_memory_nb);
put_kobj:
	kobject_put(tdx_rs_kobj);
	return ret;
}

/* Called by the Rust module exit; afterwards nothing here calls Rust. */
void tdx_rs_k_unregister(void)
{
	/* Waits for readers inside plan_open(). */
	debugfs_remove_recursive(tdx_rs_debugfs);
	tdx_rs_k_cpus_unregister();
	unregister_memory_notifier(&tdx_rs_memory_nb);
	kobject_put(tdx_rs_kobj);
}
