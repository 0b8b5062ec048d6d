// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_demo: one SEAMCALL through each trampoline, registers printed on
 * the way in and on the way out. `make run` loads it after the emulator.
 * The emulated module is not initialized yet, so it answers as the TDX
 * module would at that point.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/tdx_host_rs.h>

#define LEAF_TDH_MNG_CREATE	9

static void show(const char *when, const struct tdx_module_args *a)
{
	pr_info("  %s: rcx=%#llx rdx=%#llx rbx=%#llx rsi=%#llx rdi=%#llx\n",
		when, a->rcx, a->rdx, a->rbx, a->rsi, a->rdi);
	pr_info("  %s: r8=%#llx r9=%#llx r10=%#llx r11=%#llx\n",
		when, a->r8, a->r9, a->r10, a->r11);
	pr_info("  %s: r12=%#llx r13=%#llx r14=%#llx r15=%#llx\n",
		when, a->r12, a->r13, a->r14, a->r15);
}

static void demo(const char *name, u64 (*call)(u64, struct tdx_module_args *),
		 const char *leaf_name, u64 fn)
{
	struct tdx_module_args args = {
		.rcx = 0x1c, .rdx = 0x2d, .rbx = 0x3b, .rsi = 0x6e, .rdi = 0x7d,
		.r8 = 0x88, .r9 = 0x99, .r10 = 0x1010, .r11 = 0x1111,
		.r12 = 0x1212, .r13 = 0x1313, .r14 = 0x1414, .r15 = 0x1515,
	};
	u64 ret;

	pr_info("%s(%s, RAX=%#llx)\n", name, leaf_name, fn);
	show("in ", &args);
	ret = call(fn, &args);
	show("out", &args);
	pr_info("  status RAX=%#018llx\n", ret);
}

static int __init tdx_rs_demo_init(void)
{
	demo("tdx_rs_seamcall", tdx_rs_seamcall, "TDH.MNG.CREATE",
	     LEAF_TDH_MNG_CREATE);
	demo("tdx_rs_seamcall_ret", tdx_rs_seamcall_ret, "TDH.SYS.INIT v1",
	     TDX_RS_LEAF_SYS_INIT | BIT(16));
	demo("tdx_rs_seamcall_saved_ret", tdx_rs_seamcall_saved_ret,
	     "TDH.VP.ENTER", TDX_RS_LEAF_VP_ENTER);
	return 0;
}
module_init(tdx_rs_demo_init);

static void __exit tdx_rs_demo_exit(void)
{
}
module_exit(tdx_rs_demo_exit);

MODULE_DESCRIPTION("tdx_host_rs: one call through each SEAMCALL trampoline");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
