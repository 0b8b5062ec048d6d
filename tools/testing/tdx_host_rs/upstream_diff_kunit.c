// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_upstream_diff: the same SEAMCALLs through our
 * trampolines and through upstream's __seamcall, __seamcall_ret and
 * __seamcall_saved_ret, in the same kernel, under the same emulator. What
 * reached the emulated module, what came back in RAX and every register
 * field afterwards, matched by register name, must be identical.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>
#include "regsets.h"
#include "upstream_diff.h"

#define ROUNDS 300

/* The thirteen registers both structures name. */
#define NAMED		TDX_RS_SAVED_OPERANDS

static const struct {
	const char *name;
	u16 in;		/* registers the trampoline loads (RAX: the leaf) */
	u16 probe_out;	/* registers the emulated leaf writes */
} variants[] = {
	[TDX_RS_DIFF_PLAIN] = { "seamcall", TDX_RS_REG(RAX) | TDX_RS_COMMON_OPERANDS,
				TDX_RS_COMMON_CLOBBERS },
	[TDX_RS_DIFF_RET] = { "seamcall_ret", TDX_RS_REG(RAX) | TDX_RS_COMMON_OPERANDS,
			      TDX_RS_COMMON_CLOBBERS },
	[TDX_RS_DIFF_SAVED_RET] = { "seamcall_saved_ret",
				    TDX_RS_REG(RAX) | TDX_RS_SAVED_OPERANDS,
				    TDX_RS_REG(RAX) | TDX_RS_SAVED_OPERANDS },
};

static u64 ours(enum tdx_rs_diff_variant variant, u64 fn, u64 *regs)
{
	struct tdx_module_args args = {};
	u64 ret;

	TDX_RS_DIFF_LOAD(&args, regs);
	switch (variant) {
	case TDX_RS_DIFF_PLAIN:
		ret = tdx_rs_seamcall(fn, &args);
		break;
	case TDX_RS_DIFF_RET:
		ret = tdx_rs_seamcall_ret(fn, &args);
		break;
	default:
		ret = tdx_rs_seamcall_saved_ret(fn, &args);
		break;
	}

	TDX_RS_DIFF_STORE(&args, regs);
	return ret;
}

struct outcome {
	u64 ret;
	u64 regs[TDX_EMU_NR_GPRS];
	u64 seen[TDX_EMU_NR_GPRS];	/* inputs the probe recorded */
	bool probed;
};

enum scenario { PROBED, VMFAILINVALID, UD, MODEL_ANSWER, NR_SCENARIOS };

static const char * const scenario_names[] = {
	"probe", "VMfailInvalid", "#UD", "model answer",
};

static void run_one(enum tdx_rs_diff_variant variant, enum scenario sc,
		    u64 fn, const u64 *in, const u64 *outputs,
		    u64 (*call)(enum tdx_rs_diff_variant, u64, u64 *),
		    struct outcome *o)
{
	tdx_emu_reset();
	if (sc == VMFAILINVALID)
		tdx_emu_set_mode(TDX_EMU_MODE_VMFAILINVALID);
	else if (sc == UD)
		tdx_emu_set_mode(TDX_EMU_MODE_UD);
	else if (sc == PROBED)
		tdx_emu_probe_arm(outputs, variants[variant].probe_out);

	memcpy(o->regs, in, sizeof(o->regs));
	o->ret = call(variant, fn, o->regs);
	o->probed = tdx_emu_probe_take(o->seen);
}

static void same_as_upstream(struct kunit *test)
{
	u64 in[TDX_EMU_NR_GPRS], outputs[TDX_EMU_NR_GPRS];
	struct outcome a, b;
	unsigned int compared = 0;
	int v, sc, round, n;

	for (v = 0; v < ARRAY_SIZE(variants); v++) {
		for (sc = 0; sc < NR_SCENARIOS; sc++) {
			for (round = 0; round < ROUNDS; round++) {
				/* Unknown leaves and reserved RAX bits too. */
				u64 fn = get_random_u64() & (round & 1 ?
							     0xffff : 0x1ff00ffff);

				get_random_bytes(in, sizeof(in));
				get_random_bytes(outputs, sizeof(outputs));
				run_one(v, sc, fn, in, outputs, ours, &a);
				run_one(v, sc, fn, in, outputs,
					tdx_rs_diff_upstream_call, &b);

				KUNIT_ASSERT_EQ_MSG(test, a.ret, b.ret,
						    "%s/%s: status",
						    variants[v].name,
						    scenario_names[sc]);
				KUNIT_ASSERT_EQ(test, a.probed, b.probed);
				KUNIT_ASSERT_EQ(test, a.probed, sc == PROBED);
				for (n = 0; n < TDX_EMU_NR_GPRS; n++) {
					if (NAMED & BIT(n))
						KUNIT_ASSERT_EQ_MSG(test, a.regs[n], b.regs[n],
								    "%s/%s: register %d after",
								    variants[v].name,
								    scenario_names[sc], n);
					if (a.probed && (variants[v].in & BIT(n)))
						KUNIT_ASSERT_EQ_MSG(test, a.seen[n], b.seen[n],
								    "%s/%s: register %d in",
								    variants[v].name,
								    scenario_names[sc], n);
				}
				compared++;
			}
		}
	}
	kunit_info(test, "%u call pairs agree with upstream", compared);
}

static void reset_after(struct kunit *test)
{
	tdx_emu_reset();
}

static struct kunit_case diff_cases[] = {
	KUNIT_CASE(same_as_upstream),
	{}
};

static struct kunit_suite diff_suite = {
	.name = "tdx_rs_upstream_diff",
	.exit = reset_after,
	.test_cases = diff_cases,
};

kunit_test_suite(diff_suite);

MODULE_DESCRIPTION("tdx_host_rs: trampolines against upstream's __seamcall* (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
