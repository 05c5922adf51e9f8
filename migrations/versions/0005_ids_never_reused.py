"""ids are never reused: SQLite tables whose ids reach users become AUTOINCREMENT

SQLite hands out the largest rowid + 1, so after deleting the newest rows their ids come back
and a still-visible button (Undo on "Saved note #3") acts on someone else's new row. An
AUTOINCREMENT table never reuses an id. SQLite cannot alter that in place: batch mode rebuilds
each table, keeping its rows, ids, indexes and constraints. PostgreSQL sequences never go back,
so nothing changes there. bot.db.migrate turns SQLite's foreign keys off around migrations, so
rebuilding a parent table neither cascades nor nulls its children.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "managers",
    "notes",
    "schedules",
    "deliveries",
    "rotations",
    "quotes",
    "prompts",
    "submissions",
    "review_messages",
    "reactions",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
