#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's own log lines the administrator's guide quotes are the kernel's.

doc_kernel_lines.py KDIR GUIDE: every ``virt/tdx: ...``, ``x86/tme: ...`` and
``x86/mktme: ...`` line GUIDE quotes (in an inline literal, which a table
cell may wrap over lines) must match a format string of a pr_*() call in
KDIR's arch/x86/virt/vmx/tdx/tdx.c (whose pr_fmt is "virt/tdx: ") or
arch/x86/kernel/cpu/intel.c, with example values for the conversions.
Prints one line per quoted line and "doc-kernel-lines: N passed, M failed";
exits 1 if any line is unknown or none was found.
"""
import re
import sys

SOURCES = (("arch/x86/virt/vmx/tdx/tdx.c", "virt/tdx: "),
           ("arch/x86/kernel/cpu/intel.c", ""))
PREFIXES = ("virt/tdx: ", "x86/tme: ", "x86/mktme: ")
CALL = re.compile(r'\bpr_[a-z_]+\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
CONVERSION = re.compile(r'%[-#+ 0-9.]*[lhzjt]*[a-zA-Z]')


def pattern(fmt):
    """A C format string as a regex that any values fill."""
    fmt = fmt.replace("\\n", "").replace("\\t", "\t").replace('\\"', '"')
    parts = [re.escape(p.replace("%%", "%")) for p in CONVERSION.split(fmt)]
    return re.compile(".+?".join(parts) + r"\Z")


def formats(kdir):
    out = []
    for path, prefix in SOURCES:
        with open(f"{kdir}/{path}", encoding="utf-8") as f:
            src = f.read()
        for m in CALL.finditer(src):
            fmt = "".join(LITERAL.findall(m.group(1)))
            out.append(pattern(prefix + fmt))
    return out


def quoted(doc):
    lines = []
    for m in re.finditer(r"``((?:virt/tdx|x86/tme|x86/mktme): .*?)``", doc, re.S):
        lines.append(" ".join(m.group(1).split()))
    return lines


def selftest():
    p = pattern("BIOS enabled: private KeyID range [%u, %u)\\n")
    assert p.match("BIOS enabled: private KeyID range [32, 64)")
    assert not p.match("BIOS enabled: private KeyID range [32, 64) extra")
    assert quoted("a ``virt/tdx: one\n   two`` b") == ["virt/tdx: one two"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: doc_kernel_lines.py KDIR GUIDE")
    selftest()
    pats = formats(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        lines = quoted(f.read())
    ok = bad = 0
    for line in lines:
        if any(p.match(line) for p in pats):
            ok += 1
        else:
            bad += 1
            print(f"doc-kernel-lines: FAIL the guide quotes '{line}', which Linux does not log")
    if not lines or len(pats) < 20:
        print(f"doc-kernel-lines: FAIL {len(lines)} quoted lines, {len(pats)} formats found")
        bad += 1
    print(f"doc-kernel-lines: {ok} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
