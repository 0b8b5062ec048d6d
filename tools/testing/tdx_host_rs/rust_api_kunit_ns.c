// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol namespaces tdx_rs_rust_api_kunit uses: Linux 6.12's module!
 * macro cannot import them, so this object of the module does.
 */
#include <linux/module.h>

MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
