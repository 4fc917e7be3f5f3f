"""/metrics under several workers: a worker that died (uvicorn starts a new one) stops counting its
sockets, while a live worker's still count. Real worker processes write real prometheus_client files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eaili5.core.metrics import Metrics

WORKER = """
import sys
from eaili5.core.metrics import Metrics
metrics = Metrics()
metrics.ws_active.set(int(sys.argv[1]))
metrics.http_requests.labels("GET", "/api/meta", "200").inc()
print("ready", flush=True)
if sys.argv[2] == "stay":
    sys.stdin.readline()  # lives until the test closes its stdin
"""


def _worker(directory: Path, sockets: int, stay: bool) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(sockets), "stay" if stay else "exit"],
        env={"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def _value(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_a_dead_workers_sockets_stop_counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    alive = _worker(tmp_path, 7, stay=True)
    try:
        dead = _worker(tmp_path, 5, stay=False)
        dead.wait(timeout=30)
        text = Metrics().render().decode()
        assert _value(text, "ws_connections_active") == 7
        # Counters are history, not state: the dead worker's requests still count.
        assert _value(text, 'http_requests_total{method="GET",route="/api/meta",status="200"}') == 2
        assert not list(tmp_path.glob(f"gauge_livesum_{dead.pid}.db"))
        assert list(tmp_path.glob(f"gauge_livesum_{alive.pid}.db"))
    finally:
        assert alive.stdin is not None
        alive.stdin.close()
        alive.wait(timeout=30)
