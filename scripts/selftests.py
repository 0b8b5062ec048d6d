#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sum up the kselftest results in a QEMU console log.

usage: selftests.py LOG
run_kselftest.sh prints one "ok N selftests: COLLECTION: TEST" (or "not
ok") per test program and, indented by its "# " prefix, each program's own
KTAP results and "# Totals:" line. Prints every program's totals and one
line "selftests: P passed, F failed (S of them skipped)"; exits non-zero if a program
failed, skipped a test or ran nothing, or if no program ran at all. The
emulated boots give every test what it needs, so none may skip there.
"""
import re
import sys


def main():
    with open(sys.argv[1], errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    programs = []
    totals = {"pass": 0, "fail": 0, "skip": 0}
    last = None
    bad = []
    for line in lines:
        m = re.match(r"# (?:# )?Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ "
                     r"skip:(\d+) error:(\d+)", line)
        if m:
            last = [int(x) for x in m.groups()]
            continue
        m = re.match(r"(ok|not ok) \d+ selftests: (\S+): (\S+)", line)
        if m:
            verdict, name = m.group(1), m.group(3)
            p, f, s, e = last or (0, 0, 0, 1)
            programs.append(name)
            totals["pass"] += p
            totals["fail"] += f + e
            totals["skip"] += s
            totals["fail"] += s
            print(f"  {name}: {verdict}, pass {p}, fail {f}, skip {s}")
            if verdict != "ok" or f or e or s or p == 0:
                bad.append(name)
            last = None
    if not programs:
        bad.append("no test program ran")
    # A skipped test is not a pass: it is counted with the failures.
    print(f"selftests: {totals['pass']} passed, {totals['fail']} failed "
          f"({totals['skip']} of them skipped; {len(programs)} programs)")
    for b in bad:
        print(f"selftests: FAIL {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
