"""Shared pieces of the benchmarks in bench/*/run.py: the server under test, machine readings, percentiles.

Each benchmark imports this with `sys.path.insert(0, str(Path(__file__).resolve().parents[1]))` so it runs as a
plain script (`backend/.venv/bin/python bench/<name>/run.py`). Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
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


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    import asyncpg  # the backend's own driver

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(admin)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
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
