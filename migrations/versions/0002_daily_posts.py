"""daily posts: schedules.active_since, rotations.last_item_id, deliveries.attempted_at

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("rotations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_item_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active_since", bot.db.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("active_since")

    with op.batch_alter_table("rotations", schema=None) as batch_op:
        batch_op.drop_column("last_item_id")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("attempted_at")
