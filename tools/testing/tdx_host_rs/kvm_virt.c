// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_rs_kvm_virt: a stand-in for kvm_intel's VMX enabling, for tests on the
 * emulated TDX module only. SEAMCALL needs VMX operation, and tdx_host_rs
 * never executes VMXON: on Linux 6.12 kvm_intel does, at load
 * (kvm.enable_virt_at_load=1, the default) on every online CPU, and for a
 * CPU coming online in KVM's CPU hotplug callback, CPUHP_AP_KVM_ONLINE
 * ("kvm/cpu:online", kvm_online_cpu() / kvm_offline_cpu() in
 * virt/kvm/kvm_main.c). That state comes before tdx_host_rs'
 * CPUHP_AP_ONLINE_DYN callback on the way up and after it on the way down,
 * so a CPU is in VMX operation when tdx_host_rs does its TDH.SYS.LP.INIT.
 *
 * This module registers the same fixed state with the same name and turns
 * VMX on through the emulator (tdx_emu_vmxon()) instead of VMXON: at load on
 * every online CPU, later on each CPU that comes online; off on each CPU
 * that goes offline, and everywhere at unload. It must not be loaded with a
 * real KVM that enabled virtualization: the state is KVM's, and loading then
 * fails with -EBUSY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/tdx_emu.h>

static int kvm_virt_online(unsigned int cpu)
{
	int ret = tdx_emu_vmxon();

	if (ret)
		pr_err("CPU %u: VMXON failed (%d)\n", cpu, ret);
	return ret;
}

static int kvm_virt_offline(unsigned int cpu)
{
	int ret = tdx_emu_vmxoff();

	if (ret)
		pr_err("CPU %u: VMXOFF failed (%d)\n", cpu, ret);
	return 0;
}

static int __init kvm_virt_init(void)
{
	int ret = cpuhp_setup_state(CPUHP_AP_KVM_ONLINE, "kvm/cpu:online",
				    kvm_virt_online, kvm_virt_offline);

	if (ret)
		pr_err("cannot register CPUHP_AP_KVM_ONLINE (%d): is KVM's virtualization enabled?\n",
		       ret);
	else
		pr_info("VMX on for every online CPU, and for each that comes online\n");
	return ret;
}
module_init(kvm_virt_init);

static void __exit kvm_virt_exit(void)
{
	cpuhp_remove_state(CPUHP_AP_KVM_ONLINE);
}
module_exit(kvm_virt_exit);

MODULE_DESCRIPTION("tdx_host_rs tests: kvm_intel's VMX enabling at load, on the emulated TDX module");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TDX_EMU);
