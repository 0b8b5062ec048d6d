// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_emu trap glue: catch SEAMCALL's #UD in kernel mode and let the Rust
 * model answer it, as the TDX module would have.
 *
 * On a CPU without SEAM support SEAMCALL raises #UD. do_error_trap() calls
 * the die notifiers before it looks for an exception-table fixup, so a
 * notifier that recognizes the instruction can complete it instead: load the
 * model's registers, set or clear CF, step over the four bytes and stop the
 * trap there. When the model declines, the #UD goes on to the trampoline's
 * fixup exactly as on hardware without SEAM.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kdebug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/topology.h>
#include <asm/processor.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tdx_emu.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>
#include <asm/trapnr.h>
#include "glue.h"

static const u8 seamcall_insn[] = { 0x66, 0x0f, 0x01, 0xcf };

/* Serializes every use of the model: traps on all CPUs and the controls. */
DEFINE_RAW_SPINLOCK(tdx_emu_lock);
struct tdx_emu_model *tdx_emu_model;

/*
 * Test control, no counterpart in the real module: once armed, the SEAMCALL
 * that completes the last TDMR's TDH.SYS.TDMR.INIT makes every later
 * allocation of the task that initializes the module fail (the kernel's
 * fault injection, with its task filter), to show the host never needs one
 * after that point. That task is the one whose TDH.SYS.CONFIG succeeded
 * while armed (fail_task): the host may make its TDH.SYS.TDMR.INIT calls
 * from workers on other CPUs. Without one, the calling task.
 */
enum { FAIL_ALLOC_OFF, FAIL_ALLOC_ARMED, FAIL_ALLOC_FIRED };
static u32 fail_alloc;
static struct task_struct *fail_task;	/* a reference, under tdx_emu_lock */
/* TDH.SYS.CONFIG's leaf number (the ABI's, as in model/ and upstream's tdx.h). */
#define TDH_SYS_CONFIG_LEAF 45

/*
 * The modeled execution time: how long a call that took its locks holds
 * them, with the model free for other CPUs, before the leaf runs. A timing
 * model so that concurrent callers meet the busy statuses of the real
 * module's try-locks; the duration is not from Intel's source.
 */
static unsigned int exec_ns = 20000;
module_param(exec_ns, uint, 0444);
MODULE_PARM_DESC(exec_ns, "Time a SEAMCALL holds its locks, in ns (timing model, default 20000)");

/* Test control: the next call that takes locks holds them this long. */
static u32 hold_next_ns;

/* Arithmetic flags VMsucceed clears and VMfailInvalid sets CF among. */
#define VMX_RESULT_FLAGS (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			  X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

static void regs_to_gprs(const struct pt_regs *regs, u64 *gprs)
{
	gprs[0] = regs->ax;
	gprs[1] = regs->cx;
	gprs[2] = regs->dx;
	gprs[3] = regs->bx;
	gprs[4] = regs->sp;
	gprs[5] = regs->bp;
	gprs[6] = regs->si;
	gprs[7] = regs->di;
	gprs[8] = regs->r8;
	gprs[9] = regs->r9;
	gprs[10] = regs->r10;
	gprs[11] = regs->r11;
	gprs[12] = regs->r12;
	gprs[13] = regs->r13;
	gprs[14] = regs->r14;
	gprs[15] = regs->r15;
}

/*
 * RSP is never an output. RBP is one of TDH.VP.ENTER only, at a TD exit
 * (the module zeroes it or hands over the guest's, model/td/vp_exit.rs):
 * tdx_emu_die() writes it back then.
 */
static void gprs_to_regs(const u64 *gprs, struct pt_regs *regs)
{
	regs->ax = gprs[0];
	regs->cx = gprs[1];
	regs->dx = gprs[2];
	regs->bx = gprs[3];
	regs->si = gprs[6];
	regs->di = gprs[7];
	regs->r8 = gprs[8];
	regs->r9 = gprs[9];
	regs->r10 = gprs[10];
	regs->r11 = gprs[11];
	regs->r12 = gprs[12];
	regs->r13 = gprs[13];
	regs->r14 = gprs[14];
	regs->r15 = gprs[15];
}

/*
 * The host's extended state after a TD exit, as td_vmexit_to_vmm() leaves it
 * (initialize_extended_state() per the TD's XFAM with SSE, then
 * load_xmms_by_mask(), which gives the host only the XMMs a TDG.VP.VMCALL
 * selected; the model's guest selects none): x87 reset (FNINIT: control,
 * status and tag words; the register contents stay), XMM0-15 zero, MXCSR
 * 0x1f80 and, with AVX, YMM0-15 zero (VZEROALL). On the live registers,
 * whoever's state they hold, as the module does: a caller that did not save
 * its FPU state (kernel_fpu_begin() or KVM's guest FPU swap) loses it.
 * AVX-512 and AMX state are not modeled (QEMU's TCG CPUs have neither).
 */
static void scrub_extended_state(void)
{
	static const u32 mxcsr_init = 0x1f80;

	asm volatile("fninit");
	if (boot_cpu_has(X86_FEATURE_AVX)) {
		asm volatile("vzeroall");
	} else {
		asm volatile("xorps %xmm0, %xmm0\n\txorps %xmm1, %xmm1\n\t"
			     "xorps %xmm2, %xmm2\n\txorps %xmm3, %xmm3\n\t"
			     "xorps %xmm4, %xmm4\n\txorps %xmm5, %xmm5\n\t"
			     "xorps %xmm6, %xmm6\n\txorps %xmm7, %xmm7\n\t"
			     "xorps %xmm8, %xmm8\n\txorps %xmm9, %xmm9\n\t"
			     "xorps %xmm10, %xmm10\n\txorps %xmm11, %xmm11\n\t"
			     "xorps %xmm12, %xmm12\n\txorps %xmm13, %xmm13\n\t"
			     "xorps %xmm14, %xmm14\n\txorps %xmm15, %xmm15");
	}
	asm volatile("ldmxcsr %0" : : "m" (mxcsr_init));
}

static bool is_kernel_seamcall(struct pt_regs *regs)
{
	u8 insn[sizeof(seamcall_insn)];

	if (user_mode(regs))
		return false;
	if (copy_from_kernel_nofault(insn, (void *)regs->ip, sizeof(insn)))
		return false;
	return !memcmp(insn, seamcall_insn, sizeof(insn));
}

static int tdx_emu_die(struct notifier_block *nb, unsigned long val,
		       void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	u64 gprs[TDX_EMU_NR_GPRS];
	u64 stack_top = 0;
	struct task_struct *target = NULL;
	bool fail_allocs = false;
	u64 leaf;
	u32 outcome, cpu, hold_ns = 0;
	unsigned long flags;
	int pkg;
	bool td_exit = false;

	if (val != DIE_TRAP || args->trapnr != X86_TRAP_UD ||
	    !is_kernel_seamcall(regs))
		return NOTIFY_DONE;

	regs_to_gprs(regs, gprs);
	leaf = gprs[0] & 0xffff;
	/* Tests check which argument block a trampoline kept there. */
	if (copy_from_kernel_nofault(&stack_top, (void *)regs->sp,
				     sizeof(stack_top)))
		stack_top = 0;
	/*
	 * Begin and finish on one CPU, the LP that holds the locks, with
	 * interrupts off in between: the TDX module runs with them blocked, so
	 * no SEAMCALL can start on an LP inside one (an IPI's, for instance).
	 */
	local_irq_save(flags);
	cpu = smp_processor_id();
	pkg = topology_logical_package_id(cpu);
	scoped_guard(raw_spinlock_irqsave, &tdx_emu_lock) {
		outcome = tdx_emu_rs_seamcall_begin(tdx_emu_model, gprs, cpu, pkg);
		if (outcome == TDX_EMU_RUN_HELD) {
			hold_ns = hold_next_ns ?: exec_ns;
			hold_next_ns = 0;
		}
	}
	if (outcome == TDX_EMU_RUN || outcome == TDX_EMU_RUN_HELD) {
		ndelay(hold_ns);
		guard(raw_spinlock_irqsave)(&tdx_emu_lock);
		outcome = tdx_emu_rs_seamcall_finish(tdx_emu_model, gprs, cpu,
						     pkg, stack_top);
		td_exit = tdx_emu_rs_take_td_exit(tdx_emu_model);
		if (outcome == TDX_EMU_COMPLETE && !gprs[0] &&
		    leaf == TDH_SYS_CONFIG_LEAF && fail_alloc == FAIL_ALLOC_ARMED &&
		    !fail_task)
			fail_task = get_task_struct(current);
		if (outcome == TDX_EMU_COMPLETE && fail_alloc == FAIL_ALLOC_ARMED &&
		    tdx_emu_rs_tdmrs_initialized(tdx_emu_model)) {
			fail_alloc = FAIL_ALLOC_FIRED;
			fail_allocs = true;
			target = fail_task;
			fail_task = NULL;
		}
	}
	local_irq_restore(flags);
#ifdef CONFIG_FAULT_INJECTION
	if (fail_allocs) {
		/* That task waits for the workers: it is alive, and not the last
		 * reference's holder.
		 */
		(target ?: current)->make_it_fail = true;
		if (target)
			put_task_struct(target);
	}
#endif

	switch (outcome) {
	case TDX_EMU_COMPLETE:
		gprs_to_regs(gprs, regs);
		regs->flags &= ~VMX_RESULT_FLAGS;
		if (td_exit) {
			regs->bp = gprs[5];
			scrub_extended_state();
		}
		break;
	case TDX_EMU_VMFAILINVALID:
		regs->flags &= ~VMX_RESULT_FLAGS;
		regs->flags |= X86_EFLAGS_CF;
		break;
	default:
		return NOTIFY_DONE;
	}
	regs->ip += sizeof(seamcall_insn);
	return NOTIFY_STOP;
}

static struct notifier_block tdx_emu_die_nb = {
	.notifier_call = tdx_emu_die,
};

int tdx_emu_trap_register(struct tdx_emu_model *model)
{
	int ret;

	if (nr_cpu_ids > TDX_EMU_MAX_CALLERS) {
		pr_err("tdx_emu: %u CPUs, the lock table holds %u callers\n",
		       nr_cpu_ids, TDX_EMU_MAX_CALLERS);
		return -E2BIG;
	}
	tdx_emu_model = model;
	ret = register_die_notifier(&tdx_emu_die_nb);
	if (!ret)
		tdx_emu_debugfs_create();
	return ret;
}

/* Returns once no CPU can be inside tdx_emu_die() any more. */
void tdx_emu_trap_unregister(void)
{
	tdx_emu_debugfs_remove();
	unregister_die_notifier(&tdx_emu_die_nb);
	tdx_emu_model = NULL;
}

/* The test controls: each holds the model lock around one Rust call. */
int tdx_emu_set_mode(u32 mode)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_set_mode(tdx_emu_model, mode);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_set_mode, TDX_EMU);

void tdx_emu_probe_arm(const u64 *outputs, u16 mask)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_probe_arm(tdx_emu_model, outputs, mask);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_probe_arm, TDX_EMU);

bool tdx_emu_probe_take(u64 *inputs)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_probe_take(tdx_emu_model, inputs);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_probe_take, TDX_EMU);

void tdx_emu_inject_status(u16 leaf, u64 status, u32 count)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_inject_status(tdx_emu_model, leaf, status, count);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_inject_status, TDX_EMU);

int tdx_emu_inject(u16 leaf, u32 nth, u32 times, u32 fault, u64 status)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_inject(tdx_emu_model, leaf, nth, times, fault, status);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_inject, TDX_EMU);

u64 tdx_emu_calls(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_calls(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_calls, TDX_EMU);

u64 tdx_emu_calls_of(u16 leaf)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_calls_of(tdx_emu_model, leaf);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_calls_of, TDX_EMU);

u64 tdx_emu_busy_of(u16 leaf)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_busy_of(tdx_emu_model, leaf);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_busy_of, TDX_EMU);

void tdx_emu_hold_next(u32 ns)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	hold_next_ns = ns;
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_hold_next, TDX_EMU);

u32 tdx_emu_locks_held(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_locks_held(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_locks_held, TDX_EMU);

bool tdx_emu_config_record(struct tdx_emu_config_record *record)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_config_record(tdx_emu_model, record);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_config_record, TDX_EMU);

void tdx_emu_set_features0(u64 features0)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_set_features0(tdx_emu_model, features0);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_set_features0, TDX_EMU);

void tdx_emu_reset(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	tdx_emu_rs_reset(tdx_emu_model);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_reset, TDX_EMU);

/* For debugfs.c: arm (or disarm) the allocation failure after init. */
int tdx_emu_fail_alloc_after_init(bool arm)
{
	struct task_struct *task;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		return -EOPNOTSUPP;
	scoped_guard(raw_spinlock_irqsave, &tdx_emu_lock) {
		fail_alloc = arm ? FAIL_ALLOC_ARMED : FAIL_ALLOC_OFF;
		task = fail_task;
		fail_task = NULL;
	}
	if (task)
		put_task_struct(task);
	return 0;
}

/* 0: off, 1: armed, 2: fired (the task's allocations fail). */
u32 tdx_emu_fail_alloc_state(void)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return fail_alloc;
}

#define MAX_PAMTS (64 * 3)

/*
 * How many pages of the PAMTs the emulated module holds are free in the
 * page allocator: pages the module owns that the host gave back.
 */
long tdx_emu_pamt_free_pages(void)
{
	u64 *bases, *sizes;
	long free = 0;
	u32 i, n;

	bases = kcalloc(MAX_PAMTS, sizeof(*bases), GFP_KERNEL);
	sizes = kcalloc(MAX_PAMTS, sizeof(*sizes), GFP_KERNEL);
	if (!bases || !sizes) {
		free = -ENOMEM;
		goto out;
	}
	scoped_guard(raw_spinlock_irqsave, &tdx_emu_lock)
		n = tdx_emu_rs_pamts(tdx_emu_model, bases, sizes, MAX_PAMTS);
	/* 64 TDMRs of three PAMTs each is the module's maximum. */
	if (n == MAX_PAMTS) {
		free = -E2BIG;
		goto out;
	}
	for (i = 0; i < n; i++) {
		unsigned long pfn;

		for (pfn = PHYS_PFN(bases[i]); pfn < PHYS_PFN(bases[i] + sizes[i]); pfn++) {
			struct page *page = pfn_to_online_page(pfn);

			if (page && !page_count(page))
				free++;
		}
		cond_resched();
	}
out:
	kfree(bases);
	kfree(sizes);
	return free;
}

/* For debugfs.c: the model's text report into @buf. */
u64 tdx_emu_report(char *buf, u64 len)
{
	guard(raw_spinlock_irqsave)(&tdx_emu_lock);
	return tdx_emu_rs_report(tdx_emu_model, buf, len);
}

/*
 * The emulated platform: module parameters, fixed at load. The CMRs, LPs
 * and packages have no default: they describe a machine (a profile of
 * platforms/, through scripts/platform.py), never the kernel under test.
 */
static char *cmrs;
module_param(cmrs, charp, 0444);
MODULE_PARM_DESC(cmrs, "Convertible memory: START-END,... hex, [START, END), at most 32 (required)");
static unsigned int lps;
module_param(lps, uint, 0444);
MODULE_PARM_DESC(lps, "Logical processors of the emulated platform (required)");
static unsigned int packages;
module_param(packages, uint, 0444);
MODULE_PARM_DESC(packages, "Packages of the emulated platform (required)");
static char *version;
module_param(version, charp, 0444);
MODULE_PARM_DESC(version, "TDX module version to behave as: 1.5.01, 1.5.05 or 1.5.06 (default 1.5.06)");
static unsigned int fms;
module_param(fms, uint, 0444);
MODULE_PARM_DESC(fms, "CPUID.01H:EAX family/model/stepping the emulated module sees (default: this CPU's)");
static char *handoff;
module_param(handoff, charp, 0444);
MODULE_PARM_DESC(handoff, "SEAM loader hand-over: PAGES,VALID,HV,SIZE hex (optional; without it those fields are declined)");
static unsigned int mktme_keyids = 31;
module_param(mktme_keyids, uint, 0444);
MODULE_PARM_DESC(mktme_keyids, "MKTME KeyIDs of the emulated platform (default 31)");
static unsigned int tdx_keyids = 32;
module_param(tdx_keyids, uint, 0444);
MODULE_PARM_DESC(tdx_keyids, "TDX private KeyIDs of the emulated platform (default 32)");

void tdx_emu_keyid_partitioning(u32 *nr_mktme, u32 *nr_tdx)
{
	*nr_mktme = mktme_keyids;
	*nr_tdx = tdx_keyids;
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_keyid_partitioning, TDX_EMU);

u32 tdx_emu_tme_keyid_bits(void)
{
	/* The fewest bits that hold every KeyID, as model/keyids.rs takes. */
	return fls(mktme_keyids + tdx_keyids);
}
EXPORT_SYMBOL_NS_GPL(tdx_emu_tme_keyid_bits, TDX_EMU);

/*
 * KeyIDs 1..mktme_keyids + tdx_keyids must fit the at most 15 KeyID bits
 * IA32_TME_ACTIVATE can activate (KeyID 0 is TME's own).
 */
#define TDX_EMU_MAX_KEYID	((1U << 15) - 1)

/*
 * The machine as the SEAM loader would have measured it, from the module
 * parameters; the CMRs are parsed in Rust (platform_param.rs), which also
 * says which parameters are missing. 0 for a count that was not given.
 * -EINVAL for a KeyID partitioning no platform can have.
 */
int tdx_emu_k_platform(struct tdx_emu_platform *p)
{
	if (mktme_keyids > TDX_EMU_MAX_KEYID ||
	    tdx_keyids > TDX_EMU_MAX_KEYID - mktme_keyids) {
		pr_err("tdx_emu: mktme_keyids=%u tdx_keyids=%u: more than %u KeyIDs\n",
		       mktme_keyids, tdx_keyids, TDX_EMU_MAX_KEYID);
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->nr_lps = lps;
	p->nr_packages = packages;
	p->nr_mktme_keyids = mktme_keyids;
	p->nr_tdx_keyids = tdx_keyids;
	/* The CPU's MAXPHYADDR, not the kernel's view of it. */
	p->max_pa = cpuid_eax(0x80000008) & 0xff;
	/*
	 * Its family, model and stepping, as MCHECK records them: fms= (a
	 * profile's CPU) where given, else this CPU's own.
	 */
	p->fms = fms ? fms : cpuid_eax(1);
	return 0;
}

/* The version= parameter as given, or NULL (module_version.rs). */
const char *tdx_emu_k_version_param(void)
{
	return version;
}

/* The handoff= parameter as given, or NULL (handoff_param.rs). */
const char *tdx_emu_k_handoff_param(void)
{
	return handoff;
}

/* The cmrs= parameter as given, or NULL. */
const char *tdx_emu_k_cmrs_param(void)
{
	return cmrs;
}

/* The module's view of host memory: any online page, through the direct map. */
static bool phys_range_ok(u64 pa, u64 len)
{
	u64 pfn;

	if (!len || pa + len < pa)
		return false;
	for (pfn = PHYS_PFN(pa); pfn <= PHYS_PFN(pa + len - 1); pfn++)
		if (!pfn_to_online_page(pfn))
			return false;
	return true;
}

bool tdx_emu_k_phys_read(u64 pa, void *buf, u64 len)
{
	return phys_range_ok(pa, len) &&
	       !copy_from_kernel_nofault(buf, phys_to_virt(pa), len);
}

/* Online pages are always mapped: a plain, KASAN-checked copy. */
bool tdx_emu_k_phys_write(u64 pa, const void *data, u64 len)
{
	if (!phys_range_ok(pa, len))
		return false;
	memcpy(phys_to_virt(pa), data, len);
	return true;
}
