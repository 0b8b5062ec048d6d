// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's half of the differential suite: the only file that includes
 * upstream's <asm/tdx.h> and its 13-register struct tdx_module_args.
 */
#include <linux/module.h>
#include <asm/tdx.h>
#include "upstream_diff.h"

u64 tdx_rs_diff_upstream_call(enum tdx_rs_diff_variant variant, u64 fn,
			      u64 *regs)
{
	struct tdx_module_args args = {};
	u64 ret;

	TDX_RS_DIFF_LOAD(&args, regs);
	switch (variant) {
	case TDX_RS_DIFF_PLAIN:
		ret = __seamcall(fn, &args);
		break;
	case TDX_RS_DIFF_RET:
		ret = __seamcall_ret(fn, &args);
		break;
	default:
		ret = __seamcall_saved_ret(fn, &args);
		break;
	}

	TDX_RS_DIFF_STORE(&args, regs);
	return ret;
}

/* Exported by the test kernel's patch, in this namespace. */
MODULE_IMPORT_NS(TDX_HOST_RS_UPSTREAM_TEST);
