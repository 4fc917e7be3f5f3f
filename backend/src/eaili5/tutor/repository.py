"""All SQL for conversations and messages. Flushes only; the caller's transaction commits.

Every query is scoped to one user: another user's conversation is simply not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Conversation, Message
from eaili5.models.base import utcnow

Cursor = tuple[datetime, uuid.UUID]
# The tables themselves, for the statements every chat turn runs: Core statements skip the ORM's unit
# of work and identity map, which cost more CPU than the statements' own round trips.
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
MESSAGES: Table = Message.__table__  # type: ignore[assignment]


async def find_conversation(
    db: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    query = select(Conversation).where(
        Conversation.id == conversation_id,
        Conversation.user_id == user_id,
        Conversation.archived_at.is_(None),
    )
    return (await db.execute(query)).scalar_one_or_none()


# Built once, run with parameters: building a statement costs more CPU than sending it.
_INSERT_CONVERSATION = insert(CONVERSATIONS)
_TOUCH_CONVERSATION = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == bindparam("conversation"),
        CONVERSATIONS.c.user_id == bindparam("owner"),
        CONVERSATIONS.c.archived_at.is_(None),
    )
    .values(updated_at=bindparam("now"))
    .returning(CONVERSATIONS.c.id)
)
_RECENT_MESSAGES = (
    select(MESSAGES.c.role, MESSAGES.c.text)
    .where(MESSAGES.c.conversation_id == bindparam("conversation"))
    .order_by(MESSAGES.c.created_at.desc(), MESSAGES.c.role.asc())
    .limit(bindparam("count", type_=Integer))
)
_INSERT_MESSAGE = insert(MESSAGES)


async def create_conversation(
    db: AsyncSession, user_id: uuid.UUID, title: str, conversation_id: uuid.UUID | None = None
) -> uuid.UUID:
    """A new conversation. Returns its id."""
    new_id = conversation_id or uuid.uuid4()
    await db.execute(_INSERT_CONVERSATION, {"id": new_id, "user_id": user_id, "title": title})
    return new_id


async def touch_conversation(db: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    """Mark the caller's conversation as active now. False when it is not theirs, archived or gone:
    the ownership check and the touch are one statement."""
    touched = await db.execute(
        _TOUCH_CONVERSATION, {"conversation": conversation_id, "owner": user_id, "now": utcnow()}
    )
    return touched.first() is not None


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


async def recent_messages(db: AsyncSession, conversation_id: uuid.UUID, count: int) -> list[tuple[str, str]]:
    """The last `count` messages as (role, text), oldest first (what the engine sees as history)."""
    if count <= 0:
        return []
    rows = (await db.execute(_RECENT_MESSAGES, {"conversation": conversation_id, "count": count})).all()
    return [(role, text) for role, text in reversed(rows)]


async def find_message(db: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID) -> Message | None:
    query = select(Message).where(Message.id == message_id, Message.user_id == user_id)
    return (await db.execute(query)).scalar_one_or_none()


async def add_message(db: AsyncSession, **values: Any) -> None:
    """One message; the columns not given take their defaults (id, created_at, …)."""
    await db.execute(_INSERT_MESSAGE, values)
