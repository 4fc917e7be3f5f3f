#!/usr/bin/env python3
"""API benchmark: a realistic request mix from many concurrent users against ONE server instance.

    backend/.venv/bin/python bench/api/run.py [--users 50,200,500] [--duration-s 40] [--think-ms 1000]
        [--saturation-users 50] [--saturation-s 30] [--probe-s 4] [--processes 2] [--nice 0]
        [--quick] [--no-write] [--py-spy PATH] [--server-workers 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/eaili5_bench_api]
        [--redis-url redis://127.0.0.1:6379/13]

Starts one `eaili5 serve` on PostgreSQL + Redis (the database is created afresh and migrated; Redis
keys get a fresh EAILI5_KV_PREFIX, removed at the end), creates one guest session per virtual user up
front, then runs phases. In each phase the users are spread over `--processes` separate load-generator
processes; each user is a closed loop on its own keep-alive connection: pick a request from the mix
(MIX below: token list, token page, candles, portfolio, quote, market order, lesson, quiz answer, chat
over HTTP JSON), send it, wait for the answer, think (exponential, mean `--think-ms`, like a person
reading), repeat. Phases: each of `--users` with think time, then a saturation phase (think time 0,
`--saturation-users`) for the maximum throughput, then the same saturation load against a bare
Starlette/uvicorn endpoint (bench/api/ceiling.py) to give our throughput as a share of that ceiling.

Before each phase the server is given time to go idle (work for requests that timed out would count
against the next phase). Each phase has a warm-up (users ramp up, nothing recorded) and a measured
window: requests started in the window count. Reported per phase: offered load (users ÷ mean think
time: what they would send if answers were instant), achieved and answered (not errors) requests/s,
p50/p95/p99/max overall and per endpoint, expected business rejections (no cash left, nothing to sell,
...) apart from errors (5xx, 429, time-outs, anything unexpected), the CPU the server and the load
generators used, how busy the whole machine was, and how long the server's event loop was ready to run
but waited for a CPU (other jobs starving it). Then each endpoint alone (`--probe-s`, a few users, no
think time) gives the server CPU one request of it costs. Target at 200 users: overall p95 < 50 ms and
p99 < 100 ms with no errors.

The load generator is a minimal HTTP/1.1 keep-alive client on uvloop (no extra dependency, a few
microseconds of CPU per request), so the 2 cores go to the server as much as possible; its CPU use is
printed so you can see what it took.

Bounded: every request has a time-out, the run has --max-minutes, all traffic goes to 127.0.0.1, and
every process it starts is stopped on exit, error or Ctrl-C. Writes bench/api/latest.json and appends a
section to bench/api/REPORT.md (not with --quick or --no-write).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from common import (
    HOST,
    REPO,
    VENV_BIN,
    Server,
    check_local,
    free_port,
    fresh_database,
    loop_lag_buckets,
    machine_info,
    raise_nofile,
    run_queue_wait_s,
    stop_process,
    summarize,
    system_busy,
    tree_cpu_seconds,
    wait_quiet,
    wait_ready,
    window_percentiles_ms,
)

EVAL_SET = REPO / "backend" / "tests" / "tutor" / "data" / "tutor-dev.jsonl"
TARGET_USERS, TARGET_P95_MS, TARGET_P99_MS = 200, 50.0, 100.0
REQUEST_TIMEOUT_S = 10.0
PROBE_USERS = 4  # closed-loop users per single-endpoint probe: enough to keep the server busy

# What one request in the mix is, weighted like a learner's session: reads dominate (market screens and
# lessons are what people look at most), a quote is typed several times before an order is placed, a quiz
# answer follows a lesson, and a chat question every few screens. Weights are percentages of requests.
MIX: dict[str, int] = {
    "token_list": 20,  # GET /api/tokens (the market screen, its sorts and a search now and then)
    "token_page": 14,  # GET /api/tokens/{address}
    "candles": 14,  # GET /api/tokens/{address}/candles (the chart on the token page)
    "portfolio": 15,  # GET /api/portfolio
    "quote": 8,  # POST /api/portfolio/quote (the order ticket previews as you type)
    "order": 5,  # POST /api/portfolio/orders (market buy $2, or sell half a holding)
    "lesson": 12,  # GET /api/learn/lessons/{id}
    "quiz": 7,  # POST /api/learn/lessons/{id}/quiz (one answer at a time, as the quiz screen sends them)
    "chat": 5,  # POST /api/chat, JSON reply (offline tutor: no model key)
}
ENDPOINTS = [*MIX, "ceiling"]
SORTS = [("trending", 60), ("volume", 15), ("gainers", 10), ("losers", 5), ("liquidity", 5), ("new", 5)]
TIMEFRAMES = [("15m", 60), ("1h", 20), ("5m", 10), ("1d", 10)]  # the chart opens on 15m
# Business answers a user can get while doing nothing wrong on our side (same list as bench/trading).
EXPECTED_KINDS = {"InsufficientCash", "InsufficientTokens", "TradeTooSmall", "PriceMoved", "NoLiquidity"}


# --------------------------------------------------------------------------------------------
# the load generator's HTTP client: HTTP/1.1 keep-alive, one connection per user, nothing else
# --------------------------------------------------------------------------------------------
class Connection:
    """One keep-alive connection, one request at a time (a user waits for the answer before the next)."""

    def __init__(self, host: str, port: int, authorization: str | None) -> None:
        self.host, self.port = host, port
        self.fixed = f"Host: {host}:{port}\r\nAccept: application/json\r\nUser-Agent: bench-api\r\n".encode()
        if authorization:
            self.fixed += f"Authorization: Bearer {authorization}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes | None = None, extra: bytes = b""
    ) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, body, extra)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            self.close()
            stale = reused and not (isinstance(exc, asyncio.IncompleteReadError) and exc.partial)
            if not stale:
                raise
            # The server closed the idle keep-alive connection (uvicorn: after 5 s) before reading this
            # request, so nothing was done: send it again on a new connection, as browsers do.
            return await self.request(method, path, body, extra)
        except BaseException:
            self.close()  # a half-read answer would poison the next request on this connection
            raise

    async def _exchange(self, method: str, path: str, body: bytes | None, extra: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = b"%s %s HTTP/1.1\r\n" % (method.encode(), path.encode()) + self.fixed + extra
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head + b"\r\n" + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        length, chunked, closing = -1, False, False
        for line in raw[:-4].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                closing = b"close" in value.lower()
        if chunked:
            payload = await self._read_chunked()
        elif length >= 0:
            payload = await self.reader.readexactly(length)
        else:
            payload, closing = await self.reader.read(), True
        if closing:
            self.close()
        return status, payload

    async def _read_chunked(self) -> bytes:
        assert self.reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers from our servers
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --------------------------------------------------------------------------------------------
# one virtual user
# --------------------------------------------------------------------------------------------
@dataclass
class Catalog:
    """What the users pick from, read from the server once before any phase."""

    tokens: list[dict[str, str]]  # address, symbol
    lessons: dict[str, list[tuple[str, str, list[str]]]]  # lesson id -> [(question id, kind, option ids)]
    questions: list[str]  # chat questions (the tutor's evaluation set)


@dataclass
class Phase:
    name: str
    users: int
    think_s: float
    warmup_s: float
    duration_s: float
    target: str = "app"  # "app" (the mix), "ceiling", or "probe:<endpoint>" (that endpoint alone)

    def mix(self) -> tuple[list[str], list[int]]:
        """The endpoints this phase's users pick from, and their weights."""
        if self.target == "app":
            return list(MIX), list(MIX.values())
        if self.target == "ceiling":
            return ["ceiling"], [1]
        return [self.target.removeprefix("probe:")], [1]


@dataclass
class Recorder:
    measure_from: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, started_at: float, endpoint: str, outcome: str, ms: float) -> None:
        if started_at >= self.measure_from:
            self.latencies.setdefault(endpoint, []).append(ms)
            self.outcomes[f"{endpoint}|{outcome}"] += 1


def classify(status: int, payload: bytes) -> str:
    if 200 <= status < 300:
        return "ok"
    kind = "?"
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        kind = str(json.loads(payload).get("error"))
    if status in (409, 422) and kind in EXPECTED_KINDS:
        return f"rejected:{kind}"
    return f"error:{status}:{kind}"


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in pairs], weights=[w for _, w in pairs])[0]


class User:
    """A guest's state between requests: what it holds, which quiz attempt and conversation it is in."""

    def __init__(self, token: str, catalog: Catalog, rng: random.Random) -> None:
        self.token, self.catalog, self.rng = token, catalog, rng
        self.held: list[str] = []
        self.lesson_id, self.attempt_id, self.question_index = self._new_lesson(), None, 0
        self.conversation_id: str | None = None
        self.turns = 0

    def _new_lesson(self) -> str:
        return self.rng.choice([lesson for lesson, quiz in self.catalog.lessons.items() if quiz])

    def _token(self) -> str:
        return self.rng.choice(self.catalog.tokens)["address"]

    def request(self, endpoint: str) -> tuple[str, str, bytes | None, bytes]:
        """(method, path, JSON body or None, extra header lines) for the next request of this kind."""
        rng = self.rng
        if endpoint == "token_list":
            path = f"/api/tokens?sort={weighted(rng, SORTS)}&limit=50"
            if rng.random() < 0.1:  # a search: the first letters of a symbol
                path += "&q=" + rng.choice(self.catalog.tokens)["symbol"][:3]
            return "GET", path, None, b""
        if endpoint == "token_page":
            return "GET", f"/api/tokens/{self._token()}", None, b""
        if endpoint == "candles":
            return (
                "GET",
                f"/api/tokens/{self._token()}/candles?tf={weighted(rng, TIMEFRAMES)}&limit=200",
                None,
                b"",
            )
        if endpoint == "portfolio":
            return "GET", "/api/portfolio", None, b""
        if endpoint == "quote":
            body = {"side": "buy", "token": self._token(), "usd_amount": str(rng.choice([1, 2, 5, 10, 20]))}
            return "POST", "/api/portfolio/quote", json.dumps(body).encode(), b""
        if endpoint == "order":
            if self.held and rng.random() < 0.35:
                order: dict[str, str] = {"side": "sell", "token": rng.choice(self.held), "percent": "50"}
            else:
                order = {"side": "buy", "token": self._token(), "usd_amount": "2.00"}
            extra = f"Idempotency-Key: {uuid.uuid4()}\r\n".encode()
            return "POST", "/api/portfolio/orders", json.dumps(order).encode(), extra
        if endpoint == "lesson":
            return "GET", f"/api/learn/lessons/{rng.choice(list(self.catalog.lessons))}", None, b""
        if endpoint == "quiz":
            return "POST", f"/api/learn/lessons/{self.lesson_id}/quiz", self._quiz_body(), b""
        if endpoint == "chat":
            if self.turns >= 4:  # a conversation of a few turns, then a new one
                self.conversation_id, self.turns = None, 0
            chat = {
                "text": rng.choice(self.catalog.questions),
                "level": rng.choice(["eli5", "simple", "pro"]),
                "conversation_id": self.conversation_id,
            }
            return "POST", "/api/chat", json.dumps(chat).encode(), b""
        if endpoint == "ceiling":
            return "GET", "/ceiling", None, b""
        raise ValueError(endpoint)

    def _quiz_body(self) -> bytes:
        question_id, kind, options = self.catalog.lessons[self.lesson_id][self.question_index]
        picked = self.rng.sample(options, 2 if kind == "multiple" and len(options) > 1 else 1)
        body = {
            "answers": [{"question_id": question_id, "option_ids": picked}],
            "attempt_id": self.attempt_id,
        }
        return json.dumps(body).encode()

    def observe(self, endpoint: str, sent: bytes | None, status: int, payload: bytes) -> None:
        """Move this user's state on after an answer (only 2xx answers change anything)."""
        if not 200 <= status < 300:
            if endpoint == "quiz":  # never retry the same answer into a 409: start the lesson's quiz over
                self.lesson_id, self.attempt_id, self.question_index = self._new_lesson(), None, 0
            return
        if endpoint == "order" and sent is not None:
            order = json.loads(sent)
            if order["side"] == "buy" and order["token"] not in self.held:
                self.held.append(order["token"])
        elif endpoint == "quiz":
            reply = json.loads(payload)
            if reply.get("finished"):
                self.lesson_id, self.attempt_id, self.question_index = self._new_lesson(), None, 0
            else:
                self.attempt_id, self.question_index = reply["attempt_id"], self.question_index + 1
        elif endpoint == "chat":
            self.conversation_id, self.turns = json.loads(payload).get("conversation_id"), self.turns + 1


# --------------------------------------------------------------------------------------------
# load-generator processes
# --------------------------------------------------------------------------------------------
async def user_loop(
    user: User, conn: Connection, phase: Phase, start_at: float, end_at: float, recorder: Recorder
) -> None:
    rng = user.rng
    endpoints, weights = phase.mix()
    # Users arrive spread over the first second(s) instead of all at one instant.
    first = (
        rng.expovariate(1 / phase.think_s) if phase.think_s > 0 else rng.uniform(0, min(1.0, phase.warmup_s))
    )
    await asyncio.sleep(max(0.0, start_at + first - time.time()))
    try:
        while time.time() < end_at:
            endpoint = rng.choices(endpoints, weights=weights)[0]
            method, path, body, extra = user.request(endpoint)
            started_at, started = time.time(), time.perf_counter()
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT_S):
                    status, payload = await conn.request(method, path, body, extra)
                outcome = classify(status, payload)
                user.observe(endpoint, body, status, payload)
            except Exception as exc:  # time-outs, resets: errors, never expected
                outcome = f"error:exception:{type(exc).__name__}"
            recorder.add(started_at, endpoint, outcome, (time.perf_counter() - started) * 1000)
            if phase.think_s > 0:
                await asyncio.sleep(rng.expovariate(1 / phase.think_s))
    finally:
        conn.close()


async def cpu_window(measure_from: float, end_at: float) -> float:
    """This process's CPU seconds over the measured window."""
    await asyncio.sleep(max(0.0, measure_from - time.time()))
    before = time.process_time()
    await asyncio.sleep(max(0.0, end_at - time.time()))
    return time.process_time() - before


async def generate(
    port: int, tokens: list[str], catalog: Catalog, phase: Phase, times: tuple[float, float, float], seed: int
) -> dict[str, Any]:
    start_at, measure_from, end_at = times
    recorder = Recorder(measure_from)
    users = []
    for i, token in enumerate(tokens):
        rng = random.Random(seed * 100_003 + i)
        user = User(token, catalog, rng)
        conn = Connection(HOST, port, token)  # the ceiling gets the same headers
        users.append(user_loop(user, conn, phase, start_at, end_at, recorder))
    cpu = asyncio.create_task(cpu_window(measure_from, end_at))
    await asyncio.gather(*users)
    return {"latencies": recorder.latencies, "outcomes": dict(recorder.outcomes), "cpu_s": await cpu}


def worker_main(
    port: int,
    tokens: list[str],
    catalog: Catalog,
    phase: Phase,
    times: tuple[float, float, float],
    seed: int,
    queue: Any,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop (and stops us)
    raise_nofile(len(tokens) + 256)
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop  # cheaper per request than the default loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(generate(port, tokens, catalog, phase, times, seed))
    queue.put(result)


def settle(pid: int, limit_s: float, idle_pct: float = 15.0) -> float:
    """Wait (at most limit_s) until the server is nearly idle; returns its CPU % of a core over the last 1 s.

    Requests whose clients gave up (time-outs) are still being served after a phase ends, and would be
    counted against the next phase."""
    until = time.time() + limit_s
    while True:
        before = tree_cpu_seconds(pid)
        time.sleep(1.0)
        used_pct = (tree_cpu_seconds(pid) - before) * 100
        if used_pct < idle_pct or time.time() >= until:
            return round(float(used_pct), 1)


def run_phase(
    phase: Phase,
    port: int,
    pid: int,
    tokens: list[str],
    catalog: Catalog,
    processes: int,
    profile: tuple[str, Path] | None = None,
) -> dict[str, Any]:
    """Run one phase from separate processes; returns its figures. `profile`: (py-spy, output) records
    the server during the measured window (it slows the server down: figures of such a run are not clean)."""
    ctx = mp.get_context("fork")
    queue: Any = ctx.Queue()
    chosen = tokens[: phase.users]
    chunks = [chunk for chunk in (chosen[i::processes] for i in range(processes)) if chunk]
    start_at = time.time() + 1.0  # time for the processes to start
    measure_from = start_at + phase.warmup_s
    end_at = measure_from + phase.duration_s
    procs = [
        ctx.Process(
            target=worker_main,
            args=(port, chunk, catalog, phase, (start_at, measure_from, end_at), i, queue),
            daemon=True,
        )
        for i, chunk in enumerate(chunks)
    ]
    profiler: subprocess.Popen[bytes] | None = None
    try:
        for proc in procs:
            proc.start()
        time.sleep(max(0.0, measure_from - time.time()))
        if profile:
            profiler = subprocess.Popen(
                [
                    profile[0],
                    "record",
                    "-p",
                    str(pid),
                    "-d",
                    str(int(phase.duration_s)),
                    "-r",
                    "100",
                    "-f",
                    "raw",
                    "-o",
                    str(profile[1]),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        server_before, busy_before = tree_cpu_seconds(pid), system_busy()
        waited_before, lag_before = run_queue_wait_s(pid), loop_lag_buckets(f"http://{HOST}:{port}")
        time.sleep(max(0.0, end_at - time.time()))
        server_after, busy_after = tree_cpu_seconds(pid), system_busy()
        waited_after, lag_after = run_queue_wait_s(pid), loop_lag_buckets(f"http://{HOST}:{port}")
        results = []
        for _ in procs:
            results.append(queue.get(timeout=max(1.0, end_at + REQUEST_TIMEOUT_S + 30 - time.time())))
        for proc in procs:
            proc.join(timeout=10)
    finally:
        if profiler is not None:
            try:
                profiler.wait(timeout=30)  # it stops by itself after the window and writes its file
            except subprocess.TimeoutExpired:
                stop_process(profiler)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
    machine_busy_pct = (busy_after[0] - busy_before[0]) / max(1.0, busy_after[1] - busy_before[1]) * 100
    figures = phase_figures(phase, results, server_after - server_before, machine_busy_pct, len(procs))
    figures["server_cpu_wait_pct"] = round((waited_after - waited_before) / phase.duration_s * 100, 1)
    figures["loop_lag_ms"] = window_percentiles_ms(lag_before, lag_after)
    return figures


def phase_figures(
    phase: Phase, results: list[dict[str, Any]], server_cpu_s: float, machine_busy_pct: float, processes: int
) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {}
    outcomes: Counter[str] = Counter()
    for result in results:
        for endpoint, values in result["latencies"].items():
            latencies.setdefault(endpoint, []).extend(values)
        outcomes.update(result["outcomes"])
    everything = [ms for values in latencies.values() for ms in values]
    requests = len(everything)
    errors = sum(n for key, n in outcomes.items() if key.split("|", 1)[1].startswith("error"))
    rejected = sum(n for key, n in outcomes.items() if key.split("|", 1)[1].startswith("rejected"))
    loadgen_cpu_s = sum(result["cpu_s"] for result in results)
    cores = os.cpu_count() or 1
    server_pct = server_cpu_s / phase.duration_s * 100
    loadgen_pct = loadgen_cpu_s / phase.duration_s * 100
    return {
        "phase": phase.name,
        "target": phase.target,
        "users": phase.users,
        "think_ms_mean": round(phase.think_s * 1000),
        "window_s": phase.duration_s,
        "load_processes": processes,
        "requests": requests,
        "offered_rps": round(phase.users / phase.think_s, 1) if phase.think_s > 0 else None,
        "achieved_rps": round(requests / phase.duration_s, 1),
        # Requests answered without an error (expected rejections included): what users actually got.
        "answered_rps": round((requests - errors) / phase.duration_s, 1),
        "latency": summarize(everything),
        "by_endpoint": {e: summarize(latencies[e]) for e in ENDPOINTS if e in latencies},
        "errors": errors,
        "error_rate_pct": round(errors / requests * 100, 3) if requests else None,
        "rejected": rejected,
        "outcomes": dict(sorted(outcomes.items())),
        "server_cpu_pct_of_core": round(server_pct, 1),
        "server_cpu_ms_per_request": round(server_cpu_s * 1000 / requests, 2) if requests else None,
        "loadgen_cpu_pct_of_core": round(loadgen_pct, 1),
        "loadgen_cpu_us_per_request": round(loadgen_cpu_s * 1e6 / requests, 1) if requests else None,
        "machine_busy_pct": round(machine_busy_pct, 1),
        # What the rest of the machine (other jobs) took, in % of one core.
        "other_cpu_pct_of_core": round(max(0.0, machine_busy_pct * cores - server_pct - loadgen_pct), 1),
    }


# --------------------------------------------------------------------------------------------
# set-up: guests, what they pick from, a warm server
# --------------------------------------------------------------------------------------------
async def new_guests(base: str, count: int) -> list[str]:
    """One guest session per user (and its portfolio, as the app's first screen creates it)."""
    import httpx

    gate = asyncio.Semaphore(16)

    async def one(http: httpx.AsyncClient) -> str:
        async with gate:
            response = await http.post("/api/session")
            response.raise_for_status()
            token = str(response.json()["token"])
            reply = await http.get("/api/portfolio", headers={"Authorization": f"Bearer {token}"})
            reply.raise_for_status()
            return token

    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30, limits=limits) as http:
        return list(await asyncio.gather(*(one(http) for _ in range(count))))


async def read_catalog(base: str, token: str) -> Catalog:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30, headers=headers) as http:
        listed = (await http.get("/api/tokens", params={"limit": 100})).raise_for_status().json()["items"]
        tokens = [{"address": t["address"], "symbol": t["symbol"]} for t in listed]
        paths = (await http.get("/api/learn/paths")).raise_for_status().json()["paths"]
        lessons: dict[str, list[tuple[str, str, list[str]]]] = {}
        for lesson_id in [lesson["id"] for path in paths for lesson in path["lessons"]]:
            lesson = (await http.get(f"/api/learn/lessons/{lesson_id}")).raise_for_status().json()
            lessons[lesson_id] = [
                (q["id"], q["kind"], [o["id"] for o in q["options"]]) for q in lesson["quiz"]
            ]
    lines = EVAL_SET.read_text(encoding="utf-8").splitlines()
    questions = [str(json.loads(line)["question"]) for line in lines if line.strip()]
    if not tokens or not lessons or not questions:
        raise RuntimeError("the server listed no tokens or lessons, or the chat question set is empty")
    return Catalog(tokens, lessons, questions)


async def warm_up(base: str, token: str) -> float:
    """The tutor builds its knowledge index on its first question: do that before anything is measured."""
    import httpx

    started = time.time()
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=180) as http:
        reply = await http.post(
            "/api/chat", json={"text": "What is a wallet?"}, headers={"Authorization": f"Bearer {token}"}
        )
        reply.raise_for_status()
    return time.time() - started


class Ceiling:
    """bench/api/ceiling.py under the backend venv's uvicorn, on a free loopback port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_dir / "ceiling.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(VENV_BIN / "uvicorn"),
                    "ceiling:app",
                    "--app-dir",
                    str(HERE),
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--loop",
                    "asyncio",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_ready(f"http://{HOST}:{self.port}", self.proc, 30, self.log_path, path="/ceiling")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def drop_redis_keys(url: str, prefix: str) -> None:
    """Remove this run's keys (sessions, rate-limit counters, chat buffers) from the bench Redis db."""
    import redis

    with contextlib.suppress(Exception), redis.Redis.from_url(url, socket_timeout=5) as client:
        batch = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(batch), 1000):
            client.delete(*batch[start : start + 1000])


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------
def phases(args: argparse.Namespace) -> list[Phase]:
    think_s = args.think_ms / 1000
    planned = [Phase(f"{n} users", n, think_s, args.warmup_s, args.duration_s) for n in args.user_levels]
    sat = args.saturation_users
    if args.saturation_s > 0:  # 0: the think-time phases only
        planned.append(Phase(f"saturation {sat} users", sat, 0.0, args.warmup_s, args.saturation_s))
    if args.probe_s > 0:  # each endpoint alone: what one request of it costs the server
        planned += [
            Phase(f"{e} alone", PROBE_USERS, 0.0, 1.0, args.probe_s, target=f"probe:{e}") for e in MIX
        ]
    if args.saturation_s > 0:
        planned.append(
            Phase(f"ceiling {sat} users", sat, 0.0, args.warmup_s, args.saturation_s, target="ceiling")
        )
    return planned


def say(figures: dict[str, Any]) -> None:
    lat = figures["latency"]
    offered = f"offered {figures['offered_rps']}/s, " if figures["offered_rps"] else ""
    print(
        f"  {figures['phase']}: {offered}achieved {figures['achieved_rps']} req/s; p50 {lat.get('p50_ms')} "
        f"p95 {lat.get('p95_ms')} p99 {lat.get('p99_ms')} ms; errors {figures['errors']}, rejected "
        f"{figures['rejected']}; server CPU {figures['server_cpu_pct_of_core']}% of a core, load generator "
        f"{figures['loadgen_cpu_pct_of_core']}%, machine {figures['machine_busy_pct']}% busy; the server "
        f"waited for a CPU {figures.get('server_cpu_wait_pct')}% of the time; loop lag p99 "
        f"≤ {(figures.get('loop_lag_ms') or {}).get('p99_le_ms')} ms",
        flush=True,
    )


def run(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    prefix = f"bench-api:{uuid.uuid4().hex[:8]}:"
    extra = {"EAILI5_KV_PREFIX": prefix}
    if args.db_pool_size:
        extra["EAILI5_DB_POOL_SIZE"] = str(args.db_pool_size)
    plan = phases(args)
    busy_before = wait_quiet(args.wait_quiet_s) if args.wait_quiet_s > 0 else None
    asyncio.run(fresh_database(args.database_url))
    server = Server(log_dir, database_url=args.database_url, redis_url=args.redis_url, extra_env=extra)
    ceiling = Ceiling(log_dir)
    results: list[dict[str, Any]] = []
    try:
        server.migrate()
        server.start(*(["--workers", str(args.server_workers)] if args.server_workers > 1 else []))
        print(f"server on {server.base} (pid {server.pid}); logs in {log_dir}", flush=True)
        started = time.time()
        tokens = asyncio.run(new_guests(server.base, max(p.users for p in plan)))
        catalog = asyncio.run(read_catalog(server.base, tokens[0]))
        warm_s = asyncio.run(warm_up(server.base, tokens[-1]))
        print(
            f"{len(tokens)} guests, {len(catalog.tokens)} tokens, {len(catalog.lessons)} lessons in "
            f"{time.time() - started:.1f} s (tutor warm-up {warm_s:.1f} s)",
            flush=True,
        )
        for phase in plan:
            if phase.target == "ceiling":
                server.stop()  # its background work (market ticks) would otherwise eat into the ceiling
                ceiling.start()
                port, pid = ceiling.port, ceiling.proc.pid if ceiling.proc else 0
            else:
                port, pid = server.port, server.pid
            idle_pct = settle(pid, args.settle_s)
            print(
                f"{phase.name}: server at {idle_pct:.0f}% of a core before; warm-up {phase.warmup_s:.0f} s, "
                f"measuring {phase.duration_s:.0f} s ...",
                flush=True,
            )
            profile = None
            if args.py_spy and phase.target == "app":
                profile = (args.py_spy, log_dir / f"py-spy-{phase.name.replace(' ', '-')}.txt")
            figures = run_phase(phase, port, pid, tokens, catalog, args.processes, profile)
            figures["server_cpu_pct_before"] = idle_pct
            results.append(figures)
            say(figures)
    finally:
        ceiling.stop()
        server.stop()
        drop_redis_keys(args.redis_url, prefix)
    return summary(args, results, busy_before)


def command_args() -> list[str]:
    """This run's arguments without the --note text (the report prints the note on its own)."""
    argv, kept = sys.argv[1:], []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note="):
            kept.append(arg)
    return kept


def summary(
    args: argparse.Namespace, results: list[dict[str, Any]], busy_before: float | None
) -> dict[str, Any]:
    at_target = next(
        (
            r
            for r in results
            if r["target"] == "app" and r["users"] == TARGET_USERS and r["think_ms_mean"] > 0
        ),
        None,
    )
    verdict: dict[str, Any] = {"users": TARGET_USERS, "p95_ms": TARGET_P95_MS, "p99_ms": TARGET_P99_MS}
    if at_target:
        lat = at_target["latency"]
        verdict.update(
            measured_p95_ms=lat.get("p95_ms"),
            measured_p99_ms=lat.get("p99_ms"),
            errors=at_target["errors"],
            met=bool(
                lat.get("p95_ms", 1e9) < TARGET_P95_MS
                and lat.get("p99_ms", 1e9) < TARGET_P99_MS
                and at_target["errors"] == 0
            ),
        )
    else:
        verdict["met"] = None  # no phase at the target's user count
    saturation = next((r for r in results if r["target"] == "app" and r["think_ms_mean"] == 0), None)
    ceiling = next((r for r in results if r["target"] == "ceiling"), None)
    ratio = None
    if saturation and ceiling and ceiling["achieved_rps"]:
        ratio = round(saturation["achieved_rps"] / ceiling["achieved_rps"], 3)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "backend/.venv/bin/python bench/api/run.py "
        + " ".join(shlex.quote(a) for a in command_args()),
        "storage": "postgresql + redis",
        "database_url": args.database_url,
        "redis_url": args.redis_url,
        "db_pool_size": args.db_pool_size or "server default",
        "server_workers": args.server_workers,
        "niceness": args.nice,
        "mix_weights_pct": MIX,
        "think_ms_mean": args.think_ms,
        "request_timeout_s": REQUEST_TIMEOUT_S,
        "phases": [r for r in results if not r["target"].startswith("probe:")],
        "probes": [r for r in results if r["target"].startswith("probe:")],
        "ceiling_ratio": ratio,
        "verdict": verdict,
        "machine_busy_pct_before": busy_before,
        "machine": machine_info(),
    }


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------
PHASE_COLUMNS = [
    "phase",
    "offered req/s",
    "achieved req/s",
    "answered req/s",
    "requests",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "errors",
    "rejected",
    "server CPU % of a core (ms/req)",
    "load gen CPU % (µs/req)",
    "machine busy %",
    "server waiting for a CPU %",
    "loop lag p99 ms (≤)",
    "server CPU % before",
]


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def phase_row(r: dict[str, Any]) -> list[Any]:
    lat = r["latency"]
    return [
        r["phase"],
        r["offered_rps"] if r["offered_rps"] is not None else "closed loop",
        f"**{r['achieved_rps']}**",
        r.get("answered_rps"),
        r["requests"],
        lat.get("p50_ms"),
        lat.get("p95_ms"),
        lat.get("p99_ms"),
        lat.get("max_ms"),
        f"{r['errors']} ({r['error_rate_pct']}%)",
        r["rejected"],
        f"{r['server_cpu_pct_of_core']} ({r['server_cpu_ms_per_request']})",
        f"{r['loadgen_cpu_pct_of_core']} ({r['loadgen_cpu_us_per_request']})",
        r["machine_busy_pct"],
        r.get("server_cpu_wait_pct"),
        (r.get("loop_lag_ms") or {}).get("p99_le_ms"),
        r.get("server_cpu_pct_before"),
    ]


def cell(stats: dict[str, Any] | None) -> str:
    if not stats or not stats.get("count"):
        return "–"
    return f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['p99_ms']}"


def verdict_line(v: dict[str, Any]) -> str:
    if v.get("met") is None:
        return f"no phase at {v['users']} users: no verdict"
    return (
        f"at {v['users']} users p95 {v['measured_p95_ms']} ms (target < {v['p95_ms']:.0f}), p99 "
        f"{v['measured_p99_ms']} ms (target < {v['p99_ms']:.0f}), errors {v['errors']}: "
        f"**{'met' if v['met'] else 'NOT met'}**"
    )


def probe_row(r: dict[str, Any]) -> list[Any]:
    lat = r["latency"]
    return [
        r["target"].removeprefix("probe:"),
        r["achieved_rps"],
        f"**{r['server_cpu_ms_per_request']}**",
        r["server_cpu_pct_of_core"],
        lat.get("p50_ms"),
        lat.get("p99_ms"),
        r["rejected"],
        r["errors"],
    ]


def report_section(result: dict[str, Any], note: str) -> str:
    phases_, probes = result["phases"], result.get("probes", [])
    app = [r for r in phases_ if r["target"] == "app"]
    endpoints = table(
        ["endpoint", "share", *(r["phase"] for r in app)],
        [[e, f"{MIX[e]}%", *(cell(r["by_endpoint"].get(e)) for r in app)] for e in MIX],
    )
    problems: Counter[str] = Counter()
    for r in [*phases_, *probes]:
        for key, n in r["outcomes"].items():
            if not key.endswith("|ok"):
                problems[f"{r['phase']}: {key}"] += n
    problem_lines = "\n".join(f"- `{key}`: {n}" for key, n in sorted(problems.items())) or "- none"
    ratio = result["ceiling_ratio"]
    ceiling_line = (
        f"saturation throughput is **{ratio:.1%}** of the bare Starlette/uvicorn ceiling on the same machine"
        if ratio is not None
        else "no ceiling comparison in this run"
    )
    m, busy = result["machine"], result["machine_busy_pct_before"]
    busy_text = (
        f"{busy}% busy before the start" if busy is not None else "not checked for quiet before the start"
    )
    processes = phases_[0]["load_processes"] if phases_ else "?"
    return f"""
## {result["when"]} — {", ".join(r["phase"] for r in phases_)}

{note}

`{result["command"]}` — {result["storage"]}, DB pool {result["db_pool_size"]},
server workers {result.get("server_workers", 1)}, niceness {result["niceness"]},
think time exponential,
mean {result["think_ms_mean"]:.0f} ms; {processes} load-generator processes. Machine: {m["nproc"]} ×
{m["cpu_model"]}, {m["ram_gib"]} GiB, Python {m["python"]}; {busy_text}, load average {m["load_avg_1m"]}
(1 min) at the end.

- Verdict: {verdict_line(result["verdict"])}.
- Ceiling: {ceiling_line}.

{table(PHASE_COLUMNS, [phase_row(r) for r in phases_])}

Per endpoint, p50 / p95 / p99 ms:

{endpoints}

{probe_text(probes)}
Rejections and errors:
{problem_lines}
"""


def probe_text(probes: list[dict[str, Any]]) -> str:
    if not probes:
        return ""
    header = [
        "endpoint",
        "req/s",
        "server CPU ms/req",
        "server CPU %",
        "p50 ms",
        "p99 ms",
        "rejected",
        "errors",
    ]
    window = probes[0]["window_s"]
    return f"""
Each endpoint alone ({PROBE_USERS} users, no think time, {window:.0f} s): what one request costs the server.

{table(header, [probe_row(r) for r in probes])}
"""


def write_report(result: dict[str, Any], note: str) -> None:
    (HERE / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    report = HERE / "REPORT.md"
    if not report.exists():
        report.write_text(
            "# API benchmark — results\n\nHow to run and what is measured: `run.py`'s docstring and "
            "`bench/README.md`. Newest run last.\n"
        )
    with report.open("a") as handle:
        handle.write(report_section(result, note))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", default="50,200,500", help="comma-separated user counts, one phase each")
    parser.add_argument("--duration-s", type=float, default=40.0, help="measured window of each users phase")
    parser.add_argument(
        "--warmup-s", type=float, default=5.0, help="ramp-up before each window (not recorded)"
    )
    parser.add_argument(
        "--think-ms", type=float, default=1000.0, help="mean think time (exponential) per user"
    )
    parser.add_argument("--saturation-users", type=int, default=50, help="users in the think-time-0 phases")
    parser.add_argument(
        "--saturation-s",
        type=float,
        default=30.0,
        help="measured window of the saturation and ceiling phases (0: none)",
    )
    parser.add_argument(
        "--probe-s", type=float, default=4.0, help="window of each single-endpoint cost probe (0: none)"
    )
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--db-pool-size", type=int, default=0, help="EAILI5_DB_POOL_SIZE (0: the server default)"
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=1,
        help="`eaili5 serve --workers N`: server processes (CPU figures cover all of them, in %% of one core)",
    )
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/eaili5_bench_api")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--wait-quiet-s", type=float, default=30.0, help="wait up to this for an idle machine"
    )
    parser.add_argument(
        "--settle-s",
        type=float,
        default=60.0,
        help="wait up to this for the server to go idle between phases",
    )
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of the run (negative: ahead of other jobs; needs root)"
    )
    parser.add_argument("--max-minutes", type=float, default=12.0)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20 users, 10 s windows, nothing written"
    )
    parser.add_argument("--py-spy", default=None, help="path to py-spy: record the server in each app phase")
    parser.add_argument("--no-write", action="store_true", help="do not update latest.json / REPORT.md")
    parser.add_argument("--note", default="", help="context to record with the figures (e.g. a busy machine)")
    args = parser.parse_args()
    if args.quick:
        args.users, args.duration_s, args.saturation_s, args.warmup_s = "20", 10.0, 10.0, 2.0
        args.saturation_users, args.wait_quiet_s, args.no_write, args.probe_s = 20, 0.0, True, 2.0
    args.user_levels = [int(n) for n in args.users.split(",") if n.strip()]
    if not args.user_levels or min(args.user_levels) < 1 or args.processes < 1 or args.saturation_users < 1:
        parser.error("--users, --saturation-users and --processes must be positive")
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    return args


def set_niceness(nice: int) -> int:
    """Run this process and all it starts (server, load generators) at `nice`: on a machine shared with other
    jobs a negative value (root only) approximates a quiet machine; the report records it."""
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        except OSError as exc:
            print(f"could not set niceness {nice}: {exc}", file=sys.stderr)
    return os.getpriority(os.PRIO_PROCESS, 0)


def main() -> int:
    args = parse_args()
    args.nice = set_niceness(args.nice)
    raise_nofile(max([*args.user_levels, args.saturation_users]) * 2 + 1024)  # the server inherits it

    def stop(signum: int, _: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every finally: processes stopped

    def too_long(*_: Any) -> None:
        raise TimeoutError(f"benchmark exceeded --max-minutes {args.max_minutes}")

    signal.signal(
        signal.SIGINT, signal.default_int_handler
    )  # even when started from a script that ignores it
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(int(args.max_minutes * 60))
    log_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-api-"))
    try:
        result = run(args, log_dir)
    except (KeyboardInterrupt, TimeoutError) as exc:
        print(
            f"stopped ({exc or 'interrupted'}): the server and load generators are stopped", file=sys.stderr
        )
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        signal.alarm(0)
    if not args.py_spy:  # the server's data and log are only worth keeping to read a profile or a failure
        shutil.rmtree(log_dir, ignore_errors=True)
    print(json.dumps({k: v for k, v in result.items() if k not in ("phases", "probes")}, indent=2))
    print(report_section(result, args.note))
    if not args.no_write:
        write_report(result, args.note)
        print(f"wrote {HERE / 'latest.json'} and appended to {HERE / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
