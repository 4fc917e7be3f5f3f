"""Loopback vendor servers and a real pooled HTTP client for the adapter tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.market.providers.loopback import LoopbackVendor


@pytest.fixture
async def vendor() -> AsyncIterator[LoopbackVendor]:
    server = LoopbackVendor()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Like the service's client: pooled, no base URL (adapters build absolute URLs).
    async with httpx.AsyncClient() as client:
        yield client
