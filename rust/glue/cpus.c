// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_host_rs and the CPUs: the CPU hotplug callbacks and the walks over
 * the kernel's CPU masks that Rust cannot make in Linux 6.12. The rules
 * themselves are the Rust side's (rust/init/cpus.rs, rust/init/lps.rs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include <linux/workqueue.h>
#include "kernel.h"

static enum cpuhp_state tdx_rs_cpuhp_state;

int tdx_rs_cpu_enable(void)
{
	return tdx_rs_rs_cpu_enable();
}
EXPORT_SYMBOL_NS_GPL(tdx_rs_cpu_enable, TDX_HOST_RS);

u32 tdx_rs_k_this_cpu(void)
{
	return raw_smp_processor_id();
}

bool tdx_rs_k_irqs_disabled(void)
{
	return irqs_disabled();
}

/* The present CPU after @prev (-1: the first), or -1 when there is none. */
int tdx_rs_k_next_present_cpu(int prev)
{
	unsigned int cpu = cpumask_next(prev, cpu_present_mask);

	return cpu < nr_cpu_ids ? cpu : -1;
}

struct each_cpu {
	int (*fn)(void *ctx);
	void *ctx;
	atomic_t err;
};

static void each_cpu_one(void *arg)
{
	struct each_cpu *call = arg;
	int ret = call->fn(call->ctx);

	if (ret)
		atomic_cmpxchg(&call->err, 0, ret);
}

/* @fn on every online CPU at once, interrupts off; the first error. */
int tdx_rs_k_on_each_cpu(int (*fn)(void *ctx), void *ctx)
{
	struct each_cpu call = { .fn = fn, .ctx = ctx, .err = ATOMIC_INIT(0) };

	on_each_cpu(each_cpu_one, &call, true);
	return atomic_read(&call.err);
}

/*
 * @fn on one online CPU of each package, one package at a time, in process
 * context bound to that CPU (TDH.SYS.KEY.CONFIG may not run concurrently).
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

struct cpu_worker {
	struct work_struct work;
	int (*fn)(void *ctx);
	void *ctx;
	int ret;
};

static void cpu_worker_run(struct work_struct *work)
{
	struct cpu_worker *w = container_of(work, struct cpu_worker, work);

	w->ret = w->fn(w->ctx);
}

/*
 * @fn(@ctx) on @workers online CPUs at once (fewer when fewer are online;
 * at most TDX_RS_K_MAX_WORKERS), each in process context bound to its CPU
 * (system_long_wq: the work may take long); waits for them all and returns
 * the first worker's error, in CPU order. Allocates nothing. The caller
 * holds the CPU hotplug lock, so no CPU goes away under its worker.
 */
int tdx_rs_k_on_cpus_at_once(int (*fn)(void *ctx), void *ctx,
			     unsigned int workers)
{
	struct cpu_worker w[TDX_RS_K_MAX_WORKERS];
	unsigned int i, n = 0;
	int cpu, ret = 0;

	workers = min(workers, TDX_RS_K_MAX_WORKERS);
	for_each_online_cpu(cpu) {
		if (n == workers)
			break;
		w[n].fn = fn;
		w[n].ctx = ctx;
		w[n].ret = 0;
		INIT_WORK_ONSTACK(&w[n].work, cpu_worker_run);
		queue_work_on(cpu, system_long_wq, &w[n].work);
		n++;
	}
	for (i = 0; i < n; i++) {
		flush_work(&w[i].work);
		destroy_work_on_stack(&w[i].work);
		if (!ret)
			ret = w[i].ret;
	}
	return ret;
}

/* Runs on @cpu as it comes online, before anything else is scheduled there. */
static int tdx_rs_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = tdx_rs_rs_cpu_online();
	local_irq_restore(flags);
	return ret;
}

/* Runs on @cpu before it goes offline; an error keeps it online. */
static int tdx_rs_cpu_offline(unsigned int cpu)
{
	int pkg = topology_logical_package_id(cpu);
	bool last = true;
	int other;

	for_each_online_cpu(other) {
		if (other != cpu && topology_logical_package_id(other) == pkg) {
			last = false;
			break;
		}
	}
	return tdx_rs_rs_cpu_offline(cpu, pkg, last);
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
