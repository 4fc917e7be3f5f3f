"""All SQL for users and sessions. Flushes only; the request commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Session, User


async def create_user(db: AsyncSession) -> User:
    user = User()
    db.add(user)
    await db.flush()
    return user


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await db.get(User, user_id)


async def create_session(
    db: AsyncSession,
    user_id: uuid.UUID,
    token_hash: str,
    expires_at: datetime,
    data: dict[str, Any] | None = None,
) -> Session:
    session = Session(user_id=user_id, token_hash=token_hash, expires_at=expires_at, data=data or {})
    db.add(session)
    await db.flush()
    return session


async def find_session(db: AsyncSession, token_hash: str) -> Session | None:
    result = await db.execute(select(Session).where(Session.token_hash == token_hash))
    return result.scalar_one_or_none()


async def extend_session(
    db: AsyncSession, session_id: uuid.UUID, now: datetime, expires_at: datetime
) -> None:
    await db.execute(
        update(Session).where(Session.id == session_id).values(last_seen_at=now, expires_at=expires_at)
    )


async def delete_session(db: AsyncSession, session_id: uuid.UUID) -> None:
    await db.execute(delete(Session).where(Session.id == session_id))


async def delete_expired_sessions(db: AsyncSession, now: datetime) -> int:
    result = await db.execute(delete(Session).where(Session.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def user_sessions(db: AsyncSession, user_id: uuid.UUID, now: datetime) -> list[Session]:
    result = await db.execute(
        select(Session)
        .where(Session.user_id == user_id, Session.expires_at > now)
        .order_by(Session.last_seen_at.desc(), Session.id)
    )
    return list(result.scalars())


async def delete_user_session(db: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> str | None:
    """Delete one of this user's sessions; its token hash, or None when it is not theirs."""
    result = await db.execute(
        delete(Session)
        .where(Session.id == session_id, Session.user_id == user_id)
        .returning(Session.token_hash)
    )
    return result.scalar_one_or_none()
