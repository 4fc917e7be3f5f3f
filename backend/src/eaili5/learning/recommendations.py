"""What to learn next, as pure functions of the curriculum and the learner's history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from eaili5.learning.content import Curriculum, Lesson, PathDef

MAX_WEAK_TOPICS = 3


def current_path(curriculum: Curriculum, completed: set[str], last_completed: str | None) -> PathDef | None:
    """The path of the lesson finished last, while it has lessons left; else the first unfinished path."""
    unfinished = [path for path in curriculum.paths if set(path.lessons) - completed]
    last_path = curriculum.lesson_path.get(last_completed or "")
    for path in unfinished:
        if path.id == last_path:
            return path
    return unfinished[0] if unfinished else None


def next_lesson(curriculum: Curriculum, completed: set[str], last_completed: str | None) -> Lesson | None:
    """The first lesson of the current path not yet done whose prerequisites are done (else the first
    not done: prerequisites guide, they do not lock)."""
    path = current_path(curriculum, completed, last_completed)
    if path is None:
        return None
    left = [curriculum.lessons[lesson_id] for lesson_id in path.lessons if lesson_id not in completed]
    ready = [lesson for lesson in left if set(lesson.prerequisites) <= completed]
    return (ready or left)[0]


@dataclass(frozen=True)
class WeakTopic:
    topic: str
    misses: int
    lesson: Lesson


def weak_topics(curriculum: Curriculum, answers: Iterable[tuple[str, bool]]) -> list[WeakTopic]:
    """Topics with more misses than right answers in recent quiz history, most misses first, each with
    the lesson where it was missed most."""
    misses: Counter[str] = Counter()
    rights: Counter[str] = Counter()
    missed_in: dict[str, Counter[str]] = {}
    for question_id, correct in answers:
        ref = curriculum.questions.get(question_id)
        if ref is None:
            continue  # content changed since: the question is gone
        topic = ref.question.topic
        if correct:
            rights[topic] += 1
            continue
        misses[topic] += 1
        missed_in.setdefault(topic, Counter())[ref.lesson.id] += 1
    weak = [topic for topic in misses if misses[topic] > rights[topic]]
    weak.sort(key=lambda topic: (-misses[topic], topic))
    return [
        WeakTopic(topic, misses[topic], curriculum.lessons[missed_in[topic].most_common(1)[0][0]])
        for topic in weak[:MAX_WEAK_TOPICS]
    ]
