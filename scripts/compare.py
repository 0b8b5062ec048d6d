#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Side by side: our initialization and upstream's, as the emulator saw them.

usage: compare.py OURS_LOG UPSTREAM_LOG
Both runs must have configured the module; ours may use no more TDMRs and no
more PAMT memory than upstream's, and may read the global metadata with at
most METADATA_MAX SEAMCALLs (TDH.SYS.RD and TDH.SYS.RDALL, as the emulator
counted them) and no more than upstream's.
"""
import re
import sys

# The metadata leaves, and the most calls of them one initialization of ours
# may make (rust/init/rdall.rs: MAX_LISTS).
METADATA = ("TDH.SYS.RD", "TDH.SYS.RDALL")
METADATA_MAX = 2


def report(path):
    calls, config = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"emu-report: leaf (\d+) (\S+) (\d+)", line)
            if m:
                calls[m.group(2)] = int(m.group(3))
            m = re.match(r"emu-report: config: tdmrs (\d+) reserved (\d+) "
                         r"pamt_kib (\d+)", line)
            if m:
                config = tuple(int(x) for x in m.groups())
    return calls, config


def main():
    ours, ocfg = report(sys.argv[1])
    up, ucfg = report(sys.argv[2])
    print(f"  {'':24} {'tdx_host_rs':>12} {'upstream C':>12}")
    for leaf in sorted(set(ours) | set(up)):
        print(f"  {leaf + ' calls':24} {ours.get(leaf, 0):>12} {up.get(leaf, 0):>12}")
    meta = [sum(c.get(leaf, 0) for leaf in METADATA) for c in (ours, up)]
    print(f"  {'metadata SEAMCALLs':24} {meta[0]:>12} {meta[1]:>12}")
    bad = []
    if meta[0] > METADATA_MAX:
        bad.append(f"{meta[0]} metadata SEAMCALLs, more than {METADATA_MAX}")
    if meta[0] > meta[1]:
        bad.append("more metadata SEAMCALLs than upstream")
    if not ocfg:
        bad.append("tdx_host_rs did not configure the module")
    if not ucfg:
        bad.append("upstream did not configure the module")
    if ocfg and ucfg:
        for i, name in enumerate(["TDMRs", "reserved areas", "PAMT KiB"]):
            print(f"  {name:24} {ocfg[i]:>12} {ucfg[i]:>12}")
        if ocfg[0] > ucfg[0]:
            bad.append("more TDMRs than upstream")
        if ocfg[2] > ucfg[2]:
            bad.append("more PAMT memory than upstream")
    for b in bad:
        print(f"compare: FAIL {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
