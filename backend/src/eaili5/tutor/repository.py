"""All SQL for conversations and messages. Flushes only; the caller's transaction commits.

Every query is scoped to one user: another user's conversation is simply not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Conversation, Message
from eaili5.models.base import utcnow

Cursor = tuple[datetime, uuid.UUID]


async def find_conversation(
    db: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    query = select(Conversation).where(
        Conversation.id == conversation_id,
        Conversation.user_id == user_id,
        Conversation.archived_at.is_(None),
    )
    return (await db.execute(query)).scalar_one_or_none()


async def create_conversation(
    db: AsyncSession, user_id: uuid.UUID, title: str, conversation_id: uuid.UUID | None = None
) -> Conversation:
    conversation = Conversation(id=conversation_id or uuid.uuid4(), user_id=user_id, title=title)
    db.add(conversation)
    await db.flush()
    return conversation


async def touch_conversation(db: AsyncSession, conversation_id: uuid.UUID) -> None:
    await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def rename_conversation(
    db: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID, title: str
) -> Conversation | None:
    conversation = await find_conversation(db, user_id, conversation_id)
    if conversation is None:
        return None
    conversation.title = title
    conversation.updated_at = utcnow()
    await db.flush()
    return conversation


async def delete_conversation(db: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    # Messages go first explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys on.
    owned = await find_conversation(db, user_id, conversation_id)
    if owned is None:
        return False
    await db.execute(delete(Message).where(Message.conversation_id == conversation_id))
    await db.execute(delete(Conversation).where(Conversation.id == conversation_id))
    return True


async def list_conversations(
    db: AsyncSession, user_id: uuid.UUID, query_text: str | None, after: Cursor | None, limit: int
) -> Sequence[Conversation]:
    """Most recently active first; `query_text` matches the title or any message's text."""
    query = select(Conversation).where(Conversation.user_id == user_id, Conversation.archived_at.is_(None))
    if query_text:
        pattern = f"%{_escape_like(query_text.lower())}%"
        # Messages are narrowed by the indexed user_id first; the LIKE runs on that user's rows only.
        matching_message = exists().where(
            Message.user_id == user_id,
            Message.conversation_id == Conversation.id,
            func.lower(Message.text).like(pattern, escape="\\"),
        )
        query = query.where(or_(func.lower(Conversation.title).like(pattern, escape="\\"), matching_message))
    if after is not None:
        when, last_id = after
        query = query.where(
            or_(
                Conversation.updated_at < when,
                and_(Conversation.updated_at == when, Conversation.id < last_id),
            )
        )
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit)
    return (await db.execute(query)).scalars().all()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def messages(db: AsyncSession, conversation_id: uuid.UUID) -> Sequence[Message]:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at, Message.role.desc())  # a question sorts before its reply
    )
    return (await db.execute(query)).scalars().all()


async def recent_messages(db: AsyncSession, conversation_id: uuid.UUID, count: int) -> list[Message]:
    """The last `count` messages, oldest first (what the model sees as history)."""
    if count <= 0:
        return []
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at.desc(), Message.role.asc())
        .limit(count)
    )
    return list(reversed((await db.execute(query)).scalars().all()))


async def find_message(db: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID) -> Message | None:
    query = select(Message).where(Message.id == message_id, Message.user_id == user_id)
    return (await db.execute(query)).scalar_one_or_none()


async def add_message(db: AsyncSession, **values: Any) -> Message:
    message = Message(**values)
    db.add(message)
    await db.flush()
    return message
