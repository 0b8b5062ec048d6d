// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_enable_storm: loading it starts @threads kernel threads, spread
 * over the online CPUs, that wait for one signal and then all call
 * tdx_rs_enable() at once. If every caller got the same result the module
 * loads when that result is 0 and fails to load with it otherwise; callers
 * that disagree make it fail with -EPROTO. For the concurrency selftest,
 * which also counts the TDH.SYS.CONFIGs the emulated TDX module saw.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/tdx_host_rs.h>

#define MAX_THREADS	64

static unsigned int threads = 16;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "callers of tdx_rs_enable(), 1 to 64 (default 16)");

struct storm {
	struct completion go;
	struct completion all_done;
	atomic_t running;
	int results[MAX_THREADS];
};

struct caller {
	struct storm *storm;
	struct task_struct *task;
	unsigned int index;
};

static int caller_fn(void *arg)
{
	struct caller *c = arg;
	struct storm *s = c->storm;

	wait_for_completion(&s->go);
	s->results[c->index] = tdx_rs_enable();
	if (atomic_dec_and_test(&s->running))
		complete(&s->all_done);
	return 0;
}

static int __init tdx_rs_enable_storm_init(void)
{
	struct caller *callers;
	unsigned int i, cpu = 0;
	struct storm *s;
	int ret = 0;

	if (threads < 1 || threads > MAX_THREADS)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	callers = kcalloc(threads, sizeof(*callers), GFP_KERNEL);
	if (!s || !callers) {
		ret = -ENOMEM;
		goto out;
	}
	init_completion(&s->go);
	init_completion(&s->all_done);
	atomic_set(&s->running, threads);

	for (i = 0; i < threads; i++) {
		struct task_struct *t;

		callers[i] = (struct caller){ .storm = s, .index = i };
		t = kthread_create(caller_fn, &callers[i], "tdx_rs_storm/%u", i);
		if (!IS_ERR(t)) {
			/* Reaped below: @s must outlive every caller. */
			get_task_struct(t);
			callers[i].task = t;
		} else {
			/* The ones started so far still run; this one never will. */
			s->results[i] = PTR_ERR(t);
			if (atomic_dec_and_test(&s->running))
				complete(&s->all_done);
			continue;
		}
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	complete_all(&s->go);
	wait_for_completion(&s->all_done);
	for (i = 0; i < threads; i++)
		if (callers[i].task)
			kthread_stop_put(callers[i].task);

	ret = s->results[0];
	for (i = 1; i < threads; i++) {
		if (s->results[i] != ret) {
			pr_err("tdx_rs_enable_storm: caller %u got %d, caller 0 got %d\n",
			       i, s->results[i], ret);
			ret = -EPROTO;
			goto out;
		}
	}
	pr_info("tdx_rs_enable_storm: %u callers on %u CPUs, every one got %d\n",
		threads, num_online_cpus(), ret);
out:
	kfree(callers);
	kfree(s);
	return ret;
}
module_init(tdx_rs_enable_storm_init);

static void __exit tdx_rs_enable_storm_exit(void)
{
}
module_exit(tdx_rs_enable_storm_exit);

MODULE_DESCRIPTION("tdx_host_rs: many concurrent tdx_rs_enable() callers (test)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
