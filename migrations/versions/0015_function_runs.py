"""function runs: one row per Workflow Builder step execution, so Slack's retries redo nothing

``function_runs`` records each ``function_executed`` delivery taken up, keyed by workspace and
Slack's ``function_execution_id``, with the outputs (or error message) the step completed
with; a retry of the same execution answers the same. Existing data: nothing to convert.

Numbered 0015 on top of 0012 by agreement (0013 and 0014 belong to parallel work); the merge
rechains ``down_revision`` onto whatever head main has then.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "function_runs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("execution_id", sa.String(length=64), nullable=False),
        sa.Column("callback_id", sa.String(length=64), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "execution_id", name=op.f("pk_function_runs")),
    )
    with op.batch_alter_table("function_runs", schema=None) as batch_op:
        batch_op.create_index("ix_function_runs_claimed", ["claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("function_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_function_runs_claimed")
    op.drop_table("function_runs")
