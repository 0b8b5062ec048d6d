// SPDX-License-Identifier: GPL-2.0

//! The logical processors' side of the initialization: TDH.SYS.INIT once,
//! TDH.SYS.LP.INIT on each CPU before it makes any other SEAMCALL, and what
//! a CPU coming online does. The rules are `cpus.rs`'.
//!
//! This state is used with interrupts off (in IPIs, in CPU hotplug
//! callbacks, from KVM's own CPU bring-up), so it lives outside the host
//! lock and is made of atomics.
//!
//! SEAMCALL needs VMX operation, which the hypervisor turns on (on 6.12,
//! kvm_intel at load and in its CPUHP_AP_KVM_ONLINE callback, before ours).
//! A #UD here means the CPU is not in VMX operation: the call never reached
//! the TDX module, so it changed nothing there. The first such CPU is named
//! in one line with what to do, and TDH.SYS.INIT may be tried again.

use super::check;
use super::cpus::{self, SysInitOnce};
use super::explain::{Platform, VMX_FIX};
use crate::abi::leaf::Leaf;
use crate::abi::status::{SeamcallError, TRAP_UD};
use crate::glue::services as k;
use crate::seamcall::sys;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;

/// TDH.SYS.INIT's outcome and each CPU's TDH.SYS.LP.INIT.
pub(crate) struct Lps {
    sys_init: SysInitOnce,
    /// Indexed by CPU id: did TDH.SYS.LP.INIT succeed there. The TDX
    /// module keeps an LP's initialization across offline and online.
    ready: KVec<AtomicBool>,
    /// The first CPU whose SEAMCALL raised #UD (not in VMX operation)
    /// since the last [`Lps::init_all`], or [`NO_CPU`].
    no_vmx: AtomicU32,
}

/// No CPU in [`Lps::no_vmx`].
const NO_CPU: u32 = u32::MAX;

impl Lps {
    pub(crate) fn new() -> Result<Self> {
        let nr = k::nr_cpu_ids() as usize;
        let mut ready = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            ready.push(AtomicBool::new(false), GFP_KERNEL)?;
        }
        Ok(Self {
            sys_init: SysInitOnce::new(),
            ready,
            no_vmx: AtomicU32::new(NO_CPU),
        })
    }

    /// [`check`] for this CPU's TDH.SYS.INIT or TDH.SYS.LP.INIT, but a #UD
    /// is only noted (the caller logs it once, naming the CPU): `-EACCES`.
    fn check_here<T>(&self, cpu: u32, leaf: Leaf, r: Result<T, SeamcallError>) -> Result<T> {
        if let Err(SeamcallError::Trap(TRAP_UD)) = r {
            let _ = self
                .no_vmx
                .compare_exchange(NO_CPU, cpu, Ordering::AcqRel, Ordering::Acquire);
            return Err(EACCES);
        }
        check(leaf, r)
    }

    /// Logs that `cpu` is not in VMX operation, and what to do.
    fn log_no_vmx(cpu: u32) {
        pr_err!("CPU {cpu} is not in VMX operation (SEAMCALL raised #UD): {VMX_FIX}\n");
        pr_err!("{}\n", Platform::NotInVmxOperation.text());
    }

    fn is_ready(&self, cpu: u32) -> bool {
        self.ready
            .get(cpu as usize)
            .is_some_and(|r| r.load(Ordering::Acquire))
    }

    /// `tdx_rs_cpu_enable()`: TDH.SYS.INIT (once) and TDH.SYS.LP.INIT on
    /// the calling CPU, which must have interrupts off (`-EINVAL`
    /// otherwise: migration would run one CPU's TDH.SYS.LP.INIT on another).
    pub(crate) fn enable_this_cpu(&self) -> Result {
        let (cpu, irqs_off) = k::this_cpu();
        if !irqs_off {
            return Err(EINVAL);
        }
        if self.is_ready(cpu) {
            return Ok(());
        }
        to_result(self.sys_init.run(|| {
            match self.check_here(cpu, Leaf::SysInit, sys::sys_init()) {
                Ok(_) => 0,
                Err(e) => e.to_errno(),
            }
        }))?;
        self.check_here(cpu, Leaf::SysLpInit, sys::lp_init())?;
        let slot = self.ready.get(cpu as usize).ok_or(EINVAL)?;
        slot.store(true, Ordering::Release);
        Ok(())
    }

    /// TDH.SYS.LP.INIT on every online CPU, then: `-EACCES` if a CPU is
    /// not in VMX operation (nothing reached the TDX module there, and a #UD
    /// of TDH.SYS.INIT is forgotten: the caller may enable again once VMX
    /// is on), the first other error, `-EBUSY` while a present CPU never did
    /// it, or 0. The caller holds the CPU hotplug lock.
    pub(crate) fn init_all(&self) -> Result {
        self.no_vmx.store(NO_CPU, Ordering::Release);
        let all = k::on_each_cpu(self, Lps::enable_this_cpu);
        let no_vmx = self.no_vmx.load(Ordering::Acquire);
        if no_vmx != NO_CPU {
            Self::log_no_vmx(no_vmx);
            self.sys_init.forget_failure(EACCES.to_errno());
            return Err(EACCES);
        }
        all?;
        match cpus::first_unready(k::present_cpus(), |cpu| self.is_ready(cpu)) {
            None => Ok(()),
            Some(cpu) => {
                pr_err!(
                    "CPU {cpu} is offline and never did TDH.SYS.LP.INIT: bring it online, then enable again\n"
                );
                pr_err!("{}\n", Platform::CpuNeverInitialized.text());
                Err(EBUSY)
            }
        }
    }

    /// A CPU coming online, interrupts off: once TDH.SYS.INIT succeeded, it
    /// does TDH.SYS.LP.INIT before anything else runs there, and stays
    /// offline if that fails.
    pub(crate) fn cpu_online(&self) -> Result {
        if !self.sys_init.succeeded() {
            return Ok(());
        }
        self.no_vmx.store(NO_CPU, Ordering::Release);
        self.enable_this_cpu().inspect_err(|e| {
            let cpu = k::this_cpu().0;
            pr_err!(
                "CPU {cpu}: TDH.SYS.LP.INIT failed ({}): it stays offline\n",
                e.to_errno()
            );
            if self.no_vmx.load(Ordering::Acquire) == cpu {
                Self::log_no_vmx(cpu);
            }
        })
    }
}
