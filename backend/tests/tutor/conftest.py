"""Fixtures shared by the tutor's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.tutor.loopback_llm import LoopbackLLM


@pytest.fixture
async def llm() -> AsyncIterator[LoopbackLLM]:
    """A loopback OpenAI-compatible server (see loopback_llm.py)."""
    server = LoopbackLLM()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
