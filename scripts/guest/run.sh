# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for `make run`: the module, the emulated TDX module, and
# one SEAMCALL through each trampoline.
set -u
M=/modules
insmod $M/tdx_host_rs.ko || echo "guest: FAIL insmod tdx_host_rs"
insmod $M/tdx_emu.ko || echo "guest: FAIL insmod tdx_emu"
insmod $M/tdx_rs_demo.ko || echo "guest: FAIL insmod tdx_rs_demo"
rmmod tdx_rs_demo
rmmod tdx_emu
rmmod tdx_host_rs
echo "guest: RUN DONE"
