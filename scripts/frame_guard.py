#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""frame_guard.py LIMIT MODULE.ko...: every function's stack frame at most
LIMIT bytes, read off the `sub $N,%rsp` of its prologue in objdump's
disassembly. A production kernel has 16 KiB task stacks (the test kernel's
KASAN doubles them, which hides a large frame there); the kernel warns at
CONFIG_FRAME_WARN, 2048 bytes on 64-bit, for C. Prints the largest frames,
each over the limit as FAIL, and `frame-guard: P passed, F failed`."""
import re
import subprocess
import sys


def frames(ko):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", ko],
                         check=True, capture_output=True, text=True).stdout
    fn, sizes = None, {}
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            fn = m.group(1)
            continue
        m = re.search(r"\bsub\s+\$0x([0-9a-f]+),%rsp$", line)
        if m and fn:
            sizes[fn] = max(sizes.get(fn, 0), int(m.group(1), 16))
    return sizes


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: frame_guard.py LIMIT MODULE.ko...")
    limit, passed, failed = int(sys.argv[1]), 0, 0
    for ko in sys.argv[2:]:
        sizes = frames(ko)
        if not sizes:
            print(f"FAIL {ko}: no function frame found")
            failed += 1
            continue
        top = sorted(sizes.items(), key=lambda kv: -kv[1])
        over = [(f, n) for f, n in top if n > limit]
        for f, n in over:
            print(f"FAIL {ko}: {f}: {n} bytes of stack, more than {limit}")
        failed += len(over)
        if not over:
            passed += 1
        f, n = top[0]
        print(f"frame-guard: {ko.rsplit('/', 1)[-1]}: largest frame {n} bytes ({f[:80]})")
    print(f"frame-guard: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
