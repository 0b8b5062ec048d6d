// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_busy_storm: the initialization's retry on busy statuses, with no
 * injection. Loading it makes one kernel thread per other online CPU call a
 * harmless TDH.SYS.CONFIG (no TDMRs: the module takes its global lock
 * exclusively, then refuses the call and changes nothing) every @gap_us
 * while this CPU runs tdx_rs_enable(). The first stray call runs long
 * (@hold_us, the emulator's timing control), and tdx_rs_enable() starts
 * while it holds the lock, so TDH.SYS.INIT meets TDX_SYS_BUSY for sure; the
 * rest is a storm. The emulated module's try-locks make both sides meet
 * TDX_SYS_BUSY as the real module's would: the initialization must still
 * succeed through its retries, TDH.SYS.INIT must have met at least one busy
 * status, and every stray call must get either busy or its own refusal.
 * Loads (returns 0) only then, and prints the busy statuses the emulator
 * counted per leaf.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>

#define TDH_SYS_INIT		33
#define TDH_SYS_LP_INIT		35
#define TDH_SYS_TDMR_INIT	36
#define TDH_SYS_KEY_CONFIG	31
#define TDH_SYS_CONFIG		45

#define TDX_SYS_BUSY		0x8000020200000000ULL
#define TDX_STATUS_MASK		0xFFFFFFFF00000000ULL
#define TDX_OPERAND_INVALID_RDX	0xC000010000000002ULL
#define TDX_SYS_CONFIG_NOT_PENDING 0xC000050C00000000ULL
#define TDX_SYS_NOT_READY	0xC000050500000000ULL

static unsigned int gap_us = 100;
module_param(gap_us, uint, 0444);
MODULE_PARM_DESC(gap_us, "pause between a thread's stray calls, in us (default 100)");
static unsigned int hold_us = 10000;
module_param(hold_us, uint, 0444);
MODULE_PARM_DESC(hold_us, "how long the first stray call holds the global lock, in us (default 10000)");

struct storm {
	struct task_struct *first;	/* makes the long call alone */
	atomic_t go;			/* 1: the first thread, 2: all */
	atomic_t stop;
	atomic_long_t busy;	/* the stray calls' TDX_SYS_BUSY */
	atomic_long_t refused;	/* their own refusal */
	atomic_long_t wrong;	/* anything else */
};

static int stray_fn(void *arg)
{
	struct storm *s = arg;

	while (atomic_read(&s->go) < (current == READ_ONCE(s->first) ? 1 : 2))
		cpu_relax();
	while (!atomic_read(&s->stop)) {
		struct tdx_module_args args = {};
		u64 rax = tdx_rs_seamcall(TDH_SYS_CONFIG, &args);

		if ((rax & TDX_STATUS_MASK) == TDX_SYS_BUSY)
			atomic_long_inc(&s->busy);
		else if (rax == TDX_OPERAND_INVALID_RDX ||
			 rax == TDX_SYS_CONFIG_NOT_PENDING ||
			 rax == TDX_SYS_NOT_READY)
			atomic_long_inc(&s->refused);
		else
			atomic_long_inc(&s->wrong);
		usleep_range(gap_us, gap_us + gap_us / 4 + 1);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int __init tdx_rs_busy_storm_init(void)
{
	static const u16 leaves[] = { TDH_SYS_INIT, TDH_SYS_LP_INIT,
				      TDH_SYS_CONFIG, TDH_SYS_KEY_CONFIG,
				      TDH_SYS_TDMR_INIT };
	struct task_struct **threads;
	unsigned int cpu, n = 0, i;
	u64 busy[ARRAY_SIZE(leaves)];
	struct storm *s;
	int ret, self, waited;
	u32 held;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	threads = kcalloc(nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	if (!s || !threads) {
		ret = -ENOMEM;
		goto out;
	}
	self = get_cpu();
	put_cpu();
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (cpu == self)
			continue;
		t = kthread_create(stray_fn, s, "tdx_rs_busy/%u", cpu);
		if (IS_ERR(t))
			continue;
		get_task_struct(t);
		kthread_bind(t, cpu);
		threads[n++] = t;
		wake_up_process(t);
	}
	if (!n) {
		pr_err("tdx_rs_busy_storm: needs a second online CPU\n");
		ret = -ENODEV;
		goto out;
	}
	/* The first stray call holds the global lock long; begin inside it. */
	tdx_emu_hold_next(hold_us * NSEC_PER_USEC);
	WRITE_ONCE(s->first, threads[0]);
	atomic_set(&s->go, 1);
	for (waited = 0; !tdx_emu_locks_held() && waited < 1000000; waited++)
		cpu_relax();
	held = tdx_emu_locks_held();
	atomic_set(&s->go, 2);
	ret = tdx_rs_enable();
	atomic_set(&s->stop, 1);
	for (i = 0; i < n; i++)
		kthread_stop_put(threads[i]);

	for (i = 0; i < ARRAY_SIZE(leaves); i++)
		busy[i] = tdx_emu_busy_of(leaves[i]);
	pr_info("tdx_rs_busy_storm: began with %u locks held after %d polls\n",
		held, waited);
	pr_info("tdx_rs_busy_storm: enable %d; %u stray threads: %ld busy, %ld refused, %ld wrong; busy seen by the emulator: SYS.INIT %llu LP.INIT %llu CONFIG %llu KEY.CONFIG %llu TDMR.INIT %llu\n",
		ret, n, atomic_long_read(&s->busy),
		atomic_long_read(&s->refused), atomic_long_read(&s->wrong),
		busy[0], busy[1], busy[2], busy[3], busy[4]);
	if (!ret && atomic_long_read(&s->wrong))
		ret = -EPROTO;
	/* The retry was exercised, or the test proved nothing. */
	if (!ret && !busy[0]) {
		pr_err("tdx_rs_busy_storm: TDH.SYS.INIT never met the stray call's lock\n");
		ret = -EPROTO;
	}
out:
	kfree(threads);
	kfree(s);
	return ret;
}
module_init(tdx_rs_busy_storm_init);

static void __exit tdx_rs_busy_storm_exit(void)
{
}
module_exit(tdx_rs_busy_storm_exit);

MODULE_DESCRIPTION("tdx_host_rs: initialization against stray TDH.SYS.CONFIGs on the other CPUs (test)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
