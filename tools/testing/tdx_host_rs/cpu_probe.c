// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_cpu_probe: a module that depends on tdx_host_rs. Loaded with
 * cpu=N it makes one TDH.SYS.RD (the module's major version) on CPU N and
 * fails to load with -EIO unless the TDX module answered TDX_SUCCESS: the
 * TDX module refuses TDH.SYS.RD on a logical processor that did not do
 * TDH.SYS.LP.INIT. With hold_keyid=1 it holds one guest KeyID until it is
 * unloaded. With neither it only holds its dependency. For the selftests.
 */
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/tdx_host_rs.h>

#define TDH_SYS_RD			34
#define SYS_FIELD_MAJOR_VERSION		0x0800000100000004ULL

static int cpu = -1;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "online CPU to make the TDH.SYS.RD on (default -1: none)");
static bool hold_keyid;
module_param(hold_keyid, bool, 0444);
MODULE_PARM_DESC(hold_keyid, "hold one guest KeyID while loaded");

static int held_keyid = -1;

static int sys_rd_here(void *unused)
{
	struct tdx_module_args args = { .rdx = SYS_FIELD_MAJOR_VERSION };
	u64 status = tdx_rs_seamcall_ret(TDH_SYS_RD, &args);

	pr_info("tdx_rs_cpu_probe: CPU %d: TDH.SYS.RD status %#llx\n",
		smp_processor_id(), status);
	return status ? -EIO : 0;
}

static int __init tdx_rs_cpu_probe_init(void)
{
	int ret = 0;

	if (cpu < -1 || cpu >= (int)nr_cpu_ids || (cpu >= 0 && !cpu_possible(cpu)))
		return -EINVAL;
	if (cpu >= 0) {
		cpus_read_lock();
		ret = cpu_online(cpu) ?
		      smp_call_on_cpu(cpu, sys_rd_here, NULL, true) : -ENODEV;
		cpus_read_unlock();
	}
	if (ret || !hold_keyid)
		return ret;
	held_keyid = tdx_rs_guest_keyid_alloc();
	return held_keyid < 0 ? held_keyid : 0;
}
module_init(tdx_rs_cpu_probe_init);

static void __exit tdx_rs_cpu_probe_exit(void)
{
	if (held_keyid >= 0)
		tdx_rs_guest_keyid_free(held_keyid);
}
module_exit(tdx_rs_cpu_probe_exit);

MODULE_DESCRIPTION("tdx_host_rs: TDH.SYS.RD on a chosen CPU, a held guest KeyID (test)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
