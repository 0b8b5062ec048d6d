// SPDX-License-Identifier: GPL-2.0

//! Host tests of the TD program interpreter: a sparse TD memory, a small
//! assembler, a KVM-like host, and programs built here.

use super::super::td_guest::*;
use super::script::*;
use super::*;
use std::collections::BTreeMap;

/// A TD's private memory: 4 KiB pages, each PENDING or accepted.
#[derive(Default)]
pub(crate) struct TdMem {
    pub(crate) pages: BTreeMap<u64, (bool, Vec<u8>)>,
}

impl TdMem {
    /// Maps `data` (padded to whole pages) at `gpa`, accepted, as
    /// TDH.MEM.PAGE.ADD does.
    pub(crate) fn add(&mut self, gpa: u64, data: &[u8]) {
        for (i, chunk) in data.chunks(PAGE as usize).enumerate() {
            let mut page = chunk.to_vec();
            page.resize(PAGE as usize, 0);
            self.pages.insert(gpa + i as u64 * PAGE, (true, page));
        }
    }

    /// TDH.MEM.PAGE.AUG: a zeroed PENDING page.
    pub(crate) fn aug(&mut self, gpa: u64) {
        self.pages.insert(gpa, (false, vec![0; PAGE as usize]));
    }
}

impl GuestMem for TdMem {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Fault> {
        for (i, b) in buf.iter_mut().enumerate() {
            let a = gpa + i as u64;
            match self.pages.get(&(a & !(PAGE - 1))) {
                None => return Err(Fault::NotMapped),
                Some((false, _)) => return Err(Fault::Pending),
                Some((true, p)) => *b = p[(a & (PAGE - 1)) as usize],
            }
        }
        Ok(())
    }
}

/// One instruction's 32 bytes.
pub(crate) fn insn(op: u8, reg: usize, a: u64, b: u64, c: u64) -> Vec<u8> {
    let mut v = vec![op, reg as u8, 0, 0, 0, 0, 0, 0];
    for q in [a, b, c] {
        v.extend_from_slice(&q.to_le_bytes());
    }
    v
}

/// A header for `count` instructions, then the instructions.
pub(crate) fn program(count: u32, insns: &[Vec<u8>]) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend_from_slice(&VERSION.to_le_bytes());
    v.extend_from_slice(&count.to_le_bytes());
    for i in insns {
        v.extend_from_slice(i);
    }
    v
}

/// `script.rs`'s calls as a TD program (without its END).
pub(crate) fn script_insns() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for (step, s) in SCRIPT.iter().enumerate() {
        let exposed: Vec<usize> = regs_in(s.bitmap & EXPOSABLE).collect();
        for &r in &exposed {
            v.push(insn(OP_SET, r, guest_value(step, r), 0, 0));
        }
        for &r in &exposed {
            let want = expected_reply(step, r);
            if want != guest_value(step, r) {
                v.push(insn(OP_EXPECT, r, want, 0, 0));
            }
        }
        let rax = match s.kind {
            Kind::Refused => REFUSED_STATUS,
            _ => 0,
        };
        v.push(insn(OP_VMCALL, 0, s.bitmap, rax, 0));
    }
    v
}

/// What a KVM-like host and the TDX module do with `action`, `mem` being
/// the TD's memory: a completed call returns into the guest; an ACCEPT of
/// a page not there is an EPT violation the host answers with PAGE.AUG,
/// and the guest retries it.
pub(crate) fn serve(p: &mut Program, action: Action, mem: &mut TdMem) {
    let r = &mut p.regs;
    match action {
        Action::Vmcall { bitmap } if bitmap & !EXPOSABLE != 0 => {
            r[RAX] = REFUSED_STATUS;
        }
        Action::Vmcall { bitmap } => {
            let has = |regs: &[usize]| regs.iter().all(|&x| bitmap & 1 << x != 0);
            r[R10] = if r[R10] == HC_ECHO {
                for x in regs_in(bitmap).filter(|&x| x != R10) {
                    r[x] = !r[x];
                }
                TDVMCALL_SUCCESS
            } else {
                match r[R11] {
                    GHCI_CPUID if has(&[R12, R13, 14, 15]) => {
                        r[R12..16].copy_from_slice(&KVM_SIGNATURE);
                        TDVMCALL_SUCCESS
                    }
                    GHCI_HLT | GHCI_IO => TDVMCALL_SUCCESS,
                    _ => TDVMCALL_INVALID_OPERAND,
                }
            };
        }
        Action::MapGpaShared { .. } => r[R10] = TDVMCALL_SUCCESS,
        Action::Accept { gpa } => match mem.pages.get_mut(&gpa) {
            // An EPT violation: the host adds the page, the guest retries.
            None => {
                mem.aug(gpa);
                return;
            }
            Some(page) => {
                page.0 = true;
                r[RAX] = 0;
            }
        },
        Action::Access { .. } | Action::Done | Action::Fatal { .. } => return,
    }
    p.returned();
}

/// Runs `p` over `mem` until it is done or fatal: the actions it asked for.
pub(crate) fn run(p: &mut Program, mem: &mut TdMem) -> Vec<Action> {
    let mut seen = Vec::new();
    for _ in 0..1000 {
        let a = p.step(mem);
        seen.push(a);
        if matches!(a, Action::Done | Action::Fatal { .. }) {
            return seen;
        }
        serve(p, a, mem);
    }
    panic!("no end: {seen:?}");
}

const BASE: u64 = 0x10_0000;

fn loaded(insns: &[Vec<u8>]) -> (Program, TdMem) {
    let mut mem = TdMem::default();
    mem.add(BASE, &program(insns.len() as u32, insns));
    (Program::new(BASE), mem)
}

/// The program form of the script makes the very calls the table says,
/// register for register, accepts the right answers, and counts its steps.
#[test]
fn the_script_as_a_program_makes_the_tables_calls() {
    let mut insns = script_insns();
    insns.push(insn(OP_END, 0, 0, 0, 0));
    let (mut p, mut mem) = loaded(&insns);
    assert_eq!(p.nr_steps(), 0, "the header is not read yet");
    for step in 0..SCRIPT.len() {
        let a = p.step(&mem);
        assert_eq!(p.nr_steps(), SCRIPT.len() as u32);
        assert_eq!(
            a,
            Action::Vmcall {
                bitmap: SCRIPT[step].bitmap
            }
        );
        assert_eq!((p.regs[RAX], p.regs[RCX]), (0, SCRIPT[step].bitmap));
        for reg in CHECKED {
            assert_eq!(p.regs[reg], guest_value(step, reg), "step {step} reg {reg}");
        }
        serve(&mut p, a, &mut mem);
        assert_eq!((p.steps_done, p.mismatch), (step as u32 + 1, None));
    }
    assert_eq!(p.step(&mem), Action::Done);
    assert!(p.finished());
    assert_eq!(p.step(&mem), Action::Done, "stays done");
}

#[test]
fn a_wrong_reply_names_step_and_register_then_reports_for_ever() {
    let (mut p, mut mem) = loaded(&script_insns());
    let a = p.step(&mem);
    serve(&mut p, a, &mut mem);
    assert_eq!(
        p.step(&mem),
        Action::Vmcall {
            bitmap: SCRIPT[1].bitmap
        }
    );
    p.regs[R12..16].copy_from_slice(&KVM_SIGNATURE);
    p.regs[14] ^= 1;
    p.returned();
    let code = FATAL_BAD_REPLY | 1 << 8 | 14;
    assert_eq!(p.fatal(), Some(code));
    let m = p.mismatch.unwrap();
    assert_eq!(
        (m.step, m.reg, m.expected, m.got),
        (1, 14, KVM_SIGNATURE[2], KVM_SIGNATURE[2] ^ 1)
    );
    for _ in 0..2 {
        assert_eq!(p.step(&mem), Action::Fatal { code });
        assert_eq!(
            (p.regs[RCX], p.regs[R11], p.regs[R12]),
            (MAPGPA_BITMAP, GHCI_REPORT_FATAL_ERROR, code)
        );
        p.returned();
    }
    assert_eq!(p.steps_done, 1);
}

#[test]
fn an_unexposed_register_and_rax_are_checked_too() {
    let (mut p, mut mem) = loaded(&script_insns());
    let a = p.step(&mem);
    serve(&mut p, a, &mut mem);
    p.step(&mem);
    p.regs[7] = 0;
    p.returned();
    assert_eq!(p.mismatch.unwrap().reg, 7, "RDI");
    let (mut p, mem) = loaded(&script_insns());
    p.step(&mem);
    p.regs[RAX] = 1;
    p.returned();
    assert_eq!(p.mismatch.unwrap().reg, RAX as u32);
}

const PRIV: u64 = 0x20_0000;
const SHARED_BIT: u64 = 1 << 47;

/// Accept (an EPT violation first), read, read image data, MapGPA, a
/// fault on data not mapped, retried.
#[test]
fn memory_steps() {
    let insns = [
        insn(OP_ACCEPT, 0, PRIV, 0, 0),
        insn(OP_READ, 0, PRIV + 8, 0, 0),
        insn(OP_READ, 0, BASE + 8, u64::from(VERSION) | 6 << 32, 0),
        insn(OP_MAPGPA, 0, PRIV, PAGE, SHARED_BIT),
        insn(OP_READ, 0, 0x30_0000, 0, 0),
        insn(OP_END, 0, 0, 0, 0),
    ];
    let (mut p, mut mem) = loaded(&insns);
    assert_eq!(p.step(&mem), Action::Accept { gpa: PRIV });
    assert_eq!((p.regs[RAX], p.regs[RCX]), (TDG_MEM_PAGE_ACCEPT, PRIV));
    serve(&mut p, Action::Accept { gpa: PRIV }, &mut mem);
    assert_eq!(p.step(&mem), Action::Accept { gpa: PRIV }, "retried");
    serve(&mut p, Action::Accept { gpa: PRIV }, &mut mem);
    let a = p.step(&mem);
    assert_eq!(
        a,
        Action::MapGpaShared {
            gpa: PRIV,
            size: PAGE
        }
    );
    let regs = (
        p.regs[RCX],
        p.regs[R10],
        p.regs[R11],
        p.regs[R12],
        p.regs[R13],
    );
    assert_eq!(
        regs,
        (MAPGPA_BITMAP, 0, GHCI_MAP_GPA, PRIV | SHARED_BIT, PAGE)
    );
    assert_eq!(p.steps_done, 3, "accept and two reads");
    serve(&mut p, a, &mut mem);
    let fault = Fault::NotMapped;
    assert_eq!(
        p.step(&mem),
        Action::Access {
            gpa: 0x30_0000,
            fault
        }
    );
    assert_eq!(
        p.step(&mem),
        Action::Access {
            gpa: 0x30_0000,
            fault
        }
    );
    mem.aug(0x30_0000);
    let fault = Fault::Pending;
    assert_eq!(
        p.step(&mem),
        Action::Access {
            gpa: 0x30_0000,
            fault
        }
    );
    mem.pages.get_mut(&0x30_0000).unwrap().0 = true;
    assert_eq!((p.step(&mem), p.steps_done), (Action::Done, 5));
}

#[test]
fn wrong_memory_and_statuses_are_reported() {
    let (mut p, mem) = loaded(&[insn(OP_READ, 0, BASE, 1, 0)]);
    let code = FATAL_BAD_REPLY | u64::from(REG_MEMORY);
    assert_eq!(p.step(&mem), Action::Fatal { code });
    let m = p.mismatch.unwrap();
    assert_eq!((m.expected, m.got), (1, u64::from_le_bytes(*b"TDXEMUPG")));
    let (mut p, mut mem) = loaded(&[insn(OP_ACCEPT, 0, PRIV, 0, 0)]);
    mem.aug(PRIV);
    p.step(&mem);
    p.regs[RAX] = 0x8000_0000_0000_0000;
    p.returned();
    assert_eq!(p.fatal(), Some(FATAL_BAD_REPLY));
}

#[test]
fn the_programs_page_must_be_there() {
    let mut p = Program::new(BASE);
    let mut mem = TdMem::default();
    let fault = Fault::NotMapped;
    assert_eq!(p.step(&mem), Action::Access { gpa: BASE, fault });
    // Retried once the page is there.
    mem.add(BASE, &program(1, &[insn(OP_END, 0, 0, 0, 0)]));
    assert_eq!(p.step(&mem), Action::Done);
}

#[test]
fn a_bad_header_is_fatal() {
    let good = program(1, &[insn(OP_END, 0, 0, 0, 0)]);
    for (at, byte) in [(0, b'X'), (8, 2), (11, 1)] {
        let mut bad = good.clone();
        bad[at] = byte;
        let mut mem = TdMem::default();
        mem.add(BASE, &bad);
        let mut p = Program::new(BASE);
        let code = FATAL_BAD_HEADER;
        assert_eq!(p.step(&mem), Action::Fatal { code }, "byte {at}");
        assert_eq!(p.step(&mem), Action::Fatal { code });
    }
    // A good header, but across the end of its page.
    let mut mem = TdMem::default();
    let mut two_pages = vec![0; PAGE as usize - 8];
    two_pages.extend(&good);
    mem.add(BASE, &two_pages);
    let mut p = Program::new(BASE + PAGE - 8);
    assert_eq!(p.fatal(), None);
    p.step(&mem);
    assert_eq!(p.fatal(), Some(FATAL_BAD_HEADER), "header across the page");
}

/// 127 instructions fit in the page after the header; the 128th does not,
/// whatever the header's count says.
#[test]
fn an_instruction_past_the_page_is_fatal() {
    let set = insn(OP_SET, 3, 1, 0, 0);
    let mut mem = TdMem::default();
    let mut image = program(1000, &vec![set.clone(); 127]);
    image.extend(insn(OP_END, 0, 0, 0, 0));
    mem.add(BASE, &image);
    let mut p = Program::new(BASE);
    assert_eq!(
        p.step(&mem),
        Action::Fatal {
            code: FATAL_PAST_PAGE | 127
        }
    );
    // From the middle of a page, fewer fit.
    let mut p = Program::new(BASE + 0x800);
    mem.add(
        BASE,
        &vec![0; 0x800]
            .into_iter()
            .chain(image.clone())
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        p.step(&mem),
        Action::Fatal {
            code: FATAL_PAST_PAGE | 63
        }
    );
    let (mut p, mem) = loaded(&[set]);
    assert_eq!(
        p.step(&mem),
        Action::Fatal {
            code: FATAL_RAN_OFF | 1
        }
    );
}

#[test]
fn bad_instructions_are_fatal_never_a_panic() {
    let mut reserved = insn(OP_SET, 3, 1, 0, 0);
    reserved[5] = 1;
    let bad = [
        insn(0, 0, 0, 0, 0),
        insn(9, 0, 0, 0, 0),
        insn(0xff, 0xff, !0, !0, !0),
        reserved,
        insn(OP_SET, 16, 1, 0, 0),
        insn(OP_SET, 3, 1, 0, 1),
        insn(OP_EXPECT, RAX, 0, 0, 0),
        insn(OP_EXPECT, 200, 0, 0, 0),
        insn(OP_ECHO, 0, 1 << RCX, 0, 0),
        insn(OP_VMCALL, 1, 0, 0, 0),
        insn(OP_ACCEPT, 0, PRIV + 8, 0, 0),
        insn(OP_READ, 0, PRIV + 4, 0, 0),
        insn(OP_MAPGPA, 0, PRIV + 8, PAGE, SHARED_BIT),
        insn(OP_MAPGPA, 0, PRIV, 0, SHARED_BIT),
        insn(OP_MAPGPA, 0, PRIV, PAGE, 3 << 46),
        insn(OP_MAPGPA, 0, PRIV | SHARED_BIT, PAGE, SHARED_BIT),
        insn(OP_END, 0, 1, 0, 0),
    ];
    for (n, i) in bad.iter().enumerate() {
        let (mut p, mem) = loaded(&[insn(OP_SET, 3, 1, 0, 0), i.clone()]);
        assert_eq!(
            p.step(&mem),
            Action::Fatal {
                code: FATAL_BAD_INSN | 1
            },
            "case {n}"
        );
        assert_eq!(p.steps_done, 0);
    }
}
