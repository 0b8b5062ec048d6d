// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_td_kunit.ko: the TD suites, in this order: tdx_rs_td_life,
 * tdx_rs_td_misuse, tdx_rs_td_sweep. Load after tdx_emu.ko, tdx_host_rs.ko
 * and tdx_rs_kvm_consumer.ko; the suites initialize the TDX module if
 * nobody did.
 */
#include <linux/module.h>
#include "td_check.h"

kunit_test_suites(&td_life_suite, &td_misuse_suite, &td_sweep_suite);

MODULE_DESCRIPTION("tdx_host_rs: TDs built, run and torn down, misused, faulted (KUnit)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_HOST_RS);
MODULE_IMPORT_NS(TDX_EMU);
MODULE_IMPORT_NS(TDX_RS_TEST);
