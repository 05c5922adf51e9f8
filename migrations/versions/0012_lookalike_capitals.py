"""look-alike capitals: recompute every norm_key

``normalize`` now maps confusable letters before casefolding as well as after, so a capital
look-alike (Greek "Κ" in "Dana Κim") compares equal to the letter it imitates. Duplicate checks
read the stored ``norm_key`` of quotes and submissions: recompute those that changed. No
schema change.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    _recompute_norm_keys("quotes")
    _recompute_norm_keys("submissions")


def _recompute_norm_keys(table_name: str) -> None:
    # As in 0007: migrations stay self-contained, so the loop is repeated here.
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
    pass
