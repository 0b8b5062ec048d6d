// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite tdx_rs_bad_input: every exported function of tdx_host_rs
 * given NULL, misaligned or out-of-range arguments, or called in the wrong
 * state, answers with its documented error, makes no SEAMCALL and changes
 * nothing. Loaded twice by `make check`: before tdx_rs_enable() and after it
 * succeeded; each case checks what the API promises in the phase it finds.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tdx_emu.h>
#include <linux/tdx_host_rs.h>

#define NR_REGS		16
#define POISON		0x6261642d696e7075ULL

typedef u64 (*seamcall_fn)(u64 fn, struct tdx_module_args *args);

static const seamcall_fn trampolines[] = {
	tdx_rs_seamcall, tdx_rs_seamcall_ret, tdx_rs_seamcall_saved_ret,
};

static bool initialized(void)
{
	return tdx_rs_get_sysinfo();
}

/* A poisoned buffer one word longer than an argument block. */
struct block {
	u64 words[NR_REGS + 1];
};

static void poison(struct block *b)
{
	memset64(b->words, POISON, ARRAY_SIZE(b->words));
}

static bool untouched(const struct block *b)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(b->words); i++)
		if (b->words[i] != POISON)
			return false;
	return true;
}

static void trampolines_refuse_null_args(struct kunit *test)
{
	u64 calls = tdx_emu_calls();
	int i;

	for (i = 0; i < ARRAY_SIZE(trampolines); i++)
		KUNIT_EXPECT_EQ_MSG(test, trampolines[i](0, NULL),
				    (u64)TDX_RS_SEAMCALL_BAD_ARGS, "trampoline %d", i);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
}

static void trampolines_refuse_misaligned_args(struct kunit *test)
{
	u64 calls = tdx_emu_calls();
	struct block b;
	int i, off;

	for (i = 0; i < ARRAY_SIZE(trampolines); i++) {
		for (off = 1; off < 8; off++) {
			poison(&b);
			KUNIT_EXPECT_EQ_MSG(test,
					    trampolines[i](0, (void *)b.words + off),
					    (u64)TDX_RS_SEAMCALL_BAD_ARGS,
					    "trampoline %d, offset %d", i, off);
			KUNIT_EXPECT_TRUE(test, untouched(&b));
		}
	}
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
}

/*
 * Before initialization every entry is refused, misaligned @regs included.
 * After it, @regs must be a kernel address: NULL, small integers and the
 * user half are refused (x86 needs no alignment, so that is not checked).
 * Neither makes a SEAMCALL or writes anything.
 */
static void vp_enter_refuses_bad_regs(struct kunit *test)
{
	static const unsigned long not_kernel[] = {
		0, 1, 7, 8, PAGE_SIZE, 0x7fffffffe000UL,
	};
	u64 want = initialized() ? TDX_RS_SEAMCALL_BAD_ARGS :
				   TDX_RS_VP_ENTER_NOT_READY;
	u64 calls = tdx_emu_calls();
	struct block b;
	int i, off;

	for (i = 0; i < ARRAY_SIZE(not_kernel); i++)
		KUNIT_EXPECT_EQ_MSG(test, tdx_rs_vp_enter(0, (void *)not_kernel[i]),
				    want, "regs %#lx", not_kernel[i]);
	for (off = 1; !initialized() && off < 8; off++) {
		poison(&b);
		KUNIT_EXPECT_EQ(test, tdx_rs_vp_enter(0, (void *)b.words + off), want);
		KUNIT_EXPECT_TRUE(test, untouched(&b));
	}
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
}

static void cpu_enable_needs_irqs_off(struct kunit *test)
{
	u64 calls = tdx_emu_calls();

	KUNIT_ASSERT_FALSE(test, irqs_disabled());
	KUNIT_EXPECT_EQ(test, tdx_rs_cpu_enable(), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
}

static void keyids_by_phase(struct kunit *test)
{
	int k, again;

	if (!initialized()) {
		KUNIT_EXPECT_EQ(test, tdx_rs_guest_keyid_alloc(), -ENODEV);
		/* Nothing is out: freeing anything changes nothing. */
		tdx_rs_guest_keyid_free(1);
		KUNIT_EXPECT_EQ(test, tdx_rs_guest_keyid_alloc(), -ENODEV);
		return;
	}
	k = tdx_rs_guest_keyid_alloc();
	KUNIT_ASSERT_GT(test, k, 0);
	/* Not ours to free: none of these may release @k or anything else. */
	tdx_rs_guest_keyid_free(0);
	tdx_rs_guest_keyid_free(U32_MAX);
	tdx_rs_guest_keyid_free(k + 1000);
	tdx_rs_guest_keyid_free(k + 1);
	again = tdx_rs_guest_keyid_alloc();
	KUNIT_EXPECT_NE(test, again, k);
	KUNIT_EXPECT_GT(test, again, 0);
	tdx_rs_guest_keyid_free(again);
	tdx_rs_guest_keyid_free(k);
	/* A double free is refused too, and @k is the lowest free one again. */
	tdx_rs_guest_keyid_free(k);
	again = tdx_rs_guest_keyid_alloc();
	KUNIT_EXPECT_EQ(test, again, k);
	if (again > 0)
		tdx_rs_guest_keyid_free(again);
}

/*
 * Before the initialization there is no system information to read, and
 * asking for it makes no SEAMCALL (the first tdx_rs_enable() belongs to the
 * init boot step). Once initialized, tdx_rs_enable() answers from what it
 * kept, with no SEAMCALL either.
 */
static void enable_answer_is_kept(struct kunit *test)
{
	u64 calls = tdx_emu_calls();

	if (!initialized()) {
		KUNIT_EXPECT_NULL(test, tdx_rs_get_sysinfo());
		KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
		return;
	}
	KUNIT_EXPECT_EQ(test, tdx_rs_enable(), 0);
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
	KUNIT_EXPECT_NOT_NULL(test, tdx_rs_get_sysinfo());
}

/* What the TD life-cycle functions are called with: a TD never created. */
struct td_call_args {
	struct tdx_rs_td td;
	struct tdx_rs_vp vp;
	struct page *page;
	u64 out[3];
};

/*
 * Every function of the TD life cycle that names a TD or a vCPU, on @a:
 * each must answer @want. @vp_want is for the vCPU functions but
 * TDH.VP.CREATE, which names the TD too.
 */
static void td_calls_expect(struct kunit *test, struct td_call_args *a,
			    u64 want, u64 vp_want, const char *why)
{
	struct tdx_rs_td *td = &a->td;
	struct page *pg = a->page;
	u64 *o = a->out;
	const struct {
		const char *name;
		u64 got, want;
	} r[] = {
		{ "mng_addcx", tdx_rs_mng_addcx(td, pg), want },
		{ "mng_key_config", tdx_rs_mng_key_config(td), want },
		{ "mng_init", tdx_rs_mng_init(td, 0, o), want },
		{ "mng_rd", tdx_rs_mng_rd(td, 0, o), want },
		{ "mng_vpflushdone", tdx_rs_mng_vpflushdone(td), want },
		{ "mng_key_freeid", tdx_rs_mng_key_freeid(td), want },
		{ "vp_create", tdx_rs_vp_create(td, &a->vp), want },
		{ "mem_sept_add", tdx_rs_mem_sept_add(td, 0, 1, pg, o, o + 1), want },
		{ "mem_page_add", tdx_rs_mem_page_add(td, 0, pg, pg, o, o + 1), want },
		{ "mem_page_aug", tdx_rs_mem_page_aug(td, 0, 0, pg, o, o + 1), want },
		{ "mem_range_block", tdx_rs_mem_range_block(td, 0, 0, o, o + 1), want },
		{ "mem_track", tdx_rs_mem_track(td), want },
		{ "mem_page_remove", tdx_rs_mem_page_remove(td, 0, 0, o, o + 1), want },
		{ "mr_extend", tdx_rs_mr_extend(td, 0, o, o + 1), want },
		{ "mr_finalize", tdx_rs_mr_finalize(td), want },
		{ "phymem_page_wbinvd_tdr", tdx_rs_phymem_page_wbinvd_tdr(td), want },
		{ "vp_addcx", tdx_rs_vp_addcx(&a->vp, pg), vp_want },
		{ "vp_init", tdx_rs_vp_init(&a->vp, 0, 0), vp_want },
		{ "vp_rd", tdx_rs_vp_rd(&a->vp, 0, o), vp_want },
		{ "vp_wr", tdx_rs_vp_wr(&a->vp, 0, 0, 0), vp_want },
		{ "vp_flush", tdx_rs_vp_flush(&a->vp), vp_want },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		KUNIT_EXPECT_EQ_MSG(test, r[i].got, r[i].want, "%s, %s",
				    r[i].name, why);
}

/*
 * The TD life cycle refuses before any SEAMCALL, taking no page reference
 * and writing no output: everything before tdx_rs_enable() succeeded;
 * after it, a TD it never created, NULL pointers, an HKID it never handed
 * out, an HKID too wide for a KeyID-tagged address.
 */
static void td_api_refuses_by_phase(struct kunit *test)
{
	struct td_call_args *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	u64 calls = tdx_emu_calls();
	int count;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a->page);
	count = page_count(a->page);
	a->td.tdr_page = a->page;
	a->vp.tdvpr_page = a->page;
	memset64(a->out, POISON, ARRAY_SIZE(a->out));

	if (!initialized()) {
		td_calls_expect(test, a, TDX_RS_NOT_READY, TDX_RS_NOT_READY,
				"before enable");
		KUNIT_EXPECT_EQ(test, tdx_rs_mng_create(&a->td, 1),
				(u64)TDX_RS_NOT_READY);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_reclaim(a->page, a->out,
						a->out + 1, a->out + 2),
				(u64)TDX_RS_NOT_READY);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_cache_wb(false),
				(u64)TDX_RS_NOT_READY);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_wbinvd_hkid(1, a->page),
				(u64)TDX_RS_NOT_READY);
	} else {
		/* The vCPU functions name the TDVPR alone: the module's to check. */
		a->vp.tdvpr_page = NULL;
		td_calls_expect(test, a, TDX_RS_TD_STATE,
				TDX_RS_SEAMCALL_BAD_ARGS, "a TD never created");
		/* HKID 0 is never a guest KeyID. */
		KUNIT_EXPECT_EQ(test, tdx_rs_mng_create(&a->td, 0),
				(u64)TDX_RS_BAD_KEYID);
		KUNIT_EXPECT_EQ(test, tdx_rs_mng_create(NULL, 0),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_mng_key_config(NULL),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_vp_flush(NULL),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_reclaim(NULL, a->out,
						a->out + 1, a->out + 2),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_reclaim(a->page, NULL,
						a->out + 1, a->out + 2),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_wbinvd_hkid(0x10000, a->page),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
		KUNIT_EXPECT_EQ(test, tdx_rs_phymem_page_wbinvd_hkid(1, NULL),
				(u64)TDX_RS_SEAMCALL_BAD_ARGS);
	}
	KUNIT_EXPECT_EQ(test, tdx_emu_calls(), calls);
	KUNIT_EXPECT_EQ(test, page_count(a->page), count);
	KUNIT_EXPECT_EQ(test, a->td.rs_private, 0ULL);
	KUNIT_EXPECT_EQ(test, a->out[0], POISON);
	KUNIT_EXPECT_EQ(test, a->out[1], POISON);
	KUNIT_EXPECT_EQ(test, a->out[2], POISON);
	__free_page(a->page);
}

static struct kunit_case bad_input_cases[] = {
	KUNIT_CASE(trampolines_refuse_null_args),
	KUNIT_CASE(trampolines_refuse_misaligned_args),
	KUNIT_CASE(vp_enter_refuses_bad_regs),
	KUNIT_CASE(cpu_enable_needs_irqs_off),
	KUNIT_CASE(keyids_by_phase),
	KUNIT_CASE(enable_answer_is_kept),
	KUNIT_CASE(td_api_refuses_by_phase),
	{}
};

static struct kunit_suite bad_input_suite = {
	.name = "tdx_rs_bad_input",
	.test_cases = bad_input_cases,
};
kunit_test_suite(bad_input_suite);

MODULE_DESCRIPTION("tdx_host_rs: bad input to every export (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
