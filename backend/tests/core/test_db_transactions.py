"""What a request's transaction costs (core/db.py), against the real databases: an unused one checks out no
connection, one that only reads sends no BEGIN/COMMIT on PostgreSQL, and one that writes is still atomic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from eaili5.core.db import Database, create_engine
from eaili5.core.settings import Settings
from eaili5.models import User
from tests.conftest import auth, new_guest


class Recorder:
    """Counts pool checkouts and SQL statements, and (PostgreSQL) the transaction control asyncpg sends:
    asyncpg's query log sees simple-protocol commands (BEGIN, COMMIT, ROLLBACK), not prepared statements."""

    def __init__(self, database: Database) -> None:
        self.checkouts = 0
        self.statements: list[str] = []
        self.control: list[str] = []
        self._logged: set[int] = set()
        event.listen(database.engine.sync_engine, "checkout", self._checkout)
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._statement)

    def _checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        self.checkouts += 1
        driver = record.driver_connection
        if hasattr(driver, "add_query_logger") and id(driver) not in self._logged:
            self._logged.add(id(driver))
            driver.add_query_logger(
                lambda logged: self.control.append(logged.query.split()[0].rstrip(";").upper())
            )

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement.split()[0].upper())

    async def settled(self) -> Recorder:
        await asyncio.sleep(0)  # asyncpg hands its log records over on the next loop turn
        return self

    def reset(self) -> None:
        self.checkouts, self.statements, self.control = 0, [], []


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    # One connection: every transaction below runs on the same one, so nothing can hide in a fresh one.
    db = Database(create_engine(settings.model_copy(update={"db_pool_size": 1})))
    yield db
    await db.dispose()


async def _users(database: Database) -> int:
    async with database.transaction() as db:
        return int((await db.execute(select(func.count()).select_from(User))).scalar_one())


async def test_an_unused_transaction_checks_out_no_connection(database: Database) -> None:
    recorder = Recorder(database)
    async with database.transaction():
        pass
    assert (await recorder.settled()).checkouts == 0


async def test_a_read_only_transaction_sends_no_begin_or_commit(stack: str, database: Database) -> None:
    recorder = Recorder(database)
    async with database.transaction() as db:
        await db.execute(select(func.count()).select_from(User))
        await db.execute(text("SELECT 1"))
    await recorder.settled()
    assert recorder.statements == ["SELECT", "SELECT"]
    if stack == "postgres-redis":
        assert recorder.control == []


async def test_begin_comes_right_before_the_first_write_and_commit_at_the_end(
    stack: str, database: Database
) -> None:
    recorder = Recorder(database)
    async with database.transaction() as db:
        await db.execute(select(func.count()).select_from(User))
        db.add(User())
        await db.flush()
        await db.execute(select(func.count()).select_from(User))
    await recorder.settled()
    assert recorder.statements == ["SELECT", "INSERT", "SELECT"]
    if stack == "postgres-redis":
        assert recorder.control == ["BEGIN", "COMMIT"]
    assert await _users(database) == 1


async def test_writes_after_reads_stay_atomic(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            await db.execute(select(func.count()).select_from(User))
            db.add(User())
            await db.flush()
            db.add(User())
            await db.flush()
            raise RuntimeError("the request failed after two writes")
    assert await _users(database) == 0


async def test_a_read_that_failed_outside_a_transaction_leaves_the_next_one_atomic(
    database: Database,
) -> None:
    with pytest.raises(DBAPIError):
        async with database.transaction() as db:
            await db.execute(text("SELECT * FROM no_such_table"))
    # Same (only) connection: its next write must open a real transaction again.
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            db.add(User())
            await db.flush()
            raise RuntimeError("rolled back")
    assert await _users(database) == 0


async def test_row_locks_are_taken_inside_the_transaction(stack: str, database: Database) -> None:
    if stack != "postgres-redis":
        pytest.skip("SQLite has no SELECT ... FOR UPDATE")
    recorder = Recorder(database)
    async with database.transaction() as db:
        await db.execute(select(User.id).with_for_update())
    await recorder.settled()
    assert recorder.control == ["BEGIN", "COMMIT"]


async def test_a_signed_in_request_that_needs_no_database_checks_out_no_connection(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, _ = await new_guest(client)
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200  # caches the session
    recorder = Recorder(app.state.eaili5.db)
    # The session comes from the cache and the nonce goes to the KV.
    nonce = await client.get("/api/auth/nonce", headers=auth(token))
    assert nonce.status_code == 200, nonce.text
    assert (await recorder.settled()).checkouts == 0


async def test_a_signed_in_read_sends_its_selects_and_no_transaction_control(
    stack: str, client: httpx.AsyncClient, app: Any
) -> None:
    token, user = await new_guest(client)
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200  # caches the session
    recorder = Recorder(app.state.eaili5.db)
    response = await client.get("/api/me", headers=auth(token))
    assert response.status_code == 200 and response.json()["id"] == user["id"]
    await recorder.settled()
    assert recorder.statements == ["SELECT"] and recorder.checkouts == 1
    if stack == "postgres-redis":
        assert recorder.control == []
