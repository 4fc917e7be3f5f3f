"""`make bench` stays runnable: every benchmark it lists exists and takes the options run_all.py passes, and
bench/REPORT.md can be regenerated from the committed latest.json files. (The benchmarks themselves are never run
by the test suite: figures are read, not asserted.)"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


run_all = _load("run_all")


@pytest.mark.parametrize("bench", run_all.BENCHMARKS, ids=lambda b: b.name)
def test_every_benchmark_takes_the_options_run_all_passes(bench: object) -> None:
    assert bench.script.exists(), bench.script  # type: ignore[attr-defined]
    help_text = subprocess.run(
        [sys.executable, str(bench.script), "--help"],  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for flag in (*bench.storage_args, *bench.quick_args, *bench.extra_args):  # type: ignore[attr-defined]
        if flag.startswith("--"):
            assert flag in help_text, f"{bench.name} does not take {flag}"  # type: ignore[attr-defined]


def test_report_renders_every_target_from_the_latest_figures() -> None:
    report = _load("report")
    rendered = report.render()
    assert rendered.startswith(report.START) and rendered.endswith(report.END)
    targets = [row.target for row in report.rows()]
    for expected in (
        "API mix at 200 users",
        "WebSocket connections",
        "5,000 subscribers",
        "Market orders",
        "Tutor",
    ):
        assert any(expected in target for target in targets), expected


def test_cpu_probe_measures_the_endpoints_it_is_given() -> None:
    """bench/api/cpu_probe.py is the yardstick for optimising: a tiny embedded-mode run prints a row per endpoint."""
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "api" / "cpu_probe.py"),
            "--sqlite",
            "--endpoints",
            "token_page,quiz",
            "--requests",
            "6",
            "--concurrency",
            "2",
            "--idle-s",
            "0.2",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.split()}
    for endpoint in ("token_page", "quiz"):
        assert float(rows[endpoint][2]) > 0, rows[endpoint]  # wall ms per request
        assert rows[endpoint][4:6] == ["ok", "6"], rows[endpoint]  # every request answered 2xx
