"""abuse limits: submission and consent bookkeeping, one review summary per target; norm keys
recomputed with the new normalization (confusables, invisible characters)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_asked_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_submissions_team_author", ["team_id", "author_user_id"], unique=False)
    op.create_table(
        "member_locks",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("touched_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_member_locks")),
    )
    op.create_table(
        "review_summaries",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("updated_at", bot.db.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "target_id", name=op.f("pk_review_summaries")),
    )
    # Data: every stored duplicate key was computed by the old normalization. Recompute them
    # all (quotes and submissions), so a look-alike of a stored quote is caught from now on;
    # the store loader rewrites only entries it sees changed, so it can't be relied on here.
    _recompute_norm_keys("quotes")
    _recompute_norm_keys("submissions")


def _recompute_norm_keys(table_name: str) -> None:
    from bot.services.text import norm_key

    conn = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("norm_key"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.text, table.c.norm_key)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [{"row_id": r.id, "key": norm_key(r.text)} for r in rows if norm_key(r.text) != r.norm_key]
        if changed:
            conn.execute(
                table.update().where(table.c.id == sa.bindparam("row_id")).values(norm_key=sa.bindparam("key")),
                changed,
            )
        last = rows[-1].id


def downgrade() -> None:
    # The recomputed keys stay: the old ones only matched fewer look-alikes.
    op.drop_table("review_summaries")
    op.drop_table("member_locks")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_team_author")
        batch_op.drop_column("consent_asked_at")
