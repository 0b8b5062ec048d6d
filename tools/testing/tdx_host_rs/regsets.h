/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register sets of the SEAMCALL trampolines' contract, as masks with one bit
 * per x86 register index (the emulator probe's mask format).
 */
#ifndef _TDX_RS_REGSETS_H
#define _TDX_RS_REGSETS_H

#include <linux/bits.h>
#include <asm/kvm_vcpu_regs.h>

#define TDX_RS_REG(n)	BIT(__VCPU_REGS_##n)

/* Operands of tdx_rs_seamcall{,_ret}: loaded, and stored back by _ret. */
#define TDX_RS_COMMON_OPERANDS	(TDX_RS_REG(RCX) | TDX_RS_REG(RDX) |	\
				 TDX_RS_REG(R8) | TDX_RS_REG(R9) |	\
				 TDX_RS_REG(R10) | TDX_RS_REG(R11))

/* Operands of tdx_rs_seamcall_saved_ret: loaded and stored back. */
#define TDX_RS_SAVED_OPERANDS	(TDX_RS_COMMON_OPERANDS |		\
				 TDX_RS_REG(RBX) | TDX_RS_REG(RSI) |	\
				 TDX_RS_REG(RDI) | TDX_RS_REG(R12) |	\
				 TDX_RS_REG(R13) | TDX_RS_REG(R14) |	\
				 TDX_RS_REG(R15))

/*
 * What a leaf served by tdx_rs_seamcall{,_ret} may write: RAX, its operands
 * and RDI (caller-clobbered, never stored back); never RSI, which holds the
 * argument pointer, nor a callee-saved register.
 */
#define TDX_RS_COMMON_CLOBBERS	(TDX_RS_REG(RAX) | TDX_RS_COMMON_OPERANDS | \
				 TDX_RS_REG(RDI))

#define TDX_RS_CALLEE_SAVED	(TDX_RS_REG(RBX) | TDX_RS_REG(R12) |	\
				 TDX_RS_REG(R13) | TDX_RS_REG(R14) |	\
				 TDX_RS_REG(R15))

#endif /* _TDX_RS_REGSETS_H */
