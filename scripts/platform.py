#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The emulated TDX platform from a profile (tools/testing/tdx_emu/platforms/).

usage:
  platform.py boot PROFILE --smp SMP   three lines for one QEMU boot:
      qemu: <extra QEMU arguments>
      append: <extra kernel command line>
      emu: <tdx_emu module parameters>
  platform.py check PROFILE...         check profiles (and that those with a
                                       'qemu' line boot, with -smp 2)
  platform.py show PROFILE             a readable summary
  platform.py selftest                 platform.py's own tests

PROFILE is a file, or NAME for tools/testing/tdx_emu/platforms/NAME.profile.
SMP is QEMU's -smp (as scripts/qemu.sh takes it): the LPs and packages come
from it, since QEMU runs the CPUs (a real machine's 128 LPs cannot be booted
under TCG); the CMRs and KeyIDs come from the profile, and so does the RAM
inside the profile's 'qemu' window, which the boot reproduces (see
platform_q35.py). Exits 1 with one line on stderr when it cannot.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import platform_profile as prof  # noqa: E402 (after the line above)
import platform_q35 as q35  # noqa: E402

PLATFORMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                         "tools", "testing", "tdx_emu", "platforms")


def load(name):
    return prof.load(prof.path_of(name, PLATFORMS))


def boot_lines(p, smp):
    qemu, append, emu = q35.boot(p, smp)
    return [f"qemu: {' '.join(qemu)}".rstrip(), f"append: {' '.join(append)}".rstrip(),
            f"emu: {' '.join(emu)}"]


def size(n):
    for unit, shift in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.4g} {unit}"
    return f"{n} B"


def show(p):
    mktme, tdx = p.keyids
    out = [f"{p.name}: {p.cpu}",
           f"  module {p.module_text}; {p.packages} packages, "
           f"{p.lps} LPs",
           f"  KeyIDs: MKTME 1..{mktme}, TDX {mktme + 1}..{mktme + tdx} "
           f"({(mktme + tdx).bit_length()} KeyID bits)"]
    out.append(f"  CMRs: {len(p.cmrs)}, {size(sum(e - s for s, e in p.cmrs))}")
    out += [f"    [{s:#014x}, {e:#014x})  {size(e - s)}" for s, e in p.cmrs]
    for n in p.node_ids():
        spans = ", ".join(f"[{s:#x}, {e:#x})" for nn, s, e in p.nodes if nn == n)
        ram = [(s, e) for s, e, nn in p.ram if nn == n]
        out.append(f"  node {n}: {spans}; RAM {size(sum(e - s for s, e in ram))} "
                   f"in {len(ram)} ranges")
    outside = q35.minus([(s, e) for s, e, _ in p.ram], p.cmrs)
    if outside:
        out.append("  RAM outside every CMR: " +
                   ", ".join(f"[{s:#x}, {e:#x})" for s, e in outside))
    if p.hotplug:
        s, e, n, slots = p.hotplug
        out.append(f"  pc-dimm region [{s:#x}, {e:#x}) on node {n}, {slots} slots")
    if p.window is None:
        out.append("  no 'qemu' window: not for QEMU boots")
    else:
        out.append(f"  QEMU boots reproduce [{p.window[0]:#x}, {p.window[1]:#x}); with -smp 2:")
        try:
            out += ["    " + line for line in boot_lines(p, "2")]
        except q35.BootError as e:
            out.append(f"    cannot: {e}")
    out += [f"  source: {s}" for s in p.sources]
    return out


def main(args):
    if len(args) == 4 and args[0] == "boot" and args[2] == "--smp":
        p = load(args[1])
        emu = q35.emu_version(p.module) if p.module[:2] == (1, 5) else None
        if emu != p.module_text:
            print(f"platform.py: {p.name} ran TDX module {p.module_text}; "
                  f"the emulator behaves as {emu or 'one of 1.5.01, 1.5.05, 1.5.06'}",
                  file=sys.stderr)
        print("\n".join(boot_lines(p, args[3])))
    elif len(args) >= 2 and args[0] == "check":
        for name in args[1:]:
            p = load(name)
            if p.window is not None:
                try:
                    boot_lines(p, "2")
                except q35.BootError as e:
                    raise q35.BootError(f"{p.path}: cannot boot: {e}") from None
            print(f"platform.py: {p.path}: ok")
    elif len(args) == 2 and args[0] == "show":
        print("\n".join(show(load(args[1]))))
    elif args == ["selftest"]:
        import platform_selftest
        platform_selftest.run(PLATFORMS, boot_lines, load)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (prof.ProfileError, q35.BootError, OSError) as err:
        sys.exit(f"platform.py: {err}")
