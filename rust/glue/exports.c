// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_host_rs' exported C API, and what surrounds the Rust side: the locks
 * the API is serialized by, the published state (sysfs, the sysinfo
 * pointer), guest KeyIDs and the memory hotplug check.
 */
#include <linux/cpu.h>
#include <linux/kobject.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>
#include "kernel.h"

/* Serializes tdx_rs_enable() and every change of the published state. */
static DEFINE_MUTEX(tdx_rs_lock);
static struct tdx_rs_host *tdx_rs_host;

static struct tdx_rs_status tdx_rs_status;
static struct tdx_rs_sysinfo tdx_rs_sysinfo;
static bool tdx_rs_sysinfo_valid;

static struct tdx_rs_mem_range *tdx_rs_memory;
static u32 tdx_rs_nr_memory;

/* Guest KeyIDs handed out: an allocating XArray, so a bad free is caught. */
static DEFINE_XARRAY_ALLOC(tdx_rs_keyids);

/* Read by tdx_rs_vp_enter() without a lock: it may run in noinstr code. */
u64 tdx_rs_vp_enter_refusal __read_mostly = TDX_RS_VP_ENTER_NOT_READY;

int tdx_rs_enable(void)
{
	int ret;

	/*
	 * No CPU comes or goes while every CPU's TDH.SYS.LP.INIT is done, and
	 * memory that goes online meanwhile waits in tdx_rs_memory_notifier()
	 * for the outcome (the memory hotplug lock is not exported).
	 */
	cpus_read_lock();
	mutex_lock(&tdx_rs_lock);
	ret = tdx_rs_host ? tdx_rs_rs_enable(tdx_rs_host) : -ENODEV;
	mutex_unlock(&tdx_rs_lock);
	cpus_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_enable, TDX_HOST_RS);

const struct tdx_rs_sysinfo *tdx_rs_get_sysinfo(void)
{
	guard(mutex)(&tdx_rs_lock);
	return tdx_rs_sysinfo_valid ? &tdx_rs_sysinfo : NULL;
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_get_sysinfo, TDX_HOST_RS);

int tdx_rs_guest_keyid_alloc(void)
{
	u32 first, last, keyid;
	int ret;

	scoped_guard(mutex, &tdx_rs_lock) {
		if (tdx_rs_status.state != TDX_RS_STATE_INITIALIZED)
			return -ENODEV;
		/* The first TDX KeyID is the module's global one. */
		first = tdx_rs_status.keyid_start + 1;
		last = tdx_rs_status.keyid_start + tdx_rs_status.nr_keyids - 1;
	}
	ret = xa_alloc(&tdx_rs_keyids, &keyid, xa_mk_value(0),
		       XA_LIMIT(first, last), GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;
	return keyid;
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_guest_keyid_alloc, TDX_HOST_RS);

void tdx_rs_guest_keyid_free(unsigned int keyid)
{
	/* Nothing changes for a KeyID that is not out: it may be a TD's. */
	if (!xa_erase(&tdx_rs_keyids, keyid))
		pr_warn_ratelimited("%s(%u): not an allocated guest KeyID\n",
				    __func__, keyid);
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_guest_keyid_free, TDX_HOST_RS);

/* Whether TDs may hold keys: initialized, and a guest KeyID is allocated. */
bool tdx_rs_k_tds_may_exist(void)
{
	guard(mutex)(&tdx_rs_lock);
	return tdx_rs_status.state == TDX_RS_STATE_INITIALIZED &&
	       !xa_empty(&tdx_rs_keyids);
}

void tdx_rs_k_publish(const struct tdx_rs_status *status,
		      const struct tdx_rs_sysinfo *sysinfo)
{
	lockdep_assert_held(&tdx_rs_lock);
	tdx_rs_status = *status;
	WRITE_ONCE(tdx_rs_vp_enter_refusal, status->vp_enter_refusal);
	tdx_rs_sysinfo_valid = sysinfo;
	if (sysinfo)
		tdx_rs_sysinfo = *sysinfo;
}

int tdx_rs_k_set_tdx_memory(const struct tdx_rs_mem_range *ranges, u32 nr)
{
	struct tdx_rs_mem_range *copy;

	lockdep_assert_held(&tdx_rs_lock);
	copy = kmemdup_array(ranges, nr, sizeof(*ranges), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	kfree(tdx_rs_memory);
	tdx_rs_memory = copy;
	tdx_rs_nr_memory = nr;
	return 0;
}

/*
 * Once the TDX module is initialized its memory configuration is fixed:
 * memory outside it must not come online, a TD could be handed it.
 */
static int tdx_rs_memory_notifier(struct notifier_block *nb,
				  unsigned long action, void *v)
{
	struct memory_notify *mn = v;
	u64 start = PFN_PHYS(mn->start_pfn);
	u64 end = PFN_PHYS(mn->start_pfn + mn->nr_pages);
	u32 i;

	if (action != MEM_GOING_ONLINE)
		return NOTIFY_OK;

	guard(mutex)(&tdx_rs_lock);
	if (tdx_rs_status.state != TDX_RS_STATE_INITIALIZED)
		return NOTIFY_OK;
	for (i = 0; i < tdx_rs_nr_memory; i++)
		if (start >= tdx_rs_memory[i].start && end <= tdx_rs_memory[i].end)
			return NOTIFY_OK;
	pr_warn("refusing to online [%#llx, %#llx): not TDX memory\n", start, end);
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
	guard(mutex)(&tdx_rs_lock);
	if (tdx_rs_status.state >= ARRAY_SIZE(state_names))
		return -EIO;
	return sysfs_emit(buf, "%s\n", state_names[tdx_rs_status.state]);
}

static ssize_t module_version_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	guard(mutex)(&tdx_rs_lock);
	if (!tdx_rs_sysinfo_valid)
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%u.%u.%u.%u\n", tdx_rs_sysinfo.major_version,
			  tdx_rs_sysinfo.minor_version,
			  tdx_rs_sysinfo.update_version,
			  tdx_rs_sysinfo.internal_version);
}

static ssize_t keyid_range_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	guard(mutex)(&tdx_rs_lock);
	if (!tdx_rs_status.nr_keyids)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u-%u\n", tdx_rs_status.keyid_start,
			  tdx_rs_status.keyid_start + tdx_rs_status.nr_keyids - 1);
}

static ssize_t nr_tdmrs_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	guard(mutex)(&tdx_rs_lock);
	return sysfs_emit(buf, "%u\n", tdx_rs_status.nr_tdmrs);
}

static ssize_t pamt_kib_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	guard(mutex)(&tdx_rs_lock);
	return sysfs_emit(buf, "%llu\n", tdx_rs_status.pamt_kib);
}

static ssize_t nr_reserved_areas_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	guard(mutex)(&tdx_rs_lock);
	return sysfs_emit(buf, "%u\n", tdx_rs_status.nr_reserved);
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

/* Called by the Rust module init once its state exists. */
int tdx_rs_k_register(struct tdx_rs_host *host)
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
	scoped_guard(mutex, &tdx_rs_lock) {
		tdx_rs_host = host;
		tdx_rs_rs_publish(host);
	}
	return 0;

unregister_memory:
	unregister_memory_notifier(&tdx_rs_memory_nb);
put_kobj:
	kobject_put(tdx_rs_kobj);
	return ret;
}

/* Called by the Rust module exit before its state goes away. */
void tdx_rs_k_unregister(void)
{
	scoped_guard(mutex, &tdx_rs_lock)
		tdx_rs_host = NULL;
	tdx_rs_k_cpus_unregister();
	unregister_memory_notifier(&tdx_rs_memory_nb);
	kobject_put(tdx_rs_kobj);
	kfree(tdx_rs_memory);
	xa_destroy(&tdx_rs_keyids);
}
