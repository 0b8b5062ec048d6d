# SPDX-License-Identifier: GPL-2.0
"""Platform profiles (tools/testing/tdx_emu/platforms/NAME.profile): parsing
and the checks every profile must pass. Used by scripts/platform.py.

Line oriented; '#' starts a comment; numbers are decimal or 0x-hex; ranges
are [start, end). Keywords:

    name      NAME              the file name without .profile
    source    free text         may repeat
    cpu       free text
    packages  N
    lps       N
    keyids    MKTME TDX         KeyIDs 1..=MKTME are MKTME's, the next TDX are TDX's
    module    MAJOR.MINOR.UPDATE
    fms       FAMILY MODEL STEPPING
                                the CPU as CPUID.01H:EAX names it (display family
                                and model, e.g. 0x6 0x8f 0x8); tdx_emu's fms=
    handoff   PAGES VALID HV SIZE
                                what the SEAM loader hands the module: its
                                num_handoff_pages and the hand-off data header;
                                tdx_emu's handoff=
    cmr       START END         one per CMR, ascending, at most 32
    ram       START END NODE    System RAM (e820 usable), ascending
    node      NODE START END    a NUMA node's span; may repeat per node
    qemu      START END         the window a QEMU boot reproduces (optional;
                                without it the profile is not for QEMU boots)
    hotplug   START END NODE SLOTS
                                QEMU's pc-dimm region (QEMU profiles only):
                                -m ...,slots=SLOTS,maxmem=... puts it there

cmr, ram and node may be absent (a profile whose logs have no CMRs), but
such a profile cannot be booted.
"""

import os

PAGE = 4096
MIB = 1 << 20
GIB = 1 << 30
MAX_CMRS = 32
# 15 KeyID bits at most: KeyIDs 1..=32767 (glue/trap.c refuses more).
MAX_KEYID = (1 << 15) - 1

ONCE = ("name", "cpu", "packages", "lps", "keyids", "module", "fms", "handoff", "qemu",
        "hotplug")
REQUIRED = ("name", "source", "cpu", "packages", "lps", "keyids", "module", "fms", "handoff")


class ProfileError(Exception):
    """What is wrong with a profile, with where."""


class Profile:
    """One parsed profile; ranges are (start, end) tuples."""

    def __init__(self, path):
        self.path = path
        self.name = None
        self.sources = []
        self.cpu = None
        self.packages = None
        self.lps = None
        self.keyids = None          # (mktme, tdx)
        self.module = None          # (major, minor, update)
        self.module_text = None
        self.fms = None             # CPUID.01H:EAX
        self.handoff = None         # (pages - 1, valid, hv, size)
        self.cmrs = []              # [(start, end)]
        self.ram = []               # [(start, end, node)]
        self.nodes = []             # [(node, start, end)]
        self.window = None          # (start, end)
        self.hotplug = None         # (start, end, node, slots)

    def node_ids(self):
        return sorted({n for n, _, _ in self.nodes})

    def node_of(self, addr):
        """The node whose span holds addr, or None."""
        for n, s, e in self.nodes:
            if s <= addr < e:
                return n
        return None


def number(text, where):
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        raise ProfileError(f"{where}: '{text}' is not a number") from None


def cpuid_fms(family, model, stepping, where):
    """CPUID.01H:EAX for a display family, model and stepping: the family
    above 0xf in the extended family, the model's high nibble in the
    extended model (for family 6 and families from 0xf, the only ones that
    use it)."""
    if family > 0xff + 0xf or model > 0xff or stepping > 0xf or (model > 0xf and family < 0xf
                                                                  and family != 6):
        raise ProfileError(f"{where}: 'fms' {family:#x} {model:#x} {stepping:#x} has no CPUID encoding")
    base, ext = (family, 0) if family < 0xf else (0xf, family - 0xf)
    return ext << 20 | (model >> 4) << 16 | base << 8 | (model & 0xf) << 4 | stepping


def load(path):
    """Parses and checks the profile at path; raises ProfileError."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    p = Profile(path)
    seen = set()
    for i, raw in enumerate(lines, 1):
        where = f"{path}:{i}"
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, rest = line.partition(" ")
        rest = rest.strip()
        words = rest.split()
        if key in ONCE and key in seen:
            raise ProfileError(f"{where}: a second '{key}' line")
        seen.add(key)

        def nums(n):
            if len(words) != n:
                raise ProfileError(f"{where}: '{key}' takes {n} numbers")
            return [number(w, where) for w in words]

        def rng(s, e):
            if s >= e:
                raise ProfileError(f"{where}: empty range [{s:#x}, {e:#x})")
            return s, e

        if key == "name":
            p.name = rest
        elif key == "source":
            p.sources.append(rest)
        elif key == "cpu":
            p.cpu = rest
        elif key in ("packages", "lps"):
            (v,) = nums(1)
            if v < 1:
                raise ProfileError(f"{where}: '{key}' must be at least 1")
            setattr(p, key, v)
        elif key == "keyids":
            mktme, tdx = nums(2)
            if mktme + tdx > MAX_KEYID:
                raise ProfileError(f"{where}: {mktme} + {tdx} KeyIDs, more than {MAX_KEYID}")
            p.keyids = (mktme, tdx)
        elif key == "module":
            parts = rest.split(".")
            if len(parts) != 3 or not all(x.isdigit() for x in parts):
                raise ProfileError(f"{where}: 'module' is MAJOR.MINOR.UPDATE")
            p.module = tuple(int(x) for x in parts)
            p.module_text = rest
        elif key == "fms":
            p.fms = cpuid_fms(*nums(3), where)
        elif key == "handoff":
            pages, valid, hv, size = nums(4)
            if pages > 0xffff or valid > 1 or hv > 0xffff or size > 0xffffffff:
                raise ProfileError(f"{where}: 'handoff' is PAGES (16 bits) VALID (0 or 1) "
                                   "HV (16 bits) SIZE (32 bits)")
            p.handoff = (pages, valid, hv, size)
        elif key == "cmr":
            p.cmrs.append(rng(*nums(2)))
        elif key == "ram":
            s, e, n = nums(3)
            p.ram.append(rng(s, e) + (n,))
        elif key == "node":
            n, s, e = nums(3)
            p.nodes.append((n,) + rng(s, e))
        elif key == "qemu":
            p.window = rng(*nums(2))
        elif key == "hotplug":
            s, e, n, slots = nums(4)
            p.hotplug = rng(s, e) + (n, slots)
        else:
            raise ProfileError(f"{where}: unknown keyword '{key}'")
    for key in REQUIRED:
        if key not in seen:
            raise ProfileError(f"{path}: no '{key}' line")
    check(p)
    return p


def ascending(ranges, what, path):
    """Ranges ascend and do not overlap (they may touch)."""
    prev = None
    for r in ranges:
        if prev is not None and r[0] < prev[1]:
            raise ProfileError(f"{path}: {what} [{r[0]:#x}, {r[1]:#x}) is not above "
                               f"[{prev[0]:#x}, {prev[1]:#x})")
        prev = r


def check(p):
    """The rules a profile's facts must follow together."""
    path = p.path
    stem = os.path.basename(path)
    if stem.endswith(".profile") and p.name != stem[:-len(".profile")]:
        raise ProfileError(f"{path}: name '{p.name}' is not the file's name")
    if p.packages > p.lps:
        raise ProfileError(f"{path}: {p.packages} packages but {p.lps} LPs")
    if len(p.cmrs) > MAX_CMRS:
        raise ProfileError(f"{path}: {len(p.cmrs)} CMRs, more than {MAX_CMRS}")
    for s, e in p.cmrs:
        if s % PAGE or e % PAGE:
            raise ProfileError(f"{path}: CMR [{s:#x}, {e:#x}) is not 4 KiB aligned")
    ascending(p.cmrs, "CMR", path)
    ascending(p.ram, "ram", path)
    ascending(sorted((s, e) for _, s, e in p.nodes), "node span", path)
    for s, e, n in p.ram:
        spans = [(ns, ne) for nn, ns, ne in p.nodes if nn == n]
        if not any(ns <= s and e <= ne for ns, ne in spans):
            raise ProfileError(f"{path}: ram [{s:#x}, {e:#x}) is not inside a span of node {n}")
    if p.hotplug:
        s, e, n, slots = p.hotplug
        if s % GIB or e % GIB:
            raise ProfileError(f"{path}: the hotplug region is not 1 GiB aligned")
        if n not in p.node_ids():
            raise ProfileError(f"{path}: the hotplug region's node {n} has no span")
        if not 1 <= slots <= 256:
            raise ProfileError(f"{path}: {slots} hotplug slots (QEMU takes 1 to 256)")
        if e - s <= slots * GIB:
            raise ProfileError(f"{path}: the hotplug region holds only its slots' alignment")


def path_of(name, platforms_dir):
    """A profile's path: the argument itself if it names a file, else
    platforms_dir/NAME.profile."""
    if os.path.sep in name or name.endswith(".profile") or os.path.exists(name):
        return name
    return os.path.join(platforms_dir, name + ".profile")
