// SPDX-License-Identifier: GPL-2.0
/*
 * TD_PARAMS from the TDX module's td_conf, as upstream KVM's
 * setup_tdparams() builds it for a VMM that asks for what the host has.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include "kvm_td_params.h"

/* KVM supports SEPT_VE_DISABLE only; it refuses a module that forces more. */
static int attributes(const struct tdx_rs_sysinfo_td_conf *c, u64 *out)
{
	u64 supported = TD_ATTR_SEPT_VE_DISABLE;

	if ((supported & c->attributes_fixed1) != c->attributes_fixed1)
		return -EIO;
	*out = (supported & c->attributes_fixed0) | c->attributes_fixed1;
	return 0;
}

/* x87, SSE and AVX, as far as the module allows them. */
static int xfam(const struct tdx_rs_sysinfo_td_conf *c, u64 *out)
{
	u64 supported = TD_XFAM_X87_SSE_AVX;

	if ((supported & c->xfam_fixed1) != c->xfam_fixed1)
		return -EIO;
	*out = (supported & c->xfam_fixed0) | c->xfam_fixed1;
	return 0;
}

/* CPUID_CONFIG_LEAVES: leaf in bits 31:0, subleaf in 63:32 (all ones: none). */
static void cpuid_value(const struct tdx_rs_sysinfo_td_conf *c, int i,
			struct td_cpuid_value *v)
{
	u32 leaf = (u32)c->cpuid_config_leaves[i];
	u32 sub = c->cpuid_config_leaves[i] >> 32;
	u32 eax, ebx, ecx, edx;

	cpuid_count(leaf, sub == U32_MAX ? 0 : sub, &eax, &ebx, &ecx, &edx);
	v->eax = eax & (u32)c->cpuid_config_values[i][0];
	v->ebx = ebx & (u32)(c->cpuid_config_values[i][0] >> 32);
	v->ecx = ecx & (u32)c->cpuid_config_values[i][1];
	v->edx = edx & (u32)(c->cpuid_config_values[i][1] >> 32);
	/* The GPAW goes in EPTP_CONTROLS; the module wants 23:16 clear here. */
	if (leaf == 0x80000008)
		v->eax &= ~GENMASK(23, 16);
}

int kvm_td_fill_params(struct td_params *p, const struct tdx_rs_sysinfo *si)
{
	const struct tdx_rs_sysinfo_td_conf *c;
	int i, ret;

	if (!si)
		return -ENODEV;
	c = &si->td_conf;
	if (c->num_cpuid_config > TD_PARAMS_MAX_CPUID ||
	    c->num_cpuid_config > TDX_RS_MAX_CPUID_CONFIG)
		return -E2BIG;
	ret = attributes(c, &p->attributes);
	if (!ret)
		ret = xfam(c, &p->xfam);
	if (ret)
		return ret;
	p->max_vcpus = min_t(u32, num_present_cpus(), c->max_vcpus_per_td);
	p->eptp_controls = TD_EPTP_MT_WB | TD_EPTP_PWL_4;
	p->config_flags = TD_CONFIG_FLAGS_NO_RBP_MOD;
	/* The virtual TSC: 100 MHz to 10 GHz, in 25 MHz units. */
	p->tsc_frequency = clamp_t(u32, tsc_khz / 25000, 4, 400);
	for (i = 0; i < c->num_cpuid_config; i++)
		cpuid_value(c, i, &p->cpuid_values[i]);
	return 0;
}

void kvm_td_log_params(const char *name, const struct td_params *p)
{
	pr_info("%s: init: TD_PARAMS ATTRIBUTES %#llx XFAM %#llx MAX_VCPUS %u EPTP_CONTROLS %#llx (GPAW 48, 4-level EPT) CONFIG_FLAGS %#llx TSC %u x 25 MHz\n",
		name, p->attributes, p->xfam, p->max_vcpus, p->eptp_controls,
		p->config_flags, p->tsc_frequency);
}
