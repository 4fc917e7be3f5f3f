"""Helpers for the app's long-running background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

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
