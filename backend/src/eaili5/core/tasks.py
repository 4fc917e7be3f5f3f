"""Helpers for the app's long-running background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from prometheus_client import Histogram

logger = logging.getLogger(__name__)


async def stop_task(task: asyncio.Task[None], grace_seconds: float = 3.0) -> None:
    """Wait for a task told to stop (by an event or flag); cancel it if it overstays its grace."""
    done, _ = await asyncio.wait({task}, timeout=grace_seconds)
    if done:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()
        return
    logger.warning("background task %s did not stop in %.1f s; cancelling", task.get_name(), grace_seconds)
    task.cancel()
    await asyncio.wait({task}, timeout=grace_seconds)


LOOP_LAG_SAMPLE_SECONDS = 0.5


async def measure_loop_lag(histogram: Histogram, stopping: asyncio.Event) -> None:
    """Observe how late the loop runs a timer, twice a second. A late timer means every callback that
    was ready waited as long: a blocking call, a long stretch of CPU work, or a process that waits for a
    CPU. Request latency alone cannot tell those apart from slow databases (bench/REPORT.md)."""
    while not stopping.is_set():
        due = time.perf_counter() + LOOP_LAG_SAMPLE_SECONDS
        await asyncio.sleep(LOOP_LAG_SAMPLE_SECONDS)  # a bare timer: the lag measured is the loop's own
        histogram.observe(max(0.0, time.perf_counter() - due))
