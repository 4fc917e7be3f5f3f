#!/usr/bin/env python3
"""CPU cost of writing one frame to N loopback sockets, per event loop: the floor under a tick fan-out.

    backend/.venv/bin/python bench/market_fanout/write_cost.py [--sockets 4000] [--size 11000] [--rounds 9]

Opens N TCP connections to an asyncio server in this process (readers in 4 other processes discard what they
get), then writes one frame to every server-side transport, the way `Hub._on_message` does (skip a socket with
a non-empty buffer, yield every 256 sockets), and reports the median over `--rounds` of the fan-out's thread CPU
time per socket and its wall time, for asyncio's default loop and for uvloop. CPU time of this thread does not
count time spent waiting for a core, so the figure holds on a busy machine; wall time does not. Prints only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import selectors
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import HOST, raise_nofile

SLICE = 256


def discard(port: int, count: int, ready: Any, seconds: float) -> None:
    """Connect `count` sockets and read (and drop) whatever arrives, for `seconds`."""
    raise_nofile(count + 64)
    selector = selectors.DefaultSelector()
    for _ in range(count):
        sock = socket.create_connection((HOST, port))
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    ready.set()
    buffer = bytearray(1 << 16)
    until = time.time() + seconds
    while time.time() < until:
        for key, _ in selector.select(1):
            try:
                if key.fileobj.recv_into(buffer) == 0:  # type: ignore[union-attr]
                    return
            except OSError:
                return


async def measure(sockets: int, size: int, rounds: int) -> tuple[float, float]:
    transports: list[asyncio.Transport] = []
    everyone = asyncio.Event()

    class Sink(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            transports.append(transport)
            if len(transports) == sockets:
                everyone.set()

    server = await asyncio.get_running_loop().create_server(Sink, HOST, 0)
    port = server.sockets[0].getsockname()[1]
    ready = mp.get_context("spawn").Event()
    readers = [
        mp.get_context("spawn").Process(target=discard, args=(port, sockets // 4, ready, 60 + rounds), daemon=True)
        for _ in range(4)
    ]
    for reader in readers:
        reader.start()
    await asyncio.wait_for(everyone.wait(), 120)
    frame = b"\x81\x7e" + size.to_bytes(2, "big") + b"x" * size if size < 65536 else b"\x81" + b"x" * size
    samples = []
    for _ in range(rounds):
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        for position, transport in enumerate(transports, start=1):
            if transport.get_write_buffer_size() == 0 and not transport.is_closing():
                transport.write(frame)
            if position % SLICE == 0:
                await asyncio.sleep(0)
        samples.append((time.thread_time() - cpu0, time.perf_counter() - wall0))
        await asyncio.sleep(0.5)  # let the readers drain
    for reader in readers:
        reader.terminate()
    server.close()
    cpu = sorted(s[0] for s in samples)[rounds // 2]
    wall = sorted(s[1] for s in samples)[rounds // 2]
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=4000)
    parser.add_argument("--size", type=int, default=11000, help="payload bytes (a `prices` tick is about 11 KB)")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    raise_nofile(args.sockets + 256)
    import uvloop

    for name, run in (("asyncio", asyncio.run), ("uvloop", uvloop.run)):
        cpu, wall = run(measure(args.sockets, args.size, args.rounds))
        print(
            f"{name:8} {args.sockets} sockets × {args.size} B: CPU {cpu * 1e6 / args.sockets:.1f} µs/socket "
            f"({cpu * 1000:.0f} ms), wall {wall * 1000:.0f} ms (median of {args.rounds})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
