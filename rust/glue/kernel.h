/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between tdx_host_rs' Rust side and the kernel services it needs that
 * Linux 6.12's Rust abstractions do not cover. kernel.c implements the
 * tdx_rs_k_* functions; the Rust side implements the tdx_rs_rs_* ones, which
 * exports.c calls with the module lock held. bindgen turns this file into
 * rust/kernel_generated.rs.
 */
#ifndef _TDX_RS_KERNEL_H
#define _TDX_RS_KERNEL_H

#include <linux/tdx_host_rs.h>
#include <linux/types.h>

/* The Rust side's state; C only passes the pointer along. */
struct tdx_rs_host;

/* What sysfs shows; published by Rust, read by exports.c. */
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
	u64 vp_enter_refusal;	/* 0, or what tdx_rs_vp_enter() returns */
};

/* What tdx_rs_vp_enter() (rust/seamcall/trampolines.S) reads: 0 to enter. */
extern u64 tdx_rs_vp_enter_refusal;

/* A TDX-usable memory range handed to the memory hotplug check. */
struct tdx_rs_mem_range {
	u64 start;
	u64 end;
};

/* Called for every System RAM range: [start, end) on node @nid. */
typedef int (*tdx_rs_ram_func_t)(u64 start, u64 end, int nid, void *ctx);

/* Kernel services (kernel.c). */
int tdx_rs_k_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx);
void *tdx_rs_k_alloc_buf(u64 size);
void tdx_rs_k_free_buf(void *va, u64 size);
u64 tdx_rs_k_virt_to_phys(void *va);
u64 tdx_rs_k_alloc_contig(u64 nr_pages, int nid);
void tdx_rs_k_free_contig(u64 pa, u64 nr_pages);
void tdx_rs_k_clear_phys(u64 pa, u64 size);
void tdx_rs_k_wbinvd_all(void);
void tdx_rs_k_cond_resched(void);
int tdx_rs_k_walk_ram(tdx_rs_ram_func_t cb, void *ctx);
void tdx_rs_k_pin_module(void);

/* CPUs (cpus.c): LP.INIT everywhere, per package, CPU hotplug. */
int tdx_rs_k_lp_init_all(void);
int tdx_rs_k_on_each_package(int (*fn)(void *ctx), void *ctx);
int tdx_rs_k_cpus_register(void);
void tdx_rs_k_cpus_unregister(void);

/* Published state (exports.c). */
void tdx_rs_k_publish(const struct tdx_rs_status *status,
		      const struct tdx_rs_sysinfo *sysinfo);
bool tdx_rs_k_tds_may_exist(void);
int tdx_rs_k_set_tdx_memory(const struct tdx_rs_mem_range *ranges, u32 nr);
int tdx_rs_k_register(struct tdx_rs_host *host);
void tdx_rs_k_unregister(void);

/* The Rust side. enable() and publish() run with the module lock held. */
int tdx_rs_rs_enable(struct tdx_rs_host *host);
void tdx_rs_rs_publish(struct tdx_rs_host *host);
/* With interrupts off: TDH.SYS.INIT (exports.c calls it once), LP.INIT. */
int tdx_rs_rs_sys_init(void);
int tdx_rs_rs_lp_init(void);

#endif /* _TDX_RS_KERNEL_H */
