// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_no_emulator: with no SEAM module and no emulator,
 * SEAMCALL raises #UD and every trampoline must return TDX_RS_SEAMCALL_UD
 * through its exception-table fixup, with the argument block untouched.
 * Load this before tdx_emu.ko (or after unloading it).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/tdx_host_rs.h>

typedef u64 (*seamcall_fn)(u64 fn, struct tdx_module_args *args);

static void ud_is_reported_not_oopsed(struct kunit *test)
{
	static const seamcall_fn fns[] = {
		tdx_rs_seamcall, tdx_rs_seamcall_ret, tdx_rs_seamcall_saved_ret,
	};
	struct tdx_module_args args, before;
	int i;

	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		get_random_bytes(&args, sizeof(args));
		before = args;
		KUNIT_EXPECT_EQ_MSG(test, fns[i](get_random_u32() & 0xffff, &args),
				    (u64)TDX_RS_SEAMCALL_UD, "trampoline %d", i);
		KUNIT_EXPECT_MEMEQ_MSG(test, &args, &before, sizeof(args),
				       "trampoline %d wrote back", i);
	}
}

static struct kunit_case no_emulator_cases[] = {
	KUNIT_CASE(ud_is_reported_not_oopsed),
	{}
};

static struct kunit_suite no_emulator_suite = {
	.name = "tdx_rs_no_emulator",
	.test_cases = no_emulator_cases,
};

kunit_test_suite(no_emulator_suite);

MODULE_DESCRIPTION("tdx_host_rs: SEAMCALL without SEAM support (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
