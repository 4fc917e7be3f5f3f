#!/usr/bin/env python3
"""Trading benchmark: U concurrent users placing market orders against ONE server instance.

    backend/.venv/bin/python bench/trading/run.py [--users 100] [--orders 30] [--processes 2]
        [--database-url postgresql://postgres@127.0.0.1:5432/eaili5_bench_trading]
        [--redis-url redis://127.0.0.1:6379/12]

Starts a fresh `eaili5 serve` (a separate uvicorn process) on PostgreSQL + Redis (the database is
created if missing and migrated; Redis keys get a fresh prefix), creates U guest sessions, then the
users trade from `--processes` separate load-generator processes, each user in a closed loop (the next
order as soon as the last one answered), so about U orders are in flight at any time. Each user buys
$2 of a random token twice, then sells 50% of a holding once, and repeats; 5% of orders are sent twice
with the same Idempotency-Key (the retry must answer 200 `replayed`).

Outcomes: `filled` (201), `replayed` (200), expected rejections (409/422 with a trading error kind:
no cash left, nothing to sell, a sell under $1, ...) and errors (anything else: 5xx, 429, timeouts,
unexpected kinds). Reports orders/s and latency p50/p95/p99/max, overall and per outcome.

Bounded: every request has a timeout, the run has --max-minutes, all traffic goes to 127.0.0.1.
Writes bench/trading/latest.json and appends a section to bench/trading/REPORT.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV_BIN = REPO / "backend" / ".venv" / "bin"
HOST = "127.0.0.1"
TARGET_P99_MS = 100.0
TOKENS = [  # simulated market tokens with deep and shallow pools
    "0x4200000000000000000000000000000000000006",  # WETH
    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",  # USDC
    "0x2Da56AcB9Ea78330f947bD57C54119Debda7AF71",  # MOG
    "0x27D2DECb4bFC9C76F0309b8E88dec3a601Fe25a8",  # BALD
]
EXPECTED_KINDS = {
    "InsufficientCash",
    "InsufficientTokens",
    "TradeTooSmall",
    "PriceMoved",
    "NoLiquidity",
}
REQUEST_TIMEOUT_S = 10.0


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def summarize(latencies_ms: list[float]) -> dict[str, Any]:
    values = sorted(latencies_ms)
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2) if values else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def check_local(url: str, what: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"{what} must be on this machine (got host {host!r}): the benchmark never leaves 127.0.0.1")


def machine() -> dict[str, Any]:
    load1, load5, _ = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_1m": round(load1, 2),
        "load_avg_5m": round(load5, 2),
    }


# --------------------------------------------------------------------------------------------
# the server under test
# --------------------------------------------------------------------------------------------
async def ensure_database(url: str) -> None:
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


class Server:
    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        self.args, self.data_dir = args, data_dir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

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
            EAILI5_KV_PREFIX=f"bench-trading:{uuid.uuid4().hex[:8]}:",
            EAILI5_DB_POOL_SIZE=str(self.args.db_pool_size),
            DATABASE_URL=self.args.database_url,
            REDIS_URL=self.args.redis_url,
        )
        return env

    def migrate(self) -> None:
        subprocess.run(
            [str(VENV_BIN / "eaili5"), "migrate"], env=self.env(), check=True, timeout=180,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        import httpx

        log = open(self.log_path, "wb")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "eaili5"), "serve", "--host", HOST, "--port", str(self.port)],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 60
        with httpx.Client(base_url=self.base, trust_env=False, timeout=2) as http:
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if http.get("/readyz").status_code == 200:
                        return
                time.sleep(0.25)
        raise RuntimeError("server not ready within 60 s")

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# load generators (separate processes)
# --------------------------------------------------------------------------------------------
def classify(status: int, body: bytes) -> str:
    if status == 201:
        return "filled"
    if status == 200:
        return "replayed"
    kind = "?"
    with contextlib.suppress(ValueError, AttributeError):
        kind = str(json.loads(body).get("error"))
    if status in (409, 422) and kind in EXPECTED_KINDS:
        return f"rejected:{kind}"
    return f"error:{status}:{kind}"


async def user_loop(
    http: Any, token: str, orders: int, start_at: float, seed: int, results: list[tuple[str, float]]
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    held: list[str] = []
    await asyncio.sleep(max(0.0, start_at - time.time()))
    for number in range(orders):
        if number % 3 == 2 and held:
            body: dict[str, Any] = {"side": "sell", "token": rng.choice(held), "percent": "50"}
        else:
            body = {"side": "buy", "token": rng.choice(TOKENS), "usd_amount": "2.00"}
        key = str(uuid.uuid4())
        sends = 2 if rng.random() < 0.05 else 1
        for _ in range(sends):
            started = time.perf_counter()
            try:
                response = await http.post(
                    "/api/portfolio/orders", json=body, headers={**headers, "Idempotency-Key": key}
                )
                outcome = classify(response.status_code, response.content)
            except Exception as exc:  # noqa: BLE001 - timeouts, resets: errors, never expected
                outcome = f"error:exception:{type(exc).__name__}"
            results.append((outcome, (time.perf_counter() - started) * 1000))
            if outcome == "filled" and body["side"] == "buy" and body["token"] not in held:
                held.append(body["token"])


async def generate(base: str, tokens: list[str], orders: int, start_at: float, seed: int) -> list[Any]:
    import httpx

    results: list[tuple[str, float]] = []
    limits = httpx.Limits(max_connections=len(tokens) + 4, max_keepalive_connections=len(tokens) + 4)
    async with httpx.AsyncClient(
        base_url=base, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as http:
        await asyncio.gather(
            *(user_loop(http, token, orders, start_at, seed * 1000 + i, results) for i, token in enumerate(tokens))
        )
    return results


def worker_main(base: str, tokens: list[str], orders: int, start_at: float, seed: int, queue: Any) -> None:
    results = asyncio.run(generate(base, tokens, orders, start_at, seed))
    queue.put((time.time(), results))


def new_sessions(base: str, users: int) -> list[str]:
    import httpx

    tokens = []
    with httpx.Client(base_url=base, trust_env=False, timeout=10) as http:
        for _ in range(users):
            response = http.post("/api/session")
            response.raise_for_status()
            token = response.json()["token"]
            http.get("/api/portfolio", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            tokens.append(token)
    return tokens


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    asyncio.run(ensure_database(args.database_url))
    with tempfile.TemporaryDirectory(prefix="bench-trading-") as tmp:
        server = Server(args, Path(tmp))
        server.migrate()
        server.start()
        try:
            tokens = new_sessions(server.base, args.users)
            start_at = time.time() + 1.0
            queue: Any = mp.Queue()
            chunks = [tokens[i :: args.processes] for i in range(args.processes)]
            procs = [
                mp.Process(target=worker_main, args=(server.base, chunk, args.orders, start_at, i, queue))
                for i, chunk in enumerate(chunks)
            ]
            for proc in procs:
                proc.start()
            finished, results = [], []
            deadline = time.time() + args.max_minutes * 60
            for _ in procs:
                ended, rows = queue.get(timeout=max(1.0, deadline - time.time()))
                finished.append(ended)
                results.extend(rows)
            for proc in procs:
                proc.join(timeout=10)
            wall = max(finished) - start_at
        finally:
            server.stop()
    outcomes = Counter(outcome for outcome, _ in results)
    latencies = [ms for _, ms in results]
    by_class: dict[str, list[float]] = {}
    for outcome, ms in results:
        by_class.setdefault(outcome.split(":")[0], []).append(ms)
    errors = sum(count for outcome, count in outcomes.items() if outcome.startswith("error"))
    overall = summarize(latencies)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "orders_per_user": args.orders,
        "load_processes": args.processes,
        "storage": "postgresql + redis",
        "requests": len(results),
        "wall_seconds": round(wall, 2),
        "orders_per_second": round(len(results) / wall, 1) if wall > 0 else None,
        "latency": overall,
        "latency_by_outcome": {name: summarize(values) for name, values in sorted(by_class.items())},
        "outcomes": dict(sorted(outcomes.items())),
        "errors": errors,
        "target": {"p99_ms": TARGET_P99_MS, "met": overall["p99_ms"] < TARGET_P99_MS and errors == 0},
        "machine": machine(),
    }


def report_section(result: dict[str, Any], note: str) -> str:
    lat = result["latency"]
    rows = "\n".join(
        f"| {name} | {s['count']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        for name, s in result["latency_by_outcome"].items()
    )
    outcomes = "\n".join(f"| `{name}` | {count} |" for name, count in result["outcomes"].items())
    met = "met" if result["target"]["met"] else "NOT met"
    return f"""
## {result["when"]} — {result["users"]} users, {result["requests"]} orders, {result["storage"]}

{note}

- Throughput: **{result["orders_per_second"]} orders/s** over {result["wall_seconds"]} s
  ({result["load_processes"]} load-generator processes, closed loop: ~{result["users"]} orders in flight).
- Latency (all orders): p50 **{lat["p50_ms"]} ms**, p95 **{lat["p95_ms"]} ms**, p99 **{lat["p99_ms"]} ms**,
  max {lat["max_ms"]} ms. Target p99 < {TARGET_P99_MS:.0f} ms with zero errors: **{met}**.
- Errors (not expected rejections): **{result["errors"]}**.
- Machine: {result["machine"]["cpus"]} CPUs, load average {result["machine"]["load_avg_1m"]} (1 min) /
  {result["machine"]["load_avg_5m"]} (5 min) at the end of the run.

| outcome | orders | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|
{rows}

| outcome detail | count |
|---|---|
{outcomes}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--orders", type=int, default=30, help="orders per user")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--db-pool-size", type=int, default=20)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/eaili5_bench_trading"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--max-minutes", type=float, default=10.0)
    parser.add_argument("--note", default="", help="context to record with the figures (e.g. a busy machine)")
    args = parser.parse_args()
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    result = run(args)
    (HERE / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    report = HERE / "REPORT.md"
    if not report.exists():
        report.write_text(
            "# Trading benchmark\n\nHow to run and what is measured: see `run.py`'s docstring and "
            "`bench/README.md`. Newest run last.\n"
        )
    with report.open("a") as handle:
        handle.write(report_section(result, args.note))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
