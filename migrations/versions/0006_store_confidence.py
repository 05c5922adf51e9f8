"""curated store: confidence levels on quotes, a skill on prompts

Every quote now says how well its attribution is known: ``sourced`` (a named book, speech or
article, and the words match it), ``attributed`` (a popular attribution, no primary source)
or ``contested`` (the note says what is known). Existing rows are backfilled from what they
already claimed: contested stays contested; a curated quote that gave a source keeps claiming
it (sourced); everything else, team quotes included, is attributed. The next store load
rewrites curated rows from the files either way.

Prompts get the selling skill they train (bot.services.skills.DEFAULT_SKILLS); the store load
fills it in. Adding a column needs no table rebuild on SQLite, so the AUTOINCREMENT tables
from 0005 stay as they are.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.String(length=12), server_default="attributed", nullable=False))
    with op.batch_alter_table("prompts") as batch_op:
        batch_op.add_column(sa.Column("skill", sa.String(length=40), nullable=True))

    quotes = sa.table(
        "quotes",
        sa.column("team_id", sa.String),
        sa.column("source", sa.String),
        sa.column("contested", sa.Boolean),
        sa.column("confidence", sa.String),
    )
    op.execute(quotes.update().where(quotes.c.contested.is_(True)).values(confidence="contested"))
    op.execute(
        quotes.update()
        .where(quotes.c.contested.is_(False), quotes.c.team_id.is_(None), quotes.c.source.is_not(None))
        .values(confidence="sourced")
    )


def downgrade() -> None:
    with op.batch_alter_table("prompts") as batch_op:
        batch_op.drop_column("skill")
    with op.batch_alter_table("quotes") as batch_op:
        batch_op.drop_column("confidence")
