/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between tdx_host_rs' Rust side and the kernel services it needs that
 * Linux 6.12's kernel crate does not offer a module. kernel.c and cpus.c
 * implement the tdx_rs_k_* functions; the Rust side (rust/glue/entry.rs)
 * implements the tdx_rs_rs_* ones, which the exported C API, sysfs, CPU
 * hotplug and the memory notifier call. The state and its rules are all on
 * the Rust side. bindgen turns this file into rust/kernel_generated.rs.
 */
#ifndef _TDX_RS_KERNEL_H
#define _TDX_RS_KERNEL_H

#include <linux/tdx_host_rs.h>
#include <linux/types.h>

/* What sysfs shows. */
enum tdx_rs_state {
	TDX_RS_STATE_UNAVAILABLE = 0,
	TDX_RS_STATE_UNINITIALIZED = 1,
	TDX_RS_STATE_INITIALIZED = 2,
	TDX_RS_STATE_FAILED = 3,
};

struct tdx_rs_status {
	u32 state;		/* enum tdx_rs_state */
	u32 keyid_start;	/* first TDX private KeyID (the global one) */
	u32 nr_keyids;		/* TDX private KeyIDs */
	u32 nr_tdmrs;
	u32 nr_reserved;	/* reserved areas used, all TDMRs */
	u64 pamt_kib;
};

/* What tdx_rs_vp_enter() (rust/seamcall/trampolines.S) reads (exports.c). */
extern u64 tdx_rs_vp_enter_refusal;
extern u64 tdx_rs_vp_enter_gate;

/*
 * Called for every piece of System RAM, once, ascending: [start, end) on
 * node @nid (its pages' node when online, else the firmware's node for it).
 */
typedef int (*tdx_rs_ram_func_t)(u64 start, u64 end, int nid, void *ctx);

/* Kernel services (kernel.c). */
int tdx_rs_k_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx);
void *tdx_rs_k_alloc_buf(u64 size);
void tdx_rs_k_free_buf(void *va, u64 size);
u64 tdx_rs_k_virt_to_phys(void *va);
u64 tdx_rs_k_alloc_contig_in(u64 lo, u64 hi, u64 nr_pages);
void tdx_rs_k_free_contig(u64 pa, u64 nr_pages);
void tdx_rs_k_clear_phys(u64 pa, u64 size);
void tdx_rs_k_cond_resched(void);
int tdx_rs_k_walk_ram(tdx_rs_ram_func_t cb, void *ctx);
void tdx_rs_k_pin_module(void);
void tdx_rs_k_set_vp_enter_refusal(u64 refusal);

/*
 * Pages handed to the TDX module (kernel.c). tdx_rs_k_try_get_page() fails
 * on a page whose count is already zero (a free page); the put fails,
 * changing nothing, when ours is the last reference.
 */
bool tdx_rs_k_try_get_page(struct page *page);
void tdx_rs_k_put_page(struct page *page);
bool tdx_rs_k_put_page_unless_last(struct page *page);
u64 tdx_rs_k_page_to_phys(struct page *page);
struct page *tdx_rs_k_phys_to_page(u64 pa);	/* NULL: no struct page */
void tdx_rs_k_clflush_page(struct page *page);
u32 tdx_rs_k_phys_bits(void);

/* CPUs (cpus.c). The walks need the CPU hotplug lock held. */
u32 tdx_rs_k_this_cpu(void);
bool tdx_rs_k_irqs_disabled(void);
int tdx_rs_k_next_present_cpu(int prev);
int tdx_rs_k_on_each_cpu(int (*fn)(void *ctx), void *ctx);
int tdx_rs_k_on_each_package(int (*fn)(void *ctx), void *ctx);
/* At most this many workers for tdx_rs_k_on_cpus_at_once(). */
#define TDX_RS_K_MAX_WORKERS 8
int tdx_rs_k_on_cpus_at_once(int (*fn)(void *ctx), void *ctx,
			     unsigned int workers);
int tdx_rs_k_cpus_register(void);
void tdx_rs_k_cpus_unregister(void);

/* Registration of the C side: sysfs, memory notifier, CPU hotplug. */
int tdx_rs_k_register(void);
void tdx_rs_k_unregister(void);
/* init_at_load=1: tdx_rs_enable() now, once registered (exports.c). */
void tdx_rs_k_init_at_load(void);

/* The Rust side (rust/glue/entry.rs). */
int tdx_rs_rs_enable(void);	/* with the CPU hotplug lock held */
void tdx_rs_rs_status(struct tdx_rs_status *out);
const struct tdx_rs_sysinfo *tdx_rs_rs_sysinfo(void);
int tdx_rs_rs_keyid_alloc(void);
/* 0 freed, -ENOENT not allocated, -EBUSY bound to a TD until KEY.FREEID. */
int tdx_rs_rs_keyid_free(u32 keyid);
bool tdx_rs_rs_memory_online(u64 start, u64 end);
/* With interrupts off. */
int tdx_rs_rs_cpu_enable(void);
int tdx_rs_rs_cpu_online(void);
/* From the CPU hotplug thread (may sleep). */
int tdx_rs_rs_cpu_offline(u32 cpu, int pkg, bool last_in_package);
/* The planner's dry run as text in @buf; the bytes written (<= @len). */
u64 tdx_rs_rs_plan(char *buf, u64 len);

/*
 * The TD life-cycle API (rust/td/), each the exported tdx_rs_X() of
 * include/linux/tdx_host_rs.h, with the same parameters and semantics.
 */
u64 tdx_rs_rs_mng_create(struct tdx_rs_td *td, u16 hkid);
u64 tdx_rs_rs_mng_addcx(struct tdx_rs_td *td, struct page *tdcs_page);
u64 tdx_rs_rs_mng_key_config(struct tdx_rs_td *td);
u64 tdx_rs_rs_mng_init(struct tdx_rs_td *td, u64 td_params, u64 *extended_err);
u64 tdx_rs_rs_mng_rd(struct tdx_rs_td *td, u64 field, u64 *data);
u64 tdx_rs_rs_mng_vpflushdone(struct tdx_rs_td *td);
u64 tdx_rs_rs_mng_key_freeid(struct tdx_rs_td *td);
u64 tdx_rs_rs_vp_create(struct tdx_rs_td *td, struct tdx_rs_vp *vp);
u64 tdx_rs_rs_vp_addcx(struct tdx_rs_vp *vp, struct page *tdcx_page);
u64 tdx_rs_rs_vp_init(struct tdx_rs_vp *vp, u64 initial_rcx, u32 x2apicid);
u64 tdx_rs_rs_vp_rd(struct tdx_rs_vp *vp, u64 field, u64 *data);
u64 tdx_rs_rs_vp_wr(struct tdx_rs_vp *vp, u64 field, u64 data, u64 mask);
u64 tdx_rs_rs_vp_flush(struct tdx_rs_vp *vp);
u64 tdx_rs_rs_mem_sept_add(struct tdx_rs_td *td, u64 gpa, int level,
			   struct page *page, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_rs_mem_page_add(struct tdx_rs_td *td, u64 gpa, struct page *page,
			   struct page *source, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_rs_mem_page_aug(struct tdx_rs_td *td, u64 gpa, int level,
			   struct page *page, u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_rs_mem_range_block(struct tdx_rs_td *td, u64 gpa, int level,
			      u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_rs_mem_track(struct tdx_rs_td *td);
u64 tdx_rs_rs_mem_page_remove(struct tdx_rs_td *td, u64 gpa, u64 level,
			      u64 *ext_err1, u64 *ext_err2);
u64 tdx_rs_rs_mr_extend(struct tdx_rs_td *td, u64 gpa, u64 *ext_err1,
			u64 *ext_err2);
u64 tdx_rs_rs_mr_finalize(struct tdx_rs_td *td);
u64 tdx_rs_rs_phymem_page_reclaim(struct page *page, u64 *tdx_pt,
				  u64 *tdx_owner, u64 *tdx_size);
u64 tdx_rs_rs_phymem_cache_wb(bool resume);
u64 tdx_rs_rs_phymem_page_wbinvd_tdr(struct tdx_rs_td *td);
u64 tdx_rs_rs_phymem_page_wbinvd_hkid(u64 hkid, struct page *page);
u64 tdx_rs_rs_leaked_pages(void);

#endif /* _TDX_RS_KERNEL_H */
