# QEMU's q35 machine with four NUMA nodes of 1 GiB (-m 4G, one 1 GiB memory backend per node),
# for make bench's TDH.SYS.TDMR.INIT section: each node's memory is a TDMR of its own. Its RAM
# and CMRs follow QEMU's and SeaBIOS's documented layout, as qemu-q35-numa, not a kernel's
# view. Ranges are [start, end).

name      qemu-q35-numa4
source    QEMU 7.2 (Debian 12) hw/i386/pc_q35.c pc_q35_init(): -m of 0xb0000000 (2.75 GiB) or
source      more puts 2 GiB of RAM below 4 GiB and the rest from 4 GiB: -m 4G is RAM
source      [0, 0x80000000) and [0x100000000, 0x180000000)
source    QEMU hw/core/numa.c: -numa node memdevs follow one another in node order through that
source      split: node 0 is [0, 0x40000000), node 1 [0x40000000, 0x80000000), node 2
source      [0x100000000, 0x140000000), node 3 [0x140000000, 0x180000000)
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
cmr       0x100000000 0x180000000       # nodes 2 and 3

ram       0x0 0x9fc00 0
ram       0x100000 0x40000000 0
ram       0x40000000 0x7ffdf000 1       # assumed as qemu-q35-numa: SeaBIOS's tables at the top
ram       0x100000000 0x140000000 2
ram       0x140000000 0x180000000 3

node      0 0x0 0x40000000
node      1 0x40000000 0x80000000
node      2 0x100000000 0x140000000
node      3 0x140000000 0x180000000

qemu      0x0 0x180000000
