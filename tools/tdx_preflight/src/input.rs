// SPDX-License-Identifier: GPL-2.0

//! What the checks read, behind one trait: the live host, or a host recorded
//! in a directory (`--root DIR`). [`Inputs::gather`] reads everything once;
//! the checks are pure functions of the [`Inputs`].

use std::fs;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Command;

/// An MSR read on one CPU.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Msr {
    /// Its value.
    Value(u64),
    /// RDMSR faulted (#GP; the msr driver returns EIO): the CPU has no such
    /// MSR, or the BIOS left it disabled. A finding, not a failure to look.
    Faults,
    /// It could not be read: nothing is known.
    Unreadable(Why),
}

/// Why an MSR could not be read.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Why {
    /// No /dev/cpu/N/msr: the msr driver is not loaded.
    NoDriver,
    /// Permission denied: reading MSRs takes root (CAP_SYS_RAWIO).
    NotRoot,
    /// The recorded host has no line for it.
    NotRecorded,
    /// Another error, as the OS gave it.
    Other(String),
}

impl Why {
    /// What it was, and what to do.
    pub fn text(&self) -> (String, &'static str) {
        match self {
            Why::NoDriver => (
                "no /dev/cpu/0/msr".into(),
                "load the msr driver (modprobe msr) and run again as root",
            ),
            Why::NotRoot => (
                "permission denied on /dev/cpu/0/msr".into(),
                "run as root (reading MSRs takes CAP_SYS_RAWIO)",
            ),
            Why::NotRecorded => (
                "not in the recorded msr file".into(),
                "record it on the host as root: rdmsr -0 -p 0 MSR (msr-tools), as the line \
                 `0 MSR VALUE` of DIR/msr",
            ),
            Why::Other(e) => (
                e.clone(),
                "run as root with the msr driver loaded (modprobe msr)",
            ),
        }
    }
}

/// A host's files, live or recorded.
pub trait Source {
    /// /proc/cpuinfo.
    fn cpuinfo(&self) -> Option<String>;
    /// MSR `index` on CPU `cpu`.
    fn msr(&self, cpu: u32, index: u32) -> Msr;
    /// The kernel log.
    fn dmesg(&self) -> Option<String>;
    /// A sysfs file, by its path under /sys; `None` when absent.
    fn sys(&self, path: &str) -> Option<String>;
    /// Whether sysfs can be read at all.
    fn has_sys(&self) -> bool;
    /// The running kernel's configuration.
    fn kernel_config(&self) -> Option<String>;
    /// /proc/iomem.
    fn iomem(&self) -> Option<String>;
}

/// The running host.
pub struct Live;

impl Source for Live {
    fn cpuinfo(&self) -> Option<String> {
        fs::read_to_string("/proc/cpuinfo").ok()
    }

    fn msr(&self, cpu: u32, index: u32) -> Msr {
        use std::os::unix::fs::FileExt;
        let file = match fs::File::open(format!("/dev/cpu/{cpu}/msr")) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Msr::Unreadable(Why::NoDriver),
            Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                return Msr::Unreadable(Why::NotRoot)
            }
            Err(e) => return Msr::Unreadable(Why::Other(e.to_string())),
        };
        let mut buf = [0u8; 8];
        // The msr driver reads MSR `index` at file offset `index` (pread).
        match file.read_exact_at(&mut buf, u64::from(index)) {
            Ok(()) => Msr::Value(u64::from_le_bytes(buf)),
            // rdmsr_safe_on_cpu() failed: the MSR faulted.
            Err(e) if e.raw_os_error() == Some(EIO) => Msr::Faults,
            Err(e) => Msr::Unreadable(Why::Other(e.to_string())),
        }
    }

    fn dmesg(&self) -> Option<String> {
        let out = Command::new("dmesg").output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8(out.stdout).ok()
    }

    fn sys(&self, path: &str) -> Option<String> {
        fs::read_to_string(format!("/sys/{path}")).ok()
    }

    fn has_sys(&self) -> bool {
        fs::metadata("/sys/module").is_ok()
    }

    fn kernel_config(&self) -> Option<String> {
        // /proc/config.gz (CONFIG_IKCONFIG_PROC), through gzip: no crates.
        if let Ok(out) = Command::new("gzip")
            .args(["-dc", "/proc/config.gz"])
            .output()
        {
            if out.status.success() {
                if let Ok(s) = String::from_utf8(out.stdout) {
                    return Some(s);
                }
            }
        }
        let release = fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
        fs::read_to_string(format!("/boot/config-{}", release.trim())).ok()
    }

    fn iomem(&self) -> Option<String> {
        fs::read_to_string("/proc/iomem").ok()
    }
}

/// EIO, as the msr driver returns it for a faulting RDMSR.
const EIO: i32 = 5;

/// A host recorded under a directory: `proc/cpuinfo`, `msr` (lines `CPU MSR
/// VALUE` in hex, VALUE `gp` for a read that faulted), `dmesg`, `sys/...`,
/// `config` (the kernel's configuration), `proc/iomem`.
pub struct Recorded {
    /// The directory.
    pub root: PathBuf,
}

impl Recorded {
    fn read(&self, rel: &str) -> Option<String> {
        fs::read_to_string(self.root.join(rel)).ok()
    }
}

impl Source for Recorded {
    fn cpuinfo(&self) -> Option<String> {
        self.read("proc/cpuinfo")
    }

    fn msr(&self, cpu: u32, index: u32) -> Msr {
        let Some(text) = self.read("msr") else {
            return Msr::Unreadable(Why::NotRecorded);
        };
        lookup_msr(&text, cpu, index)
    }

    fn dmesg(&self) -> Option<String> {
        self.read("dmesg")
    }

    fn sys(&self, path: &str) -> Option<String> {
        self.read(&format!("sys/{path}"))
    }

    fn has_sys(&self) -> bool {
        self.root.join("sys").is_dir()
    }

    fn kernel_config(&self) -> Option<String> {
        self.read("config")
    }

    fn iomem(&self) -> Option<String> {
        self.read("proc/iomem")
    }
}

/// Finds `CPU MSR VALUE` in a recorded msr file (hex, `0x` optional; `#`
/// starts a comment).
pub fn lookup_msr(text: &str, cpu: u32, index: u32) -> Msr {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(c), Some(m), Some(v)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if hex(c) != Some(u64::from(cpu)) || hex(m) != Some(u64::from(index)) {
            continue;
        }
        if v == "gp" {
            return Msr::Faults;
        }
        return match hex(v) {
            Some(v) => Msr::Value(v),
            None => Msr::Unreadable(Why::Other(format!("bad value {v:?} in the msr file"))),
        };
    }
    Msr::Unreadable(Why::NotRecorded)
}

/// The top-level `System RAM` ranges of /proc/iomem (`start-end : System
/// RAM`, `end` inclusive), as `[start, end)`; `None` when there are none
/// or all read 0 (/proc/iomem hides addresses from all but root).
pub fn system_ram(iomem: &str) -> Option<Vec<(u64, u64)>> {
    let mut ram = Vec::new();
    for line in iomem.lines() {
        if line.starts_with(' ') {
            continue;
        }
        let Some((range, name)) = line.split_once(" : ") else {
            continue;
        };
        if name.trim() != "System RAM" {
            continue;
        }
        let (start, end) = range.split_once('-')?;
        ram.push((hex(start)?, hex(end)?.checked_add(1)?));
    }
    if ram.iter().all(|&(s, e)| s == 0 && e <= 1) {
        return None;
    }
    Some(ram)
}

/// A hex number, with or without `0x`.
pub fn hex(s: &str) -> Option<u64> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    u64::from_str_radix(s, 16).ok()
}

/// The MSRs the checks read, on CPU 0.
pub mod msr {
    /// IA32_MKTME_KEYID_PARTITIONING: MKTME KeyIDs (31:0), TDX KeyIDs (63:32).
    pub const KEYID_PARTITIONING: u32 = 0x87;
    /// IA32_MTRRCAP: bit 15, SEAMRR supported.
    pub const MTRRCAP: u32 = 0xfe;
    /// IA32_TME_CAPABILITY.
    pub const TME_CAPABILITY: u32 = 0x981;
    /// IA32_TME_ACTIVATE.
    pub const TME_ACTIVATE: u32 = 0x982;
    /// IA32_SEAMRR_PHYS_BASE.
    pub const SEAMRR_BASE: u32 = 0x1400;
    /// IA32_SEAMRR_PHYS_MASK.
    pub const SEAMRR_MASK: u32 = 0x1401;
    /// All of them, as gathered.
    pub const ALL: [u32; 6] = [
        KEYID_PARTITIONING,
        MTRRCAP,
        TME_CAPABILITY,
        TME_ACTIVATE,
        SEAMRR_BASE,
        SEAMRR_MASK,
    ];
}

/// Everything the checks read, read once.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// /proc/cpuinfo.
    pub cpuinfo: Option<String>,
    /// The MSRs of [`msr::ALL`] on CPU 0, in that order.
    pub msrs: Vec<(u32, Msr)>,
    /// The kernel log.
    pub dmesg: Option<String>,
    /// The kernel configuration.
    pub config: Option<String>,
    /// Whether sysfs could be read.
    pub has_sys: bool,
    /// /sys/module/kvm/parameters/enable_virt_at_load.
    pub virt_at_load: Option<String>,
    /// Whether kvm_intel is loaded (or built in): its `ept` parameter.
    pub kvm_intel: bool,
    /// Whether KVM initialized (/dev/kvm, /sys/class/misc/kvm): a built-in
    /// kvm_intel whose initialization failed has its parameters but no
    /// /dev/kvm.
    pub kvm_dev: bool,
    /// /sys/kernel/tdx_host_rs/state.
    pub state: Option<String>,
    /// /sys/kernel/tdx_host_rs/module_version.
    pub module_version: Option<String>,
    /// System RAM as /proc/iomem lists it, `[start, end)`; `None` when it
    /// cannot be read or shows no addresses (not root).
    pub ram: Option<Vec<(u64, u64)>>,
}

impl Inputs {
    /// Reads everything from `src`.
    pub fn gather(src: &dyn Source) -> Inputs {
        let sys = |p: &str| src.sys(p).map(|s| s.trim().to_string());
        Inputs {
            cpuinfo: src.cpuinfo(),
            msrs: msr::ALL.iter().map(|&m| (m, src.msr(0, m))).collect(),
            dmesg: src.dmesg(),
            config: src.kernel_config(),
            has_sys: src.has_sys(),
            virt_at_load: sys("module/kvm/parameters/enable_virt_at_load"),
            kvm_intel: sys("module/kvm_intel/parameters/ept").is_some(),
            kvm_dev: sys("class/misc/kvm/dev").is_some(),
            state: sys("kernel/tdx_host_rs/state"),
            module_version: sys("kernel/tdx_host_rs/module_version"),
            ram: src.iomem().as_deref().and_then(system_ram),
        }
    }

    /// An MSR as gathered.
    pub fn msr(&self, index: u32) -> Msr {
        self.msrs
            .iter()
            .find(|(m, _)| *m == index)
            .map_or(Msr::Unreadable(Why::NotRecorded), |(_, v)| v.clone())
    }
}
