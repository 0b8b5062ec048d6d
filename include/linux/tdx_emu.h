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
 * and the @times - 1 calls of @leaf after it fail as @fault says (a run of
 * busy statuses, say). -EINVAL for an unknown @fault, @nth 0 or @times 0.
 */
int tdx_emu_inject(u16 leaf, u32 nth, u32 times, u32 fault, u64 status);

/* SEAMCALLs the emulator has seen since load or reset: all, or one leaf's. */
u64 tdx_emu_calls(void);
u64 tdx_emu_calls_of(u16 leaf);

/*
 * Calls of leaf number @leaf that found one of the leaf's locks held by
 * another CPU's call and returned TDX_SYS_BUSY or TDX_OPERAND_BUSY.
 */
u64 tdx_emu_busy_of(u16 leaf);

/*
 * Timing, not behavior: the next SEAMCALL that takes locks holds them for
 * @ns instead of the exec_ns every call holds them (a long-running call on
 * another CPU). tdx_emu_locks_held(): the locks held by calls now running.
 */
void tdx_emu_hold_next(u32 ns);
u32 tdx_emu_locks_held(void);

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

/*
 * Back to the state at load: normal mode, no probe, no injection, no
 * #UD counted. Which CPUs are in VMX operation stays: that is the CPUs'.
 */
void tdx_emu_reset(void);

/*
 * VMX operation, per CPU (the emulator's LP id is the CPU number). SEAMCALL
 * outside it raises #UD, as the instruction does, before the TDX module
 * runs: the emulator counts no call (tdx_emu_ud_outside_vmx() counts these).
 * On a host the hypervisor executes VMXON and VMXOFF; these stand in for
 * them, on the calling CPU (preemption off, or a task bound to it):
 * tdx_emu_vmxon() fails with -EBUSY in VMX operation (VMXON's VMfail),
 * tdx_emu_vmxoff() with -EINVAL outside it (VMXOFF's #UD); -ERANGE for a
 * CPU beyond the emulator's 1024 LPs. Not modelled: CR4.VMXE,
 * IA32_FEATURE_CONTROL, the VMXON region, VMCSs, VMX non-root operation.
 */
int tdx_emu_vmxon(void);
int tdx_emu_vmxoff(void);
bool tdx_emu_in_vmx(unsigned int cpu);
u64 tdx_emu_ud_outside_vmx(void);

/*
 * The emulated platform's IA32_MKTME_KEYID_PARTITIONING (MSR 0x87): QEMU has
 * none. tdx_host_rs test builds read it here when the MSR faults.
 */
void tdx_emu_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx);

/*
 * MK_TME_KEYID_BITS of the emulated IA32_TME_ACTIVATE: the KeyID is that many
 * bits below the CPU's MAXPHYADDR. On a real platform the kernel has already
 * taken them off boot_cpu_data.x86_phys_bits; under QEMU it has not.
 */
u32 tdx_emu_tme_keyid_bits(void);

/*
 * TD vCPUs, known by their TDVPR page. There is no way in but the TDX
 * module's leaves: TDH.MNG.CREATE ... TDH.MR.FINALIZE build the TD,
 * TDH.VP.CREATE ... TDH.VP.INIT the vCPU; TDH.VP.ENTER then runs the TD's
 * guest: the TD program (Documentation/tdx_host_rs.rst) the host put in the
 * TD's private memory with TDH.MEM.PAGE.ADD (measured into MRTD), from the
 * GPA TDH.VP.INIT gave as the vCPU's RCX. The controls below only observe.
 */

/* What a TD vCPU went through, and what its guest found. */
struct tdx_emu_td_report {
	u64 entries;		/* TDH.VP.ENTER calls that entered the guest */
	u64 exits;		/* TD exits: TDG.VP.VMCALL, EPT violation, interrupt */
	u64 refused_vmcalls;	/* TDG.VP.VMCALLs the module failed in the guest */
	u64 stack_top;		/* top word of the host stack at the last entry */
	u32 nr_steps;		/* the program's steps (0 until it is read) */
	u32 steps_done;		/* of which the result checked out */
	u32 finished;		/* 1: the program ran to its end */
	u32 fatal;		/* 1: the guest stopped on an error; if a */
	u32 bad_step;		/* reply was wrong: the step, */
	u32 bad_reg;		/* the register (x86 index; 16: memory read), */
	u64 expected;		/* what the guest expected there */
	u64 got;		/* and what it found */
	u64 ept_violations;	/* exits that were EPT violations */
	u64 accepts;		/* TDG.MEM.PAGE.ACCEPTs done in the module */
	u64 fatal_code;		/* what the guest reports (ReportFatalError R12) */
	u64 interrupts;		/* exits that were external interrupts */
};

/* 0, or -ENOENT when no vCPU has this TDVPR page. */
int tdx_emu_td_vcpu_report(u64 tdvpr_pa, struct tdx_emu_td_report *report);

/*
 * The guest's 16 GPRs (register-index order) when it made its @n-th
 * (0-based) TD exit: 0, or -ENOENT unless @n is its last exit so far.
 */
int tdx_emu_td_exit_regs(u64 tdvpr_pa, u64 n, u64 *gprs);

/*
 * An external interrupt of @vector arrives during the next guest run (the
 * next TDH.VP.ENTER that enters a guest, any vCPU), before the guest's next
 * step: the module makes it an asynchronous TD exit, RAX TDX_SUCCESS | 1
 * (the exit reason), R9 the interruption information (bit 31 | @vector).
 * The interrupt is the host's event, not something the module does; nothing
 * is delivered to the kernel.
 */
void tdx_emu_arm_interrupt(u8 vector);

/*
 * Pages the emulated TDX module holds for TDs, as its PAMT says: every
 * 4 KiB, 2 MiB or 1 GiB leaf entry of an initialized PAMT whose page type is
 * neither PT_NDA (the host's) nor PT_RSVD (reserved areas, the PAMTs
 * themselves): TDR (4), TDCX (5), TDVPR (6), Secure EPT (8) and private
 * (3) pages, in address order, @owner the TDR's address (0 for a TDR).
 * Fills up to @max, returns how many there are, or -EIO if a PAMT could not
 * be read. It walks every PAMT with the model lock held: slow, tests only.
 */
struct tdx_emu_owned_page {
	u64 pa;
	u64 owner;
	u32 page_type;
	u32 reserved;
};

long tdx_emu_owned_pages(struct tdx_emu_owned_page *pages, long max);

#endif /* _LINUX_TDX_EMU_H */
