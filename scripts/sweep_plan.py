#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Plan the fault sweep from a clean initialization's emulator report.

usage: sweep_plan.py CONSOLE_LOG RETRY_RS > sweep.txt

Every leaf of the initialization flow gets, at the calls that matter (the
first, the second, the middle and the last of that leaf in a clean run):
one error status of every class the TDX module's handler for that leaf can
return (TDX module 1.5 source, in the handler's order), VMfailInvalid and #UD,
each expected to fail tdx_rs_enable() with its documented errno. Every
transient status the leaf can return (entropy, busy) gets two runs at the
leaf's first call: TRIES failures in a row (the bound in RETRY_RS), which
must fail with -EIO, and one failure fewer, which must recover; the
recovering runs all go into the last scenario together, one initialization
that must succeed.

Lines: LEAF NTH TIMES KIND [retry] [STATUS] [calls=N] EXPECTED...  where
EXPECTED is the error text insmod prints, or "ok" for the recovering
scenario, N the calls of LEAF the emulator must have seen (the bound held),
and "retry" marks a #UD of TDH.SYS.INIT or TDH.SYS.LP.INIT, after which the
state stays "uninitialized" (a later call may try again). A "+" line
adds an injection to the scenario before it; the "= LEAF=N ..." line gives
the calls each leaf must have seen when the recovering scenario is done
(LEAF>N: more than N).

TDH.SYS.RDALL answering TDX_OPERAND_INVALID on RAX at its first call (what
a module without the leaf answers) is no failure: the initialization reads
the metadata with TDH.SYS.RD instead. It joins the recovering scenario (one
initialization per boot: the module stays pinned after it), which must then
have made one TDH.SYS.RDALL and some TDH.SYS.RD.
"""
import re
import sys

LEAVES = {33: "TDH.SYS.INIT", 35: "TDH.SYS.LP.INIT", 37: "TDH.SYS.RDALL",
          45: "TDH.SYS.CONFIG", 31: "TDH.SYS.KEY.CONFIG",
          36: "TDH.SYS.TDMR.INIT"}

# One error status per class each handler returns (bits 47:40 the class).
ERRORS = {
    33: [0xC000010000000001,    # OPERAND_INVALID, RCX: attributes
         0xC000050000000000,    # SYS_INIT_NOT_PENDING
         0xC000092100000000,    # INCORRECT_MSR_VALUE (platform config)
         0xC0000A2200000000],   # CMR_LIST_INVALID (memory)
    35: [0xC000050B00000000,    # SYS_LP_INIT_NOT_PENDING
         0xC000050300000000,    # SYS_LP_INIT_DONE
         0xC000092000000000],   # INCONSISTENT_MSR (platform config)
    37: [0xC000050200000000,    # SYS_LP_INIT_NOT_DONE
         0xC000010000000002,    # OPERAND_INVALID, RDX: the list page
         0xC0000C0000000000],   # METADATA_FIELD_ID_INCORRECT
    45: [0xC000010000000008,    # OPERAND_INVALID, R8: global KeyID
         0xC000050C00000000,    # SYS_CONFIG_NOT_PENDING
         0xC0000A1100000000],   # PAMT_OUTSIDE_CMRS (memory)
    31: [0xC000050700000000],   # SYS_KEY_CONFIG_NOT_PENDING
    36: [0xC000010000000001,    # OPERAND_INVALID, RCX: TDMR base
         0xC000050500000000],   # SYS_NOT_READY
}
# The transient statuses each handler can return, retried with a bound.
TRANSIENT = {
    33: [0x8000020200000000,    # SYS_BUSY
         0x8000020300000000],   # RND_NO_ENTROPY
    35: [0x8000020200000000, 0x8000020300000000],
    37: [],
    45: [0x8000020200000000],
    31: [0x8000020200000000,
         0x80000200000000BB,    # OPERAND_BUSY, the key engine
         0x8000080000000000],   # KEY_GENERATION_FAILED
    36: [0x8000020000000001],   # OPERAND_BUSY, RCX: the TDMR's lock
}
# Of those, the lock statuses, retried after pauses with a budget of their own.
BUSY = {0x8000020200000000, 0x80000200000000BB, 0x8000020000000001}
EIO = "Input/output error"
# TDX_OPERAND_INVALID on RAX: the leaf is unknown (TDH.SYS.RDALL's fallback).
LEAF_UNKNOWN = 0xC000010000000000
RDALL, RD = 37, 34
OTHER_KINDS = [("vmfail", "No such device"), ("ud", "Permission denied")]


def main():
    counts = {}
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            m = re.match(r"emu-report: leaf (\d+) (\S+) (\d+)", line)
            if m:
                counts[int(m.group(1))] = int(m.group(3))
    with open(sys.argv[2]) as f:
        retry_rs = f.read()
    budget = {}
    for name in ("TRANSIENT_TRIES", "BUSY_TRIES"):
        m = re.search(r"const %s: u32 = (\d+);" % name, retry_rs)
        if not m:
            sys.exit(f"sweep_plan: no {name} in " + sys.argv[2])
        budget[name] = int(m.group(1))
    tries = budget["TRANSIENT_TRIES"]
    missing = [name for leaf, name in LEAVES.items() if not counts.get(leaf)]
    if missing:
        sys.exit(f"sweep_plan: no clean-run count for {', '.join(missing)}")
    lines = []
    for leaf in LEAVES:
        c = counts[leaf]
        for nth in sorted({1, 2, (c + 1) // 2, c} & set(range(1, c + 1))):
            for status in ERRORS[leaf]:
                lines.append(f"{leaf} {nth} 1 status {status:#018x} {EIO}")
            for kind, text in OTHER_KINDS:
                # A #UD while every CPU's LP.INIT is made: as for a CPU not
                # in VMX operation, nothing reached the TDX module, and the
                # state stays uninitialized for a later call.
                # busybox's insmod tries init_module() after a failed
                # finit_module(), so the module's init, tdx_rs_enable(),
                # runs twice: the second run's first call of the leaf (all
                # CPUs made one in the first run) gets a #UD too.
                retry = kind == "ud" and leaf in (33, 35)
                lines.append(f"{leaf} {nth} 1 {kind}{' retry' if retry else ''} {text}")
                if retry:
                    lines.append(f"+ {leaf} {c + 1} 1 ud")
        for status in TRANSIENT[leaf]:
            n = budget["BUSY_TRIES"] if status in BUSY else tries
            # The failing LP retries alone; the other LPs' LP.INITs still run.
            calls = n + (c - 1 if leaf == 35 else 0)
            lines.append(f"{leaf} 1 {n} status {status:#018x} calls={calls} {EIO}")
    # All the recovering runs in one initialization; several transient
    # statuses of one leaf share its first call's tries.
    recover = []
    expect = []
    for leaf in LEAVES:
        if TRANSIENT[leaf]:
            expect.append(f"{leaf}={counts[leaf] + tries - 1}")
        nth = 1
        statuses = TRANSIENT[leaf]
        for i, status in enumerate(statuses):
            run = (tries - 1) // len(statuses)
            if i == len(statuses) - 1:
                run = tries - 1 - run * i
            recover.append(f"{leaf} {nth} {run} status {status:#018x}")
            nth += run
    # No TDH.SYS.RDALL: the metadata read field by field.
    recover.append(f"{RDALL} 1 1 status {LEAF_UNKNOWN:#018x}")
    expect += [f"{RDALL}=1", f"{RD}>0"]
    lines.append(recover[0] + " ok")
    lines += ["+ " + r for r in recover[1:]]
    lines.append("= " + " ".join(expect))
    print("\n".join(lines))
    n = sum(1 for l in lines if l[0] not in "+=")
    print(f"sweep_plan: {n} scenarios, transient runs of {tries}", file=sys.stderr)


if __name__ == "__main__":
    main()
