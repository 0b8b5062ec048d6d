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
void tdx_emu_inject_status(u16 leaf, u64 status, u32 count);

/* How an injected fault ends the call. */
enum tdx_emu_fault {
	TDX_EMU_FAULT_STATUS = 0,	/* the module returns @status */
	TDX_EMU_FAULT_VMFAILINVALID = 1,
	TDX_EMU_FAULT_UD = 2,
};

/*
 * The @nth (1 = the next) SEAMCALL of leaf number @leaf, counted from now,
 * fails as @fault says. -EINVAL for an unknown @fault or @nth 0.
 */
int tdx_emu_inject(u16 leaf, u32 nth, u32 fault, u64 status);

/* SEAMCALLs the emulator has seen since load or reset: all, or one leaf's. */
u64 tdx_emu_calls(void);
u64 tdx_emu_calls_of(u16 leaf);

/* What the last successful TDH.SYS.CONFIG configured. */
struct tdx_emu_config_record {
	u32 nr_tdmrs;
	u32 nr_reserved_areas;
	u64 pamt_bytes;
	u64 global_hkid;
};

/* False until a TDH.SYS.CONFIG succeeded. */
bool tdx_emu_config_record(struct tdx_emu_config_record *record);

/* TDX_FEATURES0 as TDH.SYS.RD reports it from now on. */
void tdx_emu_set_features0(u64 features0);

/* Back to the state at load: normal mode, no probe, no injection. */
void tdx_emu_reset(void);

/*
 * The emulated platform's IA32_MKTME_KEYID_PARTITIONING (MSR 0x87): QEMU has
 * none. tdx_host_rs test builds read it here when the MSR faults.
 */
void tdx_emu_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx);

#endif /* _LINUX_TDX_EMU_H */
