// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_enable_once: loading it calls tdx_rs_enable() once; the module
 * loads if that returned 0 and otherwise fails to load with its errno, so a
 * shell script sees the result in insmod's exit status and message.
 */
#include <linux/module.h>
#include <linux/tdx_host_rs.h>

static int __init tdx_rs_enable_once_init(void)
{
	return tdx_rs_enable();
}
module_init(tdx_rs_enable_once_init);

static void __exit tdx_rs_enable_once_exit(void)
{
}
module_exit(tdx_rs_enable_once_exit);

MODULE_DESCRIPTION("tdx_host_rs: call tdx_rs_enable() at load (test)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
