"""Async SQLAlchemy engine and the request-owned session.

The request owns the transaction: `get_db_session` yields a session, commits once the
handler returns and rolls back if it raises. Services and repositories only flush.

What a transaction costs on PostgreSQL: nothing until its first statement (the session checks out no
connection before that), and no `BEGIN`/`COMMIT` round trips while it only reads: `BEGIN` is sent just
before its first write (see `_begin_at_first_write`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from eaili5.core.settings import Settings


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction: commit on success, roll back on any error.

        A session that was never used (no statement, nothing added) has nothing to commit and no
        connection to give back: it is closed in place, without the greenlet and task that an async
        commit and close each cost (many requests resolve their caller from a cache and stop there)."""
        session = self.sessionmaker()
        try:
            yield session
            if session.in_transaction():
                await session.commit()
        except BaseException:
            if session.in_transaction():
                await session.rollback()
            raise
        finally:
            if session.in_transaction():
                # Still holding a connection (cancelled mid-commit or mid-rollback): give it back even if
                # this task is being cancelled, as `async with AsyncSession` would.
                await asyncio.shield(session.close())
            else:
                session.sync_session.close()  # nothing checked out: no I/O to wait for


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.sqlalchemy_url
    if settings.database_backend == "sqlite":
        return _create_sqlite_engine(url, settings)
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        # No pre-ping: with asyncpg it is BEGIN, a ping and ROLLBACK (three round trips) before every
        # request's own transaction. A connection that died with the server fails its request with a
        # disconnect error instead (503, core/errors.py), and SQLAlchemy then invalidates the whole pool,
        # so the next checkouts reconnect: one failed request per restart, not three trips per request.
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "eaili5"}, "timeout": 10},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _begin_at_first_write)
    return engine


# A statement that only reads: a SELECT without a row lock. Anything else (INSERT/UPDATE/DELETE, WITH,
# SAVEPOINT, SELECT ... FOR UPDATE/SHARE) needs the transaction. Not a parser: anything unusual is a write.
_PLAIN_READ = re.compile(
    r"\s*SELECT\b(?!.*\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|KEY\s+SHARE|SHARE)\b)", re.I | re.S
)


def _begin_at_first_write(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    """Run the reads that open a transaction in autocommit, and send `BEGIN` just before its first write.

    At READ COMMITTED (our level) every statement of a transaction sees the data committed when that
    statement starts, and a plain SELECT takes no row locks: a read before `BEGIN` sees exactly what it
    would see after it. So a request that only reads skips two round trips (`BEGIN`, `COMMIT`), and one
    that writes still has every write, and every read after the first write, in one atomic transaction.
    A SELECT that calls a function with side effects would not be covered: we have none.

    How: SQLAlchemy's asyncpg adapter sends `BEGIN` before a statement when it has no transaction open
    and its isolation level is not "autocommit" (`_prepare_and_execute`). This sets that level for every
    statement run outside a transaction, so no setting outlives the statement that needed it.
    tests/core/test_db_transactions.py pins this down against a real PostgreSQL.
    """
    adapter = conn.connection.dbapi_connection
    if adapter._transaction is None:
        adapter.isolation_level = "autocommit" if _PLAIN_READ.match(statement) else adapter._isolation_setting


def _create_sqlite_engine(url: str, settings: Settings) -> AsyncEngine:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _ensure_parent_dir(url)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
        # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _ensure_parent_dir(url: str) -> None:
    from pathlib import Path

    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
