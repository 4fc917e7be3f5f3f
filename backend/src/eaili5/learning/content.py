"""The curriculum (paths, lessons with quizzes) and the glossary, loaded once per process.

Shapes are checked here (Pydantic, unknown fields refused); the rules that span files (unique ids,
prerequisites, reading grade, counts) are enforced by tests/content/test_curriculum.py. Content is
written while the app runs in development, so a path may list a lesson that is not written yet:
the loader leaves it out of the path (and logs it) instead of refusing to start.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eaili5.content.readability import reading_grade

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GlossaryTerm(_Strict):
    id: str = Field(pattern=KEBAB)
    term: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    definition: str = Field(min_length=1)
    topic: str = Field(min_length=1)


class GlossaryFile(_Strict):
    about: str
    terms: tuple[GlossaryTerm, ...]


class PathDef(_Strict):
    id: str = Field(pattern=KEBAB)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    order: int
    lessons: tuple[str, ...]


class PathsFile(_Strict):
    paths: tuple[PathDef, ...]


class Option(_Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    correct: bool
    explanation: str


class Question(_Strict):
    id: str = Field(min_length=1)
    kind: Literal["single", "multiple", "true_false"]
    prompt: str = Field(min_length=1)
    topic: str = Field(min_length=1)
    options: tuple[Option, ...]

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options)


class LessonCard(_Strict):
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)


class TryIt(_Strict):
    kind: Literal["ask", "token", "trade"]
    label: str = Field(min_length=1)
    prompt: str | None = None
    symbol: str | None = None


class Lesson(_Strict):
    id: str = Field(pattern=KEBAB)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    minutes: int
    prerequisites: tuple[str, ...] = ()
    analogy: str = Field(min_length=1)
    cards: tuple[LessonCard, ...]
    takeaways: tuple[str, ...]
    try_it: TryIt | None = None
    glossary: tuple[str, ...] = ()
    quiz: tuple[Question, ...]


class LessonFile(_Strict):
    path: str = Field(pattern=KEBAB)
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class QuestionRef:
    lesson: Lesson
    question: Question


@dataclass(frozen=True)
class Curriculum:
    """Everything the learning feature reads from content, indexed for lookups."""

    paths: tuple[PathDef, ...]  # by `order`; each lists only lessons that exist
    lessons: dict[str, Lesson]
    lesson_path: dict[str, str]  # lesson id -> id of the path that lists it (or whose file holds it)
    glossary: dict[str, GlossaryTerm]
    questions: dict[str, QuestionRef] = field(default_factory=dict)

    @property
    def path_by_id(self) -> dict[str, PathDef]:
        return {path.id: path for path in self.paths}

    def lessons_of(self, path_id: str) -> list[Lesson]:
        path = self.path_by_id.get(path_id)
        return [self.lessons[lesson_id] for lesson_id in path.lessons] if path else []

    def lessons_using_term(self, term_id: str) -> list[Lesson]:
        return [lesson for lesson in self.lessons.values() if term_id in lesson.glossary]


def build_curriculum(
    paths: PathsFile, lesson_files: Iterable[LessonFile], glossary: GlossaryFile
) -> Curriculum:
    """Index validated content. Duplicate ids keep the first one (tests refuse duplicates)."""
    lessons: dict[str, Lesson] = {}
    file_path: dict[str, str] = {}
    for lesson_file in lesson_files:
        for lesson in lesson_file.lessons:
            lessons.setdefault(lesson.id, lesson)
            file_path.setdefault(lesson.id, lesson_file.path)
    ordered = sorted(paths.paths, key=lambda path: (path.order, path.id))
    kept = tuple(_existing_lessons_only(path, lessons) for path in ordered)
    lesson_path = dict(file_path)
    for path in kept:
        lesson_path.update(dict.fromkeys(path.lessons, path.id))
    questions = {
        question.id: QuestionRef(lesson, question) for lesson in lessons.values() for question in lesson.quiz
    }
    terms: dict[str, GlossaryTerm] = {}
    for term in glossary.terms:
        terms.setdefault(term.id, term)
    return Curriculum(kept, lessons, lesson_path, terms, questions)


def _existing_lessons_only(path: PathDef, lessons: dict[str, Lesson]) -> PathDef:
    missing = [lesson_id for lesson_id in path.lessons if lesson_id not in lessons]
    if missing:
        logger.warning("path %s lists lessons not written yet: %s", path.id, ", ".join(missing))
    present = tuple(dict.fromkeys(lesson_id for lesson_id in path.lessons if lesson_id in lessons))
    return path.model_copy(update={"lessons": present})


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def lesson_file_paths(content_dir: Path = CONTENT_DIR) -> list[Path]:
    return sorted((content_dir / "learn" / "lessons").glob("*.json"))


def load_lesson_files(content_dir: Path = CONTENT_DIR) -> list[LessonFile]:
    return [LessonFile.model_validate(_read(path)) for path in lesson_file_paths(content_dir)]


def load_paths(content_dir: Path = CONTENT_DIR) -> PathsFile:
    return PathsFile.model_validate(_read(content_dir / "learn" / "paths.json"))


def load_glossary(content_dir: Path = CONTENT_DIR) -> GlossaryFile:
    return GlossaryFile.model_validate(_read(content_dir / "glossary.json"))


@lru_cache(maxsize=4)
def load_curriculum(content_dir: Path = CONTENT_DIR) -> Curriculum:
    """The shipped curriculum, read and validated once per process."""
    return build_curriculum(
        load_paths(content_dir), load_lesson_files(content_dir), load_glossary(content_dir)
    )


@dataclass(frozen=True)
class CurriculumStats:
    paths: int
    lessons: int
    questions: int
    glossary_terms: int
    card_grade_median: float
    card_grade_max: float


def curriculum_stats(content_dir: Path = CONTENT_DIR) -> CurriculumStats:
    """Counts and the reading grade of lesson cards, read fresh from disk (`make test` prints them)."""
    paths, glossary = load_paths(content_dir), load_glossary(content_dir)
    files = load_lesson_files(content_dir)
    lessons = [lesson for lesson_file in files for lesson in lesson_file.lessons]
    grades = [reading_grade(card.body) for lesson in lessons for card in lesson.cards]
    return CurriculumStats(
        paths=len(paths.paths),
        lessons=len(lessons),
        questions=sum(len(lesson.quiz) for lesson in lessons),
        glossary_terms=len(glossary.terms),
        card_grade_median=round(median(grades), 1) if grades else 0.0,
        card_grade_max=max(grades, default=0.0),
    )


def curriculum_report(content_dir: Path = CONTENT_DIR) -> str:
    stats = curriculum_stats(content_dir)
    return (
        f"curriculum: {stats.paths} paths, {stats.lessons} lessons, {stats.questions} questions, "
        f"{stats.glossary_terms} glossary terms; lesson card reading grade median {stats.card_grade_median}, "
        f"max {stats.card_grade_max}"
    )
