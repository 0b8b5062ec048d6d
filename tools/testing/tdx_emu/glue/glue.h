/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between tdx_emu's C glue (trap.c, debugfs.c) and its Rust model. Every
 * tdx_emu_rs_* call is made with the model lock held and interrupts off.
 */
#ifndef _TDX_EMU_GLUE_H
#define _TDX_EMU_GLUE_H

#include <linux/spinlock_types.h>
#include <linux/tdx_emu.h>
#include <linux/types.h>

/* The Rust model; C only passes the pointer along. */
struct tdx_emu_model;

/*
 * The machine the emulated module was "loaded" on, from the module
 * parameters (0: a count not given); the CMRs come apart, as the text of
 * cmrs=, which the Rust side parses.
 */
struct tdx_emu_platform {
	u32 nr_lps;
	u32 nr_packages;
	u32 nr_mktme_keyids;
	u32 nr_tdx_keyids;
	u32 max_pa;
	u32 fms;
};

/* Rust to C. */
int tdx_emu_k_platform(struct tdx_emu_platform *platform);
const char *tdx_emu_k_cmrs_param(void);
const char *tdx_emu_k_version_param(void);
const char *tdx_emu_k_handoff_param(void);
int tdx_emu_trap_register(struct tdx_emu_model *model);
void tdx_emu_trap_unregister(void);
bool tdx_emu_k_phys_read(u64 pa, void *buf, u64 len);
bool tdx_emu_k_phys_write(u64 pa, const void *data, u64 len);

/*
 * C to Rust. @gprs: 16 registers in x86 register-index order; @stack_top:
 * the word on top of the caller's stack at the SEAMCALL.
 */
u32 tdx_emu_rs_seamcall_begin(struct tdx_emu_model *model, u64 *gprs, u32 lp,
			      u32 package);
u32 tdx_emu_rs_seamcall_finish(struct tdx_emu_model *model, u64 *gprs,
			       u32 lp, u32 package, u64 stack_top);
u64 tdx_emu_rs_busy_of(struct tdx_emu_model *model, u16 leaf);
u32 tdx_emu_rs_locks_held(struct tdx_emu_model *model);
int tdx_emu_rs_set_mode(struct tdx_emu_model *model, u32 mode);
void tdx_emu_rs_probe_arm(struct tdx_emu_model *model, const u64 *outputs,
			  u16 mask);
bool tdx_emu_rs_probe_take(struct tdx_emu_model *model, u64 *inputs);
void tdx_emu_rs_inject_status(struct tdx_emu_model *model, u16 leaf,
			      u64 status, u32 count);
int tdx_emu_rs_inject(struct tdx_emu_model *model, u16 leaf, u32 nth,
		      u32 times, u32 fault, u64 status);
u64 tdx_emu_rs_calls(struct tdx_emu_model *model);
u64 tdx_emu_rs_calls_of(struct tdx_emu_model *model, u16 leaf);
bool tdx_emu_rs_config_record(struct tdx_emu_model *model,
			      struct tdx_emu_config_record *record);
void tdx_emu_rs_set_features0(struct tdx_emu_model *model, u64 features0);
void tdx_emu_rs_reset(struct tdx_emu_model *model);
int tdx_emu_rs_td_vcpu_report(struct tdx_emu_model *model, u64 tdvpr_pa,
			      struct tdx_emu_td_report *report);
long tdx_emu_rs_owned_pages(struct tdx_emu_model *model,
			     struct tdx_emu_owned_page *pages, long max);
int tdx_emu_rs_td_exit_regs(struct tdx_emu_model *model, u64 tdvpr_pa, u64 n,
			    u64 *gprs);
void tdx_emu_rs_arm_interrupt(struct tdx_emu_model *model, u8 vector);
bool tdx_emu_rs_take_td_exit(struct tdx_emu_model *model);
/* A text report for debugfs; returns the bytes written to @buf. */
u64 tdx_emu_rs_report(struct tdx_emu_model *model, char *buf, u64 len);
bool tdx_emu_rs_tdmrs_initialized(struct tdx_emu_model *model);
u32 tdx_emu_rs_pamts(struct tdx_emu_model *model, u64 *bases, u64 *sizes,
		     u32 max);
/* VMX operation of LP @lp (vmx_controls.c). */
int tdx_emu_rs_vmxon(struct tdx_emu_model *model, u32 lp);
int tdx_emu_rs_vmxoff(struct tdx_emu_model *model, u32 lp);
bool tdx_emu_rs_in_vmx(struct tdx_emu_model *model, u32 lp);
u64 tdx_emu_rs_ud_outside_vmx(struct tdx_emu_model *model);

/* trap.c: the model and its lock, for the controls in td_controls.c. */
extern raw_spinlock_t tdx_emu_lock;
extern struct tdx_emu_model *tdx_emu_model;

/* trap.c, for debugfs.c: the report, under the model lock. */
u64 tdx_emu_report(char *buf, u64 len);
/* trap.c, for debugfs.c. */
int tdx_emu_fail_alloc_after_init(bool arm);
u32 tdx_emu_fail_alloc_state(void);
long tdx_emu_pamt_free_pages(void);
/* debugfs.c, for trap.c. */
void tdx_emu_debugfs_create(void);
void tdx_emu_debugfs_remove(void);

/* Outcomes of a call (tdx_emu_rs_seamcall_begin() and _finish()). */
#define TDX_EMU_COMPLETE	0
#define TDX_EMU_VMFAILINVALID	1
#define TDX_EMU_DECLINE		2
/* From tdx_emu_rs_seamcall_begin(): the call took no lock, finish it. */
#define TDX_EMU_RUN		3
/* The same, and the call holds locks: let the modeled execution time pass. */
#define TDX_EMU_RUN_HELD	4

/* CPUs inside a SEAMCALL at once the model's lock table holds. */
#define TDX_EMU_MAX_CALLERS	256

#endif /* _TDX_EMU_GLUE_H */
