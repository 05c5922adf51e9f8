"""calendars: holiday calendars, pauses, away deferrals

Schedules gain a holiday calendar code and a pause (until a local date, and by whom);
deliveries gain the away-deferral bookkeeping and an index to find a schedule's newer
occurrences. Existing schedules get no calendar and no pause: nothing changes for them.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holidays", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("paused_by", sa.String(length=32), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deferrals", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("deferred_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_deliveries_schedule_date", ["schedule_id", "local_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_schedule_date")
        batch_op.drop_column("deferred_at")
        batch_op.drop_column("deferrals")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("paused_by")
        batch_op.drop_column("paused_until")
        batch_op.drop_column("holidays")
