# QEMU's q35 machine as scripts/qemu.sh boots it today: TCG, -cpu max, -m 2048, SeaBIOS, no
# NUMA. Its RAM and CMRs follow QEMU's and SeaBIOS's documented layout, not a kernel's view.
# Ranges are [start, end).

name      qemu-q35
source    QEMU 7.2 (Debian 12) hw/i386/pc_q35.c pc_q35_init(): -m below 0xb0000000 (2.75 GiB)
source      puts all RAM below 4 GiB: -m 2048 is RAM [0, 0x80000000), given to the firmware as
source      fw_cfg "etc/e820"; nothing above 4 GiB
source    SeaBIOS 1.16.2 (Debian 12) e820: usable [0, 0x9fc00) (its EBDA above), reserved
source      [0xf0000, 0x100000) (the BIOS), and at the top of RAM below 4 GiB the part of its
source      256 KiB table zone (BUILD_MAX_HIGHTABLE) it uses, reserved: 132 KiB with this
source      machine's ACPI tables; it gives the rest back as usable
cpu       QEMU TCG "max" (AMD vendor, family 6 model 6), MAXPHYADDR 40
packages  1        # qemu.sh's default -smp 2 (platform.py boot takes -smp's count)
lps       2        # qemu.sh's default -smp 2 (platform.py boot takes -smp's count)
keyids    31 32    # tdx_emu's long-standing default: QEMU has no KeyID partitioning MSR
module    1.5.06   # the version the emulator models
fms       0x6 0x8f 0x8   # stated, not QEMU's: TCG's "max" CPU has the AMD vendor, which
                         # Intel's allowed_fms table does not know; the emulated module is
                         # told it runs on a Sapphire Rapids (family 6, model 0x8f, stepping 8,
                         # the stepping the table lists), a CPU TDX 1.5 supports
handoff   0x1f 0 0 0  # assumed: no log prints these (Linux reads none). 32 hand-off pages (the
                      # module needs more than 8: its KOT and WBT tables alone fill 32 KiB); a
                      # first load, so no hand-off data: header VALID 0, HV 0, SIZE 0

# QEMU's RAM without the first MiB, which no real platform reports as convertible (upstream's
# tdx.c skips it for that reason). SeaBIOS's reserved tables at the top are DRAM, as firmware-
# reserved DRAM is inside the CMRs of real platforms.
cmr       0x100000 0x80000000

ram       0x0 0x9fc00 0
ram       0x100000 0x7ffdf000 0         # SeaBIOS keeps [0x7ffdf000, 0x80000000) (132 KiB)

node      0 0x0 0x80000000              # no -numa: one node, all RAM

qemu      0x0 0x80000000                # boots reproduce all of it: -m 2048
