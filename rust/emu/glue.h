/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between tdx_emu's trap glue (trap.c) and its Rust model. Every call into
 * Rust is made with the model lock held and interrupts off.
 */
#ifndef _TDX_EMU_GLUE_H
#define _TDX_EMU_GLUE_H

#include <linux/tdx_emu.h>
#include <linux/types.h>

/* The Rust model; C only passes the pointer along. */
struct tdx_emu_model;

/* Rust to C. */
int tdx_emu_trap_register(struct tdx_emu_model *model);
void tdx_emu_trap_unregister(void);

/* C to Rust. @gprs: 16 registers in x86 register-index order. */
u32 tdx_emu_rs_seamcall(struct tdx_emu_model *model, u64 *gprs);
int tdx_emu_rs_set_mode(struct tdx_emu_model *model, u32 mode);
void tdx_emu_rs_probe_arm(struct tdx_emu_model *model, const u64 *outputs,
			  u16 mask);
bool tdx_emu_rs_probe_take(struct tdx_emu_model *model, u64 *inputs);
void tdx_emu_rs_inject(struct tdx_emu_model *model, u16 leaf, u64 status,
		       u32 count);
u64 tdx_emu_rs_calls(struct tdx_emu_model *model);
void tdx_emu_rs_reset(struct tdx_emu_model *model);

/* Values of tdx_emu_rs_seamcall(). */
#define TDX_EMU_COMPLETE	0
#define TDX_EMU_VMFAILINVALID	1
#define TDX_EMU_DECLINE		2

#endif /* _TDX_EMU_GLUE_H */
