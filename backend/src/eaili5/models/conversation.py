from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey

TITLE_MAX = 120


class Conversation(UUIDPrimaryKey, Timestamps, Base):
    """One chat with the tutor. `updated_at` moves with every new message, so lists sort by activity."""

    __tablename__ = "conversations"
    __table_args__ = (
        # The history list: a user's conversations, most recently active first (keyset pagination).
        Index("ix_conversations_user_id_updated_at", "user_id", "updated_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
