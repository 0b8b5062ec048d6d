/* SPDX-License-Identifier: GPL-2.0 */
/* callee_saved.S's check around tdx_rs_vp_enter(), for the norbp suite. */
#define CALLEE_SAVED_VP_ENTER
#include "callee_saved.S"
