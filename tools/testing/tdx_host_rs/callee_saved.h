/* SPDX-License-Identifier: GPL-2.0 */
/*
 * callee_saved.S: call one trampoline with known values in RBX and R12-R15
 * (and RBP) and return the mask (bit = register index) of those that changed.
 */
#ifndef _TDX_RS_CALLEE_SAVED_H
#define _TDX_RS_CALLEE_SAVED_H

#include <linux/tdx_host_rs.h>

u64 tdx_rs_test_callee_saved_plain(u64 fn, struct tdx_module_args *args);
u64 tdx_rs_test_callee_saved_ret(u64 fn, struct tdx_module_args *args);
u64 tdx_rs_test_callee_saved_saved_ret(u64 fn, struct tdx_module_args *args);

#endif /* _TDX_RS_CALLEE_SAVED_H */
