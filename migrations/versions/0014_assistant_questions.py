"""assistant questions: one row per question asked in the AI pane, without its text

For the per-member limit per minute (counted across replicas, under the member's lock row)
and for the thumbs up/down under each answer. Neither the question nor the answer is stored.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("asked_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("intent", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=16), nullable=True),
        sa.Column("feedback", sa.String(length=8), nullable=True),
        sa.Column("feedback_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_questions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("assistant_questions", schema=None) as batch_op:
        batch_op.create_index("ix_assistant_questions_member_asked", ["team_id", "user_id", "asked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assistant_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_assistant_questions_member_asked")
    op.drop_table("assistant_questions")
