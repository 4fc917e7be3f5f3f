"""Learning: quiz attempts and answers, the XP ledger, activity days, badges, review cards, hints.

Lesson completion and best score stay in the seed's `user_progress` (topic = lesson id).

Revision ID: c5a2d3e4f6b7
Revises: b4f1c2d3e5a6
Create Date: 2026-11-26 18:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c5a2d3e4f6b7"
down_revision: str | None = "b4f1c2d3e5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "quiz_attempts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("score_pct", sa.Integer(), nullable=True),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_quiz_attempts_number_positive")),
        sa.CheckConstraint(
            "score_pct IS NULL OR (score_pct >= 0 AND score_pct <= 100)",
            name=op.f("ck_quiz_attempts_score_range"),
        ),
        _user_fk("quiz_attempts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
        sa.UniqueConstraint(
            "user_id", "lesson_id", "number", name="uq_quiz_attempts_user_id_lesson_id_number"
        ),
    )
    op.create_table(
        "quiz_answers",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.String(length=120), nullable=False),
        sa.Column("chosen", _json(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        _when("answered_at"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_quiz_answers_attempt_id_quiz_attempts"),
            ondelete="CASCADE",
        ),
        _user_fk("quiz_answers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answers")),
        sa.UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answers_attempt_id_question_id"),
    )
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_answers_user_id_answered_at", ["user_id", "answered_at"], unique=False)

    op.create_table(
        "xp_awards",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(length=120), nullable=True),
        sa.Column("attempt_id", sa.Uuid(), nullable=True),
        _when("created_at"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_xp_awards_amount_positive")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_xp_awards_attempt_id_quiz_attempts"),
            ondelete="SET NULL",
        ),
        _user_fk("xp_awards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xp_awards")),
        sa.UniqueConstraint("user_id", "key", name="uq_xp_awards_user_id_key"),
    )
    with op.batch_alter_table("xp_awards", schema=None) as batch_op:
        batch_op.create_index("ix_xp_awards_created_at", ["created_at"], unique=False)

    op.create_table(
        "activity_days",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        _when("created_at"),
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("activity_days"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_days")),
        sa.UniqueConstraint("user_id", "day", name="uq_activity_days_user_id_day"),
    )
    op.create_table(
        "user_badges",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=40), nullable=False),
        _when("earned_at"),
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("user_badges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_badges")),
        sa.UniqueConstraint("user_id", "badge", name="uq_user_badges_user_id_badge"),
    )
    op.create_table(
        "review_cards",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=False),
        sa.Column("fsrs", _json(), nullable=False),
        _when("due"),
        sa.Column("reviews", sa.Integer(), nullable=False),
        _when("last_reviewed_at", nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint("kind IN ('question', 'term')", name=op.f("ck_review_cards_kind_known")),
        _user_fk("review_cards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cards")),
        sa.UniqueConstraint("user_id", "kind", "ref", name="uq_review_cards_user_id_kind_ref"),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index("ix_review_cards_user_id_due", ["user_id", "due"], unique=False)

    op.create_table(
        "learning_hints",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        _when("created_at"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "target_kind IN ('lesson', 'path')", name=op.f("ck_learning_hints_target_kind_known")
        ),
        _user_fk("learning_hints"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_hints")),
        sa.UniqueConstraint("user_id", "reason", "target", name="uq_learning_hints_user_id_reason_target"),
    )


def downgrade() -> None:
    op.drop_table("learning_hints")
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cards_user_id_due")
    op.drop_table("review_cards")
    op.drop_table("user_badges")
    op.drop_table("activity_days")
    with op.batch_alter_table("xp_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_xp_awards_created_at")
    op.drop_table("xp_awards")
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_answers_user_id_answered_at")
    op.drop_table("quiz_answers")
    op.drop_table("quiz_attempts")
