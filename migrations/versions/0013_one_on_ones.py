"""1:1s: talking points, and biweekly cadences on the schedules table

``topics`` holds the talking points a manager and a rep add for their 1:1 (kept until checked
off). A 1:1 cadence is a ``schedules`` row of kind ``one_on_one``; it gains ``every_weeks``
(1 or 2) and ``anchor_on`` (the date biweekly weeks are counted from). Existing schedules:
every week, no anchor, which is what they already did.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("manager_id", sa.String(length=32), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("norm", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index("ix_topics_added_by", ["team_id", "added_by", "created_at"], unique=False)
        batch_op.create_index("ix_topics_pair_open", ["team_id", "manager_id", "rep_id", "checked_at"], unique=False)

    # ADD COLUMN with a constant default: SQLite does it in place, no table rebuild.
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("every_weeks", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("anchor_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("anchor_on")
        batch_op.drop_column("every_weeks")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_pair_open")
        batch_op.drop_index("ix_topics_added_by")
    op.drop_table("topics")
