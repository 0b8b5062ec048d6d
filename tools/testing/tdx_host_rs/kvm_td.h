/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A KVM-shaped TD library for the test modules: builds, runs and tears down
 * a TD the way upstream KVM's arch/x86/kvm/vmx/tdx.c does, in its order, on
 * the public header and the TDX_HOST_RS exports alone. Exported GPL in
 * namespace TDX_RS_TEST by tdx_rs_kvm_consumer.ko.
 *
 * The pages handed to the TDX module are allocated here, as KVM allocates
 * them, and freed only after the module gave them back. A page the module
 * did not give back is leaked on purpose: never freed, counted in
 * struct kvm_td_pages.leaked. Nothing in here sleeps inside the memory
 * paths (KVM calls those under its mmu_lock) but the page allocations.
 */
#ifndef _TDX_RS_KVM_TD_H
#define _TDX_RS_KVM_TD_H

/* KVM's headers first: see include/linux/tdx_host_rs.h. */
#include "kvm_consumer.h"
#include <linux/tdx_host_rs.h>
#include <linux/types.h>

#define KVM_TD_MAX_VCPUS	4
/* Secure EPT pages: levels 3, 2 and 1 over a few 2 MiB regions. */
#define KVM_TD_MAX_SEPT		16
/* Private pages mapped at once: the image and the pages the guest faults in. */
#define KVM_TD_MAX_PRIVATE	32

/* Where a TD is, as kvm_tdx->state says (plus "no HKID yet"). */
enum kvm_td_state {
	KVM_TD_EMPTY = 0,	/* nothing handed to the TDX module */
	KVM_TD_CREATED,		/* TDR, keys and TDCS pages: TDH.MNG.INIT next */
	KVM_TD_INITIALIZED,	/* TDH.MNG.INIT done: vCPUs and initial memory */
	KVM_TD_RUNNABLE,	/* TDH.MR.FINALIZE done */
};

/* A page the TDX module holds for the TD at @gpa (KVM's mirror SPTE). */
struct kvm_td_page {
	u64 gpa;
	int level;
	struct page *page;
};

/* Leaked pages remembered one by one (more are still counted). */
#define KVM_TD_MAX_LEAKED	128

enum kvm_td_page_kind {
	KVM_TD_TDR, KVM_TD_TDCS, KVM_TD_TDVPR, KVM_TD_TDCX, KVM_TD_SEPT,
	KVM_TD_PRIVATE,
};

/* A page left with the TDX module: what it was, and for a TDVPR its CPU. */
struct kvm_td_leak {
	struct page *page;
	enum kvm_td_page_kind kind;
	int cpu;
};

/* What happened to the pages this TD allocated for the TDX module. */
struct kvm_td_pages {
	u64 allocated;
	u64 freed;		/* given back by the module, then freed */
	u64 leaked;		/* never given back: kept allocated on purpose */
	struct kvm_td_leak leaks[KVM_TD_MAX_LEAKED];
	/* Pages whose caller reference a test dropped early (a buggy KVM). */
	unsigned int nr_dropped;
	struct page *dropped[4];
};

/* The image the TD starts from: page-aligned @gpa, entry point @entry. */
struct kvm_td_image {
	const u8 *bytes;
	size_t size;
	u64 gpa;
	u64 entry;
};

struct kvm_td {
	const char *name;	/* for the log */
	bool verbose;		/* one line per phase and per memory exit */
	struct tdx_rs_td td;
	int hkid;		/* -1: none (KVM's kvm_tdx->hkid) */
	enum kvm_td_state state;
	bool bugged;		/* a SEAMCALL failed (KVM_BUG_ON): teardown only */
	u64 last_status;	/* the last failing SEAMCALL's status */
	const char *last_leaf;	/* and its name */
	unsigned int nr_vcpus;
	struct fake_vcpu *vcpus[KVM_TD_MAX_VCPUS];
	bool own_vcpus;		/* kvm_td_build() allocated them: destroy frees */
	/* The Secure EPT pages, and the private pages mapped. */
	unsigned int nr_sept;
	struct kvm_td_page sept[KVM_TD_MAX_SEPT];
	unsigned int nr_private;
	struct kvm_td_page private[KVM_TD_MAX_PRIVATE];
	struct kvm_td_pages pages;
	/* Counts of what the run went through. */
	u64 ept_violations;
	u64 augs;
	u64 removes;
	u64 kicks;
	u64 vp_flushes;
	u64 mrtd[6];		/* TDH.MNG.RD of MRTD after finalization */
};

/* Build (KVM_TDX_INIT_VM and the ioctls after it); each 0 or -errno. */
int kvm_td_create(struct kvm_td *td);
int kvm_td_init(struct kvm_td *td);
int kvm_td_vcpu_create(struct kvm_td *td, struct fake_vcpu *vcpu, u64 entry);
int kvm_td_add_image(struct kvm_td *td, const struct kvm_td_image *image);
int kvm_td_finalize(struct kvm_td *td);
/* All of the above with @nr_vcpus vCPUs from kzalloc; a failure tears down. */
int kvm_td_build(struct kvm_td *td, const struct kvm_td_image *image,
		 unsigned int nr_vcpus);

/* GPA bit 47: the shared bit of a GPAW-48 TD. */
#define KVM_TD_SHARED_BIT	BIT_ULL(47)

/* TDH.MEM.SEPT.ADD of levels 3, 2 and 1 over @gpa where still missing. */
int kvm_td_map_sept(struct kvm_td *td, u64 gpa);
/*
 * A new page for the private GPA @gpa, with the Secure EPT levels above it
 * in place, not yet handed over; ERR_PTR(-ENOSPC) when td->private[] is full.
 */
struct page *kvm_td_private_page(struct kvm_td *td, u64 gpa);
/* Records @page, which the TDX module now maps at @gpa, in td->private[]. */
void kvm_td_add_private(struct kvm_td *td, u64 gpa, struct page *page);
/* An EPT violation on private @gpa: Secure EPT as needed, TDH.MEM.PAGE.AUG. */
int kvm_td_map_private(struct kvm_td *td, u64 gpa);
/*
 * Private -> shared (MapGPA), or KVM's zap: for each private page mapped in
 * [@gpa, @gpa + @size): TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, the kick of
 * every vCPU, TDH.MEM.PAGE.REMOVE, TDH.PHYMEM.PAGE.WBINVD, free. 0 or -EIO;
 * a page that does not come back is leaked.
 */
int kvm_td_unmap_private(struct kvm_td *td, u64 gpa, u64 size);

/*
 * Teardown as KVM does at VM destruction: private pages removed, the HKID
 * released (VP.FLUSH, VPFLUSHDONE, CACHE.WB per package, KEY.FREEID), then
 * every control page reclaimed and freed. What fails stays allocated and is
 * counted in td->pages.leaked; the vCPUs from kvm_td_build() are freed.
 */
void kvm_td_destroy(struct kvm_td *td);

/* The TD's pages not yet freed or leaked: they are the TDX module's. */
u64 kvm_td_pages_held(const struct kvm_td *td);

/* SEAMCALL names for the log. */
const char *kvm_td_leaf_name(u16 leaf);

/* tdx_rs_* failures: record, log (ratelimited) and return -EIO. */
int kvm_td_failed(struct kvm_td *td, const char *leaf, u64 status);

/*
 * Test hook: drops the caller's reference to @page now, as a buggy KVM
 * would while the TDX module holds it; the library will not drop it again.
 * -ENOSPC beyond 4 pages.
 */
int kvm_td_drop_ref_early(struct kvm_td *td, struct page *page);

/* Allocation bookkeeping shared by the library's files. */
struct page *kvm_td_alloc_page(struct kvm_td *td);
void kvm_td_free_page(struct kvm_td *td, struct page *page);
void kvm_td_leak_page(struct kvm_td *td, struct page *page,
		      enum kvm_td_page_kind kind, int cpu);

#endif /* _TDX_RS_KVM_TD_H */
