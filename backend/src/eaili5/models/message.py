from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, PortableJSON, UUIDPrimaryKey, utcnow


class Message(UUIDPrimaryKey, Base):
    """One turn of a conversation: the learner's question or the tutor's reply.

    `user_id` is copied from the conversation so text search over a user's messages filters on an
    indexed column without a join. Replies keep what the client was shown: intent, grade, sources,
    suggestions, the engine that wrote it, and whether it finished, was stopped or failed.
    """

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant')", name="role_known"),
        CheckConstraint("status IN ('complete', 'stopped', 'failed')", name="status_known"),
        Index("ix_messages_conversation_id_created_at", "conversation_id", "created_at"),
        Index("ix_messages_user_id_created_at", "user_id", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(8), default=None)
    intent: Mapped[str | None] = mapped_column(String(32), default=None)
    grade: Mapped[float | None] = mapped_column(Float, default=None)
    sources: Mapped[list[Any]] = mapped_column(PortableJSON, default=list)
    suggestions: Mapped[list[Any]] = mapped_column(PortableJSON, default=list)
    engine: Mapped[str | None] = mapped_column(String(100), default=None)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    warning: Mapped[bool] = mapped_column(default=False)
    fallback_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
