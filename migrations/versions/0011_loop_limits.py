"""coaching loop limits: frozen rating blocks, the action-item DM budget, event pruning

``rating_blocks`` holds the groups of 3+ ratings the leaders' digest may show, frozen once
written, so no later edit or deletion moves a figure (which would tell the change).
``item_dms`` is the ledger of action-item DMs a rep got, apart from the items so deleting
them refunds nothing. ``processed_events`` gains an index on ``received_at`` for the tick's
pruning. Existing data: nothing to convert (blocks are built on the next digest).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_dms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("sent_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_dms")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("item_dms", schema=None) as batch_op:
        batch_op.create_index("ix_item_dms_rep_sent", ["team_id", "rep_id", "sent_at"], unique=False)

    op.create_table(
        "rating_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_blocks")),
        sa.UniqueConstraint(
            "team_id", "skill_id", "closed_on", name=op.f("uq_rating_blocks_team_id_skill_id_closed_on")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.create_index("ix_processed_events_received", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_events_received")

    op.drop_table("rating_blocks")
    with op.batch_alter_table("item_dms", schema=None) as batch_op:
        batch_op.drop_index("ix_item_dms_rep_sent")

    op.drop_table("item_dms")
