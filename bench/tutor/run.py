#!/usr/bin/env python3
"""Tutor latency benchmark: concurrent conversations with the offline tutor on ONE server instance.

    backend/.venv/bin/python bench/tutor/run.py [--conversations 200] [--turns 5] [--think-ms 15000]
        [--redis-url redis://127.0.0.1:6379/14 --database-url postgresql://postgres@127.0.0.1:5432/bench]

Starts one `eaili5 serve` (its own process; SQLite in a throwaway data dir and the in-process KV by
default), warms it with one question (the knowledge index is built on first use), then runs N
conversations at once: each is its own guest on its own WebSocket, asks `--turns` questions from the
shared evaluation set one after another over `chat.send`, and pauses a random 0–2×`--think-ms` between
a reply and the next question, as a person reading would (so the server sees an offered rate, not a
closed-loop burst; `--think-ms 0` gives the burst). Each question is timed from `chat.send` to its first
`chat.*` frame and to its `chat.done`; the report gives p50/p95/p99/max, the offered rate, and the CPU
the server and the rest of the machine used. Targets: first frame p99 < 50 ms, full reply p99 < 300 ms.

Bounded: every wait has a deadline, the run has --max-minutes, all traffic goes to 127.0.0.1.
Writes bench/tutor/latest.json and appends a section to bench/tutor/REPORT.md (unless --no-report).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
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
EVAL_SET = REPO / "backend" / "tests" / "tutor" / "data" / "tutor-dev.jsonl"
HOST = "127.0.0.1"
TARGET_FIRST_P99_MS, TARGET_FULL_P99_MS = 50.0, 300.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
LEVELS = ("eli5", "simple", "pro")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> tuple[float, float]:
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return float(sum(parts) - idle), float(sum(parts))


def questions() -> list[str]:
    items = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item["question"] for item in items if item.get("question")]


def check_local(url: str | None, what: str) -> None:
    if url and (urlsplit(url).hostname or "") not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"{what} must point at this machine: {url}")


class Server:
    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        self.args, self.data_dir = args, data_dir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed in stop()

    def env(self) -> dict[str, str]:
        dropped = {"DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "TAVILY_API_KEY"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("EAILI5_") and k not in dropped}
        env.update(
            EAILI5_DATA_DIR=str(self.data_dir),
            EAILI5_LOG_LEVEL="WARNING",
            EAILI5_RATE_LIMIT_DEFAULT="1000000/minute",
            EAILI5_RATE_LIMIT_SESSION_CREATE="1000000/minute",
            EAILI5_TUTOR_RATE_LIMIT="1000/minute",
            EAILI5_TUTOR_DAILY_CAP="1000000",
        )
        if self.args.database_url:
            env["DATABASE_URL"] = self.args.database_url
        if self.args.redis_url:
            env["REDIS_URL"] = self.args.redis_url
        return env

    def start(self) -> None:
        import httpx

        subprocess.run([str(VENV_BIN / "eaili5"), "migrate"], env=self.env(), check=True, timeout=180,
                       stdout=subprocess.DEVNULL)
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "eaili5"), "serve", "--host", HOST, "--port", str(self.port)],
            env=self.env(), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 90
        with httpx.Client(base_url=self.base, trust_env=False, timeout=2) as http:
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
                with contextlib.suppress(httpx.HTTPError):
                    if http.get("/readyz").status_code == 200:
                        return
                time.sleep(0.25)
        raise RuntimeError("server not ready within 90 s")

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


class Conversation:
    """One learner: a guest session, one socket, `turns` questions in a row."""

    def __init__(self, index: int, server: Server, asks: list[str], think_ms: float, deadline: float) -> None:
        self.index, self.server, self.asks = index, server, asks
        self.think_ms, self.deadline = think_ms, deadline
        self.first_ms: list[float] = []
        self.full_ms: list[float] = []
        self.errors: list[str] = []
        self.engines: set[str] = set()

    async def run(self, token: str, start: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.server.base.replace("http", "ws") + "/ws", max_size=2**22) as ws:
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
            if reply["type"] == "chat.done":
                self.full_ms.append((now - sent) * 1000)
                self.engines.add(str(reply.get("engine")))
                return str(reply["conversation_id"])
            if reply["type"] in ("chat.error", "error"):
                self.errors.append(str(reply.get("code")))
                return conversation_id


async def new_tokens(server: Server, count: int) -> list[str]:
    import httpx

    async with httpx.AsyncClient(base_url=server.base, trust_env=False, timeout=30) as http:
        tokens = []
        for _ in range(count):  # one by one: this is set-up, not the measurement
            response = await http.post("/api/session")
            response.raise_for_status()
            tokens.append(response.json()["token"])
        return tokens


async def warm_up(server: Server, token: str) -> float:
    """One question before measuring: the knowledge index is built on the first one."""
    import httpx

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base, trust_env=False, timeout=120) as http:
        response = await http.post("/api/chat", json={"text": "what is a wallet"},
                                   headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
    return time.perf_counter() - started


async def measure(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    pool = questions()
    tokens = await new_tokens(server, args.conversations + 1)
    warm_seconds = await warm_up(server, tokens.pop())
    deadline = time.monotonic() + args.max_minutes * 60
    conversations = [
        Conversation(i, server, random.sample(pool, args.turns), args.think_ms, deadline)
        for i in range(args.conversations)
    ]
    start = asyncio.Event()
    tasks = [asyncio.create_task(c.run(token, start)) for c, token in zip(conversations, tokens, strict=True)]
    await asyncio.sleep(1.0)  # every socket authenticated before the clock starts
    cpu_before, busy_before, wall_before = cpu_seconds(server.pid), machine_busy(), time.monotonic()
    start.set()
    done, pending = await asyncio.wait(tasks, timeout=args.max_minutes * 60)
    for task in pending:
        task.cancel()
    failures = [repr(task.exception()) for task in done if task.exception() is not None]
    wall = time.monotonic() - wall_before
    cpu = cpu_seconds(server.pid) - cpu_before
    busy_after = machine_busy()
    machine_pct = 100 * (busy_after[0] - busy_before[0]) / max(1.0, busy_after[1] - busy_before[1])
    first = [ms for c in conversations for ms in c.first_ms]
    full = [ms for c in conversations for ms in c.full_ms]
    errors = [e for c in conversations for e in c.errors] + failures

    def stats(values: list[float]) -> dict[str, float]:
        return {f"p{p}": round(percentile(values, p), 1) for p in (50, 95, 99)} | {
            "max": round(max(values), 1) if values else float("nan")
        }

    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "storage": "postgresql+redis" if args.database_url else "sqlite+memory",
        "conversations": args.conversations,
        "turns": args.turns,
        "think_ms_mean": args.think_ms,
        "replies": len(full),
        "errors": errors[:20],
        "error_count": len(errors),
        "engines": sorted({e for c in conversations for e in c.engines}),
        "wall_seconds": round(wall, 1),
        "replies_per_second": round(len(full) / wall, 1) if wall else 0.0,
        "server_cpu_pct": round(100 * cpu / wall, 1) if wall else 0.0,
        "machine_busy_pct_of_all_cores": round(machine_pct, 1),
        "warm_up_seconds": round(warm_seconds, 1),
        "first_frame_ms": stats(first),
        "full_reply_ms": stats(full),
        "targets": {"first_frame_p99_ms": TARGET_FIRST_P99_MS, "full_reply_p99_ms": TARGET_FULL_P99_MS},
        "cpu_count": os.cpu_count(),
    }


def report(result: dict[str, Any]) -> str:
    first, full = result["first_frame_ms"], result["full_reply_ms"]
    ok_first = first["p99"] < TARGET_FIRST_P99_MS
    ok_full = full["p99"] < TARGET_FULL_P99_MS
    return "\n".join([
        f"### {result['when']} — {result['conversations']} conversations × {result['turns']} turns, "
        f"think {result['think_ms_mean']:g} ms mean, {result['storage']}",
        "",
        "| | p50 | p95 | p99 | max | target p99 |",
        "|---|---|---|---|---|---|",
        f"| first frame (ms) | {first['p50']} | {first['p95']} | {first['p99']} | {first['max']} | "
        f"< {TARGET_FIRST_P99_MS:g} {'✓' if ok_first else '✗'} |",
        f"| full reply (ms) | {full['p50']} | {full['p95']} | {full['p99']} | {full['max']} | "
        f"< {TARGET_FULL_P99_MS:g} {'✓' if ok_full else '✗'} |",
        "",
        f"{result['replies']} replies in {result['wall_seconds']} s ({result['replies_per_second']}/s), "
        f"errors {result['error_count']}, engines {', '.join(result['engines'])}; server CPU "
        f"{result['server_cpu_pct']}% of one core, whole machine {result['machine_busy_pct_of_all_cores']}% "
        f"of {result['cpu_count']} cores (load generator and other jobs included); warm-up "
        f"{result['warm_up_seconds']} s.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--think-ms", type=float, default=15000.0, help="mean pause between turns (0: burst)")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--max-minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-report", action="store_true", help="print only; do not write latest.json/REPORT.md")
    args = parser.parse_args()
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("give both --database-url and --redis-url, or neither")
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    if not 1 <= args.conversations <= 2000 or not 1 <= args.turns <= 50:
        parser.error("--conversations 1..2000, --turns 1..50")
    random.seed(args.seed)
    data_dir = Path(tempfile.mkdtemp(prefix="eaili5-bench-tutor-"))
    server = Server(args, data_dir)
    try:
        server.start()
        result = asyncio.run(measure(args, server))
    finally:
        server.stop()
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
