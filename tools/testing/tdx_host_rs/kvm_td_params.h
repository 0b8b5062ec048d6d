/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TD_PARAMS, the 1024-byte input of TDH.MNG.INIT (Intel's td_params_t, the
 * layout upstream KVM's tdx_arch.h declares), built from the TDX module's
 * td_conf as KVM's setup_tdparams() builds it.
 */
#ifndef _TDX_RS_KVM_TD_PARAMS_H
#define _TDX_RS_KVM_TD_PARAMS_H

#include <linux/build_bug.h>
#include <linux/tdx_host_rs.h>
#include <linux/types.h>

struct td_cpuid_value {
	u32 eax;
	u32 ebx;
	u32 ecx;
	u32 edx;
} __packed;

#define TD_PARAMS_MAX_CPUID	48

struct td_params {
	u64 attributes;
	u64 xfam;
	u16 max_vcpus;
	u8 num_l2_vms;
	u8 msr_config_ctls;
	u8 reserved0[4];
	u64 eptp_controls;
	u64 config_flags;
	u16 tsc_frequency;	/* in 25 MHz units */
	u8 reserved1[38];
	u64 mrconfigid[6];
	u64 mrowner[6];
	u64 mrownerconfig[6];
	u64 ia32_arch_capabilities_config;
	u8 reserved2[24];
	struct td_cpuid_value cpuid_values[TD_PARAMS_MAX_CPUID];
} __packed;

static_assert(sizeof(struct td_params) == 1024);
static_assert(offsetof(struct td_params, mrconfigid) == 80);
static_assert(offsetof(struct td_params, cpuid_values) == 256);

#define TD_ATTR_SEPT_VE_DISABLE		BIT_ULL(28)
#define TD_XFAM_X87_SSE_AVX		0x7ULL
#define TD_EPTP_MT_WB			6ULL
#define TD_EPTP_PWL_4			(3ULL << 3)
#define TD_CONFIG_FLAGS_NO_RBP_MOD	BIT_ULL(2)

/*
 * Fills @p (zeroed by the caller): ATTRIBUTES and XFAM within the fixed
 * bits, MAX_VCPUS, GPAW 48 with a 4-level EPT, the host's CPUID values of
 * each configurable leaf within the bits the module lets a VMM set.
 * -EIO when td_conf asks for bits KVM does not support.
 */
int kvm_td_fill_params(struct td_params *p, const struct tdx_rs_sysinfo *si);
void kvm_td_log_params(const char *name, const struct td_params *p);

#endif /* _TDX_RS_KVM_TD_PARAMS_H */
