#!/usr/bin/env python3
"""Market tick fan-out benchmark: N WebSocket clients subscribed to `prices` on ONE server instance.

    backend/.venv/bin/python bench/market_fanout/run.py [--clients 1000,2000,5000] [--rounds 20]
        [--redis-url redis://127.0.0.1:6379/14 --database-url postgresql://postgres@127.0.0.1:5432/test]

For each N it starts a fresh `eaili5 serve` (restarted per N so RSS figures are clean), opens N
sockets from separate load-generator processes in batches, and reports: connections seen by the
server, server RSS per connection, server CPU% while ticking with everyone connected, and tick
delivery latency (local receive time - `published_at`) p50/p95/p99/max over `--rounds` rounds.

Bounded: every wait has a deadline, the whole run has --max-minutes, all traffic goes to 127.0.0.1.
Writes bench/market_fanout/latest.json and appends a section to bench/market_fanout/REPORT.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import random
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV_BIN = REPO / "backend" / ".venv" / "bin"
HOST = "127.0.0.1"
TARGET_N, TARGET_P99_MS = 5000, 250.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def raise_nofile(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(wanted, soft)
    target = max(soft, min(max(wanted, soft), target))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def system_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return float(sum(parts) - idle), float(sum(parts))


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def machine_info() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
    }


def check_local(url: str | None, what: str) -> None:
    if url and (urlsplit(url).hostname or "") not in LOCAL_HOSTS:
        raise SystemExit(f"{what} must point at 127.0.0.1 (this benchmark only talks to this machine): {url}")


# --------------------------------------------------------------------------------------------
# load generator: one process = one asyncio loop holding its share of the sockets
# --------------------------------------------------------------------------------------------
class LoadWorker:
    def __init__(self, index: int, url: str, token: str, count: int, batch: int, deadline: float) -> None:
        self.index, self.url, self.token, self.count, self.batch = index, url, token, count, batch
        self.deadline = deadline  # absolute time.time() after which this process exits no matter what
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.samples: list[tuple[float, float]] = []  # (published_at ms, latency ms)
        self.open_ms: list[float] = []  # TCP + WebSocket handshake
        self.ready_ms: list[float] = []  # handshake + auth + subscribe
        self.errors: dict[str, int] = {}
        self.closed_codes: dict[str, int] = {}
        self.frame_bytes = 0

    def _error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    async def _open_one(self) -> None:
        import websockets

        t0 = time.perf_counter()
        try:
            ws = await websockets.connect(
                self.url,
                compression=None,
                open_timeout=30,
                ping_interval=None,  # the server pings; the library answers. App pings keep us non-idle.
                max_size=2**22,
                max_queue=64,
                close_timeout=2,
            )
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self._error(f"open: {type(exc).__name__}")
            return
        t1 = time.perf_counter()
        try:
            await ws.send(json.dumps({"type": "auth", "token": self.token}))
            await self._expect(ws, "ready")
            await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "prices"}))
            await self._expect(ws, "subscribed")
        except Exception as exc:  # noqa: BLE001
            self._error(f"auth/subscribe: {type(exc).__name__}: {str(exc)[:80]}")
            with contextlib.suppress(Exception):
                await ws.close()
            return
        t2 = time.perf_counter()
        self.open_ms.append((t1 - t0) * 1000)
        self.ready_ms.append((t2 - t0) * 1000)
        self.sockets.append(ws)
        self.tasks.append(asyncio.create_task(self._read_forever(ws)))

    async def _expect(self, ws: Any, frame_type: str) -> None:
        async with asyncio.timeout(30):
            while True:
                text = await ws.recv()
                if self._record(text):
                    continue
                frame = json.loads(text)
                if frame.get("type") == frame_type:
                    return
                if frame.get("type") == "error":
                    raise RuntimeError(f"{frame.get('code')}: {frame.get('detail')}")

    def _record(self, text: str | bytes) -> bool:
        """Record one prices frame's latency; cheap: no JSON parse of the ~10 KB batch."""
        now = time.time() * 1000.0
        if isinstance(text, bytes):
            text = text.decode()
        if not text.startswith('{"type":"message","channel":"prices"'):
            return False
        k = text.rfind('"published_at":')
        if k < 0:
            return True
        start = k + 15
        end = start
        while end < len(text) and text[end] not in ",}":
            end += 1
        published = float(text[start:end])
        self.samples.append((published, now - published))
        self.frame_bytes = len(text)
        return True

    async def _read_forever(self, ws: Any) -> None:
        # App-level ping every ~20 s (idle sockets are closed after 75 s), jittered.
        next_ping = time.monotonic() + random.uniform(5, 20)
        try:
            while True:
                try:
                    async with asyncio.timeout(max(0.1, next_ping - time.monotonic())):
                        text = await ws.recv()
                except TimeoutError:
                    await ws.send('{"type":"ping"}')
                    next_ping = time.monotonic() + 20
                    continue
                self._record(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the socket closed
            code = getattr(ws, "close_code", None)
            key = str(code)
            self.closed_codes[key] = self.closed_codes.get(key, 0) + 1

    async def connect_all(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        remaining = self.count
        while remaining > 0 and time.time() < self.deadline:
            n = min(self.batch, remaining)
            await asyncio.gather(*(self._open_one() for _ in range(n)))
            remaining -= n
        return {
            "opened": len(self.sockets),
            "errors": self.errors,
            "open_ms": self.open_ms,
            "ready_ms": self.ready_ms,
            "wall_s": time.perf_counter() - t0,
        }

    def collect(self, t_from: float, t_to: float) -> dict[str, Any]:
        picked = [s for s in self.samples if t_from <= s[0] <= t_to]
        self.samples = [s for s in self.samples if s[0] > t_to]
        return {
            "samples": picked,
            "open": sum(1 for ws in self.sockets if ws.close_code is None),
            "closed_codes": self.closed_codes,
            "frame_bytes": self.frame_bytes,
            "cpu_s": time.process_time(),
        }

    async def close_all(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

        async def close(ws: Any) -> None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await ws.close()

        for i in range(0, len(self.sockets), 200):
            await asyncio.gather(*(close(ws) for ws in self.sockets[i : i + 200]))
        self.sockets.clear()

    async def serve(self, pipe: Any) -> None:
        loop = asyncio.get_running_loop()
        parent = os.getppid()
        try:
            while time.time() < self.deadline and os.getppid() == parent:
                if not await loop.run_in_executor(None, pipe.poll, 0.5):
                    continue
                command, *params = pipe.recv()
                if command == "connect":
                    pipe.send(await self.connect_all())
                elif command == "collect":
                    pipe.send(self.collect(*params))
                elif command == "close":
                    await self.close_all()
                    pipe.send({"closed": True})
                    return
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(20):
                    await self.close_all()


def worker_main(index: int, pipe: Any, url: str, token: str, count: int, batch: int, deadline: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    raise_nofile(count + 256)
    worker = LoadWorker(index, url, token, count, batch, deadline)
    asyncio.run(worker.serve(pipe))


# --------------------------------------------------------------------------------------------
# the server under test
# --------------------------------------------------------------------------------------------
class Server:
    def __init__(self, args: argparse.Namespace, data_dir: Path, log_dir: Path) -> None:
        self.args, self.data_dir, self.log_dir = args, data_dir, log_dir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Any = None

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("EAILI5_") and k not in {"DATABASE_URL", "REDIS_URL"}
        }
        env.update(
            EAILI5_DATA_DIR=str(self.data_dir),
            EAILI5_LOG_LEVEL="WARNING",
            EAILI5_RATE_LIMIT_DEFAULT="1000000/minute",
            EAILI5_RATE_LIMIT_SESSION_CREATE="1000000/minute",
            EAILI5_WS_RATE_LIMIT="1000/second",
        )
        if self.args.database_url:
            env["DATABASE_URL"] = self.args.database_url
        if self.args.redis_url:
            env["REDIS_URL"] = self.args.redis_url
        return env

    def migrate(self) -> None:
        subprocess.run(
            [str(VENV_BIN / "eaili5"), "migrate"], env=self.env(), check=True, timeout=180,
            stdout=subprocess.DEVNULL,
        )

    def start(self, label: str) -> None:
        import httpx

        self.port = free_port()
        self.log = open(self.log_dir / f"server-{label}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "eaili5"), "serve", "--host", HOST, "--port", str(self.port),
             "--loop", os.environ.get("BENCH_LOOP", "asyncio")],
            env=self.env(), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 60
        with httpx.Client(base_url=self.base, trust_env=False, timeout=2) as http:
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
                with contextlib.suppress(httpx.HTTPError):
                    if http.get("/readyz").status_code == 200:
                        return
                time.sleep(0.25)
        raise RuntimeError("server not ready within 60 s")

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self.log:
            self.log.close()


def wait_quiet(limit_s: float, threshold_pct: float = 25.0) -> None:
    """Wait (at most limit_s) until the machine is mostly idle: other jobs skew the figures."""
    until = time.time() + limit_s
    while True:
        b0 = system_busy()
        time.sleep(2)
        b1 = system_busy()
        busy = (b1[0] - b0[0]) / max(1.0, b1[1] - b0[1]) * 100
        if busy < threshold_pct or time.time() >= until:
            print(f"machine busy {busy:.0f}% before start", flush=True)
            return


# --------------------------------------------------------------------------------------------
# one N
# --------------------------------------------------------------------------------------------
def broadcast_histogram(http: Any) -> dict[float, float]:
    """Cumulative `ws_broadcast_seconds` bucket counts from the server's /metrics, by upper bound."""
    buckets: dict[float, float] = {}
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("ws_broadcast_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[math.inf if bound == "+Inf" else float(bound)] = float(line.rsplit(" ", 1)[1])
    return buckets


def server_fanout_ms(before: dict[float, float], after: dict[float, float]) -> dict[str, Any]:
    """Server-side time to hand one tick to every local socket, from the histogram's change in the window.

    Percentiles are bucket upper bounds (what Prometheus would report): an upper estimate. This isolates the
    server from the load generator, which shares this machine's two cores and delays delivery on its side.
    """
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1] if counts else 0.0
    if not total:
        return {"broadcasts": 0}

    def upper(p: float) -> float | None:
        for bound, count in zip(bounds, counts, strict=True):
            if count >= total * p / 100:
                return None if math.isinf(bound) else round(bound * 1000, 1)
        return None

    return {"broadcasts": int(total), "p50_le": upper(50), "p99_le": upper(99)}


def run_one(args: argparse.Namespace, server: Server, n: int, deadline: float) -> dict[str, Any]:
    import httpx

    wait_quiet(args.wait_quiet)
    server.start(str(n))
    http = httpx.Client(base_url=server.base, trust_env=False, timeout=10)
    procs: list[mp.process.BaseProcess] = []
    pipes: list[Any] = []
    profiler: subprocess.Popen[bytes] | None = None
    try:
        token = http.post("/api/session").raise_for_status().json()["token"]
        time.sleep(args.settle)
        # Idle baseline: ticking, nobody connected.
        rss_before = rss_kb(server.pid)
        c0, w0 = cpu_seconds(server.pid), time.monotonic()
        time.sleep(3)
        cpu_idle_pct = (cpu_seconds(server.pid) - c0) / (time.monotonic() - w0) * 100

        ctx = mp.get_context("spawn")
        shares = [n // args.workers + (1 if i < n % args.workers else 0) for i in range(args.workers)]
        batch = max(1, args.batch // args.workers)
        url = f"ws://{HOST}:{server.port}/ws"
        for i, share in enumerate(shares):
            parent_end, child_end = ctx.Pipe()
            p = ctx.Process(
                target=worker_main, args=(i, child_end, url, token, share, batch, deadline), daemon=True
            )
            p.start()
            procs.append(p)
            pipes.append(parent_end)

        def ask(message: tuple[Any, ...], timeout: float) -> list[dict[str, Any]]:
            for pipe in pipes:
                pipe.send(message)
            replies = []
            until = time.time() + timeout
            for pipe in pipes:
                if not pipe.poll(max(0.1, until - time.time())):
                    raise RuntimeError(f"load worker did not answer {message[0]!r} within {timeout:.0f} s")
                replies.append(pipe.recv())
            return replies

        # Connect gradually (each worker opens `batch` at a time => ~args.batch in flight).
        t_conn = time.perf_counter()
        connected = ask(("connect",), timeout=min(60 + n / 20, max(10.0, deadline - time.time())))
        connect_wall = time.perf_counter() - t_conn
        opened = sum(r["opened"] for r in connected)
        errors: dict[str, int] = {}
        for r in connected:
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        open_ms = sorted(x for r in connected for x in r["open_ms"])
        ready_ms = sorted(x for r in connected for x in r["ready_ms"])

        # Server-side count (presence is coalesced; poll briefly).
        server_count = -1
        until = time.time() + 20
        while time.time() < until:
            server_count = int(http.get("/api/realtime/connections").json()["instance"])
            if server_count >= opened:
                break
            time.sleep(0.5)

        time.sleep(args.settle)
        rss_connected = rss_kb(server.pid)

        # Measurement window: `rounds` ticks with everyone connected.
        if args.py_spy:
            profiler = subprocess.Popen(
                [args.py_spy, "record", "-p", str(server.pid), "-d", str(args.rounds + 2), "-r", "200",
                 "-f", "raw", "-o", str(server.log_dir / f"py-spy-{n}.txt"), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        t_from = time.time() * 1000
        fanout_before = broadcast_histogram(http)
        c0, w0, sys0 = cpu_seconds(server.pid), time.monotonic(), system_busy()
        worker_cpu0 = sum(r["cpu_s"] for r in ask(("collect", 0.0, 0.0), timeout=30))
        time.sleep(args.rounds + 0.5)
        t_to = time.time() * 1000
        c1, w1, sys1 = cpu_seconds(server.pid), time.monotonic(), system_busy()
        fanout = server_fanout_ms(fanout_before, broadcast_histogram(http))
        cpu_pct = (c1 - c0) / (w1 - w0) * 100
        machine_pct = (sys1[0] - sys0[0]) / max(1.0, sys1[1] - sys0[1]) * 100
        time.sleep(args.drain)  # let the last rounds' stragglers arrive
        collected = ask(("collect", t_from, t_to), timeout=60)
        worker_cpu_pct = (sum(r["cpu_s"] for r in collected) - worker_cpu0) / (w1 - w0) * 100
        if profiler:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(timeout=30)
        rss_after = rss_kb(server.pid)

        samples = [s for r in collected for s in r["samples"]]
        rounds_seen = sorted({s[0] for s in samples})[: args.rounds]
        keep = set(rounds_seen)
        per_round: dict[float, list[float]] = {r: [] for r in rounds_seen}
        for published, latency in samples:
            if published in keep:
                per_round[published].append(latency)
        lat = sorted(x for v in per_round.values() for x in v)
        expected = len(rounds_seen) * opened
        closed_codes: dict[str, int] = {}
        for r in collected:
            for k, v in r["closed_codes"].items():
                closed_codes[k] = closed_codes.get(k, 0) + v
        firsts = sorted(min(v) for v in per_round.values() if v)
        lasts = sorted(max(v) for v in per_round.values() if v)
        round_p99 = sorted(percentile(sorted(v), 99) for v in per_round.values() if v)

        result = {
            "clients": n,
            "opened": opened,
            "server_connections": server_count,
            "connect_errors": errors,
            "connect_wall_s": round(connect_wall, 2),
            "connect_rate_per_s": round(opened / connect_wall, 1) if connect_wall else None,
            "handshake_ms": {p: round(percentile(open_ms, p), 1) for p in (50, 95, 99)},
            "ready_ms": {p: round(percentile(ready_ms, p), 1) for p in (50, 95, 99)},
            "rss_idle_mib": round(rss_before / 1024, 1),
            "rss_connected_mib": round(rss_connected / 1024, 1),
            "rss_after_rounds_mib": round(rss_after / 1024, 1),
            "kib_per_connection": round((rss_connected - rss_before) / max(1, opened), 1),
            "kib_per_connection_after_rounds": round((rss_after - rss_before) / max(1, opened), 1),
            "server_cpu_pct_idle_no_clients": round(cpu_idle_pct, 1),
            "server_cpu_pct_ticking": round(cpu_pct, 1),
            "loadgen_cpu_pct": round(worker_cpu_pct, 1),
            "machine_busy_pct": round(machine_pct, 1),
            # CPU (in % of one core) used by processes other than the server and the load generator.
            "other_cpu_pct": round(max(0.0, machine_pct * (os.cpu_count() or 1) - cpu_pct - worker_cpu_pct), 1),
            "frame_bytes": max(r["frame_bytes"] for r in collected),
            "rounds": len(rounds_seen),
            "deliveries": len(lat),
            "deliveries_missing": expected - len(lat),
            "closed_during_run": closed_codes,
            "still_open": sum(r["open"] for r in collected),
            "latency_ms": {
                "p50": round(percentile(lat, 50), 1),
                "p95": round(percentile(lat, 95), 1),
                "p99": round(percentile(lat, 99), 1),
                "max": round(lat[-1], 1) if lat else None,
                "mean": round(sum(lat) / len(lat), 1) if lat else None,
            },
            "server_fanout_ms": fanout,
            "per_round_ms": {
                "first_delivery_median": round(percentile(firsts, 50), 1),
                "last_delivery_median": round(percentile(lasts, 50), 1),
                "last_delivery_max": round(lasts[-1], 1) if lasts else None,
                "round_p99_worst": round(round_p99[-1], 1) if round_p99 else None,
            },
        }
        with contextlib.suppress(Exception):
            ask(("close",), timeout=60)
        return result
    finally:
        if profiler and profiler.poll() is None:
            profiler.terminate()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        http.close()
        server.stop()


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------
def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| N | server conns | connect s (rate/s) | ready p50/p99 ms | KiB/conn | CPU% idle→ticking | loadgen CPU% "
        "| other CPU% | frame B | p50 | p95 | p99 | max ms | last-in-round median ms | missing "
        "| server fan-out p50/p99 ms (≤) |"
    )
    lines = [head, "|" + "---|" * 16]
    for r in results:
        lat, fanout = r["latency_ms"], r.get("server_fanout_ms", {})
        lines.append(
            f"| {r['clients']} | {r['server_connections']} | {r['connect_wall_s']} ({r['connect_rate_per_s']}) "
            f"| {r['ready_ms'][50]} / {r['ready_ms'][99]} | {r['kib_per_connection']} "
            f"| {r['server_cpu_pct_idle_no_clients']} → {r['server_cpu_pct_ticking']} | {r['loadgen_cpu_pct']} "
            f"| {r['other_cpu_pct']} "
            f"| {r['frame_bytes']} | {lat['p50']} | {lat['p95']} | {lat['p99']} | {lat['max']} "
            f"| {r['per_round_ms']['last_delivery_median']} | {r['deliveries_missing']} "
            f"| {fanout.get('p50_le')} / {fanout.get('p99_le')} |"
        )
    return "\n".join(lines)


def verdict(results: list[dict[str, Any]]) -> str:
    at = [r for r in results if r["clients"] == TARGET_N]
    if not at:
        return f"Target (p99 < {TARGET_P99_MS:.0f} ms at {TARGET_N} subscribers) not measured in this run."
    r = at[0]
    p99 = r["latency_ms"]["p99"]
    ok = p99 < TARGET_P99_MS and r["deliveries_missing"] == 0 and r["opened"] == TARGET_N
    return (
        f"Target: p99 < {TARGET_P99_MS:.0f} ms at {TARGET_N} subscribers on one instance → measured p99 "
        f"{p99} ms with {r['opened']} open, {r['deliveries_missing']} deliveries missing: "
        f"**{'MET' if ok else 'MISSED'}**."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1000,2000,5000", help="comma-separated N values")
    parser.add_argument("--rounds", type=int, default=20, help="price ticks measured per N")
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes")
    parser.add_argument("--batch", type=int, default=200, help="sockets opened concurrently (all workers)")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait before RSS readings")
    parser.add_argument("--drain", type=float, default=5.0, help="seconds to wait for late frames")
    parser.add_argument("--wait-quiet", type=float, default=60.0, help="max seconds to wait for an idle machine")
    parser.add_argument("--max-minutes", type=float, default=20.0, help="hard limit for the whole run")
    parser.add_argument("--py-spy", default=None, help="path to py-spy: record the server during each window")
    parser.add_argument("--no-write", action="store_true", help="do not update latest.json / REPORT.md")
    args = parser.parse_args()
    check_local(args.redis_url, "--redis-url")
    check_local(args.database_url, "--database-url")
    if bool(args.redis_url) != bool(args.database_url):
        print("note: production-like mode wants both --redis-url and --database-url", file=sys.stderr)
    counts = [int(x) for x in args.clients.split(",") if x.strip()]
    nofile = raise_nofile(max(counts) + 1024)  # the server inherits this limit
    if nofile < max(counts) + 100:
        print(f"warning: RLIMIT_NOFILE is {nofile}, too low for {max(counts)} sockets", file=sys.stderr)

    mode = "postgresql+redis" if args.redis_url else "sqlite+in-process"
    deadline = time.time() + args.max_minutes * 60

    def on_alarm(*_: Any) -> None:
        raise TimeoutError(f"benchmark exceeded --max-minutes {args.max_minutes}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.max_minutes * 60) + 30)

    data_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-"))
    log_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-logs-"))
    print(f"mode {mode}; server logs in {log_dir}", flush=True)
    server = Server(args, data_dir, log_dir)
    results: list[dict[str, Any]] = []
    try:
        server.migrate()
        for n in counts:
            if time.time() > deadline - 30:
                print(f"skipping N={n}: out of time", flush=True)
                break
            print(f"N={n}: starting server, connecting ...", flush=True)
            r = run_one(args, server, n, deadline)
            results.append(r)
            print(json.dumps(r), flush=True)
    finally:
        signal.alarm(0)
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    machine = machine_info()
    command = "backend/.venv/bin/python bench/market_fanout/run.py " + " ".join(
        shlex.quote(a) for a in sys.argv[1:]
    )
    print()
    print(table(results))
    print(verdict(results))
    if args.no_write or not results:
        return 0

    latest_path = HERE / "latest.json"
    latest: dict[str, Any] = {}
    with contextlib.suppress(Exception):
        latest = json.loads(latest_path.read_text())
    latest.setdefault("modes", {})
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    latest["machine"] = machine
    latest["modes"][mode] = {
        "date": now,
        "command": command,
        "rounds": args.rounds,
        "workers": args.workers,
        "batch": args.batch,
        "server_restarted_per_n": True,
        "shared_guest_token": True,
        "results": results,
        "target": verdict(results),
    }
    latest_path.write_text(json.dumps(latest, indent=2) + "\n")

    section = [
        f"## {now} — {mode}",
        "",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB RAM, "
        f"Linux {machine['kernel']}, Python {machine['python']}. Load generator ({args.workers} processes) "
        "runs on the same machine as the server.",
        "",
        f"Command: `{command}`",
        "",
        f"One `eaili5 serve` (uvicorn, one process), restarted per N; {args.rounds} rounds of the simulated "
        "market's 1 s tick; all sockets share one guest token. Latency = client receive time − `published_at`; "
        "CPU% is of one core.",
        "",
        table(results),
        "",
        verdict(results),
        "",
    ]
    with open(HERE / "REPORT.md", "a") as f:
        if f.tell() == 0:
            f.write("# Market tick fan-out — results\n\nAppended by `bench/market_fanout/run.py`, newest last.\n\n")
        f.write("\n".join(section) + "\n")
    print(f"wrote {latest_path} and appended to {HERE / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
