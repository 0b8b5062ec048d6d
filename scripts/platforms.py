#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one boot of the "platforms in QEMU" stage (scripts/guest/platform.sh).

usage: platforms.py PROFILE LOG [--upstream-fails TEXT] [--numa]
       platforms.py header
       platforms.py selftest

Reads the console LOG of the boot for PROFILE, where upstream's tdx_enable()
and then ours ran, each on a fresh emulated TDX module, and prints one line
side by side (result, TDMRs, worst reserved areas of a TDMR, PAMT KiB, all
from the emulator's report of what TDH.SYS.CONFIG received), then one line
per check and "platforms: P passed, F failed". The checks:

- ours initializes (and its sysfs figures are the emulator's);
- with --upstream-fails TEXT: upstream fails, and its log says TEXT (the
  failure the real machine reported: a reproduction where upstream succeeds
  is a wrong reproduction);
- where both succeed: ours <= upstream in TDMRs, worst reserved areas and
  PAMT KiB (one check each);
- with --numa: the guest has two nodes or more, and every PAMT page of ours
  sits on the node of the memory its TDMR covers (nodes of physical
  addresses from /sys/devices/system/node/nodeN/memoryM and the block
  size).

Exits non-zero if a check failed.
"""
import re
import sys

UPSTREAM_FAIL = re.compile(r"virt/tdx: initialization failed: (.*)")
TDMR = re.compile(r"tdmr (\d+) (0x[0-9a-f]+)-(0x[0-9a-f]+) reserved (\d+) pamt (.*)")
PLAN = re.compile(r"(\d+) TDMRs, at most (\d+) reserved areas in one, (\d+) KiB of PAMT")
RANGE = re.compile(r"(0x[0-9a-f]+)-(0x[0-9a-f]+)")


class Side:
    """One initialization as the log shows it."""

    def __init__(self):
        self.outcome = None  # "ok" or insmod's error
        self.config = None  # (tdmrs, reserved, pamt_kib)
        self.tdmrs = []  # (base, end, reserved, [(pamt base, end)])
        self.sysfs = {}
        self.why = None  # upstream's "initialization failed: ..." text
        # What the referee module's tdx_enable() returned (busybox's insmod
        # loads a module a second time when its init fails, and reports the
        # second attempt's errno).
        self.errno = None
        # The dry run's totals (debugfs tdx_host_rs/plan), before and after
        # the initialization: (TDMRs, worst reserved, PAMT KiB) or its error.
        self.plan = {}

    def ok(self):
        return self.outcome == "ok" and self.config is not None

    def worst(self):
        return max((t[2] for t in self.tdmrs), default=0)

    def figures(self):
        if not self.ok():
            return None
        return (self.config[0], self.worst(), self.config[2])

    def short(self):
        """The result in a few words: "ok", or why it failed."""
        if self.outcome == "ok" and self.config is None:
            return "ok, but nothing configured"
        if self.outcome != "ok":
            if not self.why and self.errno is not None:
                return f"FAILED: tdx_enable() = {self.errno}"
            why = self.why or self.outcome or "did not run"
            return "FAILED: " + why.rsplit("): ", 1)[-1].rsplit(": ", 1)[-1].rstrip(".")
        return "ok"

    def result(self):
        if self.outcome is None:
            return "did not run"
        if self.outcome == "ok":
            return "ok" if self.config else "ok, but nothing configured"
        if self.errno is not None:
            return f"failed ({self.errno}): " + (self.why or self.outcome)
        return "failed: " + (self.why or self.outcome)


def parse(lines):
    sides = {"upstream": Side(), "ours": Side()}
    block = None
    nodes = {}
    for line in lines:
        m = re.search(r"guest: platform (upstream|ours): (.*)", line)
        if m:
            sides[m.group(1)].outcome = m.group(2).strip()
            continue
        m = re.search(r"guest: platform sysfs (\S+) (.*)", line)
        if m:
            sides["ours"].sysfs[m.group(1)] = m.group(2).strip()
            continue
        m = re.search(r"tdx_rs_upstream_enable: upstream tdx_enable\(\): (-?\d+)", line)
        if m and sides["upstream"].errno is None:
            sides["upstream"].errno = int(m.group(1))
            continue
        m = UPSTREAM_FAIL.search(line)
        if m:
            sides["upstream"].why = m.group(1).strip()
            continue
        m = re.match(r"platform: block_size (0x[0-9a-f]+)", line)
        if m:
            block = int(m.group(1), 16)
            continue
        m = re.match(r"platform: node (\d+)(.*)", line)
        if m:
            nodes[int(m.group(1))] = [int(b) for b in m.group(2).split()]
            continue
        m = re.match(r"ours-plan-(before|after): (plan|error): (.*)", line)
        if m:
            p = PLAN.match(m.group(3)) if m.group(2) == "plan" else None
            sides["ours"].plan[m.group(1)] = (
                tuple(int(x) for x in p.groups()) if p else m.group(3))
            continue
        m = re.match(r"(upstream|ours)-report: (.*)", line)
        if not m:
            continue
        side, text = sides[m.group(1)], m.group(2)
        c = re.match(r"config: tdmrs (\d+) reserved (\d+) pamt_kib (\d+)", text)
        if c:
            side.config = tuple(int(x) for x in c.groups())
        t = TDMR.match(text)
        if t:
            pamts = [(int(a, 16), int(b, 16)) for a, b in RANGE.findall(t.group(5))]
            side.tdmrs.append((int(t.group(2), 16), int(t.group(3), 16),
                               int(t.group(4)), pamts))
    return sides, block, nodes


def node_map(block, nodes):
    """Memory block number -> set of nodes it is linked under."""
    of = {}
    for nid, blocks in nodes.items():
        for b in blocks:
            of.setdefault(b, set()).add(nid)
    return of


def nodes_of(start, end, block, of):
    """Nodes of the memory blocks overlapping [start, end), and whether
    every block of the range is a memory block the guest has."""
    found, whole = set(), True
    for b in range(start // block, (end - 1) // block + 1):
        if b in of:
            found |= of[b]
        else:
            whole = False
    return found, whole


def pamt_placement(side, block, nodes):
    """Problems with where the PAMTs sit: [] when each sits on the node
    of the memory its TDMR covers."""
    of = node_map(block, nodes)
    bad = []
    for base, end, _, pamts in side.tdmrs:
        home, _ = nodes_of(base, end, block, of)
        for level, (p, q) in zip(("4K", "2M", "1G"), pamts):
            if p == q:
                continue
            on, whole = nodes_of(p, q, block, of)
            where = f"TDMR [{base:#x}, {end:#x}) on node(s) {sorted(home)}"
            if not whole:
                bad.append(f"{where}: PAMT_{level} [{p:#x}, {q:#x}) is not all in memory blocks")
            elif not on <= home or (len(home) == 1 and on != home):
                bad.append(f"{where}: PAMT_{level} [{p:#x}, {q:#x}) on node(s) {sorted(on)}")
    return bad


def judge(profile, lines, upstream_fails=None, numa=False):
    """(row, [(check, ok, detail)])."""
    sides, block, nodes = parse(lines)
    up, ours = sides["upstream"], sides["ours"]
    checks = []

    detail = ours.result()
    ours_ok = ours.ok() and ours.sysfs.get("state") == "initialized"
    if ours_ok:
        mine = (ours.sysfs.get("nr_tdmrs"), ours.sysfs.get("pamt_kib"))
        seen = (str(ours.config[0]), str(ours.config[2]))
        if mine != seen:
            ours_ok = False
            detail = f"sysfs says TDMRs, PAMT KiB {mine}, the emulator saw {seen}"
    checks.append((f"{profile}: ours initializes", ours_ok, detail))
    if ours.ok():
        after, seen = ours.plan.get("after"), (ours.config[0], ours.config[2])
        same = isinstance(after, tuple) and (after[0], after[2]) == seen
        checks.append((f"{profile}: the dry run after initialization plans what the module got",
                       same, f"dry run {after}, the emulator saw TDMRs, PAMT KiB {seen}"))

    if upstream_fails is not None:
        failed = up.outcome not in (None, "ok") and upstream_fails in (up.why or "")
        checks.append((f"{profile}: upstream fails with '{upstream_fails}'", failed,
                       up.result()))

    if up.ok() and ours.ok():
        for i, name in enumerate(("TDMRs", "worst reserved areas", "PAMT KiB")):
            o, u = ours.figures()[i], up.figures()[i]
            checks.append((f"{profile}: {name}: ours <= upstream", o <= u,
                           f"ours {o}, upstream {u}"))

    if numa:
        if block is None or len(nodes) < 2:
            checks.append((f"{profile}: PAMTs on their TDMR's node", False,
                           f"the guest has {len(nodes)} node(s)"))
        elif not ours.ok():
            checks.append((f"{profile}: PAMTs on their TDMR's node", False,
                           "ours did not configure the module"))
        else:
            bad = pamt_placement(ours, block, nodes)
            checks.append((f"{profile}: PAMTs on their TDMR's node ({len(nodes)} nodes)",
                           not bad, "; ".join(bad) or f"{len(ours.tdmrs)} TDMRs"))

    def cells(side):
        f = side.figures()
        nums = f if f else ("-", "-", "-")
        return f"{side.short()[:32]:<32} {nums[0]:>5} {nums[1]:>5} {nums[2]:>8}"

    row = f"  {profile:<15} {cells(up)}   {cells(ours)}"
    return row, checks


def header():
    side = f"{'result':<32} {'TDMRs':>5} {'worst':>5} {'PAMT KiB':>8}"
    return (f"  {'':<15} {'upstream':<52}   ours\n"
            f"  {'profile':<15} {side}   {side}")


def report(profile, lines, upstream_fails, numa):
    row, checks = judge(profile, lines, upstream_fails, numa)
    print(row)
    passed = sum(1 for _, ok, _ in checks if ok)
    for name, ok, detail in checks:
        print(f"platforms: {'ok  ' if ok else 'FAIL'} {name} ({detail})")
    print(f"platforms: {passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


def selftest():
    """The judgement on made-up logs: each check passes on a good log and
    fails on a log with that one defect."""
    g, m = 1 << 30, 1 << 20

    def tdmr(side, i, base, end, rsvd, pamt_at):
        return (f"{side}-report: tdmr {i} {base:#x}-{end:#x} reserved {rsvd} pamt "
                f"{pamt_at:#x}-{pamt_at + m:#x} {pamt_at + m:#x}-{pamt_at + m + 8192:#x} "
                f"{pamt_at + m + 8192:#x}-{pamt_at + m + 12288:#x}")

    # Node 0: [0, 2G) (blocks 0-15), node 1: [4G, 6G) (blocks 32-47).
    good = [
        "platform: block_size 0x8000000",
        "platform: node 0 " + " ".join(str(b) for b in range(0, 16)),
        "platform: node 1 " + " ".join(str(b) for b in range(32, 48)),
        "virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.",
        "guest: platform upstream: insmod: can't insert: No space left on device",
        "upstream-report: config: none",
        "guest: platform ours: ok",
        "guest: platform sysfs state initialized",
        "guest: platform sysfs nr_tdmrs 2",
        "guest: platform sysfs pamt_kib 2072",
        "ours-report: config: tdmrs 2 reserved 3 pamt_kib 2072 hkid 32",
        "ours-plan-before: error: TDMR 0 [0x0, 0x80000000): reserved areas exhausted",
        "ours-plan-after: plan: 2 TDMRs, at most 2 reserved areas in one, 2072 KiB of PAMT, "
        "0 PAMT bytes for other nodes' memory",
        tdmr("ours", 0, 0, 2 * g, 2, g),
        tdmr("ours", 1, 4 * g, 6 * g, 1, 6 * g - 2 * m),
    ]

    def upstream_ok(tdmrs, worst, kib):
        kept = [line for line in good if "upstream" not in line and "virt/tdx" not in line]
        return kept + [
            "guest: platform upstream: ok",
            f"upstream-report: config: tdmrs {tdmrs} reserved {worst} pamt_kib {kib} hkid 32",
            tdmr("upstream", 0, 0, 2 * g, worst, g + 64 * m),
        ]

    def sub(lines, old, new):
        return [line.replace(old, new) for line in lines]

    foreign = sub(good, tdmr("ours", 0, 0, 2 * g, 2, g), tdmr("ours", 0, 0, 2 * g, 2, 5 * g))
    unmapped = sub(good, tdmr("ours", 0, 0, 2 * g, 2, g), tdmr("ours", 0, 0, 2 * g, 2, 3 * g))
    one_node = [line for line in good if not line.startswith("platform: node 1")]
    cases = [
        # (what, log, --upstream-fails, --numa, {check: wanted verdict})
        ("a good log passes", good, "reserved areas exhausted", True,
         {"t: ours initializes": True,
          "t: upstream fails with 'reserved areas exhausted'": True,
          "t: PAMTs on their TDMR's node (2 nodes)": True}),
        ("a PAMT on a foreign node fails", foreign, None, True,
         {"t: PAMTs on their TDMR's node (2 nodes)": False}),
        ("a PAMT outside the guest's memory blocks fails", unmapped, None, True,
         {"t: PAMTs on their TDMR's node (2 nodes)": False}),
        ("one node where two are wanted fails", one_node, None, True,
         {"t: PAMTs on their TDMR's node": False}),
        ("sysfs disagreeing with the emulator fails",
         sub(good, "nr_tdmrs 2", "nr_tdmrs 1"), None, False,
         {"t: ours initializes": False}),
        ("a good dry run passes", good, None, False,
         {"t: the dry run after initialization plans what the module got": True}),
        ("a dry run of other TDMRs fails", sub(good, "plan: 2 TDMRs", "plan: 3 TDMRs"),
         None, False,
         {"t: the dry run after initialization plans what the module got": False}),
        ("a dry run of other PAMT KiB fails", sub(good, "2072 KiB of PAMT", "2076 KiB of PAMT"),
         None, False,
         {"t: the dry run after initialization plans what the module got": False}),
        ("a dry run that fails fails", sub(good, "ours-plan-after: plan:", "ours-plan-after: error:"),
         None, False,
         {"t: the dry run after initialization plans what the module got": False}),
        ("ours failing fails", sub(good, "platform ours: ok", "platform ours: insmod: EIO"),
         None, False, {"t: ours initializes": False}),
        ("upstream succeeding where it must fail fails", upstream_ok(3, 4, 9999),
         "reserved areas exhausted", False,
         {"t: upstream fails with 'reserved areas exhausted'": False}),
        ("ours no bigger than upstream passes", upstream_ok(2, 2, 2072), None, False,
         {"t: TDMRs: ours <= upstream": True,
          "t: worst reserved areas: ours <= upstream": True,
          "t: PAMT KiB: ours <= upstream": True}),
        ("ours bigger than upstream fails, each figure", upstream_ok(1, 1, 2071), None, False,
         {"t: TDMRs: ours <= upstream": False,
          "t: worst reserved areas: ours <= upstream": False,
          "t: PAMT KiB: ours <= upstream": False}),
    ]
    failed = []
    for what, lines, fails, numa, want in cases:
        got = {name: ok for name, ok, _ in judge("t", lines, fails, numa)[1]}
        ok = all(got.get(name) is verdict for name, verdict in want.items())
        print(f"platforms selftest: {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failed.append(what)
            print(f"  wanted {want}, got {got}")
    print(f"test result: {'ok' if not failed else 'FAILED'}. "
          f"{len(cases) - len(failed)} passed; {len(failed)} failed")
    return 1 if failed else 0


def main():
    args = sys.argv[1:]
    if args == ["header"]:
        print(header())
        return 0
    if args == ["selftest"]:
        return selftest()
    upstream_fails, numa = None, False
    if "--numa" in args:
        args.remove("--numa")
        numa = True
    if "--upstream-fails" in args:
        i = args.index("--upstream-fails")
        upstream_fails = args[i + 1]
        del args[i:i + 2]
    profile, log = args
    with open(log, errors="replace") as f:
        lines = [line.rstrip("\r\n") for line in f]
    return report(profile, lines, upstream_fails, numa)


if __name__ == "__main__":
    sys.exit(main())
