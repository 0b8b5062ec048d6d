/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks shared by the TD suites of tdx_rs_td_kunit.ko: the ownership
 * checker (no page the emulated TDX module holds is free in the page
 * allocator), the image every TD starts from, SEAMCALL counts per leaf.
 */
#ifndef _TDX_RS_TD_CHECK_H
#define _TDX_RS_TD_CHECK_H

#include "kvm_td.h"
#include <kunit/test.h>
#include <linux/tdx_emu.h>

/* What the emulated PAMT says the TDX module holds, seen from the kernel. */
struct td_owned {
	long owned;		/* pages listed by tdx_emu_owned_pages() */
	long of_tdr;		/* of which owned by the TDR asked for (or 0) */
	long free;		/* listed, yet free in the page allocator */
	u64 first_free_pa;
};

/*
 * Scans every page tdx_emu_owned_pages() lists: a page the module holds must
 * have a reference (page_count() > 0) and not be in the buddy allocator.
 * @tdr_pa: also count the pages of this TD (its TDR included). -errno when
 * the list cannot be read.
 */
int td_owned_scan(u64 tdr_pa, struct td_owned *o);
/* The page allocator holds @pa free (no reference, or in the buddy lists). */
bool td_page_is_free(u64 pa);

/* KUnit: scan, expect nothing free, return the TD's page count. */
long td_expect_owned_ok(struct kunit *test, const struct kvm_td *td,
			const char *when);

/* The test image (scripts/td_image.py), and its extra private GPA. */
const struct kvm_td_image *td_test_image(void);
u64 td_test_extra_gpa(void);
/* The MRTD td_image.py computed with hashlib: 48 bytes. */
const u8 *td_test_mrtd(void);

/* A fresh TD for a test: name, verbose off, HKID -1. */
void td_init_struct(struct kvm_td *td, const char *name);
/* The same, allocated for @test and torn down when the case ends if left. */
struct kvm_td *td_new(struct kunit *test, const char *name);

/* SEAMCALL counts per leaf (0..63), to subtract. */
#define TD_NR_LEAVES	64
void td_calls_snapshot(u64 *calls);

/*
 * Runs every vCPU of @td in turn until its guest is done, then once more so
 * the guest checks the reply to its done port write: 0 or -errno.
 */
int td_run_all(struct kvm_td *td, u64 max_exits);

/* TDH.PHYMEM.CACHE.WB to completion on one CPU of each package: the worst status. */
u64 td_cache_wb_all(void);

/* Pages still with the TDX module, then: KVM's leaks must all be unfree. */
void td_expect_leaks_held(struct kunit *test, const struct kvm_td *td);

/* The suites, registered by td_kunit.c. */
extern struct kunit_suite td_life_suite;
extern struct kunit_suite td_misuse_suite;
extern struct kunit_suite td_sweep_suite;

#endif /* _TDX_RS_TD_CHECK_H */
