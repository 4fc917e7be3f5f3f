"""Server CPU per request, endpoint by endpoint, measured in process: the yardstick for optimising.

    backend/.venv/bin/python bench/api/cpu_probe.py [--endpoints order,quiz] [--requests 300]
        [--concurrency 8] [--profile quiz] [--sqlite]

The app is built with `create_app()` and driven through raw ASGI calls (no HTTP server, no HTTP client, no
load-generator process), on PostgreSQL + Redis by default (`--sqlite`: the embedded mode). The requests are
the ones `bench/api/run.py` sends, from the same `User` model (guest sessions, held tokens, quiz attempts,
conversations), `--concurrency` users at a time. For each endpoint it prints the CPU this process spent per
request (minus what the app's background tasks burn while idle, measured before), wall time per request,
and SQL statements per request. `--profile E` adds a cProfile of endpoint E (top functions by own time).

Why in process: on a shared 2-core machine wall-clock latencies say more about the neighbours than about the
code, while CPU time per request of the same process moves little. Compare before/after runs made back to
back on the same machine; `bench/api/run.py` (a real server under load) gives the end-to-end figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import EVAL_SET, MIX, Catalog, User, classify

from common import Server, check_local, fresh_database


class AsgiCaller:
    """Calls the app with one HTTP request and collects the answer: the least work a caller can do."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        raw_path, _, query = path.partition("?")
        header_list = [(b"host", b"bench"), (b"accept", b"application/json")]
        for name, value in (headers or {}).items():
            header_list.append((name.lower().encode(), value.encode()))
        if body is not None:
            header_list += [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": header_list,
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent_body = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body or b"", "more_body": False}
            await asyncio.sleep(3600)  # a disconnect never comes during a request
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def new_guest(caller: AsgiCaller) -> str:
    status, payload = await caller.request("POST", "/api/session")
    if status != 201 and status != 200:
        raise RuntimeError(f"POST /api/session: {status} {payload[:200]!r}")
    token = str(json.loads(payload)["token"])
    await caller.request(
        "GET", "/api/portfolio", headers={"Authorization": f"Bearer {token}"}
    )
    return token


async def read_catalog(caller: AsgiCaller, token: str) -> Catalog:
    auth = {"Authorization": f"Bearer {token}"}
    _, listed = await caller.request("GET", "/api/tokens?limit=100", headers=auth)
    tokens = [
        {"address": t["address"], "symbol": t["symbol"]}
        for t in json.loads(listed)["items"]
    ]
    _, raw_paths = await caller.request("GET", "/api/learn/paths", headers=auth)
    lessons: dict[str, list[tuple[str, str, list[str]]]] = {}
    for path in json.loads(raw_paths)["paths"]:
        for lesson_ref in path["lessons"]:
            _, raw = await caller.request(
                "GET", f"/api/learn/lessons/{lesson_ref['id']}", headers=auth
            )
            quiz = json.loads(raw)["quiz"]
            lessons[lesson_ref["id"]] = [
                (q["id"], q["kind"], [o["id"] for o in q["options"]]) for q in quiz
            ]
    lines = EVAL_SET.read_text(encoding="utf-8").splitlines()
    questions = [str(json.loads(line)["question"]) for line in lines if line.strip()]
    return Catalog(tokens, lessons, questions)


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


async def idle_cpu_rate(seconds: float) -> float:
    """CPU seconds per second this process burns with no requests (market ticks, housekeeping)."""
    before_cpu, before = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (time.process_time() - before_cpu) / (time.perf_counter() - before)


async def drive(
    caller: AsgiCaller, users: list[User], endpoint: str, requests: int
) -> tuple[int, Counter[str]]:
    """`requests` requests of `endpoint`, len(users) at a time; returns (done, outcomes)."""
    outcomes: Counter[str] = Counter()
    remaining = requests

    async def loop(user: User) -> None:
        nonlocal remaining
        auth = {"Authorization": f"Bearer {user.token}"}
        while remaining > 0:
            remaining -= 1
            method, path, body, extra = user.request(endpoint)
            headers = dict(auth)
            if extra:
                name, _, value = extra.decode().strip().partition(":")
                headers[name] = value.strip()
            status, payload = await caller.request(method, path, body, headers)
            user.observe(endpoint, body, status, payload)
            outcomes[classify(status, payload)] += 1

    await asyncio.gather(*(loop(user) for user in users))
    return requests, outcomes


async def measure(args: argparse.Namespace) -> None:
    from eaili5.app import create_app

    app = create_app(configure_logs=False)
    state = app.state.eaili5
    counter = StatementCounter(state.db.engine)
    caller = AsgiCaller(app)
    async with app.router.lifespan_context(app):
        tokens = [await new_guest(caller) for _ in range(args.concurrency)]
        catalog = await read_catalog(caller, tokens[0])
        rng = random.Random(args.seed)
        users = [User(token, catalog, random.Random(rng.random())) for token in tokens]
        for endpoint in (
            args.endpoint_list
        ):  # warm every path (tutor index, caches, prepared statements)
            await drive(caller, users, endpoint, max(args.concurrency * 3, 20))
        idle = await idle_cpu_rate(args.idle_s)
        print(
            f"idle CPU of the app's background tasks: {idle * 100:.1f}% of a core (subtracted)"
        )
        print(
            f"{'endpoint':<12} {'CPU ms/req':>10} {'wall ms/req':>11} {'SQL/req':>8}  outcomes"
        )
        for endpoint in args.endpoint_list:
            profiler = cProfile.Profile() if endpoint in args.profile_list else None
            statements_before = counter.count
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            done, outcomes = await drive(caller, users, endpoint, args.requests)
            if profiler:
                profiler.disable()
            wall = time.perf_counter() - wall_before
            cpu = time.process_time() - cpu_before - idle * wall
            statements = (counter.count - statements_before) / done
            shown = ", ".join(f"{k} {v}" for k, v in outcomes.most_common())
            print(
                f"{endpoint:<12} {cpu / done * 1000:>10.2f} {wall / done * 1000:>11.2f} {statements:>8.1f}  {shown}",
                flush=True,
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(
                    args.top
                )
                print(out.getvalue())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--endpoints",
        default=",".join(MIX),
        help="comma-separated, from bench/api's mix",
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="measured requests per endpoint"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="users sending at the same time"
    )
    parser.add_argument(
        "--idle-s", type=float, default=2.0, help="window for the idle CPU baseline"
    )
    parser.add_argument(
        "--profile", default="", help="comma-separated endpoints to cProfile"
    )
    parser.add_argument(
        "--sort", default="tottime", help="cProfile sort key (tottime, cumulative)"
    )
    parser.add_argument("--top", type=int, default=40, help="profile lines shown")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="the embedded mode instead of PostgreSQL + Redis",
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/eaili5_bench_probe",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    args.endpoint_list = [e for e in args.endpoints.split(",") if e]
    args.profile_list = {e for e in args.profile.split(",") if e}
    unknown = [e for e in args.endpoint_list if e not in MIX]
    if unknown:
        parser.error(f"unknown endpoints {unknown}; pick from {list(MIX)}")
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")
    return args


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="eaili5-cpu-probe-"))
    server = Server(
        data_dir,
        database_url=None if args.sqlite else args.database_url,
        redis_url=None if args.sqlite else args.redis_url,
        extra_env={"EAILI5_KV_PREFIX": f"cpu-probe:{os.getpid()}:"},
    )
    if not args.sqlite:
        asyncio.run(fresh_database(args.database_url))
    server.migrate()
    os.environ.clear()
    os.environ.update(server.env())
    asyncio.run(measure(args))  # the default asyncio loop, as `eaili5 serve` runs


if __name__ == "__main__":
    main()
