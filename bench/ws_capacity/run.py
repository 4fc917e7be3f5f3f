#!/usr/bin/env python3
"""WebSocket capacity of ONE server instance: idle authenticated connections held, and tick fan-out latency.

    backend/.venv/bin/python bench/ws_capacity/run.py [--steps 1000,5000,10000,20000]
        [--fanout 1000,5000,10000] [--rounds 15] [--sqlite] [--quick] [--server-workers 1] [--serve-args '...']

One `eaili5 serve` (PostgreSQL + Redis by default: the database is created afresh and migrated, Redis keys
get a fresh prefix; `--sqlite` for the embedded mode), with `--server-workers` processes (`eaili5 serve --workers`;
the sockets split across them, and every CPU and RSS figure covers all of them). Guest sessions are created through
`POST /api/session`
(one per connection while the time budget `--token-seconds` lasts, then reused round-robin: the report says how
many were unique). Sockets are opened from `--workers` load-generator processes (raw RFC 6455 clients on their
own event loops, see bench/common.py `LoadFleet`), each from its own 127.0.0.x source address.

Phase 1, idle capacity: the held connection count steps up (`--steps`); at each step it reports connection
failures, the server's RSS per connection, and the server's CPU over an `--idle-window` with everyone connected
and idle (each socket sends an app ping every 20 s like the web client; the server sends no protocol pings unless
`--serve-args "--ws-ping-interval 20"` asks for them).
Phase 2, fan-out: once `--fanout-at` connections are held (default 10,000, the target), 1,000 / 5,000 / 10,000 of
them subscribe to `prices` in turn, and the run reports delivery latency (receive time − `published_at`)
p50/p95/p99/max over `--rounds` ticks, plus the server's own `ws_broadcast_seconds`. They unsubscribe before
the idle steps go on.

Bounded: every wait has a deadline and the run has --max-minutes; all traffic stays on 127.0.0.1.
Writes bench/ws_capacity/latest.json (per storage mode) and appends a section to bench/ws_capacity/REPORT.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
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
import common

HERE = Path(__file__).resolve().parent
TARGET_HELD = 10_000
SERVER_FD_HEADROOM = 256
TARGET_FANOUT_N, TARGET_P99_MS = 5000, 250.0
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/eaili5_bench_ws"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


# --------------------------------------------------------------------------------------------
# guest sessions
# --------------------------------------------------------------------------------------------
async def _create_sessions(base: str, wanted: int, budget_s: float, concurrency: int) -> list[str]:
    import httpx

    tokens: list[str] = []
    failures = 0
    until = time.monotonic() + budget_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=10, limits=limits) as http:

        async def one_by_one() -> None:
            nonlocal failures
            while len(tokens) < wanted and time.monotonic() < until and failures < 100:
                try:
                    response = await http.post("/api/session")
                    response.raise_for_status()
                    tokens.append(response.json()["token"])
                except httpx.HTTPError:
                    failures += 1

        await asyncio.gather(*(one_by_one() for _ in range(concurrency)))
    if not tokens:
        raise RuntimeError(f"could not create any guest session ({failures} failures)")
    return tokens[:wanted]


def create_sessions(base: str, wanted: int, budget_s: float) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    tokens = asyncio.run(_create_sessions(base, wanted, budget_s, concurrency=16))
    return tokens, time.perf_counter() - t0


# --------------------------------------------------------------------------------------------
# readings
# --------------------------------------------------------------------------------------------
class Readings:
    """Server, load generator and machine CPU over one window."""

    def __init__(self, server_pid: int, fleet: common.LoadFleet | None) -> None:
        self.pid, self.fleet = server_pid, fleet
        self.server0 = common.tree_cpu_seconds(server_pid)
        self.fleet0 = fleet.stats()["cpu_s"] if fleet else 0.0
        self.machine0 = common.system_busy()
        self.wall0 = time.monotonic()

    def finish(self) -> dict[str, float]:
        wall = time.monotonic() - self.wall0
        server_pct = (common.tree_cpu_seconds(self.pid) - self.server0) / wall * 100
        fleet_pct = ((self.fleet.stats()["cpu_s"] - self.fleet0) / wall * 100) if self.fleet else 0.0
        machine_pct = common.busy_percent_since(self.machine0)
        cores = common.os.cpu_count() or 1
        return {
            "server_cpu_pct": round(server_pct, 1),
            "loadgen_cpu_pct": round(fleet_pct, 1),
            "machine_busy_pct": machine_pct,
            # % of one core used by everything else on the machine (other jobs skew the figures).
            "other_cpu_pct": round(max(0.0, machine_pct * cores - server_pct - fleet_pct), 1),
        }


def server_connections(http: Any, at_least: int, wait_s: float = 15) -> int:
    """The server's own count of open sockets, over all its worker processes (each reports its count under
    the run's fresh KV prefix; presence is coalesced: poll briefly until it catches up)."""
    count = -1
    until = time.time() + wait_s
    while time.time() < until:
        with contextlib.suppress(Exception):
            count = int(http.get("/api/realtime/connections").json()["total"])
            if count >= at_least:
                break
        time.sleep(0.5)
    return count


def broadcast_buckets(http: Any) -> dict[float, float]:
    return common.histogram_buckets(http.get("/metrics").text, "ws_broadcast_seconds")


# --------------------------------------------------------------------------------------------
# phases
# --------------------------------------------------------------------------------------------
def idle_step(
    args: argparse.Namespace, server: common.Server, http: Any, fleet: common.LoadFleet, tokens: list[str],
    held: int, step: int, rss_base_kb: int,
) -> dict[str, Any]:
    wanted = step - held
    batch = [tokens[(held + i) % len(tokens)] for i in range(wanted)]
    common.log(f"step {step}: opening {wanted} more sockets ...")
    # No socket starts opening later than this: the step's readings and closing need time too.
    stop_at = args.deadline - (args.settle + args.idle_window + 60)
    opened = fleet.connect(batch, timeout=max(0.0, stop_at - time.time()) + common.OPEN_TIMEOUT_S + 60,
                           stop_at=stop_at)
    now_held = held + opened["opened"]
    server_count = server_connections(http, now_held)
    time.sleep(args.settle)
    rss = common.tree_rss_kb(server.pid)
    window = Readings(server.pid, fleet)
    time.sleep(args.idle_window)
    cpu = window.finish()
    stats = fleet.stats()
    ready = opened["ready_ms"]
    result = {
        "step": step,
        "attempted": wanted,
        "opened": opened["opened"],
        "failures": sum(opened["errors"].values()),
        "errors": opened["errors"],
        "cut_by_time_limit": opened["not_started"],
        "held": stats["open"],
        "server_connections": server_count,
        "per_worker": common.presence_split(server.redis_url, server.extra_env["EAILI5_KV_PREFIX"]),
        "closed_so_far": stats["closed_codes"],
        "connect_wall_s": round(opened["wall_s"], 2),
        "connect_rate_per_s": round(opened["opened"] / opened["wall_s"], 1) if opened["wall_s"] else None,
        "ready_ms": {p: round(common.percentile(ready, p), 1) for p in (50, 95, 99)},
        "rss_mib": round(rss / 1024, 1),
        "kib_per_connection": round((rss - rss_base_kb) / max(1, stats["open"]), 1),
        "idle_window_s": args.idle_window,
        **{f"idle_{k}": v for k, v in cpu.items()},
        "loadgen_rss_mib": round(stats["rss_kb"] / 1024, 1),
    }
    common.log(json.dumps(result))
    return result


def fanout_step(
    args: argparse.Namespace, server: common.Server, http: Any, fleet: common.LoadFleet, subscribers: int,
    already: int, idle_cpu_pct: float,
) -> dict[str, Any]:
    common.log(f"fan-out {subscribers}: subscribing {subscribers - already} more sockets to prices ...")
    subscribed = fleet.subscribe(subscribers - already, "prices", timeout=max(60.0, args.deadline - time.time() + 30))
    total = already + subscribed["subscribed"]
    time.sleep(2)
    fleet.collect(0.0, time.time() * 1000)  # drop frames from before the window
    profiler = None
    if args.py_spy:
        profiler = subprocess.Popen(
            [args.py_spy, "record", "-p", str(server.pid), "--subprocesses", "-d", str(args.rounds + 1), "-r", "200",
             "-f", "raw",
             "-o", str(server.data_dir / f"py-spy-fanout-{subscribers}.txt"), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    t_from = time.time() * 1000
    before = broadcast_buckets(http)
    window = Readings(server.pid, fleet)
    time.sleep(args.rounds + 0.5)
    t_to = time.time() * 1000
    cpu = window.finish()
    fanout = common.server_fanout_ms(before, broadcast_buckets(http))
    time.sleep(args.drain)  # the last round's stragglers
    collected = fleet.collect(t_from, t_to)
    if profiler:
        with contextlib.suppress(subprocess.TimeoutExpired):
            profiler.wait(timeout=30)
    result = {
        "subscribers": total,
        "subscribe_errors": subscribed["errors"],
        "held": collected["open"],
        "frame_bytes": collected["frame_bytes"],
        **common.delivery_latency(collected["samples"], total, args.rounds),
        "server_fanout_ms": fanout,
        **{f"ticking_{k}": v for k, v in cpu.items()},
        "tick_cpu_ms_over_idle": tick_cpu_ms(cpu["server_cpu_pct"], idle_cpu_pct, args, fanout.get("broadcasts", 0)),
        "closed_so_far": collected["closed_codes"],
    }
    common.log(json.dumps(result))
    return result


def tick_cpu_ms(ticking_pct: float, idle_pct: float, args: argparse.Namespace, broadcasts: int) -> float | None:
    """Server CPU one tick costs beyond the idle sockets' own (pings): the fan-out's price, less noisy than
    latency on a shared machine. Each worker process broadcasts every tick to its own share of the sockets."""
    ticks = broadcasts / args.server_workers
    if ticks < 1:
        return None
    return round((ticking_pct - idle_pct) / 100 * (args.rounds + 0.5) * 1000 / ticks, 1)


def run(args: argparse.Namespace, database_url: str | None, redis_url: str | None) -> dict[str, Any]:
    import httpx

    deadline = args.deadline = time.time() + args.max_minutes * 60
    steps, fanouts = args.step_list, args.fanout_list
    data_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-ws-"))
    extra = {"EAILI5_KV_PREFIX": f"bench-ws:{uuid.uuid4().hex[:8]}:"}
    server = common.Server(data_dir, database_url=database_url, redis_url=redis_url, extra_env=extra,
                           label="ws-capacity")
    fleet: common.LoadFleet | None = None
    out: dict[str, Any] = {"idle": [], "fanout": []}
    try:
        server.migrate()
        common.wait_quiet(args.wait_quiet)
        server.start(*serve_args(args))
        common.log(f"server pid {server.pid} on port {server.port}; logs in {server.log_path}")
        http = httpx.Client(base_url=server.base, trust_env=False, timeout=10)
        tokens, token_s = create_sessions(server.base, args.tokens or steps[-1], args.token_seconds)
        out["sessions"] = {"unique_tokens": len(tokens), "create_s": round(token_s, 1),
                           "create_rate_per_s": round(len(tokens) / token_s, 1)}
        common.log(f"{len(tokens)} guest sessions in {token_s:.1f} s")
        time.sleep(args.settle)
        rss_base = common.tree_rss_kb(server.pid)
        baseline = Readings(server.pid, None)
        time.sleep(args.idle_window)
        out["baseline"] = {"rss_mib": round(rss_base / 1024, 1), **window_cpu(baseline)}

        per_worker = steps[-1] // args.workers + 1
        fleet = common.LoadFleet(server.port, args.workers, batch=args.batch, deadline=deadline,
                                 per_worker_sockets=per_worker)
        held = 0
        for step in steps:
            if time.time() > deadline - (args.settle + args.idle_window + 90):
                common.log(f"skipping step {step}: out of time")
                out["skipped_steps"] = [s for s in steps if s >= step]
                break
            try:
                result = idle_step(args, server, http, fleet, tokens, held, step, rss_base)
                out["idle"].append(result)
                held = result["held"]
                if step == args.fanout_at or (step == steps[-1] and not out["fanout"]):
                    fanout_phase(args, server, http, fleet, fanouts, result, deadline, out["fanout"])
            except Exception as exc:
                out["error"] = f"step {step}: {type(exc).__name__}: {exc}"
                common.log(out["error"])
                break
            if server.proc is None or server.proc.poll() is not None:
                common.log("the server died")
                break
            if result["cut_by_time_limit"]:
                common.log(f"stopping: out of time after {result['opened']} of {result['attempted']} sockets")
                break
            if result["opened"] < result["attempted"] // 2:
                common.log(f"stopping: only {result['opened']} of {result['attempted']} sockets opened")
                break
        fleet.close()
        fleet = None
        out["server_alive_at_end"] = server.proc is not None and server.proc.poll() is None
        http.close()
    finally:
        if fleet is not None:
            fleet.close()
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return out


def serve_args(args: argparse.Namespace) -> list[str]:
    """What `eaili5 serve` is given besides host and port."""
    extra = ["--loop", args.loop] if args.loop else []
    if args.server_workers > 1:
        extra += ["--workers", str(args.server_workers)]
    return extra + shlex.split(args.serve_args)


def window_cpu(readings: Readings) -> dict[str, float]:
    return {f"idle_{k}": v for k, v in readings.finish().items()}


def fanout_phase(
    args: argparse.Namespace, server: common.Server, http: Any, fleet: common.LoadFleet, fanouts: list[int],
    idle: dict[str, Any], deadline: float, results: list[dict[str, Any]],
) -> None:
    """Appends to `results` as it goes, so a failure keeps what was measured. `idle` is the idle step's result
    at the held count."""
    held = idle["held"]
    subscribed = 0
    for requested in fanouts:
        # A few sockets may fail to open in a storm: measure with what is held if that is nearly all.
        n = min(requested, held)
        if n < requested * 0.95:
            common.log(f"fan-out {requested}: only {held} connections held, skipped")
            continue
        if time.time() > deadline - (args.rounds + 60):
            common.log(f"fan-out {n}: out of time, skipped")
            break
        result = fanout_step(args, server, http, fleet, n, subscribed, idle["idle_server_cpu_pct"])
        result["requested"] = requested
        result["connections_held"] = held
        results.append(result)
        subscribed = result["subscribers"]
    fleet.ask(("unsubscribe", "prices"), timeout=120)
    time.sleep(args.settle)


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------
def idle_table(out: dict[str, Any]) -> str:
    base = out.get("baseline", {})
    lines = [
        ("| held (target) | failures | server conns | connect s (rate/s) | ready p50/p99 ms | RSS MiB | KiB/conn "
        "| server CPU% idle | loadgen CPU% | other CPU% | closed so far |"),
        "|" + "---|" * 11,
        (f"| 0 | – | – | – | – | {base.get('rss_mib')} | – | {base.get('idle_server_cpu_pct')} | – "
        f"| {base.get('idle_other_cpu_pct')} | – |"),
    ]
    for r in out["idle"]:
        lines.append(
            f"| {r['held']} ({r['step']}{', cut by the time limit' if r.get('cut_by_time_limit') else ''}) "
            f"| {r['failures']} | {r['server_connections']}{_split(r.get('per_worker'))} "
            f"| {r['connect_wall_s']} ({r['connect_rate_per_s']}) | {r['ready_ms'][50]} / {r['ready_ms'][99]} "
            f"| {r['rss_mib']} | {r['kib_per_connection']} | {r['idle_server_cpu_pct']} "
            f"| {r['idle_loadgen_cpu_pct']} | {r['idle_other_cpu_pct']} | {r['closed_so_far'] or '–'} |"
        )
    return "\n".join(lines)


def _split(per_worker: list[int] | None) -> str:
    return f" ({' + '.join(map(str, per_worker))})" if per_worker and len(per_worker) > 1 else ""


def fanout_table(out: dict[str, Any]) -> str:
    lines = [
        ("| subscribers (held) | frame B | p50 | p95 | p99 | max ms | last-in-round median ms | missing "
        "| server fan-out p50/p99 ms (≤) | server CPU% | CPU ms/tick over idle | loadgen CPU% | other CPU% |"),
        "|" + "---|" * 13,
    ]
    for r in out["fanout"]:
        lat, fan = r["latency_ms"], r["server_fanout_ms"]
        lines.append(
            f"| {r['subscribers']} ({r['connections_held']}) | {r['frame_bytes']} | {lat['p50']} | {lat['p95']} "
            f"| {lat['p99']} | {lat['max']} | {r['per_round_ms']['last_delivery_median']} "
            f"| {r['deliveries_missing']} | {fan.get('p50_le')} / {fan.get('p99_le')} "
            f"| {r['ticking_server_cpu_pct']} | {r.get('tick_cpu_ms_over_idle')} | {r['ticking_loadgen_cpu_pct']} "
            f"| {r['ticking_other_cpu_pct']} |"
        )
    return "\n".join(lines)


def verdicts(out: dict[str, Any]) -> list[str]:
    held = max((r["held"] for r in out["idle"]), default=0)
    alive = out.get("server_alive_at_end", False)
    held_ok = held >= TARGET_HELD and alive
    lines = [f"Run stopped early: {out['error']}"] if out.get("error") else []
    lines += [
        (f"Target: {TARGET_HELD} concurrent connections held → max held {held}"
        f"{'' if alive else ' (server died)'}: **{'MET' if held_ok else 'MISSED'}**.")
    ]
    at = [r for r in out["fanout"] if r.get("requested", r["subscribers"]) == TARGET_FANOUT_N]
    if not at:
        lines.append(f"Target: tick p99 < {TARGET_P99_MS:.0f} ms at {TARGET_FANOUT_N} subscribers → not measured.")
    else:
        r = at[0]
        p99 = r["latency_ms"]["p99"]
        ok = p99 < TARGET_P99_MS and r["deliveries_missing"] == 0
        lines.append(
            f"Target: tick p99 < {TARGET_P99_MS:.0f} ms at {TARGET_FANOUT_N} subscribers → measured p99 {p99} ms "
            f"({r['deliveries_missing']} deliveries missing, {r['connections_held']} connections held): "
            f"**{'MET' if ok else 'MISSED'}**."
        )
    return lines


def server_processes(args: argparse.Namespace) -> str:
    if args.server_workers == 1:
        return "one uvicorn process"
    return f"{args.server_workers} uvicorn worker processes sharing the port"


def write_results(args: argparse.Namespace, mode: str, out: dict[str, Any], command: str) -> None:
    machine = common.machine_info()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    latest_path = HERE / "latest.json"
    latest: dict[str, Any] = {}
    with contextlib.suppress(Exception):
        latest = json.loads(latest_path.read_text())
    latest.setdefault("modes", {})
    latest["machine"] = machine
    latest["modes"][mode] = {"date": now, "command": command, "fd_note": args.fd_note, "workers": args.workers,
                             "server_workers": args.server_workers, "serve_args": serve_args(args),
                             "rounds": args.rounds,
                             "server_loop": args.loop or "eaili5 serve default", "nice": args.nice, **out,
                             "verdict": verdicts(out)}
    latest_path.write_text(json.dumps(latest, indent=2) + "\n")
    sessions = out.get("sessions", {})
    section = [
        f"## {now} — {mode}",
        "",
        (f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB RAM, Linux "
        f"{machine['kernel']}, Python {machine['python']}, load average {machine['load_avg_1m']} (1 min). "
        f"Load generator: {args.workers} processes (raw-socket clients, uvloop) on the same machine"
        f"{f', server and load generator at niceness {args.nice}' if args.nice else ''}."),
        "",
        f"Command: `{command}`",
        "",
        (f"One `eaili5 {' '.join(['serve', *serve_args(args)])}` ({server_processes(args)}, loop: "
        f"{args.loop or 'default'}; CPU% and RSS cover every server process). {sessions.get('unique_tokens')} "
        f"guest sessions created in {sessions.get('create_s')} s and reused round-robin when fewer than the "
        "sockets. Idle: every socket authenticated, app ping every 20 s; CPU% is of one core over "
        f"{args.idle_window} s; KiB/conn = (RSS − RSS before any socket) / held."),
        "",
        idle_table(out),
        "",
        *([args.fd_note, ""] if args.fd_note else []),
        (f"Fan-out: subscribers to `prices` among the held sockets, {args.rounds} ticks each; latency = client "
        "receive time − `published_at`."),
        "",
        fanout_table(out) if out["fanout"] else "(not measured)",
        "",
        *verdicts(out),
        "",
    ]
    with open(HERE / "REPORT.md", "a") as f:
        if f.tell() == 0:
            f.write("# WebSocket capacity — results\n\nAppended by `bench/ws_capacity/run.py`, newest last.\n\n")
        f.write("\n".join(section) + "\n")
    print(f"wrote {latest_path} and appended to {HERE / 'REPORT.md'}")


# --------------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="1000,5000,10000,20000", help="held connections, ascending")
    parser.add_argument("--fanout", default="1000,5000,10000", help="prices subscribers measured, ascending")
    parser.add_argument("--fanout-at", type=int, default=TARGET_HELD, help="held count at which fan-out runs")
    parser.add_argument("--rounds", type=int, default=15, help="ticks measured per fan-out size")
    parser.add_argument("--idle-window", type=float, default=10.0, help="seconds of idle CPU measurement")
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes")
    parser.add_argument("--batch", type=int, default=200, help="sockets opening at once (all workers)")
    parser.add_argument("--tokens", type=int, default=0, help="guest sessions wanted (default: one per socket)")
    parser.add_argument("--token-seconds", type=float, default=60.0, help="time budget to create them")
    parser.add_argument("--sqlite", action="store_true", help="embedded mode: SQLite + in-process KV")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--loop", default="", help="`eaili5 serve --loop` (default: the serve default)")
    parser.add_argument("--server-workers", type=int, default=1,
                        help="`eaili5 serve --workers N`: server processes (needs PostgreSQL + Redis above 1)")
    parser.add_argument("--serve-args", default="",
                        help="more `eaili5 serve` options, e.g. '--ws-ping-interval 20' (the old keep-alive)")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for a window's last frames")
    parser.add_argument("--wait-quiet", type=float, default=30.0, help="max seconds to wait for an idle machine")
    parser.add_argument("--max-minutes", type=float, default=12.0, help="hard limit for the whole run")
    parser.add_argument("--py-spy", default=None, help="path to py-spy: record the server in each fan-out window")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200/500 sockets, 3 ticks")
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness for the server and load generator (e.g. -10 as root on a shared machine)")
    parser.add_argument("--no-write", action="store_true", help="do not update latest.json / REPORT.md")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.fanout, args.fanout_at = "200,500", "100,400", 500
        args.rounds, args.idle_window, args.settle, args.drain = 3, 3.0, 1.0, 2.0
        args.token_seconds, args.wait_quiet, args.max_minutes = 20.0, 0.0, 4.0
    if args.server_workers < 1 or (args.server_workers > 1 and args.sqlite):
        parser.error("--server-workers must be 1, or more with PostgreSQL + Redis (not --sqlite)")
    args.step_list = sorted(int(x) for x in args.steps.split(",") if x.strip())
    args.fanout_list = sorted(int(x) for x in args.fanout.split(",") if x.strip())
    return args


def main() -> int:
    args = parse_args()
    args.nice = common.prioritize(args.nice)
    database_url = None if args.sqlite else args.database_url
    redis_url = None if args.sqlite else args.redis_url
    common.check_local(database_url, "--database-url")
    common.check_local(redis_url, "--redis-url")
    mode = "sqlite+in-process" if args.sqlite else "postgresql+redis"
    top = args.step_list[-1]
    nofile = common.lift_nofile(top + SERVER_FD_HEADROOM)  # the server and the load generators inherit it
    args.fd_note = ""
    if nofile < top + SERVER_FD_HEADROOM:
        # The server needs a few hundred descriptors besides its sockets (listener, DB and Redis pools, epoll).
        cap = nofile - SERVER_FD_HEADROOM
        args.fd_note = (
            f"The open-file limit here is {nofile} and could not be raised (no CAP_SYS_RESOURCE), so the "
            f"top step was capped at {cap} sockets ({SERVER_FD_HEADROOM} descriptors left for the server)."
        )
        common.log(args.fd_note)
        args.step_list = sorted({min(step, cap) for step in args.step_list})
        args.fanout_at = min(args.fanout_at, cap)
    if top // args.workers > common.ephemeral_ports() - 1000:
        common.log("warning: more sockets per load worker than ephemeral ports; raise --workers")
    if database_url:
        asyncio.run(common.fresh_database(database_url))

    def on_alarm(*_: Any) -> None:
        raise TimeoutError(f"benchmark exceeded --max-minutes {args.max_minutes}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.max_minutes * 60) + 180)  # last resort: every phase watches the deadline itself
    try:
        out = run(args, database_url, redis_url)
    finally:
        signal.alarm(0)

    command = "backend/.venv/bin/python bench/ws_capacity/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print(f"\n{mode}\n")
    print(idle_table(out))
    print()
    print(fanout_table(out) if out["fanout"] else "(fan-out not measured)")
    print()
    print("\n".join(verdicts(out)))
    if not args.no_write and out["idle"]:
        write_results(args, mode, out, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
