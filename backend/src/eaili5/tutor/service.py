"""One tutor turn, whatever the transport: limits, context, the engine's stream, the buffer, the record.

`prepare` runs inside the caller's transaction (rate limits, the conversation, the question saved,
recent turns and a short learner summary); the caller commits it. `generate` then streams the reply:
every frame is numbered and written to the KV buffer (so `chat.resume` works on any instance) and
handed to the transport's sink; at the end the reply is saved in its own transaction — also a reply
that was stopped (marked `stopped`) or that failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.content.readability import reading_grade
from eaili5.core.errors import NotFound, RateLimited
from eaili5.core.state import AppState
from eaili5.models import Holding, Portfolio, UserProgress
from eaili5.tutor import repository
from eaili5.tutor.engine import (
    Delta,
    Done,
    Sources,
    Status,
    Turn,
    TutorEngine,
    TutorEvent,
    TutorRequest,
)
from eaili5.tutor.resume import ReplyBuffer
from eaili5.tutor.schemas import ChatIn

logger = logging.getLogger(__name__)

TITLE_CHARS = 80
FAILED = "The tutor hit a problem on our side. Please try again."
THINKING = "Thinking…"
LEARNER_FACTS_TTL_SECONDS = 30.0
Sink = Callable[[dict[str, Any]], None]  # receives each numbered frame; must not block


@dataclass(frozen=True, slots=True)
class Admitted:
    """A message that passed the limits, with the ids its reply will carry."""

    user_id: uuid.UUID
    body: ChatIn
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    new_conversation: bool


@dataclass
class ReplyStream:
    """Numbers each frame, hands it to the transport at once, and buffers it for `chat.resume` behind
    it (write-behind): while one batch of frames is being written to the KV, the frames that follow
    gather for the next batch. A reply of forty sentences costs a few KV round trips, not eighty."""

    buffer: ReplyBuffer
    ids: dict[str, str]
    sink: Sink | None
    unstored: list[dict[str, Any]] = field(default_factory=list)  # sent, not buffered yet
    writer: asyncio.Task[None] | None = None

    async def send(self, frame: dict[str, Any]) -> None:
        self.send_now(frame)
        if self.sink is not None:  # without a live transport (a JSON reply) `store_sent` writes them all
            self._write_behind()

    def send_now(self, frame: dict[str, Any]) -> None:
        """Hand the frame to the transport at once, without awaiting anything; it is buffered for
        `chat.resume` (in offset order) with the next batch, or by `store_sent`."""
        numbered = self.buffer.number({**frame, **self.ids})
        self.unstored.append(numbered)
        if self.sink is not None:
            self.sink(numbered)

    def _write_behind(self) -> None:
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write(), name=f"reply-buffer-{self.ids['message_id']}")

    async def _write(self) -> None:
        while self.unstored:  # one writer at a time: batches are stored in offset order
            batch, self.unstored = self.unstored, []
            await self.buffer.store_many(batch)

    async def store_sent(self) -> None:
        """Wait until every frame sent so far is buffered. Being cancelled meanwhile does not stop
        the writing (a stopped reply's frames are still resumable)."""
        while self.unstored or (self.writer is not None and not self.writer.done()):
            self._write_behind()
            assert self.writer is not None
            await asyncio.shield(self.writer)


@dataclass(frozen=True, slots=True)
class PreparedTurn:
    user_id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    request: TutorRequest


@dataclass
class ReplyOutcome:
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    text: str = ""
    intent: str | None = None
    grade: float | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    engine: str | None = None
    warning: bool = False
    fallback_reason: str | None = None
    status: str = "complete"

    def done_frame(self) -> dict[str, Any]:
        return {
            "type": "chat.done",
            "intent": self.intent,
            "grade": self.grade,
            "suggestions": self.suggestions,
            "engine": self.engine,
            "warning": self.warning,
            "fallback_reason": self.fallback_reason,
            "status": self.status,
        }


class TutorService:
    def __init__(self, state: AppState, engine: TutorEngine) -> None:
        self.state, self.engine = state, engine
        self.settings, self.kv, self.metrics = state.settings, state.kv, state.metrics

    # --- before the reply ------------------------------------------------------------------------
    async def check_limits(self, user_id: uuid.UUID) -> None:
        """Per-minute rate and daily cap per user; refused messages are not counted against the cap."""
        daily = f"{self.settings.tutor_daily_cap}/day"
        # Two KV round trips when the message is allowed: the minute window counts it, then the daily
        # window counts it unless the cap is reached (a full window counts nothing). Only a message the
        # minute refuses reads the daily window, to say which limit it hit (the daily one first).
        minute = await self.kv.hit_rate_limit(self.settings.tutor_rate_limit, "tutor", str(user_id))
        if minute.allowed:
            today = await self.kv.hit_rate_limit(daily, "tutor-day", str(user_id))
            if not today.allowed:
                self._refuse_daily()
            return
        if await self.kv.rate_limit_remaining(daily, "tutor-day", str(user_id)) <= 0:
            self._refuse_daily()
        self.metrics.rate_limited.labels("tutor").inc()
        raise RateLimited(
            "That's a lot of questions at once. Take a breath and try again in a moment.",
            retry_after=minute.retry_after_seconds,
        )

    def _refuse_daily(self) -> NoReturn:
        self.metrics.rate_limited.labels("tutor_daily").inc()
        raise RateLimited(
            f"You have sent today's {self.settings.tutor_daily_cap} messages. Come back tomorrow!",
            retry_after=3600,
        )

    async def admit(self, user_id: uuid.UUID, body: ChatIn) -> Admitted:
        """Limits first (nothing stored for a refused message), then the reply's ids."""
        await self.check_limits(user_id)
        new = body.conversation_id is None
        conversation_id = uuid.uuid4() if body.conversation_id is None else body.conversation_id
        return Admitted(user_id, body, conversation_id, uuid.uuid4(), new)

    async def prepare(self, db: AsyncSession, admitted: Admitted) -> PreparedTurn:
        """Save the question (and a new conversation) and gather what the engine needs to know."""
        user_id, body = admitted.user_id, admitted.body
        history: tuple[Turn, ...] = ()
        if admitted.new_conversation:
            await repository.create_conversation(db, user_id, _title(body.text), admitted.conversation_id)
        else:
            if not await repository.touch_conversation(db, user_id, admitted.conversation_id):
                raise NotFound("There is no conversation with this id.")
            earlier = await repository.recent_messages(
                db, admitted.conversation_id, self.settings.tutor_history_turns
            )
            history = tuple(
                Turn("user" if role == "user" else "assistant", text)
                for role, text in earlier
                if text.strip()
            )
        await repository.add_message(
            db,
            conversation_id=admitted.conversation_id,
            user_id=user_id,
            role="user",
            text=body.text,
            level=body.level,
        )
        request = TutorRequest(
            user_id=user_id,
            text=body.text,
            level=body.level,
            history=history,
            token_address=body.context.token_address.lower()
            if body.context and body.context.token_address
            else None,
            # Only a model reads the summary: the offline tutor is spared its KV read (and queries).
            learner_summary=f"Reading level: {body.level}. " + await self._learner_facts(db, user_id)
            if getattr(self.engine, "reads_learner_summary", True)
            else "",
        )
        return PreparedTurn(user_id, admitted.conversation_id, admitted.message_id, request)

    async def _learner_facts(self, db: AsyncSession, user_id: uuid.UUID) -> str:
        """Lessons done and what the practice portfolio holds, cached briefly: a summary for the model
        needs no per-message freshness, and it saves two queries on every turn of a conversation."""
        key = f"tutor:learner:{user_id}"
        cached = await self.kv.get(key)
        if cached is not None:
            return cached.decode()
        facts = await self._read_learner_facts(db, user_id)
        await self.kv.set(key, facts.encode(), LEARNER_FACTS_TTL_SECONDS)
        return facts

    async def _read_learner_facts(self, db: AsyncSession, user_id: uuid.UUID) -> str:
        from sqlalchemy import select

        done = await db.execute(
            select(UserProgress.topic)
            .where(UserProgress.user_id == user_id, UserProgress.completed.is_(True))
            .limit(20)
        )
        topics = list(done.scalars())
        held = await db.execute(
            select(Holding.token)
            .join(Portfolio, Portfolio.id == Holding.portfolio_id)
            .where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None), Holding.amount > 0)
            .limit(20)
        )
        symbols = [self._symbol(address) for address in held.scalars()]
        lessons = (
            f"Completed lessons ({len(topics)}): {', '.join(topics[:8])}." if topics else "No lessons yet."
        )
        portfolio = f"Practice portfolio holds: {', '.join(symbols)}." if symbols else "Portfolio: cash only."
        return f"{lessons} {portfolio}"

    def _symbol(self, address: str) -> str:
        try:
            return self.state.market.token(address).symbol
        except Exception:  # a token no longer listed: show the address, never fail the turn
            return address

    # --- the reply -------------------------------------------------------------------------------
    def open_reply(self, admitted: Admitted, sink: Sink | None) -> ReplyStream:
        """The reply's stream, its first frame (`chat.status` "Thinking…") already handed to `sink`,
        before anything is awaited: however busy the event loop or slow the KV, the asker hears back
        at once. `respond` buffers that frame for `chat.resume` before it sends the next one."""
        buffer = ReplyBuffer(self.kv, admitted.message_id, self.settings.tutor_resume_ttl_seconds)
        ids = {"message_id": str(admitted.message_id), "conversation_id": str(admitted.conversation_id)}
        stream = ReplyStream(buffer, ids, sink)
        stream.send_now({"type": "chat.status", "text": THINKING})
        return stream

    async def respond(
        self, admitted: Admitted, sink: Sink | None, stream: ReplyStream | None = None
    ) -> ReplyOutcome:
        """The whole turn in the background (WebSocket): the first frame (from `open_reply`), then the
        question is saved and the reply streamed. An unknown conversation ends it with `chat.error`."""
        if stream is None:
            stream = self.open_reply(admitted, sink)
        await stream.buffer.open(admitted.user_id, admitted.conversation_id)
        await stream.store_sent()
        outcome = ReplyOutcome(admitted.message_id, admitted.conversation_id, status="failed")
        try:
            async with self.state.db.transaction() as db:
                turn = await self.prepare(db, admitted)
        except NotFound as exc:
            await stream.send({"type": "chat.error", "code": "not_found", "detail": exc.detail})
            await stream.store_sent()
            return outcome
        except asyncio.CancelledError:  # stopped before it began: nothing was saved
            outcome.status = "stopped"
            await stream.send(outcome.done_frame())
            await stream.store_sent()
            return outcome
        except Exception:
            logger.exception("could not start a tutor reply")
            await stream.send({"type": "chat.error", "code": "internal", "detail": FAILED})
            await stream.store_sent()
            return outcome
        return await self.generate(turn, sink, stream)

    async def generate(
        self, turn: PreparedTurn, sink: Sink | None = None, stream: ReplyStream | None = None
    ) -> ReplyOutcome:
        """Stream the reply into the buffer and `sink`; save it. Cancelling the task stops it (saved
        as `stopped`, the engine's stream closed)."""
        if stream is None:
            stream = await self._open(turn.user_id, turn.conversation_id, turn.message_id, sink)
        outcome = ReplyOutcome(turn.message_id, turn.conversation_id, engine=self.engine.name)
        failure: dict[str, Any] | None = None
        try:
            await self._stream(turn, outcome, stream.send)
        except asyncio.CancelledError:
            outcome.status = "stopped"
        except Exception:
            logger.exception("tutor reply failed")
            outcome.status = "failed"
            failure = {"type": "chat.error", "code": "internal", "detail": FAILED}
        if outcome.grade is None and outcome.text.strip():
            outcome.grade = round(reading_grade(outcome.text), 1)
        await self._save(turn, outcome)
        self.metrics.tutor_replies.labels(_engine_kind(outcome.engine), outcome.status).inc()
        await stream.send(failure or outcome.done_frame())
        await stream.store_sent()  # a reply that has ended can be read back in full at once
        return outcome

    async def _open(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID, sink: Sink | None
    ) -> ReplyStream:
        buffer = ReplyBuffer(self.kv, message_id, self.settings.tutor_resume_ttl_seconds)
        if sink is None:
            # A JSON reply: its id reaches the client with the finished reply, so nobody can resume or
            # stop it before; its frames and the owner are written at the end, in one round trip.
            buffer.open_with_first_frames(user_id, conversation_id)
        else:
            await buffer.open(user_id, conversation_id)
        return ReplyStream(
            buffer, {"message_id": str(message_id), "conversation_id": str(conversation_id)}, sink
        )

    async def _stream(
        self, turn: PreparedTurn, outcome: ReplyOutcome, send: Callable[[dict[str, Any]], Any]
    ) -> None:
        started = time.perf_counter()
        first_text = True
        async with contextlib.aclosing(self.engine.answer(turn.request)) as events:  # type: ignore[type-var]
            async for event in events:
                if isinstance(event, Delta) and first_text and event.text:
                    first_text = False
                    self.metrics.tutor_first_token.labels(_engine_kind(self.engine.name)).observe(
                        time.perf_counter() - started
                    )
                frame = absorb(outcome, event)
                if frame is not None:
                    await send(frame)

    async def _save(self, turn: PreparedTurn, outcome: ReplyOutcome) -> None:
        try:
            async with self.state.db.transaction() as db:
                await repository.add_message(
                    db,
                    id=turn.message_id,
                    conversation_id=turn.conversation_id,
                    user_id=turn.user_id,
                    role="assistant",
                    text=outcome.text,
                    level=turn.request.level,
                    intent=outcome.intent,
                    grade=outcome.grade,
                    sources=outcome.sources,
                    suggestions=outcome.suggestions,
                    engine=outcome.engine,
                    status=outcome.status,
                    warning=outcome.warning,
                    fallback_reason=(outcome.fallback_reason or "")[:200] or None,
                )
                # No second touch of the conversation: its activity time is the question's, set in prepare().
        except Exception:  # e.g. the conversation was deleted meanwhile: the client still gets its reply
            logger.warning("could not save a tutor reply", exc_info=True)


def absorb(outcome: ReplyOutcome, event: TutorEvent) -> dict[str, Any] | None:
    """Fold one engine event into the outcome; the frame to send for it (`Done` is sent at the end)."""
    if isinstance(event, Delta):
        outcome.text += event.text
        return {"type": "chat.delta", "text": event.text}
    if isinstance(event, Status):
        return {"type": "chat.status", "text": event.text}
    if isinstance(event, Sources):
        new = [source_dict(source) for source in event.sources]
        outcome.sources.extend(new)
        return {"type": "chat.sources", "sources": new}
    if isinstance(event, Done):
        outcome.intent = event.intent
        outcome.suggestions = list(event.suggestions)
        outcome.engine = event.engine
        outcome.warning = event.warning
        outcome.fallback_reason = event.fallback_reason
        outcome.grade = event.grade
        return None
    raise TypeError(f"unknown tutor event {event!r}")


def source_dict(source: Any) -> dict[str, Any]:
    return {
        "kind": source.kind,
        "title": source.title,
        "id": source.id,
        "url": source.url,
        "source": source.source,
        "as_of": source.as_of,
    }


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def _engine_kind(name: str | None) -> str:
    # Metric labels stay bounded: model names vary, so they count as "model".
    return "offline" if name in (None, "offline") else "model"
