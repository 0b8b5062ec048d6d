#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hot-add DIMMs to a running QEMU when the guest asks for them.

usage: hotplug.py QMP_SOCKET CONSOLE_LOG

Started by scripts/qemu.sh next to QEMU when QEMU_HOTPLUG is set. Connects
to QEMU's QMP socket, follows the serial console log, and for each request
line the guest prints

    tdx_rs_hotplug: add NAME [node N] [size MIB]

(anywhere in a line: the kselftest runner prefixes "# ") adds a 128 MiB (or
MIB) RAM backend and a pc-dimm called NAME on NUMA node N (default 0), once
per NAME: a repeated request is ignored. Prints one line per request on
stdout ("hotplug: NAME added at node N" or "hotplug: NAME failed: ...").
Ends when QEMU closes the socket. Python's standard library only.
"""
import json
import os
import re
import socket
import sys
import time

REQUEST = re.compile(r"tdx_rs_hotplug: add ([A-Za-z][A-Za-z0-9_]*)"
                     r"(?: node (\d+))?(?: size (\d+))?")


class Qmp:
    """A QMP client: one command at a time, events skipped."""

    def __init__(self, path, wait_s=120):
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.buf = b""
        self.read_message()  # the greeting
        self.command("qmp_capabilities")

    def read_message(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("QEMU closed the QMP socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.read_message()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"{name}: {reply['error'].get('desc')}")
            return reply.get("return")

    def alive(self):
        """Whether QEMU still answers (a closed socket ends the driver)."""
        try:
            self.command("query-status")
            return True
        except (EOFError, OSError):
            return False


def add_dimm(qmp, name, node, mib):
    qmp.command("object-add", **{"qom-type": "memory-backend-ram",
                                 "id": f"mem-{name}", "size": mib << 20})
    qmp.command("device_add", driver="pc-dimm", id=name,
                memdev=f"mem-{name}", node=node)


def main():
    sock_path, log_path = sys.argv[1], sys.argv[2]
    qmp = Qmp(sock_path)
    done = set()
    offset = 0
    pending = b""
    last_alive = time.monotonic()
    while True:
        try:
            with open(log_path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            data = b""
        offset += len(data)
        pending += data
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            m = REQUEST.search(raw.decode(errors="replace"))
            if not m or m.group(1) in done:
                continue
            name, node = m.group(1), int(m.group(2) or 0)
            mib = int(m.group(3) or 128)
            done.add(name)
            try:
                add_dimm(qmp, name, node, mib)
                print(f"hotplug: {name} added ({mib} MiB) at node {node}", flush=True)
            except (RuntimeError, OSError, EOFError) as e:
                print(f"hotplug: {name} failed: {e}", flush=True)
        if data:
            continue
        if time.monotonic() - last_alive > 2:
            if not qmp.alive():
                return 0
            last_alive = time.monotonic()
        time.sleep(0.2)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, ConnectionError):
        sys.exit(0)
