# SPDX-License-Identifier: GPL-2.0
"""How a QEMU q35 boot (TCG, SeaBIOS, -kernel) reproduces a profile: the
extra QEMU arguments, the extra kernel command line and tdx_emu's
parameters. Used by scripts/platform.py boot.

The QEMU facts used (QEMU 7.2, Debian 12; SeaBIOS 1.16.2):
- hw/i386/pc_q35.c pc_q35_init(): with -m of 0xb0000000 (2.75 GiB) or
  more, 2 GiB of RAM go below 4 GiB and the rest from 4 GiB; with less,
  all of it goes below 4 GiB. -machine max-ram-below-4g=X lowers that.
- hw/i386/pc.c pc_memory_init(): the pc-dimm region starts at the 1 GiB
  boundary at or above the end of RAM above 4 GiB (4 GiB if there is
  none) and holds maxmem - ram plus 1 GiB per slot; QEMU refuses a layout
  whose 64-bit PCI hole (32 GiB after that region, or after the RAM) ends
  above the CPU's phys-bits; and -cpu max under TCG is an AMD CPU, so a
  layout that reaches 0xfd00000000 (the HyperTransport hole) would move
  all RAM above 4 GiB to 1 TiB. TCG's phys-bits are 40 unless given.
- hw/core/numa.c: -numa node memdevs are laid out one after the other,
  in node order, through the same below/above 4 GiB split.
- hw/core/machine-smp.c: -smp's missing counts (cores preferred over
  sockets since machine 6.2); x86 numbers CPUs socket by socket.
- SeaBIOS keeps up to 256 KiB (BUILD_MAX_HIGHTABLE) at the top of RAM
  below 4 GiB for its tables, as e820 reserved, and gives back the rest.
The kernel: memmap=SIZE$START marks a range e820 reserved; x86's command
line holds 2047 bytes.
"""

from platform_profile import GIB, MIB

KIB = 1 << 10
FOUR_G = 1 << 32
LOWMEM_SPLIT = 0xB0000000
LOWMEM_HIGH = 2 * GIB
SEABIOS_HIGH = 256 * KIB
PCI_HOLE64 = 32 * GIB
AMD_HT_START = 0xFD00000000
TCG_PHYS_BITS = 40
MAX_PHYS_BITS = 52
# Where QEMU's -kernel boot runs the kernel (CONFIG_PHYSICAL_START) and
# room for it: the profile must have RAM there.
KERNEL_RANGE = (16 * MIB, 64 * MIB)
# A TCG guest on a shared machine: more RAM calls for a narrower window.
MAX_GUEST_RAM = 16 * GIB
# COMMAND_LINE_SIZE 2048 with its NUL, less room for qemu.sh's own options
# and a boot's (console=, maxcpus=, ...).
APPEND_BUDGET = 2047 - 256


class BootError(Exception):
    """Why a profile cannot be booted."""


def up(x, a):
    return -(-x // a) * a


def down(x, a):
    return x // a * a


def parse_smp(smp):
    """(LPs, packages) of QEMU's -smp SMP: the CPUs present at boot and the
    sockets that hold them."""
    keys = {}
    for i, item in enumerate(smp.split(",")):
        key, eq, val = item.partition("=")
        if not eq:
            if i:
                raise BootError(f"-smp {smp}: '{item}' is not KEY=N")
            key, val = "cpus", item
        if key not in ("cpus", "maxcpus", "sockets", "dies", "clusters", "cores",
                       "threads") or key in keys:
            raise BootError(f"-smp {smp}: '{key}' is not an x86 topology count, or repeats")
        if not val.isdigit() or int(val) == 0:
            raise BootError(f"-smp {smp}: {key} must be a count above 0")
        keys[key] = int(val)
    if keys.get("clusters", 1) > 1:
        raise BootError(f"-smp {smp}: x86 machines have no clusters")
    cpus, maxcpus = keys.get("cpus", 0), keys.get("maxcpus", 0)
    sockets, cores, threads = (keys.get(k, 0) for k in ("sockets", "cores", "threads"))
    dies = keys.get("dies", 1)
    if cpus == 0 and maxcpus == 0:
        sockets, cores, threads = sockets or 1, cores or 1, threads or 1
    else:
        maxcpus = maxcpus or cpus
        if cores == 0:
            sockets, threads = sockets or 1, threads or 1
            cores = maxcpus // (sockets * dies * threads)
        elif sockets == 0:
            threads = threads or 1
            sockets = maxcpus // (dies * cores * threads)
        if threads == 0:
            threads = maxcpus // (sockets * dies * cores)
    per_socket = dies * cores * threads
    total = sockets * per_socket
    maxcpus = maxcpus or total
    cpus = cpus or maxcpus
    if total != maxcpus or maxcpus < cpus or per_socket == 0:
        raise BootError(f"-smp {smp}: the topology does not hold maxcpus {maxcpus}")
    return cpus, min(sockets, up(cpus, per_socket) // per_socket)


def clip(ram, lo, hi):
    """ram's ranges cut to [lo, hi)."""
    out = []
    for s, e, n in ram:
        s, e = max(s, lo), min(e, hi)
        if s < e:
            out.append((s, e, n))
    return out


def minus(ranges, holes):
    """Parts of ranges (start, end) outside every hole (start, end)."""
    out = []
    for s, e in ranges:
        for hs, he in sorted(holes):
            if he <= s or hs >= e:
                continue
            if hs > s:
                out.append((s, hs))
            s = max(s, he)
        if s < e:
            out.append((s, e))
    return out


def low_ram_end(p, low_end, window_end):
    """Where QEMU's RAM below 4 GiB ends when there is none above: the end of
    the node span that holds the profile's last RAM below 4 GiB (the memory
    that exists there), within the window, at least a MiB above that RAM
    when it ends on a MiB (so SeaBIOS's tables fall in a gap)."""
    span_end = max((e for _, s, e in p.nodes if s < low_end <= e), default=low_end)
    end = max(down(min(span_end, window_end), MIB), up(low_end, MIB))
    if end == low_end:
        end += MIB
    if end >= LOWMEM_SPLIT:
        end = max(down(LOWMEM_SPLIT - 1, MIB), up(low_end, MIB))
    if end >= LOWMEM_SPLIT or end == low_end:
        raise BootError(f"RAM below 4 GiB up to {low_end:#x}: q35 keeps less than "
                        f"{LOWMEM_SPLIT:#x} there, with room above it for SeaBIOS")
    return end


def node_sizes(p, ram, low, high):
    """Bytes of QEMU RAM per node, in node order, so that each node's RAM
    lands in its memdev; [] for one node."""
    nodes = []
    for _, _, n in ram:
        if not nodes or nodes[-1] != n:
            nodes.append(n)
    if nodes != list(range(len(nodes))):
        raise BootError(f"nodes {nodes} in address order: QEMU lays out nodes 0, 1, ... "
                        "one after the other")
    if len(nodes) == 1:
        return []

    def offset(addr):
        return addr if addr <= low else (low if addr < FOUR_G else low + addr - FOUR_G)

    cuts = [0]
    for k in nodes[1:]:
        last_end = max(e for _, e, n in ram if n == k - 1)
        first = min(s for s, _, n in ram if n == k)
        span = max((s for n, s, e in p.nodes if n == k and s <= first < e), default=first)
        cut = down(max(last_end, min(first, span)), MIB)
        if cut < last_end:
            cut = up(last_end, MIB)
        if cut > first:
            raise BootError(f"nodes {k - 1} and {k} meet inside a MiB at {first:#x}")
        cuts.append(offset(cut))
    cuts.append(low + high)
    sizes = [b - a for a, b in zip(cuts, cuts[1:])]
    if 0 in sizes:
        raise BootError("a node would get no QEMU RAM")
    return sizes


def phys_bits(p, mem_top, used):
    """The fewest phys-bits, from TCG's 40, that keep every CMR and the
    guest's memory (up to mem_top) below the KeyID bits (the emulator puts
    them at the top of the CPU's MAXPHYADDR) and QEMU's layout (up to
    used) below MAXPHYADDR."""
    kbits = (p.keyids[0] + p.keyids[1]).bit_length()
    top = max([mem_top] + [e for _, e in p.cmrs])
    for bits in range(TCG_PHYS_BITS, MAX_PHYS_BITS + 1):
        if top <= 1 << (bits - kbits) and used <= 1 << bits:
            return bits
    raise BootError(f"{top:#x} does not fit below {kbits} KeyID bits of "
                    f"a {MAX_PHYS_BITS}-bit MAXPHYADDR")


def boot(p, smp):
    """(qemu args, append options, emu params) for profile p under -smp SMP."""
    lps, packages = parse_smp(smp)
    if p.window is None:
        raise BootError("no 'qemu' line: the profile is not for QEMU boots")
    if not p.cmrs or not p.ram:
        raise BootError("no CMR or no RAM: nothing to boot")
    w0, w1 = p.window
    if w0 != 0:
        raise BootError("the qemu window must start at 0, where q35's RAM starts")
    ram = clip(p.ram, MIB, w1)
    for s, e, _ in ram:
        if s < FOUR_G < e:
            raise BootError(f"RAM [{s:#x}, {e:#x}) crosses 4 GiB")
    low_ram = [r for r in ram if r[1] <= FOUR_G]
    high_ram = [r for r in ram if r[0] >= FOUR_G]
    if not any(s <= KERNEL_RANGE[0] and KERNEL_RANGE[1] <= e for s, e, _ in low_ram):
        raise BootError(f"no RAM over [{KERNEL_RANGE[0]:#x}, {KERNEL_RANGE[1]:#x}), "
                        "where the kernel runs")
    low_end = max(e for _, e, _ in low_ram)
    machine = []
    if high_ram:
        low = LOWMEM_HIGH
        if low_end >= low:
            raise BootError(f"RAM below 4 GiB up to {low_end:#x} and RAM above it: q35 "
                            f"keeps {low:#x} below 4 GiB then, with room for SeaBIOS")
        high = up(max(e for _, e, _ in high_ram), MIB) - FOUR_G
        if low + high < LOWMEM_SPLIT:
            machine = ["-machine", f"max-ram-below-4g={low // MIB}M"]
    else:
        low, high = low_ram_end(p, low_end, w1), 0
    if low + high > MAX_GUEST_RAM:
        raise BootError(f"{(low + high) // MIB} MiB of guest RAM, more than "
                        f"{MAX_GUEST_RAM // MIB}: narrow the 'qemu' window")

    # memmap= every part of QEMU's RAM the profile has no RAM in, but the
    # top of low RAM when that is no more than what SeaBIOS keeps.
    qemu_ram = [(MIB, low)] + ([(FOUR_G, FOUR_G + high)] if high else [])
    holes = minus(qemu_ram, [(s, e) for s, e, _ in ram])
    holes = [(s, e) for s, e in holes if not (e == low and 0 < e - s <= SEABIOS_HIGH)]
    append = [f"memmap={e - s:#x}${s:#x}" for s, e in holes]
    if len(" ".join(append)) > APPEND_BUDGET:
        raise BootError(f"{len(holes)} memmap= holes need {len(' '.join(append))} bytes of "
                        f"kernel command line, more than the {APPEND_BUDGET} left")

    total = low + high
    mem = f"{total // MIB}"
    dimm_end = up(FOUR_G + high, GIB)
    if p.hotplug:
        s, e, n, slots = p.hotplug
        if s != dimm_end or not (w0 <= s and e <= w1):
            raise BootError(f"QEMU puts the pc-dimm region at {dimm_end:#x}, inside the "
                            f"window; the profile has it at {s:#x}")
        if n != max(node for _, _, node in ram):
            raise BootError("QEMU's SRAT puts the pc-dimm region on the last node")
        maxmem = total + (e - s) - slots * GIB
        mem += f",slots={slots},maxmem={maxmem // MIB}M"
        dimm_end = e
    qemu = ["-m", mem] + machine
    for n, size in enumerate(node_sizes(p, ram, low, high)):
        qemu += ["-object", f"memory-backend-ram,id=ram-node{n},size={size // MIB}M",
                 "-numa", f"node,nodeid={n},memdev=ram-node{n}"]
    nodes = len(node_sizes(p, ram, low, high))
    if nodes > 1:
        # Socket s on node s % nodes: QEMU's own default for pc machines,
        # spelled out (QEMU deprecates leaving CPUs unmapped).
        for sock in range(packages):
            qemu += ["-numa", f"cpu,node-id={sock % nodes},socket-id={sock}"]
    used = dimm_end + PCI_HOLE64
    if used > AMD_HT_START:
        raise BootError(f"the layout reaches {used:#x}: QEMU would move RAM above 4 GiB to 1 TiB")
    mem_top = p.hotplug[1] if p.hotplug else (FOUR_G + high if high else low)
    bits = phys_bits(p, mem_top, used)
    if bits != TCG_PHYS_BITS:
        qemu += ["-cpu", f"max,phys-bits={bits}"]

    emu = ["cmrs=" + ",".join(f"{s:#x}-{e:#x}" for s, e in p.cmrs),
           f"lps={lps}", f"packages={packages}",
           f"mktme_keyids={p.keyids[0]}", f"tdx_keyids={p.keyids[1]}",
           f"version={emu_version(p.module)}", f"fms={p.fms:#x}",
           "handoff=" + ",".join(f"{v:#x}" for v in p.handoff)]
    return qemu, append, emu


# The TDX module versions tdx_emu models (its module_version.rs); it refuses
# to load with any other.
EMU_VERSIONS = ((1, 5, 1), (1, 5, 5), (1, 5, 6))


def emu_version(module):
    """tdx_emu's version= for a profile's module: the same version when it is
    modeled, else the newest modeled one of the same MAJOR.MINOR below it
    (a 1.5.08 machine boots as 1.5.06; platform.py says so)."""
    below = [v for v in EMU_VERSIONS if v[:2] == module[:2] and v <= module]
    if not below:
        raise BootError(f"TDX module {'.'.join(map(str, module))}: tdx_emu models only "
                        + ", ".join(f"{a}.{b}.{c:02}" for a, b, c in EMU_VERSIONS))
    a, b, c = below[-1]
    return f"{a}.{b}.{c:02}"
