"""coaching loop: skill rubric, note skill and rating, action items, leaders

Notes gain ``skill_id`` (a ``skills.id`` of the same team; no foreign key, which would
rebuild ``notes`` on SQLite), ``rating`` (1-5) and ``edited_at``, plus an index for the rep
card's last ratings per skill. Adding columns and an index needs no table rebuild on SQLite,
so ``notes`` keeps its AUTOINCREMENT from 0005. New tables are AUTOINCREMENT from the start
(ids reach users in buttons; see tests/test_ids.py). The default rubric is not inserted
here: each workspace gets it on first use (bot.services.rubric).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = bot.db.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("base", sa.String(length=40), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_skills_team_id_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("assigner_id", sa.String(length=32), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("rep_tz", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.Column("dm_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("action_items") as batch_op:
        batch_op.create_index("ix_action_items_assigner", ["team_id", "assigner_id", "rep_id", "status"])
        batch_op.create_index("ix_action_items_due", ["due_on", "status"])
        batch_op.create_index("ix_action_items_rep", ["team_id", "rep_id", "status"])
    op.create_table(
        "leaders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaders")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_leaders_team_id_user_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notes") as batch_op:
        batch_op.add_column(sa.Column("skill_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("edited_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(
            "ix_notes_author_rep_skill_created", ["team_id", "author_id", "rep_id", "skill_id", "created_at"]
        )


def downgrade() -> None:
    # Dropping columns rebuilds ``notes`` on SQLite: keep it AUTOINCREMENT (see 0005).
    with op.batch_alter_table("notes", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_index("ix_notes_author_rep_skill_created")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("rating")
        batch_op.drop_column("skill_id")
    op.drop_table("leaders")
    op.drop_table("action_items")
    op.drop_table("skills")
