// SPDX-License-Identifier: GPL-2.0

//! The logical processors' side of the initialization: TDH.SYS.INIT once,
//! TDH.SYS.LP.INIT on each CPU before it makes any other SEAMCALL, and what
//! a CPU coming online does. The rules are `cpus.rs`'.
//!
//! This state is used with interrupts off (in IPIs, in CPU hotplug
//! callbacks, from KVM's own CPU bring-up), so it lives outside the host
//! lock and is made of atomics.

use super::check;
use super::cpus::{self, SysInitOnce};
use super::explain::Platform;
use crate::abi::leaf::Leaf;
use crate::glue::services as k;
use crate::seamcall::sys;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;

/// TDH.SYS.INIT's outcome and each CPU's TDH.SYS.LP.INIT.
pub(crate) struct Lps {
    sys_init: SysInitOnce,
    /// Indexed by CPU id: did TDH.SYS.LP.INIT succeed there. The TDX
    /// module keeps an LP's initialization across offline and online.
    ready: KVec<AtomicBool>,
}

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
        })
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
        to_result(
            self.sys_init
                .run(|| match check(Leaf::SysInit, sys::sys_init()) {
                    Ok(_) => 0,
                    Err(e) => e.to_errno(),
                }),
        )?;
        check(Leaf::SysLpInit, sys::lp_init())?;
        let slot = self.ready.get(cpu as usize).ok_or(EINVAL)?;
        slot.store(true, Ordering::Release);
        Ok(())
    }

    /// TDH.SYS.LP.INIT on every online CPU, then: the first error, or
    /// `-EBUSY` while a present CPU never did it, or 0. The caller holds
    /// the CPU hotplug lock.
    pub(crate) fn init_all(&self) -> Result {
        k::on_each_cpu(self, Lps::enable_this_cpu)?;
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
        self.enable_this_cpu().inspect_err(|e| {
            pr_err!(
                "CPU {}: TDH.SYS.LP.INIT failed ({}): it stays offline\n",
                k::this_cpu().0,
                e.to_errno()
            )
        })
    }
}
