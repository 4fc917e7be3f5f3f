"""Prometheus metrics, on a registry per app so tests can build many apps in one process.

Under `eaili5 serve --workers N` each worker writes its values to files in $PROMETHEUS_MULTIPROC_DIR and
/metrics sums every worker's files (prometheus_client multiprocess mode).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

# A live gauge's file per worker: gauge_livesum_<pid>.db, gauge_livemax_<pid>.db, ...
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]*_(\d+)\.db")

# Fan-out of one tick to thousands of sockets: fine steps between 1 ms and 1 s.
BROADCAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1.0)
# How late the event loop wakes a timer: under 1 ms when idle, tens of ms when it queues work or waits
# for a CPU.
LOOP_LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "http_requests",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("app_errors", "Errors by kind", ["kind"], registry=self.registry)
        self.loop_lag = Histogram(
            "event_loop_lag_seconds",
            "How late this worker's event loop ran a timer due now: every request waits as long",
            buckets=LOOP_LAG_BUCKETS,
            registry=self.registry,
        )
        self.ws_active = Gauge(
            "ws_connections_active",
            "Open WebSocket connections on this instance",
            multiprocess_mode="livesum",  # an instance's sockets are spread over its workers
            registry=self.registry,
        )
        self.ws_cluster = Gauge(
            "ws_connections_cluster",
            "Open WebSocket connections on all live instances",
            multiprocess_mode="livemax",  # every worker sees the same cluster-wide count
            registry=self.registry,
        )
        self.ws_messages = Counter(
            "ws_messages",
            "WebSocket frames by direction and type",
            ["direction", "type"],
            registry=self.registry,
        )
        self.ws_broadcast_fast = Counter(
            "ws_broadcast_fast_writes",
            "Broadcast frames written straight to a socket's transport (pre-framed, no per-socket ASGI path)",
            registry=self.registry,
        )
        self.ws_broadcast_seconds = Histogram(
            "ws_broadcast_seconds",
            "Time for this instance to hand one broadcast frame to every local subscriber",
            buckets=BROADCAST_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "rate_limited", "Requests refused by a rate limit", ["scope"], registry=self.registry
        )
        self.tutor_first_token = Histogram(
            "tutor_first_token_seconds",
            "Time from a chat message to the first text of its reply",
            ["engine"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tutor_provider_calls = Counter(
            "tutor_provider_calls",
            "Calls to the tutor's model and search providers by outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.tutor_replies = Counter(
            "tutor_replies",
            "Tutor replies by engine kind and status",
            ["engine", "status"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition: this app's registry, or every worker's values in multiprocess mode."""
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return generate_latest(self.registry)
        forget_dead_workers(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        # A fresh registry per scrape, as prometheus_client documents: the collector reads the files.
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def forget_dead_workers(directory: str) -> None:
    """Drop the live gauges of workers that are gone. uvicorn replaces a worker that crashed, but its
    files stay: without this, its last socket count would be summed into the instance's forever."""
    for pid in {
        int(match[1])
        for path in Path(directory).iterdir()
        if (match := _LIVE_GAUGE_FILE.fullmatch(path.name))
    }:
        if not _alive(pid):
            mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, under another user
        return True
    return True
