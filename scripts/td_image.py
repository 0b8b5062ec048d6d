#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assemble the emulated TD's image and compute its MRTD.

The image is a "TD program" (tools/testing/tdx_emu/model/td_program.rs
defines the format) that the test modules load into a TD with
TDH.MEM.PAGE.ADD and measure with TDH.MR.EXTEND; the emulated TDX module
runs it as the TD's guest. Layout (GPAs from the base, 0x100000 unless
--gpa-base says otherwise):

  base + 0x0000   page 0: the program (header at the entry GPA, the base)
  base + 0x1000   page 1: data; qword i is DATA_SEED * (i + 1), and the
                  program reads qword DATA_WORD back
  base + 0x100000 the extra private page: not in the image; the guest
                  accepts it (an EPT violation the host answers with
                  TDH.MEM.SEPT.ADD + TDH.MEM.PAGE.AUG), reads it (zeros)
                  and converts it to shared with MapGPA

The steps: the seven calls of td_guest.rs's script before its last, a read
of image data, the ACCEPT, the read of the accepted page, the MapGPA, then
td_guest.rs's done port write; END.

  td_image.py header OUT.h [--gpa-base X]
                               C header for tools/testing/tdx_host_rs
  td_image.py mrtd [--gpa-base X]
                               MRTD (hex): per page in order, PAGE.ADD then
                               MR.EXTEND of its sixteen 256-byte chunks
  td_image.py selftest         known SHA-384 vectors and the records

The MRTD is computed here with hashlib over the TDX module's 128-byte
measurement records, independently of the emulator's Rust code. Python 3
standard library only.
"""

import hashlib
import struct
import sys

PAGE = 4096
CHUNK = 256
DEFAULT_BASE = 0x100000
EXTRA_OFFSET = 0x100000
SHARED_BIT = 1 << 47

MAGIC = b"TDXEMUPG"
VERSION = 1
SET, EXPECT, ECHO, VMCALL, ACCEPT, READ, MAPGPA, END = range(1, 9)

RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)
R8, R9, R10, R11, R12, R13, R14, R15 = range(8, 16)


def gprs(first, last):
    """Bitmap of GPRs first..last."""
    return ((1 << (last + 1)) - 1) & ~((1 << first) - 1)


EXPOSABLE = gprs(RDX, RBX) | gprs(RSI, R15)
GHCI_CPUID, GHCI_HLT, GHCI_IO = 10, 12, 30
GHCI_UNDEFINED = 0x7FFFFFF0
INVALID_OPERAND = 1 << 63
REFUSED_STATUS = 0xC000010000000001
HC_ECHO = 0x7E57EC40
CPUID_KVM_SIGNATURE = 0x40000000
KVM_SIGNATURE = [0x40000001, 0x4B4D564B, 0x564B4D56, 0x4D]
DONE_PORT = 0xF4

# td_guest.rs's calls: (kind, bitmap, {reg: value sent}, {reg: reply}).
CPUID_IN = {R10: 0, R11: GHCI_CPUID, R12: CPUID_KVM_SIGNATURE, R13: 0}
SCRIPT = [
    ("echo", EXPOSABLE, {R10: HC_ECHO}, {}),
    ("cpuid", gprs(R10, R15), CPUID_IN,
     {R10: 0, R12: KVM_SIGNATURE[0], R13: KVM_SIGNATURE[1],
      R14: KVM_SIGNATURE[2], R15: KVM_SIGNATURE[3]}),
    ("hlt", gprs(R10, R12), {R10: 0, R11: GHCI_HLT, R12: 0}, {R10: 0}),
    ("refused", 1 << RSP | gprs(R10, R11), {R10: 0, R11: GHCI_UNDEFINED}, {}),
    ("undefined", gprs(R10, R11), {R10: 0, R11: GHCI_UNDEFINED},
     {R10: INVALID_OPERAND}),
    ("narrow_cpuid", gprs(R10, R13), CPUID_IN, {R10: INVALID_OPERAND}),
    ("echo", 1 << RBX | 1 << R9 | 1 << R10 | 1 << R14, {R10: HC_ECHO}, {}),
]
DONE = ("done", gprs(R10, R15),
        {R10: 0, R11: GHCI_IO, R12: 1, R13: 1, R14: DONE_PORT, R15: 0},
        {R10: 0})

# What page 1 holds: qword i is DATA_SEED * (i + 1) mod 2^64.
DATA_SEED = 0x9E3779B97F4A7C15
DATA_WORD = 3


def data_page():
    return b"".join(struct.pack("<Q", DATA_SEED * (i + 1) % (1 << 64))
                    for i in range(PAGE // 8))


def insn(op, reg=0, a=0, b=0, c=0):
    return struct.pack("<BB6xQQQ", op, reg, a, b, c)


def call_insns(step, kind, bitmap, sent, reply):
    """SETs, EXPECTs or ECHO, and the VMCALL of one td_guest.rs call."""
    out = []
    exposed = [r for r in range(16) if bitmap & EXPOSABLE & 1 << r]
    for r in exposed:
        v = sent.get(r, 0xA260000000000000 | step << 32 | r << 8 | 0x11)
        out.append(insn(SET, r, v))
    if kind == "echo":
        out.append(insn(ECHO, 0, bitmap & EXPOSABLE & ~(1 << R10)))
        out.append(insn(EXPECT, R10, 0))
    else:
        out += [insn(EXPECT, r, v) for r, v in reply.items()]
    rax = REFUSED_STATUS if kind == "refused" else 0
    out.append(insn(VMCALL, 0, bitmap, rax))
    return out


def layout(base):
    """The image's GPAs: (entry, extra private page)."""
    if base % PAGE or base >= SHARED_BIT or base + EXTRA_OFFSET >= SHARED_BIT:
        raise ValueError("bad GPA base %#x" % base)
    return base, base + EXTRA_OFFSET


def program(base):
    """(the program's instructions, its number of steps)."""
    _, extra = layout(base)
    insns = []
    for step, call in enumerate(SCRIPT):
        insns += call_insns(step, *call)
    data = base + PAGE + 8 * DATA_WORD
    insns.append(insn(READ, 0, data, DATA_SEED * (DATA_WORD + 1) % (1 << 64)))
    insns.append(insn(ACCEPT, 0, extra, 0))
    insns.append(insn(READ, 0, extra + 0x100, 0))
    insns.append(insn(MAPGPA, 0, extra, PAGE, SHARED_BIT))
    steps = len(SCRIPT) + 4
    insns += call_insns(steps, *DONE)
    insns.append(insn(END))
    return insns, steps + 1


def image(base=DEFAULT_BASE):
    insns, _ = program(base)
    head = MAGIC + struct.pack("<II", VERSION, len(insns))
    code = head + b"".join(insns)
    if len(code) > PAGE:
        raise ValueError("the program does not fit in its page")
    return code.ljust(PAGE, b"\0") + data_page()


def record(name, gpa):
    """The TDX module's 128-byte measurement record."""
    return name.ljust(16, b"\0") + struct.pack("<Q", gpa) + bytes(104)


def mrtd(img, base):
    h = hashlib.sha384()
    for p in range(0, len(img), PAGE):
        h.update(record(b"MEM.PAGE.ADD", base + p))
        for c in range(p, p + PAGE, CHUNK):
            h.update(record(b"MR.EXTEND", base + c))
            h.update(img[c:c + CHUNK])
    return h.digest()


def c_bytes(name, data):
    lines = ["static const u8 %s[%d] = {" % (name, len(data))]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return lines


def header(base=DEFAULT_BASE):
    entry, extra = layout(base)
    img = image(base)
    _, steps = program(base)
    out = [
        "/* SPDX-License-Identifier: GPL-2.0 */",
        "/* Generated by scripts/td_image.py: do not edit. */",
        "#ifndef TDX_TD_IMAGE_H",
        "#define TDX_TD_IMAGE_H",
        "",
        "#include <linux/types.h>",
        "",
        "/* Where the image goes (PAGE.ADD in order, then MR.EXTEND), */",
        "#define TDX_TD_IMAGE_GPA\t0x%xULL" % base,
        "#define TDX_TD_IMAGE_PAGES\t%d" % (len(img) // PAGE),
        "/* TDH.VP.INIT's RCX: the program's entry GPA, */",
        "#define TDX_TD_ENTRY_GPA\t0x%xULL" % entry,
        "/* the private page the guest accepts, reads, then shares, */",
        "#define TDX_TD_EXTRA_GPA\t0x%xULL" % extra,
        "#define TDX_TD_SHARED_BIT\t(1ULL << %d)" % (SHARED_BIT.bit_length() - 1),
        "/* and the steps of the guest's program. */",
        "#define TDX_TD_IMAGE_STEPS\t%d" % steps,
        "",
    ]
    out += c_bytes("tdx_td_image", img)
    out += ["", "/* The MRTD TDH.MR.FINALIZE must give. */"]
    out += c_bytes("tdx_td_image_mrtd", mrtd(img, base))
    out += ["", "#endif /* TDX_TD_IMAGE_H */", ""]
    return "\n".join(out)


def check(cond, what):
    if not cond:
        raise SystemExit("td_image.py: selftest FAILED: " + what)


def selftest():
    vectors = [
        (b"abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
                 "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (b"", "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
              "4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"),
    ]
    for msg, want in vectors:
        check(hashlib.sha384(msg).hexdigest() == want, "SHA-384 of %r" % msg)
    r = record(b"MEM.PAGE.ADD", 0x0123456789ABC000)
    check(len(r) == 128 and r[:16] == b"MEM.PAGE.ADD\0\0\0\0", "record name")
    check(r[16:24] == bytes.fromhex("00c0ab8967452301"), "record GPA")
    check(not any(r[24:]), "record zeros")
    img = image()
    check(len(img) == 2 * PAGE and img[:8] == MAGIC, "image size and magic")
    count = struct.unpack_from("<I", img, 12)[0]
    check(img[16 + 32 * (count - 1)] == END, "the last instruction is END")
    check(mrtd(bytes(0), DEFAULT_BASE) == hashlib.sha384().digest(),
          "an empty image")
    check(mrtd(img, DEFAULT_BASE) != mrtd(img, DEFAULT_BASE + PAGE),
          "the GPAs are measured")
    print("td_image.py: selftest passed")


def base_arg(args):
    if "--gpa-base" in args:
        return int(args[args.index("--gpa-base") + 1], 0)
    return DEFAULT_BASE


def main(args):
    cmd = args[0] if args else ""
    if cmd == "header" and len(args) in (2, 4):
        text = header(base_arg(args))
        with open(args[1], "w") as f:
            f.write(text)
    elif cmd == "mrtd":
        base = base_arg(args)
        print(mrtd(image(base), base).hex())
    elif cmd == "selftest":
        selftest()
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
