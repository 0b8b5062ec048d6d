# QEMU's q35 machine with two NUMA nodes and a pc-dimm region for memory hotplug:
# -m 4G,slots=2,maxmem=6G, one 2 GiB memory backend per node. Its RAM and CMRs follow QEMU's and
# SeaBIOS's documented layout, not a kernel's view. Ranges are [start, end).

name      qemu-q35-numa
source    QEMU 7.2 (Debian 12) hw/i386/pc_q35.c pc_q35_init(): -m of 0xb0000000 (2.75 GiB) or
source      more puts 2 GiB of RAM below 4 GiB and the rest from 4 GiB: -m 4G is RAM
source      [0, 0x80000000) and [0x100000000, 0x180000000)
source    QEMU hw/core/numa.c: -numa node memdevs follow one another in node order through that
source      split: node 0 (2 GiB) is [0, 0x80000000), node 1 (2 GiB) [0x100000000, 0x180000000)
source    QEMU hw/i386/pc.c pc_memory_init(): the pc-dimm region starts at the 1 GiB boundary at or
source      above the end of RAM (0x180000000) and holds maxmem - ram plus 1 GiB per slot for
source      alignment: 2 GiB + 2 x 1 GiB, [0x180000000, 0x280000000); QEMU's SRAT gives it to the
source      last node, hotpluggable
source    SeaBIOS 1.16.2 (Debian 12) e820: as qemu-q35 below 4 GiB; RAM above 4 GiB usable
cpu       QEMU TCG "max" (AMD vendor, family 6 model 6), MAXPHYADDR 40
packages  1        # platform.py boot takes -smp's count
lps       2        # platform.py boot takes -smp's count
keyids    31 32    # tdx_emu's long-standing default: QEMU has no KeyID partitioning MSR
module    1.5.06   # the version the emulator models
fms       0x6 0x8f 0x8   # stated, not QEMU's: TCG's "max" CPU has the AMD vendor, which
                         # Intel's allowed_fms table does not know; the emulated module is
                         # told it runs on a Sapphire Rapids (family 6, model 0x8f, stepping 8,
                         # the stepping the table lists), a CPU TDX 1.5 supports
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

cmr       0x100000 0x80000000           # RAM below 4 GiB without the first MiB, as qemu-q35
cmr       0x100000000 0x180000000       # node 1's RAM
# The pc-dimm region is convertible in this profile only, so that DIMMs added before the TDX
# module is initialized can become TDX memory. Real TDX platforms do not hot-add memory: their
# CMRs never cover such a region.
cmr       0x180000000 0x280000000

ram       0x0 0x9fc00 0
ram       0x100000 0x7ffdf000 0         # assumed as qemu-q35: SeaBIOS's tables grow with the
                                        # SRAT and hotplug devices, up to 256 KiB below 2 GiB
ram       0x100000000 0x180000000 1

node      0 0x0 0x80000000
node      1 0x100000000 0x180000000
node      1 0x180000000 0x280000000     # the pc-dimm region (SRAT: hotpluggable, last node)

hotplug   0x180000000 0x280000000 1 2   # -m 4G,slots=2,maxmem=6G
qemu      0x0 0x280000000
