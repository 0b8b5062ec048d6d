/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A KVM-shaped consumer of tdx_host_rs: a vCPU of a TD built by kvm_td.h,
 * whose guest registers live in arch.regs[], laid out as KVM's
 * kvm_vcpu_arch::regs[], which tdx_rs_vp_enter() reads and writes in place.
 * Exported GPL in namespace TDX_RS_TEST by tdx_rs_kvm_consumer.ko, for the
 * test and demo modules.
 */
#ifndef _TDX_RS_KVM_CONSUMER_H
#define _TDX_RS_KVM_CONSUMER_H

#include <linux/kvm_host.h>
#include <linux/tdx_host_rs.h>
#include <linux/types.h>

/* The part of kvm_vcpu_arch the TD entry path touches, declared the same. */
struct fake_vcpu_arch {
	unsigned long regs[NR_VCPU_REGS];
};

struct fake_vcpu;
struct kvm_td;

/*
 * Test hooks, both optional: @exited sees the registers of each TD exit
 * before the exit is handled; @entering may change them before the next
 * TDH.VP.ENTER. @nr counts TD exits from 0.
 */
struct fake_vcpu_hooks {
	void (*exited)(struct fake_vcpu *vcpu, u64 nr, void *ctx);
	void (*entering)(struct fake_vcpu *vcpu, u64 nr, void *ctx);
	void *ctx;
};

struct fake_vcpu {
	struct kvm_td *td;	/* the TD it belongs to */
	struct tdx_rs_vp vp;	/* TDVPR and TDCX pages */
	u32 id;			/* vcpu_id, the x2APIC ID of TDH.VP.INIT */
	int cpu;		/* the CPU it is associated with, -1: none */
	bool created;		/* TDH.VP.CREATE done: the TDVPR is the module's */
	bool initialized;	/* TDH.VP.INIT done */
	u64 exit_status;	/* RAX of the last TDH.VP.ENTER */
	u64 nr_exits;		/* TD exits so far */
	u64 fatal_error;	/* the guest's ReportFatalError code (R12) */
	u64 invalid_tdvmcalls;	/* TDVMCALLs answered "invalid operand" */
	u64 tdvmcalls;		/* TD exits for TDG.VP.VMCALL */
	u64 memory_exits;	/* EPT violations and MapGPAs handled */
	u64 interrupt_exits;	/* TD exits for an external interrupt */
	bool done;		/* the guest wrote its done port */
	bool verbose;		/* log every exit */
	const struct fake_vcpu_hooks *hooks;
	struct fake_vcpu_arch arch;
};

/* The TDG.VP.VMCALL ABI of the GHCI, as KVM implements it. */
#define TDVMCALL_STATUS_SUCCESS		0x0000000000000000ULL
#define TDVMCALL_STATUS_INVALID_OPERAND	0x8000000000000000ULL
#define TDVMCALL_REPORT_FATAL_ERROR	0x10003
/* The hypercall the emulated guest uses to test every register. */
#define FAKE_KVM_HC_ECHO		0x7e57ec40
/* A one-byte write of 0 here ends the guest's run (QEMU's isa-debug-exit). */
#define FAKE_KVM_DONE_PORT		0xf4

/*
 * Enters @vcpu on @cpu until its guest is done (it wrote 0 to the done
 * port): 0. As KVM's vcpu_load(), a vCPU last run on another CPU is first
 * flushed there (TDH.VP.FLUSH). TDG.VP.VMCALL exits are answered, EPT
 * violations on private GPAs mapped (SEPT.ADD + PAGE.AUG), MapGPA to shared
 * converted (BLOCK, TRACK, REMOVE). -EPROTO when the guest reported a fatal
 * error (code in fatal_error), -EIO when TDH.VP.ENTER or a SEAMCALL of an
 * exit's handling failed (status in exit_status or the TD's last_status),
 * -E2BIG after @max_exits exits (enter it again to go on), -EINVAL for a
 * CPU that is offline. Sleeps between entries.
 */
int fake_vcpu_run_on(struct fake_vcpu *vcpu, int cpu, u64 max_exits);
/* The same on the first online CPU. */
int fake_vcpu_run(struct fake_vcpu *vcpu, u64 max_exits);

/*
 * One TDH.VP.ENTER to the next TD exit, on this CPU, which must be the
 * vCPU's (-EINVAL otherwise), with the caller's FPU state saved around it;
 * vcpu->exit_status and regs[] hold the exit. The exit is not handled.
 */
int fake_vcpu_enter_here(struct fake_vcpu *vcpu);
/*
 * The guest checks the reply to its last call, the done port write, only
 * when it runs again, and then makes that write again: enters @vcpu, done,
 * once more on its CPU. 0 when that entry's one exit was the done port write
 * again; -EINVAL if the guest was not done; else as fake_vcpu_run_on()
 * (-EPROTO: the guest found the reply wrong, -E2BIG: another exit).
 */
int fake_vcpu_finish(struct fake_vcpu *vcpu);
/* TDH.VP.FLUSH on the CPU @vcpu is associated with, as KVM's tdx_flush_vp(). */
int fake_vcpu_flush(struct fake_vcpu *vcpu);

#endif /* _TDX_RS_KVM_CONSUMER_H */
