"""/metrics shows how late the event loop ran: a blocking call in the loop is seen as lag."""

from __future__ import annotations

import asyncio
import time

import httpx

from eaili5.core.tasks import LOOP_LAG_SAMPLE_SECONDS


def _bucket(text: str, le: str) -> float:
    line = next(
        line for line in text.splitlines() if line.startswith(f'event_loop_lag_seconds_bucket{{le="{le}"}}')
    )
    return float(line.rsplit(" ", 1)[1])


def _count(text: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith("event_loop_lag_seconds_count"))
    return float(line.rsplit(" ", 1)[1])


async def test_a_blocked_loop_shows_as_lag(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    # The app runs on this test's loop. Blocked for longer than the sampling period, the probe's timer
    # falls due inside the block and runs at its end: at least 1.2 - 0.5 = 0.7 s late.
    time.sleep(LOOP_LAG_SAMPLE_SECONDS + 0.7)  # noqa: ASYNC251 - blocking the loop is the point
    await asyncio.sleep(LOOP_LAG_SAMPLE_SECONDS * 2)  # let it observe
    after = (await client.get("/metrics")).text
    late = (_count(after) - _bucket(after, "0.5")) - (_count(before) - _bucket(before, "0.5"))
    assert late >= 1
