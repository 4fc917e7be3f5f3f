#!/usr/bin/env python3
"""`make bench`: every benchmark, one after another, on PostgreSQL + Redis, then bench/REPORT.md.

    backend/.venv/bin/python bench/run_all.py [--only api,tutor] [--skip ws_capacity] [--quick]
        [--database-url postgresql://postgres@127.0.0.1:5432] [--redis-url redis://127.0.0.1:6379]

Each benchmark starts its own `eaili5 serve` on a database of its own (created when missing) and a Redis
database number of its own, writes its `latest.json` and appends to its own REPORT.md; this script then
regenerates the summary in bench/REPORT.md from those `latest.json` files (bench/report.py). Benchmarks run
one at a time: two at once on two cores would measure each other.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, VENV_BIN, check_local, fresh_database, log


@dataclass(frozen=True)
class Benchmark:
    name: str
    database: str  # PostgreSQL database name, created afresh for each run
    redis_db: int
    quick_args: tuple[str, ...] = ()
    extra_args: tuple[str, ...] = ()  # always passed (e.g. the production worker count)
    # How the script names its storage options (all take --database-url / --redis-url today).
    storage_args: tuple[str, str] = ("--database-url", "--redis-url")

    @property
    def script(self) -> Path:
        return REPO / "bench" / self.name / "run.py"


# Order: the short, CPU-light runs first; ws_capacity (20k sockets) last so its memory use cannot skew others.
BENCHMARKS = (
    # Production runs two worker processes per 2-vCPU instance (EAILI5_WORKERS=2 in Terraform): measure that.
    Benchmark("api", "eaili5_bench_api", 13, ("--quick",), ("--server-workers", "2")),
    # Trading's tail varies from run to run on the same code: three runs, the median stands, the spread is shown.
    Benchmark("trading", "eaili5_bench_trading", 12, ("--quick",), ("--server-workers", "2", "--repeat", "3")),
    Benchmark("tutor", "eaili5_bench_tutor", 10, ("--quick",)),
    Benchmark(
        "market_fanout", "eaili5_bench_fanout", 9, ("--clients", "500,1000", "--rounds", "5"), ("--server-workers", "2")
    ),
    Benchmark("ws_capacity", "eaili5_bench_ws", 14, ("--quick",), ("--server-workers", "2")),
)


def selected(args: argparse.Namespace) -> list[Benchmark]:
    names = {b.name for b in BENCHMARKS}
    only = set(filter(None, args.only.split(","))) if args.only else names
    skip = set(filter(None, args.skip.split(","))) if args.skip else set()
    unknown = (only | skip) - names
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
    return [b for b in BENCHMARKS if b.name in only - skip]


def command(bench: Benchmark, args: argparse.Namespace) -> list[str]:
    database_url = f"{args.database_url.rstrip('/')}/{bench.database}"
    redis_url = f"{args.redis_url.rstrip('/')}/{bench.redis_db}"
    db_flag, redis_flag = bench.storage_args
    cmd = [str(VENV_BIN / "python"), str(bench.script), db_flag, database_url, redis_flag, redis_url]
    cmd += list(bench.extra_args)
    if args.quick:
        cmd += list(bench.quick_args)
    return cmd


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="small smoke runs (figures not comparable)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--no-report", action="store_true", help="do not regenerate bench/REPORT.md")
    args = parser.parse_args()
    check_local(args.database_url, "--database-url")
    check_local(args.redis_url, "--redis-url")

    failed: list[str] = []
    for bench in selected(args):
        asyncio.run(fresh_database(f"{args.database_url.rstrip('/')}/{bench.database}"))
        cmd = command(bench, args)
        log(f"\n=== {bench.name}: {' '.join(cmd[1:])}")
        started = time.monotonic()
        rc = subprocess.run(cmd, cwd=REPO, check=False).returncode
        log(f"=== {bench.name}: exit {rc} after {time.monotonic() - started:.0f} s")
        if rc != 0:
            failed.append(bench.name)

    if not args.no_report:
        subprocess.run([str(VENV_BIN / "python"), str(REPO / "bench" / "report.py")], cwd=REPO, check=True)
    if failed:
        log(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
