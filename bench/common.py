"""Shared pieces of the benchmarks in bench/*/run.py: the server under test, machine readings, percentiles.

Each benchmark imports this with `sys.path.insert(0, str(Path(__file__).resolve().parents[1]))` so it runs as a
plain script (`backend/.venv/bin/python bench/<name>/run.py`). Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / "backend" / ".venv" / "bin"
HOST = "127.0.0.1"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Limits high enough that the benchmark measures the server, not our own rate limiter.
UNLIMITED_ENV = {
    "EAILI5_LOG_LEVEL": "WARNING",
    "EAILI5_RATE_LIMIT_DEFAULT": "1000000/minute",
    "EAILI5_RATE_LIMIT_SESSION_CREATE": "1000000/minute",
    "EAILI5_WS_RATE_LIMIT": "1000/second",
    "EAILI5_TUTOR_RATE_LIMIT": "1000/minute",
    "EAILI5_TUTOR_DAILY_CAP": "1000000",
}
# Outside settings that would change what the server does (a model key turns the offline tutor off).
_DROPPED_ENV = {"DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "TAVILY_API_KEY"}


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------
def percentile(sorted_values: list[float], p: float) -> float:
    """Linear-interpolated percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize(latencies_ms: Iterable[float]) -> dict[str, Any]:
    """count, p50/p95/p99/max in milliseconds, rounded for reports."""
    values = sorted(latencies_ms)
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2),
    }


def histogram_buckets(metrics_text: str, name: str) -> dict[float, float]:
    """Cumulative bucket counts of one Prometheus histogram (summed over labels), by upper bound."""
    buckets: dict[float, float] = {}
    prefix = f"{name}_bucket{{"
    for line in metrics_text.splitlines():
        if line.startswith(prefix):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            key = math.inf if bound == "+Inf" else float(bound)
            buckets[key] = buckets.get(key, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


# --------------------------------------------------------------------------------------------
# this machine
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def raise_nofile(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (capped by the hard limit); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(wanted, soft)
    target = max(soft, min(max(wanted, soft), target))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def process_tree(pid: int) -> list[int]:
    """`pid` and its direct children: with `eaili5 serve --workers N` the worker processes do the serving."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's pid
                children.append(int(stat.parent.name))
    return [pid, *children]


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its children (a worker that just exited counts no more)."""
    total = 0.0
    for process in process_tree(pid):
        with contextlib.suppress(OSError):
            total += cpu_seconds(process)
    return total


def tree_rss_kb(pid: int) -> int:
    total = 0
    for process in process_tree(pid):
        with contextlib.suppress(OSError, RuntimeError):
            total += rss_kb(process)
    return total


def run_queue_wait_s(pid: int) -> float:
    """Seconds the server's main threads (their event loops) were ready to run but waited for a CPU:
    the direct measure of a server starved by other jobs (from /proc/<pid>/schedstat; 0 if unavailable)."""
    waited = 0.0
    for process in process_tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            waited += int(Path(f"/proc/{process}/schedstat").read_text().split()[1]) / 1e9
    return waited


def system_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return float(sum(parts) - idle), float(sum(parts))


def busy_percent_since(start: tuple[float, float]) -> float:
    """Whole-machine CPU busy % since a `system_busy()` reading."""
    now = system_busy()
    return round((now[0] - start[0]) / max(1.0, now[1] - start[1]) * 100, 1)


def wait_quiet(limit_s: float, threshold_pct: float = 25.0) -> float:
    """Wait (at most limit_s) until the machine is mostly idle: other jobs skew the figures. Returns busy %."""
    until = time.time() + limit_s
    while True:
        start = system_busy()
        time.sleep(2)
        busy = busy_percent_since(start)
        if busy < threshold_pct or time.time() >= until:
            print(f"machine busy {busy:.0f}% before start", flush=True)
            return busy


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
    load1, load5, _ = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "python": platform.python_version(),
        "load_avg_1m": round(load1, 2),
        "load_avg_5m": round(load5, 2),
    }


def check_local(url: str | None, what: str) -> None:
    if url and (urlsplit(url).hostname or "") not in LOCAL_HOSTS:
        raise SystemExit(f"{what} must point at 127.0.0.1 (benchmarks only talk to this machine): {url}")


# Only databases named so are ever dropped by a benchmark.
BENCH_DATABASE_PREFIX = "eaili5_bench"


async def fresh_database(url: str) -> None:
    """An empty PostgreSQL database named in `url` for this run: dropped first if it exists, so a run never
    starts with the users of earlier ones (whose holdings, for one, the first tick's periodic equity
    snapshot would walk while the load starts). Refuses any name without the bench prefix."""
    import asyncpg  # the backend's own driver

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(BENCH_DATABASE_PREFIX):
        raise SystemExit(f"benchmarks recreate their database: its name must start with {BENCH_DATABASE_PREFIX}")
    admin = parts._replace(path="/postgres").geturl().replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


# --------------------------------------------------------------------------------------------
# the server under test
# --------------------------------------------------------------------------------------------
class Server:
    """One `eaili5 serve` process on a free loopback port, with its own data dir and log.

    SQLite + in-process KV unless `database_url` / `redis_url` are given. `extra_env` adds or overrides settings.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        label: str = "server",
        ready_timeout_s: float = 90.0,
    ) -> None:
        self.data_dir = data_dir
        self.database_url, self.redis_url = database_url, redis_url
        self.extra_env = dict(extra_env or {})
        self.label = label
        self.ready_timeout_s = ready_timeout_s
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"{label}.log"
        self._log: Any = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EAILI5_") and k not in _DROPPED_ENV}
        env.update(UNLIMITED_ENV)
        env["EAILI5_DATA_DIR"] = str(self.data_dir)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def migrate(self) -> None:
        subprocess.run(
            [str(VENV_BIN / "eaili5"), "migrate"], env=self.env(), check=True, timeout=180,
            stdout=subprocess.DEVNULL,
        )

    def start(self, *serve_args: str) -> None:
        """Start and wait for /readyz. `serve_args` go to `eaili5 serve` (e.g. "--loop", "uvloop")."""
        self.port = free_port()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "eaili5"), "serve", "--host", HOST, "--port", str(self.port), *serve_args],
            env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_ready(self.base, self.proc, self.ready_timeout_s, self.log_path)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout_s: float, log_path: Path,
               path: str = "/readyz") -> None:
    import httpx

    deadline = time.time() + timeout_s
    with httpx.Client(base_url=base, trust_env=False, timeout=2) as http:
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; see {log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if http.get(path).status_code == 200:
                    return
            time.sleep(0.25)
    raise RuntimeError(f"server not ready within {timeout_s:.0f} s; see {log_path}")


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL after 25 s: a benchmark never leaves a server behind."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# open files (thousands of sockets)
# --------------------------------------------------------------------------------------------
def lift_nofile(wanted: int) -> int:
    """Raise this process's open-file limit to `wanted`, lifting the hard limit too when we may (root).

    Child processes (the server, the load generators) inherit it. Returns the new soft limit, which is lower
    than `wanted` when the hard limit cannot be raised (not root, or above /proc/sys/fs/nr_open).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        ceiling = wanted
        with contextlib.suppress(OSError, ValueError):
            ceiling = min(wanted, int(Path("/proc/sys/fs/nr_open").read_text().split()[0]))
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, ceiling), ceiling))  # needs CAP_SYS_RESOURCE
    return raise_nofile(wanted)


def ephemeral_ports() -> int:
    """How many local ports one source address can use towards one server port (net.ipv4.ip_local_port_range)."""
    try:
        low, high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return 28_232  # the Linux default range 32768-60999
    return high - low + 1


# --------------------------------------------------------------------------------------------
# fan-out figures
# --------------------------------------------------------------------------------------------
def loop_lag_buckets(base: str) -> dict[float, float]:
    """The server's `event_loop_lag_seconds` histogram (summed over its workers; empty if it has none)."""
    import httpx

    with httpx.Client(base_url=base, trust_env=False, timeout=10) as http:
        return histogram_buckets(http.get("/metrics").text, "event_loop_lag_seconds")


def window_percentiles_ms(before: dict[float, float], after: dict[float, float]) -> dict[str, Any]:
    """Percentiles (ms, bucket upper bounds: an upper estimate) of a histogram's observations between two
    `histogram_buckets` readings, and the share over 50 and 100 ms."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1] if counts else 0.0
    if not total:
        return {"samples": 0}

    def upper(p: float) -> float | None:
        for bound, count in zip(bounds, counts, strict=True):
            if count >= total * p / 100:
                return None if math.isinf(bound) else round(bound * 1000, 1)
        return None

    def over_pct(seconds: float) -> float | None:
        within = counts[bounds.index(seconds)] if seconds in bounds else None
        return None if within is None else round((total - within) / total * 100, 1)

    return {
        "samples": int(total),
        "p50_le_ms": upper(50),
        "p99_le_ms": upper(99),
        "over_50ms_pct": over_pct(0.05),
        "over_100ms_pct": over_pct(0.1),
    }


def server_fanout_ms(before: dict[float, float], after: dict[float, float]) -> dict[str, Any]:
    """Server-side time to hand one broadcast to every local socket, from `ws_broadcast_seconds` in a window.

    `before` / `after` come from `histogram_buckets(metrics_text, "ws_broadcast_seconds")`. Percentiles are bucket
    upper bounds (what Prometheus would report): an upper estimate. This isolates the server from the load
    generator, which shares the machine's cores and delays delivery on its side.
    """
    window = window_percentiles_ms(before, after)
    return {"broadcasts": window["samples"], "p50_le": window.get("p50_le_ms"), "p99_le": window.get("p99_le_ms")}


def delivery_latency(samples: list[tuple[float, float]], receivers: int, rounds: int) -> dict[str, Any]:
    """Tick delivery figures from (published_at ms, latency ms) samples of `receivers` subscribed sockets.

    The first `rounds` ticks seen count; each should reach every receiver once (`deliveries_missing` otherwise).
    `per_round_ms` shows the shape of a fan-out: when its first and its last socket got the tick.
    """
    rounds_seen = sorted({published for published, _ in samples})[:rounds]
    per_round: dict[float, list[float]] = {r: [] for r in rounds_seen}
    for published, latency in samples:
        if published in per_round:
            per_round[published].append(latency)
    lat = sorted(x for values in per_round.values() for x in values)
    firsts = sorted(min(v) for v in per_round.values() if v)
    lasts = sorted(max(v) for v in per_round.values() if v)
    round_p99 = sorted(percentile(sorted(v), 99) for v in per_round.values() if v)
    return {
        "rounds": len(rounds_seen),
        "deliveries": len(lat),
        "deliveries_missing": len(rounds_seen) * receivers - len(lat),
        "latency_ms": {
            "p50": round(percentile(lat, 50), 1),
            "p95": round(percentile(lat, 95), 1),
            "p99": round(percentile(lat, 99), 1),
            "max": round(lat[-1], 1) if lat else None,
            "mean": round(sum(lat) / len(lat), 1) if lat else None,
        },
        "per_round_ms": {
            "first_delivery_median": round(percentile(firsts, 50), 1),
            "last_delivery_median": round(percentile(lasts, 50), 1),
            "last_delivery_max": round(lasts[-1], 1) if lasts else None,
            "round_p99_worst": round(round_p99[-1], 1) if round_p99 else None,
        },
    }


def presence_split(redis_url: str | None, kv_prefix: str) -> list[int]:
    """Sockets per server process, from the presence keys each one writes (`ws:instance:<id>`, 30 s TTL):
    shows how `eaili5 serve --workers N` spread them. Empty without Redis."""
    if not redis_url:
        return []
    import redis  # the backend's own client

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{kv_prefix}ws:instance:*", count=500))
        return sorted((int(v) for v in client.mget(keys) if v is not None), reverse=True) if keys else []
    finally:
        client.close()


def merge_counts(dicts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in dicts:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total


# --------------------------------------------------------------------------------------------
# WebSocket load generator: raw sockets, one event loop per process
# --------------------------------------------------------------------------------------------
# Why not the `websockets` library: at 5,000+ sockets its per-frame Python path (UTF-8 decoding, queues, a task
# per socket) made the load generator, on the same two cores, a large part of the latency it measured. This
# client only frames what it sends, answers pings, and timestamps `prices` frames without parsing them.
OPEN_TIMEOUT_S = 30.0  # one socket's TCP connect + WebSocket handshake + auth
_PRICES_PREFIX = b'{"type":"message","channel":"prices"'
_PUBLISHED_AT = b'"published_at":'
_NUMBER = re.compile(rb"-?[0-9][0-9.eE+-]*")


def _number_at(payload: bytes, start: int) -> float | None:
    match = _NUMBER.match(payload, start)
    return float(match.group()) if match else None


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked, unfragmented client frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 1 << 16:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
    return header + mask + masked


class RawWsClient:
    """One client socket (an asyncio Protocol): handshake, masked text frames out, frames in."""

    def __init__(self, owner: WsLoadWorker, host: str, port: int, path: str) -> None:
        self.owner = owner
        self.request_head = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.transport: Any = None
        self.buffer = bytearray()
        self.upgraded = False
        self.handshake: Any = asyncio.get_running_loop().create_future()
        self.waiting: tuple[str, Any] | None = None  # (frame type, future) of the one request in flight
        self.close_code: int | None = None
        self.lost = False
        self.ready = False  # authenticated
        self.last_sent = time.monotonic()

    # asyncio.Protocol -------------------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request_head)

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        if not self.upgraded and not self._upgrade():
            return
        while len(buf) >= 2:
            length = buf[1] & 0x7F
            start = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, start = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, start = int.from_bytes(buf[2:10], "big"), 10
            end = start + length
            if len(buf) < end:
                return
            opcode = buf[0] & 0x0F
            payload = bytes(buf[start:end])
            del buf[:end]
            self._on_frame(opcode, payload)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.handshake.done():
            self.handshake.set_exception(ConnectionError("closed during the handshake"))
        self._fail(ConnectionError(f"closed ({self.close_code or 'no close frame'})"))
        if self.ready:
            self.owner.on_closed(self.close_code)

    def pause_writing(self) -> None:  # the few frames we send never need flow control
        pass

    def resume_writing(self) -> None:
        pass

    # frames ------------------------------------------------------------------------------------
    def _upgrade(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end])
        del self.buffer[: end + 4]
        if not head.startswith(b"HTTP/1.1 101"):
            self.handshake.set_exception(ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace")))
            self.transport.close()
            return False
        self.upgraded = True
        self.handshake.set_result(None)
        return True

    def _on_frame(self, opcode: int, payload: bytes) -> None:
        if opcode == 0x1:
            if payload.startswith(_PRICES_PREFIX):
                self.owner.on_prices(payload)
            elif self.waiting is not None:
                self._on_reply(payload)
        elif opcode == 0x9:  # server ping: answer with a pong carrying the same bytes
            self.transport.write(client_frame(0xA, payload))
        elif opcode == 0x8:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.transport.is_closing():
                self.transport.write(client_frame(0x8, payload[:2]))
                self.transport.close()

    def _on_reply(self, payload: bytes) -> None:
        assert self.waiting is not None
        wanted, future = self.waiting
        frame = json.loads(payload)
        if frame.get("type") == wanted:
            self.waiting = None
            if not future.done():
                future.set_result(frame)
        elif frame.get("type") == "error":
            self.waiting = None
            if not future.done():
                future.set_exception(RuntimeError(f"{frame.get('code')}: {str(frame.get('detail'))[:60]}"))

    def _fail(self, exc: Exception) -> None:
        if self.waiting is not None:
            _, future = self.waiting
            self.waiting = None
            if not future.done():
                future.set_exception(exc)

    # requests ----------------------------------------------------------------------------------
    def send_text(self, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(0x1, text.encode()))
            self.last_sent = time.monotonic()

    async def request(self, frame: Mapping[str, Any], reply_type: str) -> dict[str, Any]:
        """Send one JSON frame and wait for the frame of type `reply_type` (an `error` frame raises)."""
        future = asyncio.get_running_loop().create_future()
        self.waiting = (reply_type, future)
        if self.lost:
            self._fail(ConnectionError(f"closed ({self.close_code or 'no close frame'})"))
        self.send_text(json.dumps(frame))
        result: dict[str, Any] = await future
        return result

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class WsLoadWorker:
    """The sockets of one load-generator process, driven by commands from the parent over a pipe.

    Commands: ("connect", [token, ...]) opens and authenticates one socket per token, `batch` at a time;
    ("subscribe", count, channel) subscribes `count` more of the held sockets, ("unsubscribe", channel) all of
    them again; ("collect", t_from_ms, t_to_ms)
    hands over the `prices` samples published in that window; ("stats",); ("close",).
    Sockets send an app-level ping every `ping_every_s` (like the web client; the server drops silent sockets).
    """

    def __init__(
        self, host: str, port: int, source_ip: str | None, batch: int, deadline: float, ping_every_s: float
    ) -> None:
        self.host, self.port, self.source_ip = host, port, source_ip
        self.batch, self.deadline, self.ping_every_s = batch, deadline, ping_every_s
        self.clients: list[RawWsClient] = []
        self.subscribed = 0
        self.samples: list[tuple[float, float]] = []  # (published_at ms, latency ms)
        self.errors: dict[str, int] = {}
        self.closed_codes: dict[str, int] = {}
        self.frame_bytes = 0
        self.open_ms: list[float] = []  # TCP + WebSocket handshake
        self.ready_ms: list[float] = []  # handshake + auth

    # callbacks from the clients
    def on_prices(self, payload: bytes) -> None:
        now = time.time() * 1000.0
        k = payload.rfind(_PUBLISHED_AT)
        if k < 0:
            return
        published = _number_at(payload, k + len(_PUBLISHED_AT))
        if published is not None:
            self.samples.append((published, now - published))
            self.frame_bytes = len(payload)

    def on_closed(self, code: int | None) -> None:
        key = str(code)
        self.closed_codes[key] = self.closed_codes.get(key, 0) + 1

    def _error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    # commands
    async def _open_one(self, token: str) -> None:
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        client: RawWsClient | None = None
        t1 = t0
        try:
            async with asyncio.timeout(OPEN_TIMEOUT_S):  # TCP + handshake + auth, all together
                local = (self.source_ip, 0) if self.source_ip else None
                _, client = await loop.create_connection(
                    lambda: RawWsClient(self, self.host, self.port, "/ws"), self.host, self.port, local_addr=local
                )
                await client.handshake
                t1 = time.perf_counter()
                await client.request({"type": "auth", "token": token}, "ready")
        except Exception as exc:
            stage = "open" if t1 == t0 else "auth"
            self._error(f"{stage}: {type(exc).__name__}: {str(exc)[:60]}")
            if client is not None:
                client.abort()
            return
        client.ready = True
        self.open_ms.append((t1 - t0) * 1000)
        self.ready_ms.append((time.perf_counter() - t0) * 1000)
        self.clients.append(client)

    async def _bounded(self, jobs: Iterable[Any], stop_at: float | None = None) -> None:
        """Run coroutines with at most `batch` in flight; none starts after `stop_at` (default: the deadline)."""
        gate = asyncio.Semaphore(self.batch)
        until = min(stop_at or self.deadline, self.deadline)

        async def run(job: Any) -> None:
            async with gate:
                if time.time() < until:
                    await job
                else:
                    job.close()

        await asyncio.gather(*(run(job) for job in jobs))

    async def connect(self, tokens: list[str], stop_at: float | None = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        before, self.open_ms, self.ready_ms, self.errors = len(self.clients), [], [], {}
        await self._bounded((self._open_one(token) for token in tokens), stop_at)
        return {
            "opened": len(self.clients) - before,
            "not_started": len(tokens) - (len(self.clients) - before) - sum(self.errors.values()),
            "errors": self.errors,
            "open_ms": self.open_ms,
            "ready_ms": self.ready_ms,
            "wall_s": time.perf_counter() - t0,
        }

    async def subscribe(self, count: int, channel: str) -> dict[str, Any]:
        errors: dict[str, int] = {}
        picked = [c for c in self.clients[self.subscribed :] if not c.lost][:count]

        async def one(client: RawWsClient) -> None:
            try:
                async with asyncio.timeout(30):
                    await client.request({"type": "subscribe", "id": "s", "channel": channel}, "subscribed")
            except Exception as exc:
                key = f"subscribe: {type(exc).__name__}: {str(exc)[:60]}"
                errors[key] = errors.get(key, 0) + 1

        await self._bounded(one(c) for c in picked)
        self.subscribed += len(picked)
        return {"subscribed": len(picked) - sum(errors.values()), "errors": errors}

    async def unsubscribe(self, channel: str) -> dict[str, Any]:
        errors: dict[str, int] = {}
        picked = [c for c in self.clients[: self.subscribed] if not c.lost]

        async def one(client: RawWsClient) -> None:
            try:
                async with asyncio.timeout(30):
                    await client.request({"type": "unsubscribe", "id": "u", "channel": channel}, "unsubscribed")
            except Exception as exc:
                key = f"unsubscribe: {type(exc).__name__}: {str(exc)[:60]}"
                errors[key] = errors.get(key, 0) + 1

        await self._bounded(one(c) for c in picked)
        self.subscribed = 0
        return {"unsubscribed": len(picked) - sum(errors.values()), "errors": errors}

    def collect(self, t_from: float, t_to: float) -> dict[str, Any]:
        picked = [s for s in self.samples if t_from <= s[0] <= t_to]
        self.samples = [s for s in self.samples if s[0] > t_to]
        return {"samples": picked, "frame_bytes": self.frame_bytes, **self.stats()}

    def stats(self) -> dict[str, Any]:
        return {
            "open": sum(1 for c in self.clients if not c.lost),
            "closed_codes": dict(self.closed_codes),
            "cpu_s": time.process_time(),
            "rss_kb": rss_kb(os.getpid()),
        }

    async def close(self) -> None:
        for client in self.clients:
            if not client.lost and client.transport is not None:
                client.transport.write(client_frame(0x8, (1000).to_bytes(2, "big")))
        until = time.monotonic() + 5
        # Polled: thousands of sockets, each with its own protocol object, and a deadline either way.
        while any(not c.lost for c in self.clients) and time.monotonic() < until:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        for client in self.clients:
            if not client.lost:
                client.abort()
        self.clients.clear()

    async def _ping_forever(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            due = time.monotonic() - self.ping_every_s
            for client in self.clients:
                if client.last_sent < due and not client.lost:
                    client.send_text('{"type":"ping"}')

    async def serve(self, pipe: Any) -> None:
        loop = asyncio.get_running_loop()
        parent = os.getppid()
        pinger = asyncio.create_task(self._ping_forever())
        try:
            while time.time() < self.deadline and os.getppid() == parent:
                if not await loop.run_in_executor(None, pipe.poll, 0.5):
                    continue
                command, *params = pipe.recv()
                if command == "connect":
                    pipe.send(await self.connect(*params))
                elif command == "subscribe":
                    pipe.send(await self.subscribe(*params))
                elif command == "unsubscribe":
                    pipe.send(await self.unsubscribe(*params))
                elif command == "collect":
                    pipe.send(self.collect(*params))
                elif command == "stats":
                    pipe.send(self.stats())
                elif command == "close":
                    await self.close()
                    pipe.send({"closed": True})
                    return
        finally:
            pinger.cancel()
            with contextlib.suppress(Exception):
                await self.close()


def _load_worker_main(
    pipe: Any, host: str, port: int, source_ip: str | None, batch: int, deadline: float, ping_every_s: float,
    nofile: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    raise_nofile(nofile)
    worker = WsLoadWorker(host, port, source_ip, batch, deadline, ping_every_s)
    try:
        import uvloop  # cheaper per socket than asyncio's loop: the load generator shares the server's cores

        uvloop.run(worker.serve(pipe))
    except ImportError:
        asyncio.run(worker.serve(pipe))


class LoadFleet:
    """`workers` load-generator processes holding WebSocket clients of one server.

    Worker i connects from 127.0.0.(2+i) (all of 127/8 is loopback on Linux), so each has its own range of
    ephemeral ports towards the server's one port: 20,000+ sockets fit whatever the port range.
    """

    def __init__(
        self, port: int, workers: int, *, batch: int = 200, deadline: float, ping_every_s: float = 20.0,
        per_worker_sockets: int = 10_000, host: str = HOST, distinct_sources: bool = True,
    ) -> None:
        import multiprocessing as mp

        self.workers = workers
        self.procs: list[Any] = []
        self.pipes: list[Any] = []
        ctx = mp.get_context("spawn")
        for i in range(workers):
            parent_end, child_end = ctx.Pipe()
            source = f"127.0.0.{2 + i}" if distinct_sources and host == HOST else None
            proc = ctx.Process(
                target=_load_worker_main,
                args=(child_end, host, port, source, max(1, batch // workers), deadline, ping_every_s,
                      per_worker_sockets + 256),
                daemon=True,
            )
            proc.start()
            self.procs.append(proc)
            self.pipes.append(parent_end)

    def ask_each(self, messages: list[tuple[Any, ...]], timeout: float) -> list[dict[str, Any]]:
        """Send one message to each worker (in order) and wait for every reply."""
        for pipe, message in zip(self.pipes, messages, strict=True):
            pipe.send(message)
        replies = []
        until = time.time() + timeout
        for pipe, message in zip(self.pipes, messages, strict=True):
            if not pipe.poll(max(0.1, until - time.time())):
                raise RuntimeError(f"load worker did not answer {message[0]!r} within {timeout:.0f} s")
            replies.append(pipe.recv())
        return replies

    def ask(self, message: tuple[Any, ...], timeout: float) -> list[dict[str, Any]]:
        return self.ask_each([message] * self.workers, timeout)

    def split(self, count: int) -> list[int]:
        return [count // self.workers + (1 if i < count % self.workers else 0) for i in range(self.workers)]

    def connect(self, tokens: list[str], timeout: float, stop_at: float | None = None) -> dict[str, Any]:
        """Open and authenticate one socket per token, spread over the workers.

        No socket starts opening after `stop_at` (time.time()); those are counted as `not_started`. Sockets
        already opening then take up to OPEN_TIMEOUT_S more, so `timeout` should leave that much room.
        """
        shares = self.split(len(tokens))
        chunks, at = [], 0
        for share in shares:
            chunks.append(tokens[at : at + share])
            at += share
        t0 = time.perf_counter()
        replies = self.ask_each([("connect", chunk, stop_at) for chunk in chunks], timeout)
        wall = time.perf_counter() - t0
        return {
            "opened": sum(r["opened"] for r in replies),
            "not_started": sum(r["not_started"] for r in replies),
            "errors": merge_counts(r["errors"] for r in replies),
            "open_ms": sorted(x for r in replies for x in r["open_ms"]),
            "ready_ms": sorted(x for r in replies for x in r["ready_ms"]),
            "wall_s": wall,
        }

    def subscribe(self, count: int, channel: str, timeout: float) -> dict[str, Any]:
        replies = self.ask_each([("subscribe", share, channel) for share in self.split(count)], timeout)
        return {
            "subscribed": sum(r["subscribed"] for r in replies),
            "errors": merge_counts(r["errors"] for r in replies),
        }

    def stats(self, timeout: float = 30) -> dict[str, Any]:
        replies = self.ask(("stats",), timeout)
        return {
            "open": sum(r["open"] for r in replies),
            "closed_codes": merge_counts(r["closed_codes"] for r in replies),
            "cpu_s": sum(r["cpu_s"] for r in replies),
            "rss_kb": sum(r["rss_kb"] for r in replies),
        }

    def collect(self, t_from: float, t_to: float, timeout: float = 60) -> dict[str, Any]:
        replies = self.ask(("collect", t_from, t_to), timeout)
        return {
            "samples": [s for r in replies for s in r["samples"]],
            "frame_bytes": max(r["frame_bytes"] for r in replies),
            "open": sum(r["open"] for r in replies),
            "closed_codes": merge_counts(r["closed_codes"] for r in replies),
            "cpu_s": sum(r["cpu_s"] for r in replies),
        }

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ask(("close",), timeout=60)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)


def prioritize(nice: int) -> int:
    """Run this process (and everything it starts from now on) at `nice` (negative needs root).

    On a machine shared with other jobs, a negative value gives the server and the load generator most of the
    CPU, which approximates a quiet machine; reports say which was used. Returns the niceness in effect.
    """
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        except OSError as exc:
            log(f"could not set niceness {nice}: {exc}")
    return os.getpriority(os.PRIO_PROCESS, 0)
