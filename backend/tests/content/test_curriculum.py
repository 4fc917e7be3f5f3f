"""Every rule of docs/content.md for the curriculum and glossary, checked on the shipped content.

Each test gathers all violations of one rule and shows them together, so a writer sees every fix needed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import pytest

from eaili5.content.readability import reading_grade
from eaili5.learning.content import (
    CONTENT_DIR,
    KEBAB,
    GlossaryFile,
    Lesson,
    LessonFile,
    PathsFile,
    Question,
    curriculum_report,
    curriculum_stats,
    lesson_file_paths,
    load_glossary,
    load_lesson_files,
    load_paths,
)
from tests.summary import report

MIN_PATHS, MIN_LESSONS, MIN_QUESTIONS, MIN_TERMS = 6, 40, 160, 120
CARD_GRADE, ANALOGY_GRADE, EXPLANATION_GRADE, DEFINITION_GRADE = 5.0, 5.0, 6.0, 5.0
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@pytest.fixture(scope="module")
def paths() -> PathsFile:
    return load_paths()


@pytest.fixture(scope="module")
def lesson_files() -> list[LessonFile]:
    return load_lesson_files()


@pytest.fixture(scope="module")
def glossary() -> GlossaryFile:
    return load_glossary()


@pytest.fixture(scope="module")
def lessons(lesson_files: list[LessonFile]) -> list[Lesson]:
    return [lesson for lesson_file in lesson_files for lesson in lesson_file.lessons]


def _questions(lessons: list[Lesson]) -> Iterator[tuple[Lesson, int, Question]]:
    for lesson in lessons:
        for number, question in enumerate(lesson.quiz, start=1):
            yield lesson, number, question


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text.strip()))


# --- schema and counts -------------------------------------------------------------------------------
def test_every_file_matches_its_schema() -> None:
    """Unknown fields, wrong types and bad ids are refused by the Pydantic models."""
    load_paths(), load_glossary()
    for path in lesson_file_paths():
        LessonFile.model_validate(json.loads(path.read_text(encoding="utf-8")))


def test_minimum_counts(paths: PathsFile, lessons: list[Lesson], glossary: GlossaryFile) -> None:
    questions = sum(len(lesson.quiz) for lesson in lessons)
    assert len(paths.paths) >= MIN_PATHS, f"{len(paths.paths)} paths"
    assert len(lessons) >= MIN_LESSONS, f"{len(lessons)} lessons"
    assert questions >= MIN_QUESTIONS, f"{questions} questions"
    assert len(glossary.terms) >= MIN_TERMS, f"{len(glossary.terms)} glossary terms"


# --- ids and links -----------------------------------------------------------------------------------
def test_ids_are_unique(paths: PathsFile, lessons: list[Lesson]) -> None:
    assert _duplicates([path.id for path in paths.paths]) == []
    assert _duplicates([str(path.order) for path in paths.paths]) == []
    assert _duplicates([lesson.id for lesson in lessons]) == []
    assert _duplicates([question.id for _, _, question in _questions(lessons)]) == []


def test_each_lesson_is_on_exactly_one_path_its_file_names(
    paths: PathsFile, lesson_files: list[LessonFile]
) -> None:
    listed = [lesson_id for path in paths.paths for lesson_id in path.lessons]
    path_of = {lesson_id: path.id for path in paths.paths for lesson_id in path.lessons}
    written = {lesson.id: lesson_file.path for lesson_file in lesson_files for lesson in lesson_file.lessons}
    problems = [f"{lesson_id} is listed twice" for lesson_id in _duplicates(listed)]
    problems += [f"{lesson_id} is listed but not written" for lesson_id in listed if lesson_id not in written]
    problems += [
        f"{lesson_id} ({file_path}.json) is not on path {file_path}"
        for lesson_id, file_path in written.items()
        if path_of.get(lesson_id) != file_path
    ]
    known_paths = {path.id for path in paths.paths}
    problems += [f"file for unknown path {f.path}" for f in lesson_files if f.path not in known_paths]
    assert problems == []


def test_lesson_files_are_named_after_their_path(lesson_files: list[LessonFile]) -> None:
    names = [path.stem for path in lesson_file_paths()]
    assert names == [lesson_file.path for lesson_file in lesson_files]


def test_prerequisites_resolve_and_have_no_cycles(lessons: list[Lesson]) -> None:
    by_id = {lesson.id: lesson for lesson in lessons}
    missing = [f"{x.id} -> {p}" for x in lessons for p in x.prerequisites if p not in by_id]
    assert missing == []
    state: dict[str, str] = {}  # visiting / done

    def cycle_from(lesson_id: str, trail: list[str]) -> list[str] | None:
        if state.get(lesson_id) == "done":
            return None
        if state.get(lesson_id) == "visiting":
            return [*trail, lesson_id]
        state[lesson_id] = "visiting"
        for prerequisite in by_id[lesson_id].prerequisites:
            found = cycle_from(prerequisite, [*trail, lesson_id])
            if found:
                return found
        state[lesson_id] = "done"
        return None

    cycles = [cycle for lesson in lessons if (cycle := cycle_from(lesson.id, []))]
    assert cycles == []


def test_glossary_links_resolve(lessons: list[Lesson], glossary: GlossaryFile) -> None:
    terms = {term.id for term in glossary.terms}
    assert [f"{x.id}: {t}" for x in lessons for t in x.glossary if t not in terms] == []


def test_try_it_links_are_complete(lessons: list[Lesson]) -> None:
    snapshot = json.loads((CONTENT_DIR / "tokens" / "base-tokens.json").read_text(encoding="utf-8"))
    rows = snapshot["tokens"] if isinstance(snapshot, dict) else snapshot
    symbols = {row["symbol"] for row in rows}
    problems = []
    for lesson in lessons:
        try_it = lesson.try_it
        if try_it is None:
            continue
        if try_it.kind == "ask" and not (try_it.prompt or "").strip():
            problems.append(f"{lesson.id}: 'ask' needs a prompt")
        if try_it.kind in ("token", "trade") and try_it.symbol not in symbols:
            problems.append(f"{lesson.id}: symbol {try_it.symbol!r} is not in the market snapshot")
    assert problems == []


# --- lesson shape ------------------------------------------------------------------------------------
def test_lesson_shape(lessons: list[Lesson]) -> None:
    problems = []
    for lesson in lessons:
        if not 2 <= lesson.minutes <= 6:
            problems.append(f"{lesson.id}: minutes {lesson.minutes}")
        if not 3 <= len(lesson.cards) <= 6:
            problems.append(f"{lesson.id}: {len(lesson.cards)} cards")
        if not 2 <= len(lesson.takeaways) <= 4:
            problems.append(f"{lesson.id}: {len(lesson.takeaways)} takeaways")
        if not 3 <= len(lesson.quiz) <= 5:
            problems.append(f"{lesson.id}: {len(lesson.quiz)} questions")
        if _sentences(lesson.summary) != 1:
            problems.append(f"{lesson.id}: summary is not one sentence")
        for number, card in enumerate(lesson.cards, start=1):
            words = len(card.body.split())
            if not 25 <= words <= 90:
                problems.append(f"{lesson.id} card {number}: {words} words")
    assert problems == []


# --- questions -----------------------------------------------------------------------------------------
def _option_problems(question: Question) -> list[str]:
    options = question.options
    right = sum(option.correct for option in options)
    ids = [option.id for option in options]
    if _duplicates(ids):
        return ["duplicate option ids"]
    if question.kind == "single" and not (3 <= len(options) <= 4 and right == 1):
        return [f"single: {len(options)} options, {right} correct"]
    if question.kind == "multiple" and not (4 <= len(options) <= 5 and right >= 2 and right < len(options)):
        return [f"multiple: {len(options)} options, {right} correct"]
    if question.kind == "true_false" and not (sorted(ids) == ["false", "true"] and right == 1):
        return [f"true_false: options {ids}, {right} correct"]
    return []


def test_questions_have_the_right_number_of_correct_options(lessons: list[Lesson]) -> None:
    problems = []
    for lesson, number, question in _questions(lessons):
        if question.id != f"{lesson.id}-q{number}":
            problems.append(f"{question.id}: should be {lesson.id}-q{number}")
        if not re.match(KEBAB, question.topic) or len(question.topic) > 40:
            problems.append(f"{question.id}: topic {question.topic!r} is not a short tag")
        problems += [f"{question.id}: {problem}" for problem in _option_problems(question)]
    assert problems == []


def test_every_option_explains_itself(lessons: list[Lesson]) -> None:
    empty = [
        f"{question.id}/{option.id}"
        for _, _, question in _questions(lessons)
        for option in question.options
        if not option.explanation.strip()
    ]
    assert empty == []


# --- reading level -----------------------------------------------------------------------------------
def _too_hard(items: list[tuple[str, str]], limit: float) -> list[str]:
    return [f"{where}: grade {grade}" for where, text in items if (grade := reading_grade(text)) > limit]


def test_cards_read_at_grade_5_or_below(lessons: list[Lesson]) -> None:
    cards = [(f"{x.id} card {n}", card.body) for x in lessons for n, card in enumerate(x.cards, start=1)]
    assert _too_hard(cards, CARD_GRADE) == []


def test_analogies_read_at_grade_5_or_below(lessons: list[Lesson]) -> None:
    assert _too_hard([(lesson.id, lesson.analogy) for lesson in lessons], ANALOGY_GRADE) == []


def test_explanations_read_at_grade_6_or_below(lessons: list[Lesson]) -> None:
    explanations = [
        (f"{question.id}/{option.id}", option.explanation)
        for _, _, question in _questions(lessons)
        for option in question.options
    ]
    assert _too_hard(explanations, EXPLANATION_GRADE) == []


# --- glossary ----------------------------------------------------------------------------------------
def test_glossary_terms_and_aliases_are_unique(glossary: GlossaryFile) -> None:
    names = [name.lower() for term in glossary.terms for name in (term.term, *term.aliases)]
    assert _duplicates([term.id for term in glossary.terms]) == []
    assert _duplicates(names) == []


def test_glossary_definitions_are_one_easy_sentence(glossary: GlossaryFile) -> None:
    not_one = [term.id for term in glossary.terms if _sentences(term.definition) != 1]
    assert not_one == []
    assert _too_hard([(term.id, term.definition) for term in glossary.terms], DEFINITION_GRADE) == []


def test_the_shipped_content_is_what_is_checked() -> None:
    assert (CONTENT_DIR / "learn" / "paths.json").is_file() and (CONTENT_DIR / "glossary.json").is_file()


def test_the_curriculum_figures_are_printed_at_the_end_of_the_run() -> None:
    """`make test` prints counts and the median and maximum reading grade of lesson cards."""
    stats = curriculum_stats()
    assert stats.lessons == 0 or 0 < stats.card_grade_median <= stats.card_grade_max
    report("curriculum", curriculum_report())


def test_the_option_rules_catch_bad_questions() -> None:
    """The checks above can fail: a few broken questions, each caught."""

    def make(kind: str, options: list[tuple[str, bool]]) -> Question:
        return Question.model_validate(
            {
                "id": "x-q1",
                "kind": kind,
                "prompt": "?",
                "topic": "t",
                "options": [{"id": i, "text": i, "correct": c, "explanation": "e"} for i, c in options],
            }
        )

    assert _option_problems(make("single", [("a", True), ("b", True), ("c", False)]))
    assert _option_problems(make("single", [("a", True), ("b", False)]))
    assert _option_problems(make("multiple", [("a", True), ("b", False), ("c", False), ("d", False)]))
    assert _option_problems(make("multiple", [("a", True), ("b", True), ("c", True), ("d", True)]))
    assert _option_problems(make("true_false", [("yes", True), ("no", False)]))
    assert _option_problems(make("single", [("a", True), ("a", False), ("c", False)]))
    assert not _option_problems(make("multiple", [("a", True), ("b", True), ("c", False), ("d", False)]))
    assert not _option_problems(make("true_false", [("true", False), ("false", True)]))
    assert _sentences("One. Two.") == 2 and _sentences("Just one sentence.") == 1


def test_the_lesson_and_path_the_app_links_to_exist(paths: PathsFile, lessons: list[Lesson]) -> None:
    """Trade hints point at these (learning/subscribers.py); the scam-spotter badge needs the path."""
    from eaili5.learning.subscribers import HINT_LESSON, HINT_PATH

    assert HINT_LESSON in {lesson.id for lesson in lessons}
    assert HINT_PATH in {path.id for path in paths.paths}
