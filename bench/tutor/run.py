#!/usr/bin/env python3
"""Tutor latency benchmark: concurrent conversations with the offline tutor on ONE server instance.

    backend/.venv/bin/python bench/tutor/run.py [--conversations 200] [--turns 5] [--think-ms 15000] [--quick]
        [--pg | --database-url postgresql://postgres@127.0.0.1:5432/eaili5_bench_tutor
               --redis-url redis://127.0.0.1:6379/13]
        [--py-spy backend/.venv/bin/py-spy] [--note "..."]

Starts one `eaili5 serve` (its own process; SQLite in a throwaway data dir and the in-process KV by
default; PostgreSQL + Redis with `--pg` or both URLs: the database is created afresh and migrated,
Redis keys get a fresh prefix), warms it with one question (the knowledge index is built on first use),
then runs N conversations at once: each is its own guest on its own WebSocket, asks `--turns` questions
from the shared evaluation set one after another over `chat.send`, and pauses a random 0–2×`--think-ms`
between a reply and the next question, as a person reading would (so the server sees an offered rate,
not a closed-loop burst; `--think-ms 0` gives the burst). Each question is timed from `chat.send` to
its first `chat.*` frame and to its `chat.done`; the report gives p50/p95/p99/max, the offered rate,
and the CPU the server and the rest of the machine used. Targets: first frame p99 < 50 ms, full reply
p99 < 300 ms. `--quick` is a smoke run (50 × 3, shorter pauses), not a measurement to compare.

Bounded: every wait has a deadline, the run has --max-minutes, all traffic goes to 127.0.0.1.
Writes bench/tutor/latest.json and appends a section to bench/tutor/REPORT.md (unless --no-report).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
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

from common import (  # after the path set-up above
    REPO,
    Server,
    busy_percent_since,
    check_local,
    cpu_seconds,
    fresh_database,
    log,
    machine_info,
    summarize,
    system_busy,
)

HERE = Path(__file__).resolve().parent
PROFILE_DIR = Path(tempfile.gettempdir())  # profiles stay out of the repository
EVAL_SET = REPO / "backend" / "tests" / "tutor" / "data" / "tutor-dev.jsonl"
TARGET_FIRST_P99_MS, TARGET_FULL_P99_MS = 50.0, 300.0
LEVELS = ("eli5", "simple", "pro")
PG_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/eaili5_bench_tutor"
PG_REDIS_URL = "redis://127.0.0.1:6379/13"
QUICK = {"conversations": 50, "turns": 3, "think_ms": 3000.0}


def stats(values: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in ms, the shape latest.json has always had (bench/report.py reads it)."""
    summary = summarize(values)
    return {key: round(summary[f"{key}_ms"], 1) for key in ("p50", "p95", "p99", "max") if f"{key}_ms" in summary}


def questions() -> list[str]:
    items = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item["question"] for item in items if item.get("question")]


class Conversation:
    """One learner: a guest session, one socket, `turns` questions in a row."""

    def __init__(self, index: int, base: str, asks: list[str], think_ms: float, deadline: float) -> None:
        self.index, self.base, self.asks = index, base, asks
        self.think_ms, self.deadline = think_ms, deadline
        self.first_ms: list[float] = []
        self.full_ms: list[float] = []
        self.first_types: dict[str, int] = {}
        self.errors: list[str] = []
        self.engines: set[str] = set()

    async def run(self, token: str, start: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.base.replace("http", "ws") + "/ws", max_size=2**22) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "ready"
            await start.wait()
            if self.think_ms:
                await asyncio.sleep(random.uniform(0, 2 * self.think_ms) / 1000)  # spread the first questions
            conversation_id = None
            for turn, question in enumerate(self.asks):
                if time.monotonic() > self.deadline:
                    self.errors.append("deadline")
                    return
                conversation_id = await self._ask(ws, f"{self.index}-{turn}", question, conversation_id)
                if self.think_ms:
                    await asyncio.sleep(random.uniform(0, 2 * self.think_ms) / 1000)

    async def _ask(self, ws: Any, frame_id: str, question: str, conversation_id: str | None) -> str | None:
        frame: dict[str, Any] = {"type": "chat.send", "id": frame_id, "text": question[:2000],
                                 "level": random.choice(LEVELS)}
        if conversation_id:
            frame["conversation_id"] = conversation_id
        sent = time.perf_counter()
        await ws.send(json.dumps(frame))
        first = None
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if reply.get("id") != frame_id:
                continue
            now = time.perf_counter()
            if first is None:
                first = now
                self.first_ms.append((now - sent) * 1000)
                kind = str(reply.get("type"))
                self.first_types[kind] = self.first_types.get(kind, 0) + 1
            if reply["type"] == "chat.done":
                self.full_ms.append((now - sent) * 1000)
                self.engines.add(str(reply.get("engine")))
                return str(reply["conversation_id"])
            if reply["type"] in ("chat.error", "error"):
                self.errors.append(str(reply.get("code")))
                return conversation_id


async def new_tokens(base: str, count: int) -> list[str]:
    import httpx

    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as http:
        tokens = []
        for _ in range(count):  # one by one: this is set-up, not the measurement
            response = await http.post("/api/session")
            response.raise_for_status()
            tokens.append(response.json()["token"])
        return tokens


async def warm_up(base: str, token: str) -> float:
    """One question before measuring: the knowledge index is built on the first one."""
    import httpx

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=120) as http:
        response = await http.post("/api/chat", json={"text": "what is a wallet"},
                                   headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
    return time.perf_counter() - started


def start_py_spy(py_spy: str | None, pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    if not py_spy:
        return None
    return subprocess.Popen(
        [py_spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100", "-f", "raw",
         "-o", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


async def measure(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    pool = questions()
    tokens = await new_tokens(server.base, args.conversations + 1)
    warm_seconds = await warm_up(server.base, tokens.pop())
    deadline = time.monotonic() + args.max_minutes * 60
    conversations = [
        Conversation(i, server.base, random.sample(pool, args.turns), args.think_ms, deadline)
        for i in range(args.conversations)
    ]
    start = asyncio.Event()
    tasks = [asyncio.create_task(c.run(token, start)) for c, token in zip(conversations, tokens, strict=True)]
    await asyncio.sleep(1.0)  # every socket authenticated before the clock starts
    spy_out = PROFILE_DIR / "eaili5-bench-tutor-py-spy.txt"
    spy = start_py_spy(args.py_spy, server.pid, args.max_minutes * 60, spy_out)
    cpu_before, busy_before, wall_before = cpu_seconds(server.pid), system_busy(), time.monotonic()
    start.set()
    done, pending = await asyncio.wait(tasks, timeout=args.max_minutes * 60)
    for task in pending:
        task.cancel()
    failures = [repr(task.exception()) for task in done if task.exception() is not None]
    wall = time.monotonic() - wall_before
    cpu = cpu_seconds(server.pid) - cpu_before
    machine_pct = busy_percent_since(busy_before)
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it recorded so far on Ctrl-C
        try:
            spy.wait(timeout=20)
        except subprocess.TimeoutExpired:
            spy.kill()
    first = [ms for c in conversations for ms in c.first_ms]
    full = [ms for c in conversations for ms in c.full_ms]
    errors = [e for c in conversations for e in c.errors] + failures
    first_types: dict[str, int] = {}
    for c in conversations:
        for kind, count in c.first_types.items():
            first_types[kind] = first_types.get(kind, 0) + count
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "storage": "postgresql+redis" if args.database_url else "sqlite+memory",
        "quick": args.quick,
        "conversations": args.conversations,
        "turns": args.turns,
        "think_ms_mean": args.think_ms,
        "replies": len(full),
        "errors": errors[:20],
        "error_count": len(errors),
        "engines": sorted({e for c in conversations for e in c.engines}),
        "first_frame_types": first_types,
        "wall_seconds": round(wall, 1),
        "replies_per_second": round(len(full) / wall, 1) if wall else 0.0,
        "server_cpu_pct": round(100 * cpu / wall, 1) if wall else 0.0,
        "machine_busy_pct_of_all_cores": machine_pct,
        "warm_up_seconds": round(warm_seconds, 1),
        "first_frame_ms": stats(first),
        "full_reply_ms": stats(full),
        "targets": {"first_frame_p99_ms": TARGET_FIRST_P99_MS, "full_reply_p99_ms": TARGET_FULL_P99_MS},
        "machine": machine_info(),
        "note": args.note,
    }


def report(result: dict[str, Any]) -> str:
    first, full = result["first_frame_ms"], result["full_reply_ms"]
    ok_first = first.get("p99", float("inf")) < TARGET_FIRST_P99_MS
    ok_full = full.get("p99", float("inf")) < TARGET_FULL_P99_MS
    machine = result["machine"]

    def row(name: str, stats: dict[str, Any], target: float, ok: bool) -> str:
        values = " | ".join(str(stats.get(key, "–")) for key in ("p50", "p95", "p99", "max"))
        return f"| {name} | {values} | < {target:g} {'✓' if ok else '✗'} |"

    lines = [
        (
            f"### {result['when']} — {result['conversations']} conversations × {result['turns']} turns, "
            f"think {result['think_ms_mean']:g} ms mean, {result['storage']}"
            f"{' (--quick)' if result['quick'] else ''}"
        ),
        "",
    ]
    if result["note"]:
        lines += [result["note"], ""]
    lines += [
        "| | p50 | p95 | p99 | max | target p99 |",
        "|---|---|---|---|---|---|",
        row("first frame (ms)", first, TARGET_FIRST_P99_MS, ok_first),
        row("full reply (ms)", full, TARGET_FULL_P99_MS, ok_full),
        "",
        (f"{result['replies']} replies in {result['wall_seconds']} s ({result['replies_per_second']}/s), "
        f"errors {result['error_count']}, engines {', '.join(result['engines'])}, first frames "
        f"{', '.join(f'{k} {v}' for k, v in sorted(result['first_frame_types'].items()))}; server CPU "
        f"{result['server_cpu_pct']}% of one core, whole machine {result['machine_busy_pct_of_all_cores']}% "
        f"of {machine['nproc']} cores (load generator and other jobs included), load average "
        f"{machine['load_avg_1m']} (1 min) at the end; warm-up {result['warm_up_seconds']} s."),
        "",
    ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--think-ms", type=float, default=15000.0, help="mean pause between turns (0: burst)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 conversations × 3, 3 s pauses")
    parser.add_argument("--pg", action="store_true", help=f"PostgreSQL + Redis at {PG_DATABASE_URL}, {PG_REDIS_URL}")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--max-minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--py-spy", default=None,
                        help=f"path to py-spy: record the server (raw stacks in {PROFILE_DIR})")
    parser.add_argument("--note", default="", help="context to record with the figures (e.g. a busy machine)")
    parser.add_argument("--no-report", action="store_true", help="print only; do not write latest.json/REPORT.md")
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    if args.pg:
        args.database_url = args.database_url or PG_DATABASE_URL
        args.redis_url = args.redis_url or PG_REDIS_URL
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("give both --database-url and --redis-url (or --pg), or neither")
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    if not 1 <= args.conversations <= 2000 or not 1 <= args.turns <= 50:
        parser.error("--conversations 1..2000, --turns 1..50")
    return args


def main() -> int:
    args = parse_args()
    random.seed(args.seed)
    if args.database_url:
        asyncio.run(fresh_database(args.database_url))
    data_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-tutor-"))
    server = Server(
        data_dir,
        database_url=args.database_url,
        redis_url=args.redis_url,
        extra_env={"EAILI5_KV_PREFIX": f"bench-tutor:{uuid.uuid4().hex[:8]}:"},
        label="tutor",
    )
    try:
        server.migrate()
        server.start()
        result = asyncio.run(measure(args, server))
    finally:
        server.stop()
        slow = [line for line in server.log_path.read_text(errors="replace").splitlines() if "Executing" in line]
        if slow:  # only with PYTHONASYNCIODEBUG=1 in the environment: callbacks that held the loop > 100 ms
            (PROFILE_DIR / "eaili5-bench-tutor-slow-callbacks.txt").write_text("\n".join(slow) + "\n")
            where = PROFILE_DIR / "eaili5-bench-tutor-slow-callbacks.txt"
            log(f"{len(slow)} slow-callback warnings in the server log: {where}")
        shutil.rmtree(data_dir, ignore_errors=True)
    text = report(result)
    print(json.dumps(result, indent=2))
    print(text)
    if not args.no_report:
        (HERE / "latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        with (HERE / "REPORT.md").open("a", encoding="utf-8") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
