#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse every KTAP report in a QEMU console log with the kernel's own parser.

Each module load prints its own top-level "KTAP version 1" report, and
`kunit.py parse` reads only the first report of its input, so the log is cut
into reports and each one goes through `kunit.py parse` on its own.

usage: ktap.py KDIR LOG [EXPECTED_SUITE ...]
Prints the parser's verdict per report and a total; exits non-zero if any
report failed, crashed or ran no test, or if an expected suite never ran.
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
    expected = set(sys.argv[3:])
    with open(log, errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    kunit = f"{kdir}/tools/testing/kunit/kunit.py"
    total = passed = skipped = 0
    bad = []
    seen = set()
    for rep in reports(lines):
        if len(rep) > 1 and rep[1].strip() == "1..0":
            continue  # the built-in run at boot: no suites
        suites = [m.group(1) for l in rep
                  if (m := re.match(r"\s+# Subtest: (\S+)", l))]
        seen.update(suites)
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
        total += n - nskip
        passed += npass
        skipped += nskip
        print(f"  {', '.join(suites) or '?'}: {n} cases, {verdict.strip()}")
        if n == 0 or npass + nskip != n or npass == 0:
            bad.append(f"{suites}: {verdict.strip()}")
            sys.stdout.write(out)
    for s in sorted(expected - seen):
        bad.append(f"suite {s} never ran")
    print(f"kunit: {passed} passed, {total - passed} failed, {skipped} skipped")
    for b in bad:
        print(f"kunit: FAIL {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
