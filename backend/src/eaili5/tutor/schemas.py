"""Tutor API shapes: a chat message in, a finished reply out, conversations and their messages."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from eaili5.tutor.engine import Intent, Level

MAX_TEXT = 2000
TITLE_MAX = 120


class ChatContext(BaseModel):
    """What the question is about, e.g. the token page it was asked from."""

    model_config = ConfigDict(extra="forbid")

    token_address: str | None = Field(
        default=None, pattern=r"^0x[0-9a-fA-F]{40}$", description="Ask about this token"
    )


class ChatIn(BaseModel):
    """One question. Over `/ws` these are the fields of a `chat.send` frame."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    level: Level = "simple"
    conversation_id: uuid.UUID | None = Field(default=None, description="Omit to start a new conversation")
    context: ChatContext | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        if "\x00" in value:  # PostgreSQL text cannot hold NUL: refuse it here, not with a 500
            raise ValueError("text must not contain NUL characters")
        return value


class SourceOut(BaseModel):
    kind: Literal["card", "market", "portfolio", "progress", "web", "knowledge_search"]
    title: str
    id: str | None = None
    url: str | None = None
    source: str | None = None
    as_of: str | None = None


class ChatReply(BaseModel):
    """The finished reply (`Accept: application/json`)."""

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    text: str
    intent: Intent | None
    grade: float | None
    sources: list[SourceOut]
    suggestions: list[str]
    engine: str | None
    warning: bool
    fallback_reason: str | None = None
    status: Literal["complete", "stopped", "failed"]


class ConversationOut(BaseModel):
    id: uuid.UUID
    title: str
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageOut(BaseModel):
    id: uuid.UUID
    role: Literal["user", "assistant"]
    text: str
    level: Level | None
    intent: str | None
    grade: float | None
    sources: list[dict[str, Any]]
    suggestions: list[str]
    engine: str | None
    status: Literal["complete", "stopped", "failed"]
    warning: bool
    fallback_reason: str | None
    created_at: AwareDatetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ConversationRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE_MAX)

    @field_validator("title")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("title must not be blank")
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise ValueError("title must not contain NUL characters")
        return value
