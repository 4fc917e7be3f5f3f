"""Learning errors: each says what went wrong and what to send instead."""

from __future__ import annotations

from eaili5.core.errors import AppError, Conflict, NotFound


class UnknownLesson(NotFound):
    kind = "UnknownLesson"

    def __init__(self, lesson_id: str) -> None:
        super().__init__(f"There is no lesson '{lesson_id[:100]}'. GET /api/learn/paths lists them.")


class UnknownTerm(NotFound):
    kind = "UnknownTerm"

    def __init__(self, term_id: str) -> None:
        super().__init__(
            f"There is no glossary term '{term_id[:100]}'. Search with GET /api/learn/glossary?q=."
        )


class UnknownAttempt(NotFound):
    kind = "UnknownAttempt"


class UnknownCard(NotFound):
    kind = "UnknownCard"


class InvalidAnswer(AppError):
    """An answer that does not fit its question (unknown question or option, wrong number of options)."""

    status_code = 422
    kind = "InvalidAnswer"


class AlreadyAnswered(Conflict):
    kind = "AlreadyAnswered"


class AttemptFinished(Conflict):
    kind = "AttemptFinished"
