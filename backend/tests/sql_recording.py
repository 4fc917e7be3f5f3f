"""Records the SQL the app really sends (SQLAlchemy's `before_cursor_execute` event, no mock).

Tests that pin a statement count or a statement's shape share this one recorder and say which
statements they mean with a filter: the request's own task (httpx's ASGI transport runs the request
in the test's task; market ticks and order checks run in tasks of their own), one connection, or
anything the engine sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass(frozen=True)
class SentStatement:
    sql: str
    context: Any  # SQLAlchemy's execution context: the compiled form and whether the cache had it
    connection: Any  # the sync Connection it went out on
    task: asyncio.Task[Any] | None

    @property
    def verb(self) -> str:
        return self.sql.split()[0].upper()

    def short(self, width: int) -> str:
        """The SQL on one line, cut to `width` characters (readable in an assertion message)."""
        return " ".join(self.sql.split())[:width]


@contextmanager
def recorded_statements(
    app: Any, keep: Callable[[SentStatement], bool] | None = None
) -> Iterator[list[SentStatement]]:
    """Every statement the app's engine sends while inside (that `keep` accepts), in order."""
    sent: list[SentStatement] = []

    def record(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        seen = SentStatement(statement, context, conn, asyncio.current_task())
        if keep is None or keep(seen):
            sent.append(seen)

    engine = app.state.eaili5.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def from_this_task() -> Callable[[SentStatement], bool]:
    """Keeps what the calling task sends (a request made through httpx's ASGI transport runs in it)."""
    task = asyncio.current_task()
    return lambda seen: seen.task is task


def verbs(sent: list[SentStatement]) -> list[str]:
    """Each statement's first word, upper-case, without BEGIN, COMMIT and ROLLBACK."""
    return [seen.verb for seen in sent if seen.verb not in TRANSACTION_CONTROL]


def one_line(sent: list[SentStatement], width: int = 120) -> list[str]:
    """The statements as short single lines, for an assertion message."""
    return [seen.short(width) for seen in sent]
