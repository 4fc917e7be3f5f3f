#!/usr/bin/env python3
"""Trading benchmark: U concurrent users placing market orders against ONE server instance.

    backend/.venv/bin/python bench/trading/run.py [--users 100] [--orders 30] [--processes 2] [--quick]
        [--think-ms 1000] [--saturation] [--server-workers 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/eaili5_bench_trading]
        [--redis-url redis://127.0.0.1:6379/12] [--reads 0.2] [--py-spy backend/.venv/bin/py-spy] [--note "..."]

Starts a fresh `eaili5 serve` (a separate uvicorn process; `--server-workers N` passes `--workers N`, as
production runs two per instance) on PostgreSQL + Redis (the database is created if missing and
migrated; Redis keys get a fresh prefix), creates U guest sessions, then the users trade from
`--processes` separate load-generator processes. Each user buys $2 of a random token twice, then sells
50% of a holding once, and repeats; 5% of orders are sent twice with the same Idempotency-Key (the retry
must answer 200 `replayed`).

Two questions, two loads:
- Latency under realistic load (the default): before each order a user thinks for a random time
  (exponential, mean `--think-ms`, 1 s by default: a person reads the fill before the next click), so
  the server sees about U / (think + latency) orders/s and the latency figures are what a trader waits.
- Saturation throughput: `--think-ms 0` is a closed loop (the next order as soon as the last answered):
  about U orders are always in flight, so orders/s is the capacity and latency is only queueing
  (Little's law: U / throughput). `--saturation` adds such a closed-loop phase after the think-time one,
  on the same server with fresh users, and records it separately (`saturation` in latest.json).

Outcomes: `filled` (201), `replayed` (200), expected rejections (409/422 with a trading error kind:
no cash left, nothing to sell, a sell under $1, ...) and errors (anything else: 5xx, 429, timeouts,
unexpected kinds). Reports orders/s and latency p50/p95/p99/max, overall and per outcome. With
`--reads F` a user also reads its portfolio (GET /api/portfolio, or /equity every other time) after a
fraction F of its orders, as the app does after a fill; those reads are reported separately.
Before the measured load, `--warmup-orders` (3) orders per user run on the fresh server with other users and
are reported apart (`warm_up`): the first seconds after a start pay for opening pooled connections and
first-use work in each worker, which says how a cold instance does, not how a running one does.
`--quick` is a smoke run (30 users × 10 orders), not a measurement to compare. What the database did per
request comes from PostgreSQL's own counters (pg_stat_user_tables: index and sequential scans, rows
inserted and updated per table; pg_stat_database: transactions): a sequential scan per order means a
missing index. The server's CPU and the whole machine's busy share are recorded with the figures.

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
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (  # after the path set-up above
    Server,
    busy_percent_since,
    check_local,
    fresh_database,
    loop_lag_buckets,
    machine_info,
    run_queue_wait_s,
    summarize,
    system_busy,
    tree_cpu_seconds,
    window_percentiles_ms,
)

HERE = Path(__file__).resolve().parent
PROFILE_DIR = Path(tempfile.gettempdir())  # profiles stay out of the repository
TARGET_P99_MS = 100.0
# The load generators start, import and connect (connect_each_user) before this; the clock starts after.
START_DELAY_S = 3.0
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
QUICK = {"users": 30, "orders": 10}
DEFAULT_THINK_MS = 1000.0


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
    http: Any,
    token: str,
    orders: int,
    reads: float,
    think_ms: float,
    start_at: float,
    seed: int,
    results: list[tuple[str, float]],
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    held: list[str] = []
    await asyncio.sleep(max(0.0, start_at - time.time()))
    for number in range(orders):
        if think_ms > 0:  # exponential think time: users act independently (a Poisson-like arrival)
            await asyncio.sleep(rng.expovariate(1000.0 / think_ms))
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
            except Exception as exc:
                outcome = f"error:exception:{type(exc).__name__}"
            results.append((outcome, (time.perf_counter() - started) * 1000))
            if outcome == "filled" and body["side"] == "buy" and body["token"] not in held:
                held.append(body["token"])
        if reads and rng.random() < reads:  # the app re-reads the portfolio (or its chart) after a fill
            path = "/api/portfolio/equity" if number % 2 else "/api/portfolio"
            started = time.perf_counter()
            try:
                response = await http.get(path, headers=headers)
                kind = "ok" if response.status_code == 200 else f"error:{response.status_code}"
            except Exception as exc:
                kind = f"error:exception:{type(exc).__name__}"
            results.append((f"read:{path.rsplit('/', 1)[1]}:{kind}", (time.perf_counter() - started) * 1000))


async def generate(
    base: str, tokens: list[str], orders: int, reads: float, think_ms: float, start_at: float, seed: int
) -> list[Any]:
    import httpx

    results: list[tuple[str, float]] = []
    limits = httpx.Limits(max_connections=len(tokens) + 4, max_keepalive_connections=len(tokens) + 4)
    async with httpx.AsyncClient(
        base_url=base, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as http:
        await connect_each_user(http, len(tokens))
        await asyncio.gather(*(
            user_loop(http, token, orders, reads, think_ms, start_at, seed * 1000 + i, results)
            for i, token in enumerate(tokens)
        ))
    return results


async def connect_each_user(http: Any, users: int) -> None:
    """Open one kept-alive connection per user before the clock starts, as a running app has: otherwise
    the first orders also time the TCP handshakes of every user at once, and the load generators' own
    start-up on the same two cores."""
    await asyncio.gather(*(http.get("/healthz") for _ in range(users)))


def worker_main(
    base: str,
    tokens: list[str],
    orders: int,
    reads: float,
    think_ms: float,
    start_at: float,
    seed: int,
    queue: Any,
) -> None:
    results = asyncio.run(generate(base, tokens, orders, reads, think_ms, start_at, seed))
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
# what the database did (PostgreSQL's own counters)
# --------------------------------------------------------------------------------------------
TABLE_STATS = (
    "SELECT relname, seq_scan, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd FROM pg_stat_user_tables "
    "WHERE relname IN ('portfolios', 'holdings', 'trades', 'orders', 'equity_snapshots')"
)
DB_STATS = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"


async def pg_counters(url: str) -> dict[str, Any]:
    """Per-table scans/writes and the transaction count, so a run can say what one order cost."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        tables = {
            row[0]: {"seq_scan": row[1], "idx_scan": row[2], "inserted": row[3], "updated": row[4]}
            for row in await connection.fetch(TABLE_STATS)
        }
        return {"tables": tables, "transactions": int(await connection.fetchval(DB_STATS))}
    finally:
        await connection.close()


def per_request(before: dict[str, Any], after: dict[str, Any], requests: int) -> dict[str, Any]:
    """Counter deltas divided by the number of requests (includes the poller's own work: small)."""
    if not requests:
        return {}
    tables = {
        name: {
            key: round((value - before["tables"].get(name, {}).get(key, 0)) / requests, 2)
            for key, value in counters.items()
        }
        for name, counters in after["tables"].items()
    }
    transactions = round((after["transactions"] - before["transactions"]) / requests, 2)
    return {"transactions": transactions, "tables": tables}


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------
def start_py_spy(py_spy: str | None, pid: int, seconds: float) -> subprocess.Popen[bytes] | None:
    if not py_spy:
        return None
    return subprocess.Popen(
        [py_spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100", "-f", "raw",
         "-o", str(PROFILE_DIR / "eaili5-bench-trading-py-spy.txt"), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def stop_py_spy(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is None:
        return
    spy.send_signal(signal.SIGINT)  # py-spy writes what it recorded so far on Ctrl-C
    try:
        spy.wait(timeout=20)
    except subprocess.TimeoutExpired:
        spy.kill()


def load(
    args: argparse.Namespace, server: Server, think_ms: float, orders: int | None = None
) -> tuple[list[tuple[str, float]], float, dict[str, Any]]:
    """Run the load generators (`orders` per user, else --orders); (results, wall seconds, server-side
    readings)."""
    tokens = new_sessions(server.base, args.users)
    start_at = time.time() + START_DELAY_S
    queue: Any = mp.Queue()
    chunks = [tokens[i :: args.processes] for i in range(args.processes)]
    procs = [
        mp.Process(
            target=worker_main,
            args=(server.base, chunk, orders or args.orders, args.reads, think_ms, start_at, i, queue),
        )
        for i, chunk in enumerate(chunks)
    ]
    counters_before = asyncio.run(pg_counters(args.database_url))
    cpu_before, busy_before = tree_cpu_seconds(server.pid), system_busy()
    waited_before, lag_before = run_queue_wait_s(server.pid), loop_lag_buckets(server.base)
    spy = start_py_spy(args.py_spy, server.pid, args.max_minutes * 60)
    for proc in procs:
        proc.start()
    finished, results = [], []
    deadline = time.time() + args.max_minutes * 60
    try:
        for _ in procs:
            ended, rows = queue.get(timeout=max(1.0, deadline - time.time()))
            finished.append(ended)
            results.extend(rows)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
        stop_py_spy(spy)
    wall = max(finished) - start_at
    readings = {
        "server_cpu_pct": round(100 * (tree_cpu_seconds(server.pid) - cpu_before) / wall, 1) if wall > 0 else None,
        "machine_busy_pct_of_all_cores": busy_percent_since(busy_before),
        # Ready to run but waiting for a CPU (schedstat), and how late the event loops ran their timers:
        # together they tell a server short of CPU from one waiting on PostgreSQL or Redis.
        "server_cpu_wait_pct": round(100 * (run_queue_wait_s(server.pid) - waited_before) / wall, 1)
        if wall > 0
        else None,
        "loop_lag_ms": window_percentiles_ms(lag_before, loop_lag_buckets(server.base)),
    }
    time.sleep(1.5)  # PostgreSQL flushes a backend's statistics at most once a second
    orders = sum(1 for outcome, _ in results if not outcome.startswith("read:"))
    readings["database_per_request"] = per_request(
        counters_before, asyncio.run(pg_counters(args.database_url)), len(results)
    )
    readings["orders"] = orders
    return results, wall, readings


def run(args: argparse.Namespace) -> dict[str, Any]:
    asyncio.run(fresh_database(args.database_url))
    with tempfile.TemporaryDirectory(prefix="bench-trading-") as tmp:
        server = Server(
            Path(tmp),
            database_url=args.database_url,
            redis_url=args.redis_url,
            extra_env={
                "EAILI5_KV_PREFIX": f"bench-trading:{uuid.uuid4().hex[:8]}:",
                "EAILI5_DB_POOL_SIZE": str(args.db_pool_size),
            },
            label="trading",
        )
        server.migrate()
        server.start(*(["--workers", str(args.server_workers)] if args.server_workers > 1 else []))
        try:
            warm_up = figures(*load(args, server, args.think_ms, args.warmup_orders)) if args.warmup_orders else None
            results, wall, readings = load(args, server, args.think_ms)
            saturation = figures(*load(args, server, 0.0)) if args.saturation and args.think_ms > 0 else None
        finally:
            server.stop()
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "users": args.users,
        "orders_per_user": args.orders,
        "reads_per_order": args.reads,
        "think_ms": args.think_ms,
        "load": "think time" if args.think_ms > 0 else "closed loop (saturation)",
        "server_workers": args.server_workers,
        "load_processes": args.processes,
        "storage": "postgresql + redis",
        **figures(results, wall, readings),
        "machine": machine_info(),
        "note": args.note,
    }
    if warm_up is not None:
        result["warm_up"] = warm_up
    if saturation is not None:
        result["saturation"] = saturation
    return result


def figures(results: list[tuple[str, float]], wall: float, readings: dict[str, Any]) -> dict[str, Any]:
    """Throughput, latency by outcome, errors and the server readings of one load phase."""
    orders = [(outcome, ms) for outcome, ms in results if not outcome.startswith("read:")]
    reads = [(outcome, ms) for outcome, ms in results if outcome.startswith("read:")]
    outcomes = Counter(outcome for outcome, _ in results)
    by_class: dict[str, list[float]] = {}
    for outcome, ms in orders:
        by_class.setdefault(outcome.split(":")[0], []).append(ms)
    by_read: dict[str, list[float]] = {}
    for outcome, ms in reads:
        by_read.setdefault(outcome.split(":")[1], []).append(ms)
    errors = sum(count for outcome, count in outcomes.items() if "error" in outcome)
    overall = summarize(ms for _, ms in orders)
    return {
        "requests": len(results),
        "orders": len(orders),
        "wall_seconds": round(wall, 2),
        "orders_per_second": round(len(orders) / wall, 1) if wall > 0 else None,
        "latency": overall,
        "latency_by_outcome": {name: summarize(values) for name, values in sorted(by_class.items())},
        "read_latency": {name: summarize(values) for name, values in sorted(by_read.items())},
        "outcomes": dict(sorted(outcomes.items())),
        "errors": errors,
        "target": {
            "p99_ms": TARGET_P99_MS,
            "met": overall.get("p99_ms", float("inf")) < TARGET_P99_MS and errors == 0,
        },
        **readings,
    }


def report_section(result: dict[str, Any]) -> str:
    lat = result["latency"]
    lag = result.get("loop_lag_ms") or {}
    rows = "\n".join(
        f"| {name} | {s['count']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        for name, s in [*result["latency_by_outcome"].items(),
                        *((f"read {k}", v) for k, v in result["read_latency"].items())]
    )
    outcomes = "\n".join(f"| `{name}` | {count} |" for name, count in result["outcomes"].items())
    met = "met" if result["target"]["met"] else "NOT met"
    machine = result["machine"]
    database = result.get("database_per_request") or {}
    tables = ", ".join(
        f"{name} {c['idx_scan']} idx / {c['seq_scan']} seq scans, {c['inserted']} ins, {c['updated']} upd"
        for name, c in sorted(database.get("tables", {}).items())
    )
    quick = " (--quick: a smoke run)" if result["quick"] else ""
    think = result.get("think_ms", 0)
    load = (
        f"think time: exponential, mean {think:.0f} ms before each order (latency under realistic load)"
        if think
        else f"closed loop: ~{result['users']} requests in flight (saturation: latency is queueing)"
    )
    warm = result.get("warm_up")
    warm_line = (
        f"- Warm-up on the fresh server (not in the figures below; other users, {warm['orders']} orders): "
        f"p50 {warm['latency'].get('p50_ms')} ms, p99 {warm['latency'].get('p99_ms')} ms, "
        f"max {warm['latency'].get('max_ms')} ms, {warm['errors']} errors.\n"
        if warm
        else ""
    )
    repeats = result.get("repeats") or []
    met_runs = sum(1 for one in repeats if one["target_met"])
    repeats_line = (
        f"- {len(repeats)} runs, each on a fresh server and database; the figures below are the median-p99 run's. "
        f"p99 per run: {', '.join(str(one['p99_ms']) for one in repeats)} ms; target met in {met_runs} of "
        f"{len(repeats)}.\n"
        if repeats
        else ""
    )
    saturation = result.get("saturation")
    saturation_line = (
        f"- Saturation (closed loop, fresh users, same server): **{saturation['orders_per_second']} orders/s**, "
        f"p50 {saturation['latency'].get('p50_ms')} ms, p99 {saturation['latency'].get('p99_ms')} ms, "
        f"{saturation['errors']} errors, server CPU {saturation['server_cpu_pct']}% of one core.\n"
        if saturation
        else ""
    )
    return f"""
## {result["when"]} — {result["users"]} users, {result["orders"]} orders, {result["storage"]}{quick}

{result["note"]}

- Throughput: **{result["orders_per_second"]} orders/s** over {result["wall_seconds"]} s
  ({result["load_processes"]} load-generator processes; {load};
  server workers: {result.get("server_workers", 1)}).
- Latency (all orders): p50 **{lat.get("p50_ms")} ms**, p95 **{lat.get("p95_ms")} ms**, p99 **{lat.get("p99_ms")} ms**,
  max {lat.get("max_ms")} ms. Target p99 < {TARGET_P99_MS:.0f} ms with zero errors: **{met}**.
- Errors (not expected rejections): **{result["errors"]}**.
- Server CPU {result["server_cpu_pct"]}% of one core, waiting for a CPU {result.get("server_cpu_wait_pct")}% of the
  time; event-loop lag p50 ≤ {lag.get("p50_le_ms")} ms, p99 ≤ {lag.get("p99_le_ms")} ms ({lag.get("over_50ms_pct")}% of
  samples over 50 ms); whole machine {result["machine_busy_pct_of_all_cores"]}% busy
  of {machine["nproc"]} cores (load generators and other jobs included); load average {machine["load_avg_1m"]}
  (1 min) / {machine["load_avg_5m"]} (5 min) at the end.
- PostgreSQL per request: {database.get("transactions")} transactions; {tables}.
{repeats_line}{warm_line}{saturation_line}
| outcome | requests | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|
{rows}

| outcome detail | count |
|---|---|
{outcomes}
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--orders", type=int, default=30, help="orders per user")
    parser.add_argument("--reads", type=float, default=0.2, help="share of orders followed by a portfolio read")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 users × 10 orders")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=DEFAULT_THINK_MS,
        help="mean think time before each order (exponential); 0 = closed loop (saturation throughput)",
    )
    parser.add_argument(
        "--saturation", action="store_true", help="also run a closed-loop phase (fresh users) after the think-time one"
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=1,
        help="`eaili5 serve --workers N`: server processes (CPU figures cover all of them, in %% of one core)",
    )
    parser.add_argument(
        "--warmup-orders",
        type=int,
        default=3,
        help="orders per user in an unrecorded warm-up on the fresh server (other users; 0 = none); its "
        "figures are kept apart as the cold start",
    )
    parser.add_argument("--db-pool-size", type=int, default=20)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/eaili5_bench_trading"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--max-minutes", type=float, default=5.0)
    parser.add_argument("--py-spy", default=None,
                        help=f"path to py-spy: record the server (raw stacks in {PROFILE_DIR})")
    parser.add_argument("--note", default="", help="context to record with the figures (e.g. a busy machine)")
    parser.add_argument("--no-report", action="store_true", help="print only; do not write latest.json/REPORT.md")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of the same load, each on a fresh server and database; the report shows every run's "
        "figures and stands the median-p99 run for them",
    )
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    if not 0 <= args.reads <= 1:
        parser.error("--reads is a share: 0..1")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.think_ms < 0 or args.server_workers < 1:
        parser.error("--think-ms must be >= 0 and --server-workers >= 1")
    return args


def repeated(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of the same load, each on a fresh server and database: the run with the median p99
    stands for them, and every run's figures are kept (`repeats`), so the report shows the spread."""
    ranked = sorted(runs, key=lambda run: run["latency"].get("p99_ms", float("inf")))
    result = dict(ranked[(len(ranked) - 1) // 2])
    p99s = [run["latency"].get("p99_ms") for run in ranked]
    result["repeats"] = [
        {
            "when": run["when"],
            **{key: run["latency"].get(key) for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
            "orders_per_second": run["orders_per_second"],
            "errors": run["errors"],
            "target_met": run["target"]["met"],
        }
        for run in runs
    ]
    result["p99_spread_ms"] = {"min": p99s[0], "median": result["latency"].get("p99_ms"), "max": p99s[-1]}
    return result


def main() -> None:
    args = parse_args()
    runs = [run(args) for _ in range(args.repeat)]
    result = runs[0] if args.repeat == 1 else repeated(runs)
    print(json.dumps(result, indent=2))
    if args.no_report:
        return
    (HERE / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    report = HERE / "REPORT.md"
    if not report.exists():
        report.write_text(
            "# Trading benchmark\n\nHow to run and what is measured: see `run.py`'s docstring and "
            "`bench/README.md`. Newest run last.\n"
        )
    with report.open("a") as handle:
        handle.write(report_section(result))


if __name__ == "__main__":
    main()
