from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey


class ReviewCard(UUIDPrimaryKey, Timestamps, Base):
    """A spaced-review card: a missed quiz question or a glossary term the user looked up.

    `fsrs` is the scheduler's card state (`fsrs.Card.to_dict()`); `due` copies its due time so the
    queue is an index range scan.
    """

    __tablename__ = "review_cards"
    __table_args__ = (
        CheckConstraint("kind IN ('question', 'term')", name="kind_known"),
        UniqueConstraint("user_id", "kind", "ref", name="uq_review_cards_user_id_kind_ref"),
        Index("ix_review_cards_user_id_due", "user_id", "due"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(120))  # question id or glossary term id
    fsrs: Mapped[dict[str, Any]]
    due: Mapped[datetime]
    reviews: Mapped[int] = mapped_column(default=0)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
