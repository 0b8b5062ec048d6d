# A made-up two-socket machine for the host tests of rust/init/tdmr: no real
# machine has this map. Its shape follows the server logs the real profiles
# come from: RAM below 2 GiB with firmware holes inside one low CMR, then one
# CMR per node covering its DRAM minus a 64 MiB tail, node spans 1 GiB aligned.
name      synthetic-2s
source    synthetic (rust/init/tdmr/testdata): made up, not from any log
cpu       none (synthetic)
packages  2
lps       8
keyids    31 32
module    1.5.06
cmr       0x100000      0x70000000
cmr       0x100000000   0x103c000000
cmr       0x1040000000  0x203c000000
ram       0x0           0x9f000       0
ram       0x100000      0x5a000000    0
ram       0x5a200000    0x6c000000    0    # a 2 MiB firmware hole before it
ram       0x6c100000    0x6e000000    0    # a 1 MiB one
ram       0x100000000   0x103c000000  0
ram       0x1040000000  0x203c000000  1
node      0 0x0           0x1040000000
node      1 0x1040000000  0x2040000000
