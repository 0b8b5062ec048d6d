#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse every KTAP report in a QEMU console log with the kernel's own parser.

Each module load prints its own top-level "KTAP version 1" report, and
`kunit.py parse` reads only the first report of its input, so the log is cut
into reports and each one goes through `kunit.py parse` on its own.

usage: ktap.py KDIR LOG [EXPECTED_SUITE ...]
EXPECTED_SUITE lists every run of a suite, in order: a suite loaded twice is
named twice. Prints the parser's verdict per report and a total; exits
non-zero if any report failed, crashed, ran no test or skipped a case (no
case may skip in these boots), or if the suites that ran are not exactly the
expected runs in the expected order.
"""
import re
import subprocess
import sys


def reports(lines):
    """Yield lists of lines, one per top-level KTAP report with tests."""
    cur = None
    for line in lines:
        if line.startswith("KTAP version"):
            if cur:
                yield cur
            cur = [line]
        elif cur is not None:
            if line.startswith("guest:"):
                yield cur
                cur = None
            else:
                cur.append(line)
    if cur:
        yield cur


def main():
    kdir, log = sys.argv[1], sys.argv[2]
    expected = sys.argv[3:]
    with open(log, errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    kunit = f"{kdir}/tools/testing/kunit/kunit.py"
    total = passed = skipped = 0
    bad = []
    seen = []
    for rep in reports(lines):
        if len(rep) > 1 and rep[1].strip() == "1..0":
            continue  # the built-in run at boot: no suites
        suites = [m.group(1) for l in rep
                  if (m := re.match(r"\s+# Subtest: (\S+)", l))]
        seen.extend(suites)
        out = subprocess.run([sys.executable, kunit, "parse"],
                             input="\n".join(rep) + "\n", text=True,
                             capture_output=True).stdout
        m = re.search(r"Ran (\d+) tests?: (.*)", out)
        if not m:
            bad.append(f"{suites}: parser gave no verdict")
            continue
        n, verdict = int(m.group(1)), m.group(2)
        p = re.search(r"passed: (\d+)", verdict)
        npass = int(p.group(1)) if p else 0
        s = re.search(r"skipped: (\d+)", verdict)
        nskip = int(s.group(1)) if s else 0
        total += n
        passed += npass
        skipped += nskip
        print(f"  {', '.join(suites) or '?'}: {n} cases, {verdict.strip()}")
        if n == 0 or npass != n:
            bad.append(f"{suites}: {verdict.strip()}")
            sys.stdout.write(out)
    if expected and seen != expected:
        bad.append(f"suites ran {seen}, expected {expected}")
    # A skipped case is not a pass: it is counted with the failures.
    print(f"kunit: {passed} passed, {total - passed} failed "
          f"({skipped} of them skipped)")
    for b in bad:
        print(f"kunit: FAIL {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
