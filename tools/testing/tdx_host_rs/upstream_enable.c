// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_upstream_enable: upstream's own TDX initialization, as KVM drives
 * it, on the emulated TDX module: the platform from the emulator (the test
 * kernel's tdx_test_enable_platform()), tdx_cpu_enable() on every CPU, then
 * tdx_enable(). Loads if that succeeded, else fails with its errno.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/tdx_emu.h>
#include <asm/tdx.h>

/* From the test kernel's patch (scripts/patches/0002-*). */
int tdx_test_enable_platform(u32 nr_mktme_keyids, u32 nr_tdx_keyids);

static void cpu_enable_one(void *arg)
{
	atomic_t *err = arg;
	int ret = tdx_cpu_enable();

	if (ret)
		atomic_cmpxchg(err, 0, ret);
}

static int __init tdx_rs_upstream_enable_init(void)
{
	atomic_t err = ATOMIC_INIT(0);
	u32 nr_mktme, nr_tdx;
	int ret;

	tdx_emu_keyid_partitioning(&nr_mktme, &nr_tdx);
	ret = tdx_test_enable_platform(nr_mktme, nr_tdx);
	if (ret)
		return ret;

	cpus_read_lock();
	on_each_cpu(cpu_enable_one, &err, true);
	ret = atomic_read(&err);
	if (!ret)
		ret = tdx_enable();
	cpus_read_unlock();
	pr_info("upstream tdx_enable(): %d\n", ret);
	return ret;
}
module_init(tdx_rs_upstream_enable_init);

static void __exit tdx_rs_upstream_enable_exit(void)
{
}
module_exit(tdx_rs_upstream_enable_exit);

MODULE_DESCRIPTION("tdx_host_rs: upstream's tdx_enable() on the emulator (test)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_HOST_RS_UPSTREAM_TEST);
