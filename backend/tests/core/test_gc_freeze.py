"""What lives as long as the process is kept out of garbage-collection scans.

A full collection walks every tracked object that is not frozen. The tutor's knowledge index and the
reading-grade syllable dictionary (~300k objects together) are built just after start-up, by the tutor
warm-up; left unfrozen, every full collection walked them again: a 100+ ms pause on whichever requests
were in flight, the API's tail latency (bench/REPORT.md)."""

from __future__ import annotations

import asyncio
import gc

from eaili5.app import create_app
from eaili5.content.readability import reading_grade
from eaili5.core.settings import Settings


async def _freeze_count_above(count: int, timeout_s: float = 60.0) -> int:
    """Polls: the warm-up is a background task of the lifespan with nothing to await from outside."""
    for _ in range(int(timeout_s / 0.05)):
        if gc.get_freeze_count() > count:
            break
        await asyncio.sleep(0.05)
    return gc.get_freeze_count()


async def test_the_tutor_warm_up_freezes_its_index_and_the_syllable_dictionary(settings: Settings) -> None:
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        frozen_at_start = gc.get_freeze_count()  # start-up froze what it built
        # The warm-up (a background task) builds the tutor, loads the dictionary, then freezes again.
        assert await _freeze_count_above(frozen_at_start) > frozen_at_start
        tracked = len(gc.get_objects())
        reading_grade("Fresh words to grade: custody, ledger, rollup, paymaster.")
        # Grading loads nothing new: the dictionary was loaded by the warm-up (and is frozen with it).
        assert len(gc.get_objects()) - tracked < 1_000
