#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Walk a TDH.VP.ENTER path through the built objects and count it.

usage: bench_path.py --path NAME=ENTRY [--path ...] [--goal A<=B ...] OBJECT...

Starting at each ENTRY symbol, follows the instructions of a TD exit (a
SEAMCALL that succeeded; what differs between exit types is in the entry
functions, bench_vp_*.c), across calls and tail jumps into whichever OBJECT defines the
target: a conditional jump is taken only if it is "carry clear" (jae/jnb/
jnc: SEAMCALL succeeded); every other one (jb/jc after SEAMCALL, je/jz/jne/
jnz/jbe/jna of an entry gate, a refusal or a stack-protector check) falls through. Any other
conditional jump stops the walk with an error rather than guess.

Per path it prints the instructions up to SEAMCALL and after it up to the
final return, the bytes copied from one memory location to another outside
the SEAMCALL trampolines (a register loaded from memory, then stored to
memory: the marshalling between KVM's regs[] and another structure; the
stack-protector canary read from %gs is not counted), the most stack the
path uses, and the section each function on it lives in.

--goal A<=B compares path A with path B on each of the four columns and
prints the outcome; the exit status is 1 if any goal is missed.
"""
import argparse
import re
import subprocess
import sys

INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*?)\s*(?:#.*)?$")
FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")
SECTION = re.compile(r"^Disassembly of section (\S+):$")
RELOC = re.compile(r"^\s+[0-9a-f]+:\s+R_X86_64_\w+\s+([\w.]+)")
TARGET = re.compile(r"0x([0-9a-f]+) <([\w.]+)(?:\+0x([0-9a-f]+))?>")
MEM = re.compile(r"\(|^%gs:")
REG64 = {
    "al": "rax", "eax": "rax", "rax": "rax", "ecx": "rcx", "rcx": "rcx",
    "edx": "rdx", "rdx": "rdx", "ebx": "rbx", "rbx": "rbx", "esi": "rsi",
    "rsi": "rsi", "edi": "rdi", "rdi": "rdi", "rsp": "rsp", "rbp": "rbp",
}
for n in range(8, 16):
    for suffix in ("", "d", "w", "b"):
        REG64[f"r{n}{suffix}"] = f"r{n}"

TAKEN = {"jae", "jnb", "jnc"}
NOT_TAKEN = {"jb", "jc", "je", "jz", "jne", "jnz", "jbe", "jna"}


def reg(operand):
    operand = operand.strip()
    return REG64.get(operand[1:]) if operand.startswith("%") else None


class Objects:
    def __init__(self, paths):
        self.paths = paths
        self.cache = {}

    def owner(self, sym):
        for path in self.paths:
            out = subprocess.run(["nm", "--defined-only", path], capture_output=True,
                                 text=True, check=True).stdout
            if re.search(rf" [tT] {re.escape(sym)}$", out, re.M):
                return path
        sys.exit(f"bench_path: no object defines {sym}")

    def function(self, sym):
        """(section, [(addr, mnemonic, operands, reloc target)])."""
        if sym in self.cache:
            return self.cache[sym]
        path = self.owner(sym)
        out = subprocess.run(["llvm-objdump", "-d", "-r", "--no-show-raw-insn",
                              f"--disassemble-symbols={sym}", path],
                             capture_output=True, text=True, check=True).stdout
        section, insns, inside = None, [], False
        for line in out.splitlines():
            if m := SECTION.match(line):
                section = m.group(1)
            elif m := FUNC.match(line):
                inside = m.group(2) == sym
            elif inside and (m := RELOC.match(line)) and insns:
                insns[-1] = insns[-1][:3] + (re.sub(r"[-+]0x[0-9a-f]+$", "", m.group(1)),)
            elif inside and (m := INSN.match(line)):
                insns.append((int(m.group(1), 16), m.group(2), m.group(3), None))
        if not insns:
            sys.exit(f"bench_path: {sym} not found in {path}")
        self.cache[sym] = (section, insns)
        return self.cache[sym]


def walk(objs, entry):
    counts = {"before": 0, "after": 0, "copied": 0, "stack": 0}
    sections = {}
    stack, depth, seen_seamcall = [], 0, False
    sym, i = entry, 0
    loaded = set()
    while True:
        section, insns = objs.function(sym)
        sections.setdefault(sym, section)
        trampoline = any(mn == "seamcall" for _, mn, _, _ in insns)
        if i >= len(insns):
            sys.exit(f"bench_path: ran off the end of {sym}")
        _, mn, ops, reloc = insns[i]
        if mn == "seamcall":
            seen_seamcall = True
            i += 1
            continue
        counts["after" if seen_seamcall else "before"] += 1
        args = [a for a in re.split(r",\s*(?![^()]*\))", ops) if a] if ops else []

        if mn.startswith("mov") and len(args) == 2 and not trampoline:
            src, dst = args
            if MEM.search(dst) and reg(src) in loaded:
                counts["copied"] += 8 if mn.endswith("q") else 4
            if reg(dst):
                if MEM.search(src) and not src.startswith("%gs:"):
                    loaded.add(reg(dst))
                else:
                    loaded.discard(reg(dst))
        elif args and reg(args[-1]):
            loaded.discard(reg(args[-1]))

        if mn.startswith("push"):
            depth += 8
        elif mn.startswith("pop"):
            depth -= 8
        elif mn in ("subq", "addq") and len(args) == 2 and args[1] == "%rsp":
            n = int(args[0].lstrip("$"), 0)
            depth += n if mn == "subq" else -n
        counts["stack"] = max(counts["stack"], depth)

        target = reloc
        if target is None and (m := TARGET.search(ops)):
            target = (m.group(2), int(m.group(1), 16))
        if mn in ("ret", "retq") or (mn == "jmp" and target == "__x86_return_thunk"):
            if not stack:
                break
            depth -= 8
            sym, i, loaded = stack.pop()
            continue
        if mn in ("call", "callq"):
            depth += 8
            counts["stack"] = max(counts["stack"], depth)
            stack.append((sym, i + 1, set()))
            sym, i, _ = jump(objs, sym, target)
            loaded = set()
            continue
        if mn.startswith("j"):
            if mn == "jmp" or mn in TAKEN:
                sym, i, keep = jump(objs, sym, target)
                loaded = loaded if keep else set()
                continue
            if mn not in NOT_TAKEN:
                sys.exit(f"bench_path: {sym}: cannot tell where {mn} goes")
        i += 1
    if not seen_seamcall:
        sys.exit(f"bench_path: {entry} never reached SEAMCALL")
    return counts, sections


def jump(objs, sym, target):
    """(function, index, same function) of a jump or call target."""
    if isinstance(target, str):
        return target, 0, False
    name, addr = target
    if name != sym:
        base = objs.function(name)[1][0][0]
        return name, index_of(objs, name, addr if addr >= base else base), False
    return sym, index_of(objs, sym, addr), True


def index_of(objs, sym, addr):
    for n, insn in enumerate(objs.function(sym)[1]):
        if insn[0] == addr:
            return n
    sys.exit(f"bench_path: no instruction at {addr:#x} in {sym}")


COLUMNS = ("before", "after", "copied", "stack")
HEADINGS = {"before": "to SEAMCALL", "after": "after", "copied": "copied", "stack": "stack"}


def check_goals(goals, rows):
    """Print each goal's outcome; whether all were met."""
    counts = {name: c for name, c, _ in rows}
    met = True
    for goal in goals:
        a, b = goal.split("<=", 1)
        if a not in counts or b not in counts:
            sys.exit(f"bench_path: goal {goal} names no path")
        over = [f"{HEADINGS[k]} {counts[a][k]} > {counts[b][k]}"
                for k in COLUMNS if counts[a][k] > counts[b][k]]
        print(f"  goal {a.strip()} <= {b.strip()}: " +
              (f"MISSED ({', '.join(over)})" if over else "met on every column"))
        met &= not over
    return met


def main():
    ap = argparse.ArgumentParser(description="Count TDH.VP.ENTER paths in built objects.")
    ap.add_argument("--path", action="append", required=True, metavar="NAME=ENTRY")
    ap.add_argument("--goal", action="append", default=[], metavar="A<=B")
    ap.add_argument("objects", nargs="+")
    opts = ap.parse_args()
    objs = Objects(opts.objects)
    rows = []
    for spec in opts.path:
        name, entry = spec.rsplit("=", 1)
        rows.append((name, *walk(objs, entry)))
    width = max(46, *(len(name) for name, _, _ in rows))
    print(f"  {'':{width}} {'to SEAMCALL':>11} {'after':>6} {'copied':>7} {'stack':>6}")
    for name, c, sections in rows:
        print(f"  {name:{width}} {c['before']:>11} {c['after']:>6} {c['copied']:>6}B {c['stack']:>5}B")
    print("  (instructions; bytes copied between memory locations outside the"
          " trampolines; most stack used)")
    seen = {}
    for name, _, sections in rows:
        where = ", ".join(f"{s} in {sec}" for s, sec in sections.items())
        seen.setdefault(where, name)
    for where, name in seen.items():
        print(f"  {name.strip()}: {where}")
    if not check_goals(opts.goal, rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
