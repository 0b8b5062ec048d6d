// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_wrappers: each SEAMCALL trampoline moves exactly its
 * registers in and out, leaves every other field alone, keeps the
 * callee-saved registers, and maps VMfailInvalid, #UD and module errors.
 *
 * The emulator's probe records what reached the "TDX module" and chooses what
 * comes back, so every register is checked on both sides of the instruction.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>
#include "callee_saved.h"
#include "regsets.h"

#define ROUNDS 500

typedef u64 (*seamcall_fn)(u64 fn, struct tdx_module_args *args);

struct variant {
	const char *name;
	seamcall_fn call;
	u64 (*callee_saved_check)(u64 fn, struct tdx_module_args *args);
	u16 in;		/* fields loaded into registers */
	u16 back;	/* fields stored back from registers */
	u16 probe_out;	/* registers the emulated leaf writes */
};

static const struct variant variants[] = {
	{ "seamcall", tdx_rs_seamcall, tdx_rs_test_callee_saved_plain,
	  TDX_RS_COMMON_OPERANDS, 0, TDX_RS_COMMON_CLOBBERS },
	{ "seamcall_ret", tdx_rs_seamcall_ret, tdx_rs_test_callee_saved_ret,
	  TDX_RS_COMMON_OPERANDS, TDX_RS_COMMON_OPERANDS,
	  TDX_RS_COMMON_CLOBBERS },
	{ "seamcall_saved_ret", tdx_rs_seamcall_saved_ret,
	  tdx_rs_test_callee_saved_saved_ret, TDX_RS_SAVED_OPERANDS,
	  TDX_RS_SAVED_OPERANDS, TDX_RS_SAVED_OPERANDS | TDX_RS_REG(RAX) },
};

/* The register-index layout lets the struct be read as an array. */
static const u64 *as_regs(const struct tdx_module_args *args)
{
	return (const u64 *)args;
}

static int reset_emulator(struct kunit *test)
{
	tdx_emu_reset();
	return 0;
}

static void random_fill(void *p, size_t len)
{
	get_random_bytes(p, len);
}

/* One probed call: checks every input register and every field after. */
static void probed_call(struct kunit *test, const struct variant *v)
{
	u64 outputs[TDX_EMU_NR_GPRS], inputs[TDX_EMU_NR_GPRS];
	struct tdx_module_args args, before;
	u64 fn = get_random_u32() & 0xffff, ret;
	int n;

	random_fill(&args, sizeof(args));
	random_fill(outputs, sizeof(outputs));
	before = args;

	tdx_emu_probe_arm(outputs, v->probe_out);
	ret = v->call(fn, &args);

	KUNIT_ASSERT_TRUE_MSG(test, tdx_emu_probe_take(inputs),
			      "%s: the probe did not fire", v->name);
	KUNIT_EXPECT_EQ_MSG(test, ret, outputs[__VCPU_REGS_RAX],
			    "%s: status", v->name);
	KUNIT_EXPECT_EQ_MSG(test, inputs[__VCPU_REGS_RAX], fn,
			    "%s: leaf in RAX", v->name);
	for (n = 0; n < TDX_EMU_NR_GPRS; n++) {
		if (v->in & BIT(n))
			KUNIT_EXPECT_EQ_MSG(test, inputs[n], as_regs(&before)[n],
					    "%s: input register %d", v->name, n);
		if (v->back & BIT(n))
			KUNIT_EXPECT_EQ_MSG(test, as_regs(&args)[n], outputs[n],
					    "%s: output field %d", v->name, n);
		else
			KUNIT_EXPECT_EQ_MSG(test, as_regs(&args)[n],
					    as_regs(&before)[n],
					    "%s: field %d changed", v->name, n);
	}
}

static void moves_exactly_its_registers(struct kunit *test)
{
	int i, round;

	for (i = 0; i < ARRAY_SIZE(variants); i++)
		for (round = 0; round < ROUNDS; round++)
			probed_call(test, &variants[i]);
}

static void callee_saved_registers_survive(struct kunit *test)
{
	u64 outputs[TDX_EMU_NR_GPRS], inputs[TDX_EMU_NR_GPRS];
	struct tdx_module_args args;
	int i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		const struct variant *v = &variants[i];

		random_fill(&args, sizeof(args));
		random_fill(outputs, sizeof(outputs));
		/* The saved variant's leaf really does clobber them. */
		tdx_emu_probe_arm(outputs, v->probe_out);
		KUNIT_EXPECT_EQ_MSG(test, v->callee_saved_check(33, &args), 0,
				    "%s: callee-saved register mask", v->name);
		KUNIT_EXPECT_TRUE(test, tdx_emu_probe_take(inputs));
	}
}

/* The saved-register trampoline's operands include every callee-saved GPR. */
static_assert((TDX_RS_SAVED_OPERANDS & TDX_RS_CALLEE_SAVED) == TDX_RS_CALLEE_SAVED);

static void failure_maps_and_writes_nothing(struct kunit *test, u32 mode,
					    u64 expected)
{
	struct tdx_module_args args, before;
	int i;

	KUNIT_ASSERT_EQ(test, tdx_emu_set_mode(mode), 0);
	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		random_fill(&args, sizeof(args));
		before = args;
		KUNIT_EXPECT_EQ_MSG(test, variants[i].call(33, &args), expected,
				    "%s", variants[i].name);
		KUNIT_EXPECT_MEMEQ_MSG(test, &args, &before, sizeof(args),
				       "%s wrote back", variants[i].name);
	}
}

static void vmfailinvalid_is_mapped(struct kunit *test)
{
	failure_maps_and_writes_nothing(test, TDX_EMU_MODE_VMFAILINVALID,
					TDX_RS_SEAMCALL_VMFAILINVALID);
}

static void ud_is_mapped(struct kunit *test)
{
	failure_maps_and_writes_nothing(test, TDX_EMU_MODE_UD,
					TDX_RS_SEAMCALL_UD);
}

static void bad_mode_is_refused(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tdx_emu_set_mode(3), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_emu_set_mode(U32_MAX), -EINVAL);
}

/* The model's own answers, as the TDX module gives them. */
static void module_errors_come_back_in_rax(struct kunit *test)
{
	struct tdx_module_args args, before;
	int i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		random_fill(&args, sizeof(args));
		before = args;
		/* Not initialized: only TDH.SYS.* leaves are served. */
		KUNIT_EXPECT_EQ(test, variants[i].call(0x7fff, &args),
				0xC000050500000000ULL);
		/* Reserved RAX bits: TDX_OPERAND_INVALID, operand id RAX (0). */
		KUNIT_EXPECT_EQ(test, variants[i].call(BIT_ULL(32) | 33, &args),
				0xC000010000000000ULL);
		/* A version on a leaf without versions: the same. */
		KUNIT_EXPECT_EQ(test, variants[i].call(BIT(16) | 33, &args),
				0xC000010000000000ULL);
		/* An error leaves every other register as it went in. */
		KUNIT_EXPECT_MEMEQ(test, &args, &before, sizeof(args));
	}
}

/*
 * Before initialization TDH.VP.ENTER gets TDX_SYS_NOT_READY from the module,
 * and tdx_rs_vp_enter() does not even ask: no SEAMCALL, @regs untouched.
 */
static void vp_enter_before_initialization(struct kunit *test)
{
	unsigned long regs[16], before[16];
	struct tdx_module_args args = { .rcx = 0x100000 };
	u64 calls = tdx_emu_calls();

	KUNIT_EXPECT_EQ(test, tdx_rs_seamcall_saved_ret(0, &args),
			0xC000050500000000ULL);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls + 1);
	random_fill(regs, sizeof(regs));
	memcpy(before, regs, sizeof(regs));
	KUNIT_EXPECT_EQ(test, tdx_rs_vp_enter(0x100000, regs),
			TDX_RS_VP_ENTER_NOT_READY);
	KUNIT_EXPECT_MEMEQ(test, regs, before, sizeof(regs));
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls + 1);
}

static struct kunit_case wrapper_cases[] = {
	KUNIT_CASE(moves_exactly_its_registers),
	KUNIT_CASE(callee_saved_registers_survive),
	KUNIT_CASE(vmfailinvalid_is_mapped),
	KUNIT_CASE(ud_is_mapped),
	KUNIT_CASE(bad_mode_is_refused),
	KUNIT_CASE(module_errors_come_back_in_rax),
	KUNIT_CASE(vp_enter_before_initialization),
	{}
};

static struct kunit_suite wrapper_suite = {
	.name = "tdx_rs_wrappers",
	.init = reset_emulator,
	.test_cases = wrapper_cases,
};

kunit_test_suite(wrapper_suite);

MODULE_DESCRIPTION("tdx_host_rs: SEAMCALL trampolines against the emulator (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
