/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdx_emu: a software model of the TDX module, for tests only.
 *
 * tdx_emu.ko answers SEAMCALL on machines without TDX (QEMU) by catching the
 * instruction's #UD in kernel mode. These controls, exported GPL in namespace
 * TDX_EMU, let tests steer it; they have no counterpart on real hardware.
 */
#ifndef _LINUX_TDX_EMU_H
#define _LINUX_TDX_EMU_H

#include <linux/types.h>

/* How every SEAMCALL ends, whatever its leaf. */
enum tdx_emu_mode {
	TDX_EMU_MODE_NORMAL = 0,	/* the model answers */
	TDX_EMU_MODE_VMFAILINVALID = 1,	/* CF=1, as with no SEAM module */
	TDX_EMU_MODE_UD = 2,		/* #UD, as with no SEAM support */
};

/* Register numbers of the probe's arrays and mask: x86 register index. */
#define TDX_EMU_NR_GPRS	16

/* Returns -EINVAL for a mode not in enum tdx_emu_mode. */
int tdx_emu_set_mode(u32 mode);

/*
 * The next SEAMCALL (that no injection claims) records all sixteen input
 * registers and gets outputs[n] in every register n whose bit is set in
 * @mask. RSP and RBP are never written.
 */
void tdx_emu_probe_arm(const u64 *outputs, u16 mask);
/* Copies the recorded inputs to @inputs; false if the probe has not fired. */
bool tdx_emu_probe_take(u64 *inputs);

/* The next @count SEAMCALLs of leaf number @leaf return @status in RAX. */
void tdx_emu_inject(u16 leaf, u64 status, u32 count);

/* SEAMCALLs the emulator has seen since load or reset. */
u64 tdx_emu_calls(void);

/* Back to the state at load: normal mode, no probe, no injection. */
void tdx_emu_reset(void);

#endif /* _LINUX_TDX_EMU_H */
