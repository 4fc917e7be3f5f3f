"""Figures tests want printed at the end of `make test` (curriculum counts, tutor pass rate, …).

A test calls `report("tutor eval", "pass rate 95.0% (76/80)")`; the hook in conftest.py prints every line
after the run, so the figures appear in CI logs without `-s`.
"""

from __future__ import annotations

SUMMARY: dict[str, list[str]] = {}


def report(section: str, line: str) -> None:
    SUMMARY.setdefault(section, []).append(line)
