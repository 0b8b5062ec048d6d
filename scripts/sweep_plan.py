#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Plan the fault sweep from a clean initialization's emulator report.

usage: sweep_plan.py CONSOLE_LOG > sweep.txt

For every leaf of the initialization flow, the calls that matter (the first,
the second, the middle and the last of that leaf in a clean run) get each
failure kind: an error status, VMfailInvalid and #UD, with the error text
insmod must print for the errno tdx_rs_enable() is documented to return.
"""
import re
import sys

INIT_LEAVES = {33: "TDH.SYS.INIT", 35: "TDH.SYS.LP.INIT", 34: "TDH.SYS.RD",
               45: "TDH.SYS.CONFIG", 31: "TDH.SYS.KEY.CONFIG",
               36: "TDH.SYS.TDMR.INIT"}
# TDX_OPERAND_INVALID, operand RCX: a plain error status.
KINDS = [("status 0xC000010000000001", "Input/output error"),
         ("vmfail", "No such device"),
         ("ud", "Permission denied")]


def main():
    counts = {}
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            m = re.match(r"emu-report: leaf (\d+) (\S+) (\d+)", line)
            if m:
                counts[int(m.group(1))] = int(m.group(3))
    missing = [name for leaf, name in INIT_LEAVES.items() if not counts.get(leaf)]
    if missing:
        sys.exit(f"sweep_plan: no clean-run count for {', '.join(missing)}")
    n = 0
    for leaf in INIT_LEAVES:
        c = counts[leaf]
        for nth in sorted({1, 2, (c + 1) // 2, c} & set(range(1, c + 1))):
            for kind, text in KINDS:
                print(f"{leaf} {nth} {kind} {text}")
                n += 1
    print(f"sweep_plan: {n} scenarios", file=sys.stderr)


if __name__ == "__main__":
    main()
