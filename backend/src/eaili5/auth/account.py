"""A user's own data: export it all as JSON, or delete it all.

Both walk the ORM metadata instead of a hand-kept list, so a table added later is exported and deleted
without touching this file: a table belongs to a user when it has a foreign key to `users.id`, or to
a table that does (holdings and equity snapshots belong through their portfolio).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.market.address import to_checksum_address
from eaili5.models import Base, Session, User
from eaili5.models.base import utcnow

# Never exported: a token hash is a credential; request hashes are internal bookkeeping.
_SECRET_COLUMNS = {("sessions", "token_hash")}


def _owner_column(table: Table, owned: dict[str, Table]) -> tuple[Column[Any], Table] | None:
    """The column linking `table` to its user (directly, or through an owned parent), if any."""
    direct = [fk for fk in table.foreign_keys if fk.column.table.name == "users"]
    links = direct or [fk for fk in table.foreign_keys if fk.column.table.name in owned]
    if not links:
        return None
    link = links[0]
    return link.parent, link.column.table


def user_tables() -> dict[str, tuple[Column[Any], Table] | None]:
    """Every table holding per-user data, in dependency order, with the column that links it."""
    owned: dict[str, Table] = {}
    links: dict[str, tuple[Column[Any], Table] | None] = {"users": None}
    for table in Base.metadata.sorted_tables:
        if table.name == "users":
            continue
        link = _owner_column(table, owned)
        if link is not None:
            owned[table.name] = table
            links[table.name] = link
    return links


def _rows_query(table_name: str, user_id: uuid.UUID) -> Any:
    table = Base.metadata.tables[table_name]
    link = user_tables()[table_name]
    if link is None:
        return select(table).where(table.c.id == user_id)
    column, parent = link
    if parent.name == "users":
        return select(table).where(column == user_id)
    return select(table).where(column.in_(_rows_query(parent.name, user_id).with_only_columns(parent.c.id)))


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def export_user(db: AsyncSession, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in user_tables():
        result = await db.execute(_rows_query(name, user_id))
        tables[name] = [
            {
                key: _shown(name, key, value)
                for key, value in row.items()
                if (name, key) not in _SECRET_COLUMNS
            }
            for row in result.mappings()
        ]
    return tables


def _shown(table: str, column: str, value: Any) -> Any:
    """As the API shows it elsewhere: the wallet EIP-55 spelled (it is stored lowercase)."""
    if (table, column) == ("users", "wallet_address") and value is not None:
        return to_checksum_address(value)
    return _plain(value)


async def session_token_hashes(db: AsyncSession, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    rows = await db.execute(select(Session.id, Session.token_hash).where(Session.user_id == user_id))
    return [(row[0], row[1]) for row in rows.all()]


async def delete_user(db: AsyncSession, user_id: uuid.UUID) -> None:
    """Every per-user row goes with the user's row: each link is ON DELETE CASCADE (a test checks)."""
    user = await db.get(User, user_id)
    if user is not None:
        await db.delete(user)
        await db.flush()


def exported_now() -> datetime:
    return utcnow()
