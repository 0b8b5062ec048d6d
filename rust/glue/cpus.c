// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_host_rs and the CPUs: TDH.SYS.INIT once, TDH.SYS.LP.INIT on every
 * logical processor before it runs any other SEAMCALL, the per-package
 * calls, and CPU hotplug. The rules (Documentation/tdx_host_rs.rst, "CPU
 * hotplug"):
 *
 * - tdx_rs_enable() does TDH.SYS.LP.INIT on every online CPU, and refuses
 *   with -EBUSY, configuring nothing, while a present CPU is offline that
 *   never did it: the TDX module counts every logical processor the BIOS
 *   enabled, and TDH.SYS.CONFIG waits for all of them.
 * - A CPU that comes online once TDH.SYS.INIT succeeded does TDH.SYS.LP.INIT
 *   before anything else runs there; if that fails, it does not come online.
 *   The TDX module keeps an LP's initialization across offline and online.
 * - While the TDX module is initialized and a guest KeyID is allocated, the
 *   last online CPU of a package may not go offline (-EBUSY): TD keys are
 *   programmed, and TD memory written back, on every package.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/topology.h>
#include "kernel.h"

/* TDH.SYS.INIT is platform-wide: the first CPU that needs it does it. */
static DEFINE_RAW_SPINLOCK(tdx_rs_sys_init_lock);
static bool tdx_rs_sys_init_done;
static int tdx_rs_sys_init_ret;

static DEFINE_PER_CPU(bool, tdx_rs_lp_ready);

static enum cpuhp_state tdx_rs_cpuhp_state;

int tdx_rs_cpu_enable(void)
{
	int ret;

	/* Migration would run TDH.SYS.LP.INIT on one CPU for another. */
	if (!irqs_disabled())
		return -EINVAL;
	if (__this_cpu_read(tdx_rs_lp_ready))
		return 0;

	scoped_guard(raw_spinlock, &tdx_rs_sys_init_lock) {
		if (!tdx_rs_sys_init_done) {
			tdx_rs_sys_init_ret = tdx_rs_rs_sys_init();
			tdx_rs_sys_init_done = true;
		}
		ret = tdx_rs_sys_init_ret;
	}
	if (ret)
		return ret;

	ret = tdx_rs_rs_lp_init();
	if (!ret)
		__this_cpu_write(tdx_rs_lp_ready, true);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_cpu_enable, TDX_HOST_RS);

static void lp_init_one(void *arg)
{
	atomic_t *err = arg;
	int ret = tdx_rs_cpu_enable();

	if (ret)
		atomic_cmpxchg(err, 0, ret);
}

/*
 * tdx_rs_cpu_enable() on every online CPU: the first error, or 0 once
 * every present CPU did TDH.SYS.LP.INIT, or -EBUSY. The caller holds the
 * CPU hotplug lock.
 */
int tdx_rs_k_lp_init_all(void)
{
	atomic_t err = ATOMIC_INIT(0);
	int cpu;

	on_each_cpu(lp_init_one, &err, true);
	if (atomic_read(&err))
		return atomic_read(&err);
	for_each_present_cpu(cpu) {
		if (!per_cpu(tdx_rs_lp_ready, cpu)) {
			pr_err("CPU %d is offline and never did TDH.SYS.LP.INIT: bring it online, then enable again\n",
			       cpu);
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * @fn on one online CPU of each package, one package at a time, in process
 * context bound to that CPU (TDH.SYS.KEY.CONFIG may not run concurrently).
 * The caller holds the CPU hotplug lock.
 */
int tdx_rs_k_on_each_package(int (*fn)(void *ctx), void *ctx)
{
	cpumask_var_t done;
	int cpu, ret = 0;

	if (!zalloc_cpumask_var(&done, GFP_KERNEL))
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		if (cpumask_test_and_set_cpu(topology_logical_package_id(cpu), done))
			continue;
		ret = smp_call_on_cpu(cpu, fn, ctx, true);
		if (ret)
			break;
	}
	free_cpumask_var(done);
	return ret;
}

/* Runs on @cpu as it comes online, before anything else is scheduled there. */
static int tdx_rs_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	bool sys_init_ok;
	int ret;

	scoped_guard(raw_spinlock_irqsave, &tdx_rs_sys_init_lock)
		sys_init_ok = tdx_rs_sys_init_done && !tdx_rs_sys_init_ret;
	if (!sys_init_ok)
		return 0;

	local_irq_save(flags);
	ret = tdx_rs_cpu_enable();
	local_irq_restore(flags);
	if (ret)
		pr_err("CPU %u: TDH.SYS.LP.INIT failed (%d): it stays offline\n",
		       cpu, ret);
	return ret;
}

/* Runs on @cpu before it goes offline; an error keeps it online. */
static int tdx_rs_cpu_offline(unsigned int cpu)
{
	int pkg = topology_logical_package_id(cpu);
	int other;

	if (!tdx_rs_k_tds_may_exist())
		return 0;
	for_each_online_cpu(other) {
		if (other != cpu && topology_logical_package_id(other) == pkg)
			return 0;
	}
	pr_warn("CPU %u is the last online CPU of package %d and guest KeyIDs are in use: it stays online\n",
		cpu, pkg);
	return -EBUSY;
}

int tdx_rs_k_cpus_register(void)
{
	int ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "virt/tdx_host_rs:online",
				    tdx_rs_cpu_online, tdx_rs_cpu_offline);

	if (ret < 0)
		return ret;
	tdx_rs_cpuhp_state = ret;
	return 0;
}

void tdx_rs_k_cpus_unregister(void)
{
	cpuhp_remove_state_nocalls(tdx_rs_cpuhp_state);
}
