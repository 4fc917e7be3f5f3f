#!/usr/bin/env python3
"""Regenerate the figures in bench/REPORT.md from each benchmark's latest.json.

    backend/.venv/bin/python bench/report.py

Only the part between the `generated` markers is rewritten; the written analysis around it (causes of misses,
plans) is kept. Each benchmark's own REPORT.md keeps its full history; this file is the one-page view against
the targets.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPORT = BENCH / "REPORT.md"
START, END = "<!-- generated:start (bench/report.py) -->", "<!-- generated:end -->"


@dataclass(frozen=True)
class Row:
    """One target checked against one measured figure."""

    target: str
    measured: str
    met: bool | None  # None: not measured
    source: str
    when: str = ""


def load(name: str) -> dict[str, Any] | None:
    path = BENCH / name / "latest.json"
    return json.loads(path.read_text()) if path.exists() else None


def fmt_ms(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.0f} ms" if float(value) >= 10 else f"{float(value):.1f} ms"


def below(value: Any, limit: float) -> bool | None:
    return None if value is None else float(value) < limit


def missing(target: str, source: str) -> Row:
    return Row(target, "not measured yet", None, source)


# --------------------------------------------------------------------------------------------
# one reader per benchmark: latest.json → rows against the targets
# --------------------------------------------------------------------------------------------
def _get(data: dict[str, Any], *path: str) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def api_phase(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in data.get("phases", []) if p.get("phase") == name), None)


def api_rows(data: dict[str, Any] | None) -> list[Row]:
    source, target = "bench/api", "API mix at 200 users: p95 < 50 ms, p99 < 100 ms, no errors"
    level = api_phase(data, "200 users") if data else None
    if data is None or level is None:
        return [missing(target, source)]
    when = data.get("when", "")
    p95, p99 = _get(level, "latency", "p95_ms"), _get(level, "latency", "p99_ms")
    errors = level.get("errors", 0) or 0
    rows = [
        Row("API mix at 200 users: p95 < 50 ms", fmt_ms(p95), below(p95, 50), source, when),
        Row("API mix at 200 users: p99 < 100 ms", fmt_ms(p99), below(p99, 100), source, when),
        Row("API mix at 200 users: no errors", f"{errors} of {level.get('requests', '?')} requests", errors == 0,
            source, when),
        Row("Seed: p95 < 500 ms and p99 < 1 s (API mix at 200 users)", f"{fmt_ms(p95)} / {fmt_ms(p99)}",
            None if p95 is None or p99 is None else bool(below(p95, 500) and below(p99, 1000)), source, when),
    ]
    for users in (50, 500):
        phase = api_phase(data, f"{users} users")
        if phase:
            rows.append(Row(f"API mix at {users} users (reported; no target)",
                            f"p95 {fmt_ms(_get(phase, 'latency', 'p95_ms'))}, p99 "
                            f"{fmt_ms(_get(phase, 'latency', 'p99_ms'))}, {phase.get('errors', 0)} errors, "
                            f"{phase.get('achieved_rps', '?')} req/s", None, source, when))
    saturation, ceiling = api_phase(data, "saturation 50 users"), api_phase(data, "ceiling 50 users")
    if saturation and ceiling and data.get("ceiling_ratio") is not None:
        rows.append(Row("Max throughput vs a bare Starlette endpoint (reported; no target)",
                        f"{saturation.get('answered_rps')} vs {ceiling.get('answered_rps')} req/s = "
                        f"{float(data['ceiling_ratio']):.1%}", None, source, when))
    return rows


def pg_mode(data: dict[str, Any]) -> dict[str, Any]:
    """The PostgreSQL + Redis figures of a benchmark that records one entry per storage mode."""
    modes = data.get("modes", {})
    return modes.get("postgresql+redis") or next(iter(modes.values()), {})


def ws_capacity_rows(data: dict[str, Any] | None) -> list[Row]:
    source = "bench/ws_capacity"
    mode = pg_mode(data) if data else {}
    steps = mode.get("idle", [])
    if not steps:
        return [missing("10,000 concurrent WebSocket connections on one instance", source),
                missing("Seed: 1,000 concurrent WebSocket connections", source)]
    top = max(steps, key=lambda step: step.get("held", 0))
    held, when = top.get("held", 0), mode.get("date", "")
    memory = f"{held:,} held ({top.get('failures', 0)} failures), {top.get('kib_per_connection')} KiB each, " \
             f"idle server CPU {top.get('idle_server_cpu_pct')}% of a core"
    return [
        Row("10,000 concurrent WebSocket connections on one instance", memory, held >= 10_000, source, when),
        Row("Seed: 1,000 concurrent WebSocket connections (across up to 10 instances)",
            f"{held:,} on one instance", held >= 1_000, source, when),
    ]


def ws_fanout_rows(ws: dict[str, Any] | None, fanout: dict[str, Any] | None) -> list[Row]:
    """Tick p99 at 5,000 subscribers: ws_capacity and market_fanout both measure it (PostgreSQL + Redis)."""
    rows: list[Row] = []
    for name, data in (("bench/ws_capacity", ws), ("bench/market_fanout", fanout)):
        if not data:
            continue
        mode = pg_mode(data)
        for subscribers in (1000, 5000, 10000):
            p99 = tick_p99_at(mode, subscribers)
            if p99 is None:
                continue
            if subscribers == 5000:
                rows.append(Row("Tick delivery p99 < 250 ms at 5,000 subscribers", fmt_ms(p99), below(p99, 250),
                                name, mode.get("date", "")))
            else:
                rows.append(Row(f"Tick delivery p99 at {subscribers:,} subscribers (reported; no target)",
                                fmt_ms(p99), None, name, mode.get("date", "")))
    return rows or [missing("Tick delivery p99 < 250 ms at 5,000 subscribers", "bench/ws_capacity")]


def tick_p99_at(mode: dict[str, Any], subscribers: int) -> float | None:
    for entry in mode.get("fanout", []):  # ws_capacity
        if entry.get("subscribers") == subscribers:
            return _get(entry, "latency_ms", "p99")
    for entry in mode.get("results", []):  # market_fanout
        if entry.get("clients") == subscribers:
            return _get(entry, "latency_ms", "p99")
    return None


def trading_rows(data: dict[str, Any] | None) -> list[Row]:
    source = "bench/trading"
    if data is None:
        return [missing("Market orders, 100 users: p99 < 100 ms, no errors", source)]
    p99 = _get(data, "latency", "p99_ms")
    errors = data.get("errors", 0)
    when = data.get("when", "")
    repeats = data.get("repeats") or []
    measured = fmt_ms(p99)
    if repeats:
        per_run = ", ".join(fmt_ms(run.get("p99_ms")) for run in repeats)
        measured += f" (median of {len(repeats)} runs: {per_run})"
        errors = sum(run.get("errors", 0) for run in repeats)  # every run's, not only the median one's
    return [
        Row("Market orders, 100 users: p99 < 100 ms", measured, below(p99, 100), source, when),
        Row("Market orders, 100 users: no errors", f"{errors} errors", errors == 0, source, when),
    ]


def tutor_rows(data: dict[str, Any] | None) -> list[Row]:
    source = "bench/tutor"
    if data is None:
        return [missing("Tutor, 200 conversations: first frame p99 < 50 ms", source)]
    first, full = _get(data, "first_frame_ms", "p99"), _get(data, "full_reply_ms", "p99")
    when = f"{data.get('when', '')} ({data.get('storage', '?')})"
    return [
        Row("Tutor, 200 conversations: first frame p99 < 50 ms", fmt_ms(first), below(first, 50), source, when),
        Row("Tutor, 200 conversations: full reply p99 < 300 ms", fmt_ms(full), below(full, 300), source, when),
    ]


def machine_line() -> str:
    for name in ("api", "ws_capacity", "market_fanout", "trading", "tutor"):
        data = load(name) or {}
        machine = data.get("machine")
        if machine:
            parts = [f"{k}={v}" for k, v in machine.items()]
            return f"Machine (from bench/{name}): " + ", ".join(parts)
    return "Machine: no benchmark has run yet"


def rows() -> list[Row]:
    readers: list[Callable[[], list[Row]]] = [
        lambda: api_rows(load("api")),
        lambda: ws_capacity_rows(load("ws_capacity")),
        lambda: ws_fanout_rows(load("ws_capacity"), load("market_fanout")),
        lambda: trading_rows(load("trading")),
        lambda: tutor_rows(load("tutor")),
    ]
    return [row for read in readers for row in read()]


def render() -> str:
    mark = {True: "✓ met", False: "✗ missed", None: "—"}
    lines = [
        START,
        "",
        machine_line(),
        "",
        "| Target (one instance, 2 cores) | Measured | Result | Source | When |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.target} | {r.measured} | {mark[r.met]} | `{r.source}` | {r.when} |" for r in rows()]
    lines += ["", END]
    return "\n".join(lines)


def main() -> int:
    generated = render()
    text = REPORT.read_text() if REPORT.exists() else f"# Benchmarks report\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        print(f"{REPORT} lacks the generated markers; add them where the figures go", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    REPORT.write_text(head + generated + tail)
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
