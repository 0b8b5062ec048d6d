# SPDX-License-Identifier: GPL-2.0
"""platform.py selftest: the profile rules, -smp, and every boot checked by
booting its printed lines in a model of q35 + SeaBIOS + the kernel's
memmap= written apart from platform_q35.py: the guest's System RAM from
1 MiB must be the profile's RAM in the window, on the profile's nodes."""

import os
import re
import tempfile

import platform_profile as prof
import platform_q35 as q35

# platform.py's, given to run(): this file cannot import a module named
# "platform" without shadowing Python's own.
PLATFORMS = boot_lines = load = None

G, M = prof.GIB, prof.MIB
HEAD = """name {name}
source made up for platform.py's selftest
cpu a two-socket server
packages 2
lps 8
keyids 31 32
module 1.5.06
fms 0x6 0x8f 0x8
handoff 0x1f 0 0 0
"""
# A real-machine shape: holes below 2 GiB, RAM from 4 GiB on two nodes,
# CMRs to 258 GiB (which need more than TCG's 40 phys-bits), a window.
SERVER = HEAD + """
cmr 0x100000 0x6f800000
cmr 0x100000000 0x407c000000
ram 0x0 0x9f000 0
ram 0x100000 0x5d169000 0
ram 0x5d22b000 0x5d3cf000 0
ram 0x5d46a000 0x6e9cf000 0
ram 0x6f7ff000 0x6f800000 0
ram 0x100000000 0x107a000000 0
ram 0x1080000000 0x207c000000 1
ram 0x2080000000 0x407c000000 1
node 0 0 0x80000000
node 0 0x100000000 0x1080000000
node 1 0x1080000000 0x4080000000
"""
# Two nodes, each with a little RAM above 4 GiB, and a hole between them.
SMALL = HEAD + """
cmr 0x100000 0x80000000
cmr 0x100000000 0x100400000
ram 0x0 0x9f000 0
ram 0x100000 0x7f000000 0
ram 0x100000000 0x100100000 0
ram 0x100200000 0x100300000 1
node 0 0 0x80000000
node 0 0x100000000 0x100200000
node 1 0x100200000 0x100400000
qemu 0 0x100400000
"""


def fail(what):
    raise SystemExit("platform.py: selftest FAILED: " + what)


def expect(cond, what):
    if not cond:
        fail(what)


def profile(text, name="made-up"):
    """Parses text as NAME.profile; returns the Profile or the error text."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name + ".profile")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.format(name=name))
        try:
            return prof.load(path)
        except prof.ProfileError as e:
            return str(e)


def guest(lines):
    """The guest QEMU + SeaBIOS + Linux make of a boot's printed lines:
    (SeaBIOS's part, System RAM from 1 MiB as [(start, end)], node of an
    address, CPU phys-bits, the pc-dimm region or None), once per amount
    SeaBIOS may keep at the top of RAM below 4 GiB (132 KiB on this
    machine, 256 KiB at most)."""
    qemu = lines[0].split()[1:]
    append = lines[1].split()[1:]
    opts = dict(zip(qemu[::2], qemu[1::2]))
    m = dict(kv.split("=") for kv in ("size=" + opts["-m"]).split(","))
    ram = int(m["size"]) * M
    lowmem = 2 * G if ram >= 0xB0000000 else 0xB0000000
    if "-machine" in opts:
        lowmem = min(lowmem, int(opts["-machine"].split("=")[1].rstrip("M")) * M)
    low, high = (lowmem, ram - lowmem) if ram >= lowmem else (ram, 0)
    sizes = [int(s) * M for s in re.findall(r"size=(\d+)M", " ".join(qemu[2:]))]
    expect(not sizes or sum(sizes) == ram, f"-m {opts['-m']} is not its nodes' sum")
    bounds, at = [], 0
    for s in sizes or [ram]:
        at += s
        bounds.append(at if at <= low else (1 << 32) + at - low)
    dimm = None
    if "maxmem" in m:
        base = -(-((1 << 32) + high) // G) * G
        dimm = (base, base + int(m["maxmem"].rstrip("M")) * M - ram + int(m["slots"]) * G)
    bits = 40
    if "-cpu" in opts:
        bits = int(opts["-cpu"].split("phys-bits=")[1])
    holes = []
    for a in append:
        size, start = a[len("memmap="):].split("$")
        holes.append((int(start, 16), int(start, 16) + int(size, 16)))
    for kept in (0x21000, 0x40000):
        e820 = [(M, low - kept)] + ([(1 << 32, (1 << 32) + high)] if high else [])
        sysram = q35.minus(e820, holes)
        yield ((low - kept, low), sysram, lambda a: next(n for n, b in enumerate(bounds) if a < b),
               bits, dimm)


def boots_as_described(p, smp="2"):
    """The profile's RAM in its window, from 1 MiB, is the guest's, node by
    node; every CMR fits below the KeyID bits of the guest's MAXPHYADDR."""
    lines = boot_lines(p, smp)
    want = [(s, e) for s, e, _ in q35.clip(p.ram, M, p.window[1])]
    merged = []
    for s, e in want:
        if merged and merged[-1][1] == s:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    for seabios, sysram, node_of, bits, dimm in guest(lines):
        # Never RAM the profile lacks; all of its RAM, but what SeaBIOS may
        # keep beyond the 132 KiB it keeps here.
        extra, missing = q35.minus(sysram, merged), q35.minus(merged, sysram)
        expect(not extra, f"{p.name}: the guest has RAM the profile lacks: {extra}")
        expect(not missing or seabios[1] - seabios[0] > 0x21000 and
               q35.minus(missing, [seabios]) == [],
               f"{p.name}: the guest lacks the profile's RAM {missing}")
        for s, e, n in q35.clip(p.ram, M, p.window[1]):
            expect(node_of(s) == n and node_of(e - 1) == n,
                   f"{p.name}: RAM [{s:#x}, {e:#x}) is not on node {n}")
        kbits = sum(p.keyids).bit_length()
        expect(all(e <= 1 << (bits - kbits) for _, e in p.cmrs),
               f"{p.name}: a CMR is in the KeyID bits of a {bits}-bit CPU")
        expect(dimm == (p.hotplug[:2] if p.hotplug else None),
               f"{p.name}: QEMU's pc-dimm region {dimm} is not the profile's")
    cmrs = lines[2].split()[1][len("cmrs="):].split(",")
    expect(cmrs == [f"{s:#x}-{e:#x}" for s, e in p.cmrs], f"{p.name}: cmrs= {cmrs}")
    return lines


def boot_error(p, smp="2"):
    try:
        boot_lines(p, smp)
    except q35.BootError as e:
        return str(e)
    return None


def test_repository_profiles():
    q = load("qemu-q35")
    expect(boots_as_described(q) == [
        "qemu: -m 2048", "append:",
        "emu: cmrs=0x100000-0x80000000 lps=2 packages=1 mktme_keyids=31 tdx_keyids=32 version=1.5.06"
        " fms=0x806f8 handoff=0x1f,0x0,0x0,0x0"],
        "qemu-q35 does not boot as qemu.sh always did (-m 2048, no append)")
    numa = load("qemu-q35-numa")
    lines = boots_as_described(numa, "4,sockets=2,cores=2")
    expect(lines[0].startswith("qemu: -m 4096,slots=2,maxmem=6144M ") and lines[1] == "append:",
           f"qemu-q35-numa: {lines[:2]}")
    expect("lps=4 packages=2" in lines[2], "qemu-q35-numa: -smp's LPs and packages")
    # tdx_emu's version=: the profile's when modeled, else the newest below.
    for module, emu in (((1, 5, 1), "1.5.01"), ((1, 5, 5), "1.5.05"), ((1, 5, 8), "1.5.06")):
        expect(q35.emu_version(module) == emu, f"version= for {module}: {q35.emu_version(module)}")
    for module in ((1, 5, 0), (2, 0, 8), (1, 4, 9)):
        try:
            q35.emu_version(module)
            expect(False, f"version= for {module}: not refused")
        except q35.BootError:
            pass
    for f in sorted(n for n in os.listdir(PLATFORMS) if n.endswith(".profile")):
        p = load(os.path.join(PLATFORMS, f))
        if p.window is not None:
            boots_as_described(p)


def test_smp():
    for smp, want in [("2", (2, 1)), ("4,sockets=2,cores=2", (4, 2)), ("4,sockets=2", (4, 2)),
                      ("8,cores=2", (8, 4)), ("sockets=2,cores=2,threads=2", (8, 2)),
                      ("cpus=3,maxcpus=4,sockets=2,cores=2", (3, 2)),
                      ("2,maxcpus=4,sockets=2,cores=2", (2, 1)), ("6,threads=2,cores=3", (6, 1)),
                      ("4,sockets=2,dies=2", (4, 2))]:
        got = q35.parse_smp(smp)
        expect(got == want, f"-smp {smp}: {got}, not {want}")
    for bad in ["0", "x", "2,foo=1", "2,clusters=2", "4,sockets=3,cores=2", "2,cpus=2",
                "4,maxcpus=2", "2,sockets=0"]:
        try:
            q35.parse_smp(bad)
            fail(f"-smp {bad} was taken")
        except q35.BootError:
            pass


def test_server():
    p = profile(SERVER + "qemu 0 0x140000000\n")
    lines = boots_as_described(p)
    expect("phys-bits=45" in lines[0], f"258 GiB of CMRs under 6 KeyID bits: {lines[0]}")
    # The 4 KiB of RAM at 0x6f7ff000 survives: SeaBIOS's tables are in a gap.
    expect("memmap=0x10800000$0x6f800000" in lines[1], f"the top of low RAM: {lines[1]}")
    # RAM to the end of its node and window: QEMU's RAM goes a MiB further,
    # so that SeaBIOS's tables take none of it.
    lines = boots_as_described(profile(HEAD + """
cmr 0x100000 0x40000000
ram 0x100000 0x40000000 0
node 0 0 0x40000000
qemu 0 0x40000000
"""))
    expect(lines[:2] == ["qemu: -m 1025", "append: memmap=0x100000$0x40000000"],
           f"RAM up to its window's end: {lines[:2]}")
    # A window into node 1 needs a 64 GiB guest: refused.
    err = boot_error(profile(SERVER + "qemu 0 0x1100000000\n"))
    expect("narrow the 'qemu' window" in (err or ""), f"a 64 GiB guest: {err}")
    # Two nodes in a small window, with less than 0.75 GiB above 4 GiB.
    lines = boots_as_described(profile(SMALL))
    expect("-numa node,nodeid=1" in lines[0] and "max-ram-below-4g=2048M" in lines[0],
           f"two nodes in a small window: {lines[0]}")


def test_boot_refusals():
    base = SERVER
    for text, why in [
        (base, "no 'qemu' line"),
        (base + "qemu 0x1000 0x140000000\n", "must start at 0"),
        (base.replace("ram 0x100000 0x5d169000 0", "ram 0x2000000 0x5d169000 0")
         + "qemu 0 0x140000000\n", "where the kernel runs"),
        (base.replace("0x6f7ff000 0x6f800000", "0x6f7ff000 0x90000000")
         .replace("cmr 0x100000 0x6f800000", "cmr 0x100000 0x90000000")
         .replace("node 0 0 0x80000000", "node 0 0 0x90000000") + "qemu 0 0x140000000\n",
         "keeps 0x80000000 below 4 GiB"),
        (base.replace("ram 0x100000000 0x107a000000 0", "ram 0xc0000000 0x107a000000 0")
         .replace("node 0 0 0x80000000\nnode 0 0x100000000", "node 0 0 0x80000000\n"
                  "node 0 0xc0000000") + "qemu 0 0x140000000\n", "crosses 4 GiB"),
    ]:
        p = profile(text)
        expect(not isinstance(p, str), f"a profile for a refusal did not parse: {p}")
        err = boot_error(p)
        expect(err is not None and why in err, f"'{why}' not refused: {err}")
    many = "\n".join(f"ram {a:#x} {a + 0x3000:#x} 0"
                     for a in range(0x4001000, 0x4001000 + 80 * 0x4000, 0x4000))
    p = profile(base.replace("ram 0x100000 0x5d169000 0",
                             "ram 0x100000 0x4000000 0\n" + many +
                             "\nram 0x5000000 0x5d169000 0") + "qemu 0 0x140000000\n")
    expect("kernel command line" in (boot_error(p) or ""), "80 holes: no command line limit")
    numa = open(os.path.join(PLATFORMS, "qemu-q35-numa.profile"), encoding="utf-8").read()
    p = profile(numa.replace("hotplug   0x180000000", "hotplug   0x1c0000000")
                .replace("name      qemu-q35-numa", "name {name}"))
    expect("pc-dimm region at 0x180000000" in (boot_error(p) or ""), "a misplaced DIMM region")


def test_profile_rules():
    good = SERVER + "qemu 0 0x140000000\n"
    expect(not isinstance(profile(good), str), f"the made-up server: {profile(good)}")
    for change, why in [
        (("cpu a", "kpu a"), "unknown keyword"),
        (("lps 8", "lps 8\nlps 8"), "a second 'lps'"),
        (("module 1.5.06\n", ""), "no 'module'"),
        (("lps 8", "lps 1"), "2 packages but 1 LPs"),
        (("lps 8", "lps 0x"), "not a number"),
        (("keyids 31 32", "keyids 31 32767"), "more than 32767"),
        (("module 1.5.06", "module 1.5"), "MAJOR.MINOR.UPDATE"),
        (("fms 0x6 0x8f 0x8\n", ""), "no 'fms'"),
        (("fms 0x6 0x8f 0x8", "fms 0x6 0x8f 0x10"), "no CPUID encoding"),
        (("fms 0x6 0x8f 0x8", "fms 0x5 0x8f 0x8"), "no CPUID encoding"),
        (("handoff 0x1f 0 0 0\n", ""), "no 'handoff'"),
        (("handoff 0x1f 0 0 0", "handoff 0x1f 2 0 0"), "VALID (0 or 1)"),
        (("cmr 0x100000 0x6f800000", "cmr 0x100800 0x6f800000"), "not 4 KiB aligned"),
        (("cmr 0x100000 0x6f800000", "cmr 0x100000 0x100000"), "empty range"),
        (("cmr 0x100000 0x6f800000\ncmr 0x100000000 0x407c000000",
          "cmr 0x100000000 0x407c000000\ncmr 0x100000 0x6f800000"), "is not above"),
        (("cmr 0x100000 0x6f800000", "\n".join(f"cmr {i * G:#x} {i * G + 4096:#x}"
                                                for i in range(33))), "more than 32"),
        (("ram 0x5d22b000", "ram 0x5d168000"), "is not above"),
        (("ram 0x5d22b000 0x5d3cf000 0", "ram 0x5d22b000 0x5d3cf000 1"),
         "not inside a span of node 1"),
        (("node 1 0x1080000000", "node 1 0x1070000000"), "is not above"),
        (("ram 0x0 0x9f000 0", "ram 0x0 0x9f000"), "takes 3 numbers"),
        (("qemu 0 0x140000000", "hotplug 0x180000000 0x280000000 5 2"), "node 5 has no span"),
    ]:
        got = profile(good.replace(*change))
        expect(isinstance(got, str) and why in got, f"'{why}' not refused: {got}")
    expect("is not the file's name" in profile(good.replace("{name}", "other"), "made-up"),
           "a profile named after another file")


def run(platforms, boot, load_profile):
    global PLATFORMS, boot_lines, load
    PLATFORMS, boot_lines, load = platforms, boot, load_profile
    tests = [test_repository_profiles, test_smp, test_server, test_boot_refusals,
             test_profile_rules]
    # CPUID.01H:EAX as Intel's allowed_fms table spells its CPUs.
    for fms, eax in (((6, 0x8f, 8), 0x806F8), ((6, 0xcf, 2), 0xC06F2), ((6, 0xad, 0), 0xA06D0),
                     ((0x13, 0x1, 0), 0x0400F10)):
        expect(prof.cpuid_fms(*fms, "test") == eax, f"fms {fms}: {prof.cpuid_fms(*fms, 'test'):#x}")
    for t in tests:
        t()
    print(f"platform.py: selftest passed ({len(tests)} groups)")
