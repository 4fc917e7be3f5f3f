#!/usr/bin/env python3
"""Market tick fan-out benchmark: N WebSocket clients subscribed to `prices` on ONE server instance.

    backend/.venv/bin/python bench/market_fanout/run.py [--clients 1000,2000,5000] [--rounds 20]
        [--redis-url redis://127.0.0.1:6379/14 --database-url postgresql://postgres@127.0.0.1:5432/test]
        [--server-workers 2] [--serve-args '--ws-ping-interval 20']

For each N it starts a fresh `eaili5 serve` (restarted per N so RSS figures are clean; `--server-workers` processes,
which split the sockets, and whose CPU and RSS are summed), opens N
sockets from separate load-generator processes in batches, and reports: connections seen by the
server, server RSS per connection, server CPU% while ticking with everyone connected, and tick
delivery latency (local receive time - `published_at`) p50/p95/p99/max over `--rounds` rounds.

Bounded: every wait has a deadline, the whole run has --max-minutes, all traffic goes to 127.0.0.1.
Writes bench/market_fanout/latest.json and appends a section to bench/market_fanout/REPORT.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import (  # the shared server, load generator and readings
    LoadFleet,
    Server,
    check_local,
    delivery_latency,
    histogram_buckets,
    lift_nofile,
    machine_info,
    percentile,
    presence_split,
    prioritize,
    server_fanout_ms,
    system_busy,
    tree_cpu_seconds,
    tree_rss_kb,
    wait_quiet,
)

HERE = Path(__file__).resolve().parent
TARGET_N, TARGET_P99_MS = 5000, 250.0


def broadcast_histogram(http: Any) -> dict[float, float]:
    """Cumulative `ws_broadcast_seconds` bucket counts from the server's /metrics, by upper bound."""
    return histogram_buckets(http.get("/metrics").text, "ws_broadcast_seconds")


def run_one(args: argparse.Namespace, server: Server, n: int, deadline: float) -> dict[str, Any]:
    import httpx

    wait_quiet(args.wait_quiet)
    server.log_path = args.log_dir / f"server-{n}.log"
    # A fresh KV prefix per server: the presence count covers only this server's worker processes.
    kv_prefix = server.extra_env["EAILI5_KV_PREFIX"] = f"bench-fanout:{uuid.uuid4().hex[:8]}:"
    server.start(*serve_args(args))
    http = httpx.Client(base_url=server.base, trust_env=False, timeout=10)
    fleet: LoadFleet | None = None
    profiler: subprocess.Popen[bytes] | None = None
    try:
        token = http.post("/api/session").raise_for_status().json()["token"]
        time.sleep(args.settle)
        # Idle baseline: ticking, nobody connected.
        rss_before = tree_rss_kb(server.pid)
        c0, w0 = tree_cpu_seconds(server.pid), time.monotonic()
        time.sleep(3)
        cpu_idle_pct = (tree_cpu_seconds(server.pid) - c0) / (time.monotonic() - w0) * 100

        fleet = LoadFleet(server.port, args.workers, batch=args.batch, deadline=deadline,
                          per_worker_sockets=n // args.workers + 1)
        # Connect gradually (about args.batch in flight over all workers), then subscribe everyone.
        t_conn = time.perf_counter()
        connected = fleet.connect([token] * n, timeout=min(60 + n / 20, max(10.0, deadline - time.time())))
        subscribed = fleet.subscribe(connected["opened"], "prices", timeout=60 + n / 20)
        connect_wall = time.perf_counter() - t_conn
        opened = subscribed["subscribed"]
        errors = {**connected["errors"], **subscribed["errors"]}
        open_ms, ready_ms = connected["open_ms"], connected["ready_ms"]

        # Server-side count (presence is coalesced; poll briefly).
        server_count = -1
        until = time.time() + 20
        while time.time() < until:
            server_count = int(http.get("/api/realtime/connections").json()["total"])
            if server_count >= opened:
                break
            time.sleep(0.5)

        time.sleep(args.settle)
        rss_connected = tree_rss_kb(server.pid)
        per_worker = presence_split(server.redis_url, kv_prefix)

        # Measurement window: `rounds` ticks with everyone connected.
        if args.py_spy:
            profiler = subprocess.Popen(
                [args.py_spy, "record", "-p", str(server.pid), "--subprocesses", "-d", str(args.rounds + 2),
                 "-r", "200", "-f", "raw", "-o", str(args.log_dir / f"py-spy-{n}.txt"), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        fleet.collect(0.0, time.time() * 1000)  # drop frames from before the window
        t_from = time.time() * 1000
        fanout_before = broadcast_histogram(http)
        c0, w0, sys0 = tree_cpu_seconds(server.pid), time.monotonic(), system_busy()
        worker_cpu0 = fleet.stats()["cpu_s"]
        time.sleep(args.rounds + 0.5)
        t_to = time.time() * 1000
        c1, w1, sys1 = tree_cpu_seconds(server.pid), time.monotonic(), system_busy()
        worker_cpu1 = fleet.stats()["cpu_s"]
        fanout = server_fanout_ms(fanout_before, broadcast_histogram(http))
        cpu_pct = (c1 - c0) / (w1 - w0) * 100
        machine_pct = (sys1[0] - sys0[0]) / max(1.0, sys1[1] - sys0[1]) * 100
        time.sleep(args.drain)  # let the last rounds' stragglers arrive
        collected = fleet.collect(t_from, t_to)
        worker_cpu_pct = (worker_cpu1 - worker_cpu0) / (w1 - w0) * 100
        if profiler:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(timeout=30)
        rss_after = tree_rss_kb(server.pid)
        delivery = delivery_latency(collected["samples"], opened, args.rounds)

        return {
            "clients": n,
            "opened": opened,
            "server_connections": server_count,
            "per_worker": per_worker,
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
            "frame_bytes": collected["frame_bytes"],
            "rounds": delivery["rounds"],
            "deliveries": delivery["deliveries"],
            "deliveries_missing": delivery["deliveries_missing"],
            "closed_during_run": collected["closed_codes"],
            "still_open": collected["open"],
            "latency_ms": delivery["latency_ms"],
            "server_fanout_ms": fanout,
            "per_round_ms": delivery["per_round_ms"],
        }
    finally:
        if profiler and profiler.poll() is None:
            profiler.terminate()
        if fleet is not None:
            fleet.close()
        http.close()
        server.stop()


def serve_args(args: argparse.Namespace) -> list[str]:
    """What `eaili5 serve` is given besides host and port."""
    extra = ["--loop", os.environ["BENCH_LOOP"]] if os.environ.get("BENCH_LOOP") else []
    if args.server_workers > 1:
        extra += ["--workers", str(args.server_workers)]
    return extra + shlex.split(args.serve_args)


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
            f"| {r['clients']} | {r['server_connections']}{_split(r.get('per_worker'))} "
            f"| {r['connect_wall_s']} ({r['connect_rate_per_s']}) "
            f"| {r['ready_ms'][50]} / {r['ready_ms'][99]} | {r['kib_per_connection']} "
            f"| {r['server_cpu_pct_idle_no_clients']} → {r['server_cpu_pct_ticking']} | {r['loadgen_cpu_pct']} "
            f"| {r['other_cpu_pct']} "
            f"| {r['frame_bytes']} | {lat['p50']} | {lat['p95']} | {lat['p99']} | {lat['max']} "
            f"| {r['per_round_ms']['last_delivery_median']} | {r['deliveries_missing']} "
            f"| {fanout.get('p50_le')} / {fanout.get('p99_le')} |"
        )
    return "\n".join(lines)


def _split(per_worker: list[int] | None) -> str:
    return f" ({' + '.join(map(str, per_worker))})" if per_worker and len(per_worker) > 1 else ""


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
    parser.add_argument("--server-workers", type=int, default=1,
                        help="`eaili5 serve --workers N`: server processes "
                        "(above 1 needs --redis-url and --database-url)")
    parser.add_argument("--serve-args", default="",
                        help="more `eaili5 serve` options, e.g. '--ws-ping-interval 20' (the old keep-alive)")
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness for the server and load generator (e.g. -10 as root on a shared machine)")
    parser.add_argument("--no-write", action="store_true", help="do not update latest.json / REPORT.md")
    args = parser.parse_args()
    check_local(args.redis_url, "--redis-url")
    check_local(args.database_url, "--database-url")
    if bool(args.redis_url) != bool(args.database_url):
        print("note: production-like mode wants both --redis-url and --database-url", file=sys.stderr)
    if args.server_workers < 1 or (args.server_workers > 1 and not (args.redis_url and args.database_url)):
        parser.error("--server-workers above 1 needs --redis-url and --database-url (processes share them)")
    counts = [int(x) for x in args.clients.split(",") if x.strip()]
    args.nice = prioritize(args.nice)
    nofile = lift_nofile(max(counts) + 1024)  # the server and the load generators inherit this limit
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
    args.log_dir = log_dir
    server = Server(data_dir, database_url=args.database_url, redis_url=args.redis_url, label="server")
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
        "server_workers": args.server_workers,
        "serve_args": serve_args(args),
        "shared_guest_token": True,
        "nice": args.nice,
        "results": results,
        "target": verdict(results),
    }
    latest_path.write_text(json.dumps(latest, indent=2) + "\n")

    section = [
        f"## {now} — {mode}",
        "",
        (f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB RAM, "
        f"Linux {machine['kernel']}, Python {machine['python']}. "
        f"Load generator ({args.workers} processes, raw-socket clients) "
        "runs on the same machine as the server"
        f"{f', both at niceness {args.nice}' if args.nice else ''}."),
        "",
        f"Command: `{command}`",
        "",
        (f"One `eaili5 {' '.join(['serve', *serve_args(args)])}` (uvicorn, "
        f"{'one process' if args.server_workers == 1 else f'{args.server_workers} worker processes'}), restarted "
        f"per N; {args.rounds} rounds of the simulated market's 1 s tick; all sockets share one guest token. "
        "Latency = client receive time − `published_at`; CPU% is of one core, over every server process "
        "(idle: the first seconds after start, nobody connected)."),
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
