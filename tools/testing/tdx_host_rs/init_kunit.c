// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_init: tdx_rs_enable() against the emulated TDX module.
 * Load after tdx_emu.ko and a fresh tdx_host_rs.ko (initialized already or
 * not); the first case makes sure of the one initialization, the others
 * check what it left behind.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>

/*
 * TDX 1.5 global metadata field IDs (TDX module ABI): this referee's own
 * copy, kept apart from rust/abi/metadata.rs on purpose, so that a wrong ID
 * there is not mirrored here.
 */
#define FIELD_MINOR_VERSION	0x0800000100000003ULL
#define FIELD_MAJOR_VERSION	0x0800000100000004ULL
#define FIELD_TDX_FEATURES0	0x0A00000300000008ULL
#define FIELD_MAX_TDMRS		0x9100000100000008ULL
#define FIELD_MAX_RSVD_PER_TDMR	0x9100000100000009ULL
#define FIELD_PAMT_4K_SIZE	0x9100000100000010ULL
#define FIELD_NUM_CMRS		0x9000000100000000ULL
#define FIELD_CMR_BASE0		0x9000000300000080ULL
#define FIELD_CMR_SIZE0		0x9000000300000100ULL

static void enable_initializes_the_module(struct kunit *test)
{
	struct tdx_emu_config_record rec;

	KUNIT_ASSERT_EQ(test, tdx_rs_enable(), 0);
	KUNIT_ASSERT_NOT_NULL(test, tdx_rs_get_sysinfo());
	/* Whoever called first, the module was configured exactly once. */
	KUNIT_EXPECT_EQ(test, tdx_emu_calls_of(TDX_RS_LEAF_SYS_CONFIG), 1);
	KUNIT_ASSERT_TRUE(test, tdx_emu_config_record(&rec));
	KUNIT_EXPECT_GT(test, rec.nr_tdmrs, 0);
	KUNIT_EXPECT_GT(test, rec.pamt_bytes, 0);
}

/* Reads one field straight from the module, bypassing tdx_host_rs' Rust. */
static u64 sys_rd(struct kunit *test, u64 field)
{
	struct tdx_module_args args = { .rdx = field };

	KUNIT_EXPECT_EQ(test, tdx_rs_seamcall_ret(TDX_RS_LEAF_SYS_RD, &args), 0);
	return args.r8;
}

static void sysinfo_matches_the_module(struct kunit *test)
{
	const struct tdx_rs_sysinfo *si = tdx_rs_get_sysinfo();
	u32 i, n = 0, num_cmrs;

	KUNIT_ASSERT_NOT_NULL(test, si);
	KUNIT_EXPECT_EQ(test, si->major_version, sys_rd(test, FIELD_MAJOR_VERSION));
	KUNIT_EXPECT_EQ(test, si->minor_version, sys_rd(test, FIELD_MINOR_VERSION));
	KUNIT_EXPECT_EQ(test, si->features0, sys_rd(test, FIELD_TDX_FEATURES0));
	KUNIT_EXPECT_EQ(test, si->max_tdmrs, sys_rd(test, FIELD_MAX_TDMRS));
	KUNIT_EXPECT_EQ(test, si->max_reserved_per_tdmr,
			sys_rd(test, FIELD_MAX_RSVD_PER_TDMR));
	KUNIT_EXPECT_EQ(test, si->pamt_entry_size[0], sys_rd(test, FIELD_PAMT_4K_SIZE));
	/* The non-empty CMRs, in the module's order (a 1.5 module pads with empty ones). */
	num_cmrs = sys_rd(test, FIELD_NUM_CMRS);
	KUNIT_ASSERT_LE(test, num_cmrs, TDX_RS_MAX_CMRS);
	for (i = 0; i < num_cmrs; i++) {
		u64 base = sys_rd(test, FIELD_CMR_BASE0 + i);
		u64 size = sys_rd(test, FIELD_CMR_SIZE0 + i);

		if (!size)
			continue;
		KUNIT_ASSERT_LT(test, n, si->nr_cmrs);
		KUNIT_EXPECT_EQ(test, si->cmrs[n].base, base);
		KUNIT_EXPECT_EQ(test, si->cmrs[n].size, size);
		n++;
	}
	KUNIT_EXPECT_EQ(test, si->nr_cmrs, n);
	KUNIT_EXPECT_GT(test, si->nr_cmrs, 0);
}

#define NR_CALLERS 8

struct caller {
	struct completion done;
	int ret;
};

static int call_enable(void *data)
{
	struct caller *c = data;

	c->ret = tdx_rs_enable();
	complete(&c->done);
	return 0;
}

/*
 * Once initialized, eight threads calling tdx_rs_enable() at once all get 0
 * and nothing is configured again. (Racing an uninitialized module is the
 * concurrency kselftest's: 32 callers, one TDH.SYS.CONFIG.)
 */
static void enable_again_from_eight_threads(struct kunit *test)
{
	struct caller callers[NR_CALLERS];
	u64 configs = tdx_emu_calls_of(TDX_RS_LEAF_SYS_CONFIG);
	int i;

	for (i = 0; i < NR_CALLERS; i++) {
		struct task_struct *t;

		init_completion(&callers[i].done);
		callers[i].ret = -EINPROGRESS;
		t = kthread_run(call_enable, &callers[i], "tdx_rs_enable/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < NR_CALLERS; i++) {
		wait_for_completion(&callers[i].done);
		KUNIT_EXPECT_EQ(test, callers[i].ret, 0);
	}
	KUNIT_EXPECT_EQ(test, tdx_emu_calls_of(TDX_RS_LEAF_SYS_CONFIG), configs);
}

static void cpu_enable_is_idempotent(struct kunit *test)
{
	u64 lp_inits = tdx_emu_calls_of(TDX_RS_LEAF_SYS_LP_INIT);
	int ret;

	local_irq_disable();
	ret = tdx_rs_cpu_enable();
	local_irq_enable();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls_of(TDX_RS_LEAF_SYS_LP_INIT), lp_inits);
}

#define MAX_KEYIDS 1024

static void guest_keyids_are_handed_out_once(struct kunit *test)
{
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(MAX_KEYIDS) *
					    sizeof(long), GFP_KERNEL);
	u32 nr_mktme, nr_tdx, first, last, n = 0;
	int id;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	tdx_emu_keyid_partitioning(&nr_mktme, &nr_tdx);
	/* The first TDX KeyID is the module's global one, never a guest's. */
	first = nr_mktme + 2;
	last = nr_mktme + nr_tdx;
	KUNIT_ASSERT_LT(test, last, MAX_KEYIDS);

	while ((id = tdx_rs_guest_keyid_alloc()) >= 0) {
		KUNIT_ASSERT_GE(test, id, first);
		KUNIT_ASSERT_LE(test, id, last);
		KUNIT_ASSERT_FALSE(test, test_and_set_bit(id, seen));
		n++;
	}
	KUNIT_EXPECT_EQ(test, id, -ENOSPC);
	KUNIT_EXPECT_EQ(test, n, last - first + 1);

	tdx_rs_guest_keyid_free(first + 3);
	KUNIT_EXPECT_EQ(test, tdx_rs_guest_keyid_alloc(), first + 3);
	for (id = first; id <= last; id++)
		tdx_rs_guest_keyid_free(id);
}

static struct kunit_case init_cases[] = {
	KUNIT_CASE(enable_initializes_the_module),
	KUNIT_CASE(sysinfo_matches_the_module),
	KUNIT_CASE(enable_again_from_eight_threads),
	KUNIT_CASE(cpu_enable_is_idempotent),
	KUNIT_CASE(guest_keyids_are_handed_out_once),
	{}
};

static struct kunit_suite init_suite = {
	.name = "tdx_rs_init",
	.test_cases = init_cases,
};

kunit_test_suite(init_suite);

MODULE_DESCRIPTION("tdx_host_rs: TDX module initialization against the emulator (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
