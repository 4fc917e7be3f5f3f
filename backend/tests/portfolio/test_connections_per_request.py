"""A signed-in request holds at most one pooled database connection at a time.

Production runs two pooled connections per worker (EAILI5_DB_POOL_SIZE=2, infra/terraform): a request that
held one connection while taking a second (the caller's session read in the request's transaction, then
the portfolio read on another connection) could leave two such requests each holding one and waiting for
the other's. The session caches hide this, so every request here starts with both of them empty."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from eaili5.auth.service import _cache_key, hash_token
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import DEFAULT_PRICES, WETH, order, set_prices


class CheckoutCounter:
    """How many pooled connections this task (the test's, in which the in-process app serves the
    request) holds at once, at most. The app's background tasks (market ticks, purges) take their own."""

    def __init__(self) -> None:
        self.task = asyncio.current_task()
        self.held: set[int] = set()
        self.most = 0

    @property
    def out(self) -> int:
        return len(self.held)

    def checked_out(self, _: Any, record: Any, __: Any) -> None:
        if asyncio.current_task() is self.task:
            self.held.add(id(record))
            self.most = max(self.most, len(self.held))

    def checked_in(self, _: Any, record: Any) -> None:
        self.held.discard(id(record))


@contextmanager
def counting_checkouts(app: Any) -> Iterator[CheckoutCounter]:
    pool = app.state.eaili5.db.engine.sync_engine.pool
    counter = CheckoutCounter()
    event.listen(pool, "checkout", counter.checked_out)
    event.listen(pool, "checkin", counter.checked_in)
    try:
        yield counter
    finally:
        event.remove(pool, "checkout", counter.checked_out)
        event.remove(pool, "checkin", counter.checked_in)


async def forget_session(app: Any, token: str) -> None:
    """Empty both session caches for this token, so the next request reads the session from the database."""
    state = app.state.eaili5
    state.session_cache.drop(hash_token(token))
    await state.kv.delete(_cache_key(hash_token(token)))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/portfolio", None),
        ("GET", "/api/me", None),
        ("GET", "/api/portfolio/trades", None),
        ("GET", "/api/learn/paths", None),
    ],
)
async def test_a_signed_in_request_never_holds_two_connections(
    client: httpx.AsyncClient, app: Any, method: str, path: str, body: Any
) -> None:
    await set_prices(app, DEFAULT_PRICES)
    token, _ = await new_guest(client)
    assert (await client.get("/api/portfolio", headers=auth(token))).status_code == 200  # exists already
    await forget_session(app, token)
    with counting_checkouts(app) as connections:
        response = await client.request(method, path, json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    assert connections.most == 1
    assert connections.out == 0


async def test_a_first_portfolio_read_and_an_order_take_one_connection_at_a_time(
    client: httpx.AsyncClient, app: Any
) -> None:
    await set_prices(app, DEFAULT_PRICES)
    token, _ = await new_guest(client)
    await forget_session(app, token)
    with counting_checkouts(app) as connections:
        first = await client.get("/api/portfolio", headers=auth(token))  # created on this read
        await forget_session(app, token)
        bought = await order(client, auth(token), "k1", side="buy", token=WETH, usd_amount="10")
    assert first.status_code == 200, first.text
    assert bought.status_code == 201, bought.text
    assert connections.most == 1
    assert connections.out == 0


async def test_an_unknown_token_is_refused_and_gives_its_connection_back(
    client: httpx.AsyncClient, app: Any
) -> None:
    with counting_checkouts(app) as connections:
        response = await client.get("/api/portfolio", headers=auth("not-a-session"))
    assert response.status_code == 401
    assert connections.most == 1  # the session lookup found nothing
    assert connections.out == 0
