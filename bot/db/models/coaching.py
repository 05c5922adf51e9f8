"""Managers and their private coaching notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class Manager(Base):
    __tablename__ = "managers"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    user_id: Mapped[str] = mapped_column(SlackId)
    added_by: Mapped[str] = mapped_column(SlackId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Note(Base):
    """A coaching note. Readable only by ``author_id`` within ``team_id``."""

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_author_rep_created", "team_id", "author_id", "rep_id", "created_at"),
        Index("ix_notes_author_created", "team_id", "author_id", "created_at"),
        Index("ix_notes_follow_up", "follow_up_on", "follow_up_done_at"),
        # The rep card reads the last ratings per skill: one short index range per skill.
        Index("ix_notes_author_rep_skill_created", "team_id", "author_id", "rep_id", "skill_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    author_id: Mapped[str] = mapped_column(SlackId)
    author_tz: Mapped[str | None] = mapped_column(String(64))
    rep_id: Mapped[str] = mapped_column(SlackId)
    rep_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(40))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shared_with_rep: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A ``Skill.id`` of the same team (no foreign key: adding one would rebuild this table
    # on SQLite); renaming a skill therefore never touches notes. Rating 1-5 or NULL.
    skill_id: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Skill(Base):
    """A skill in a workspace's rubric. Removing one sets ``active`` false: its notes keep it.

    ``base`` is the default skill it was seeded from (``bot.services.rubric.DEFAULT_SKILLS``),
    kept through renames so the skill's curated prompt pool still applies; NULL for skills an
    admin added.
    """

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    name: Mapped[str] = mapped_column(String(40))
    base: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ActionItem(Base):
    """Something a manager asks a rep to do. The rep sees it (by DM); the note it came from never.

    ``status`` moves open -> acknowledged ("Got it") -> done. ``dm_channel_id``/``dm_ts`` name
    the rep's DM, so its buttons can answer "removed" after the manager deletes everything.
    ``rep_tz`` is the rep's zone when the item was made: the reminder goes out at 09:00 there.
    """

    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_assigner", "team_id", "assigner_id", "rep_id", "status"),
        Index("ix_action_items_rep", "team_id", "rep_id", "status"),
        Index("ix_action_items_due", "due_on", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    assigner_id: Mapped[str] = mapped_column(SlackId)
    rep_id: Mapped[str] = mapped_column(SlackId)
    rep_tz: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note_id: Mapped[int | None] = mapped_column(Integer)
    dm_channel_id: Mapped[str | None] = mapped_column(SlackId)
    dm_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Leader(Base):
    """Someone an admin named to see the coaching digest (counts and averages, never notes)."""

    __tablename__ = "leaders"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    user_id: Mapped[str] = mapped_column(SlackId)
    added_by: Mapped[str] = mapped_column(SlackId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ItemDm(Base):
    """One action-item DM sent to a rep: the budget's ledger (``bot.services.action_items``).

    Kept apart from ``action_items`` on purpose: deleting items (``/coach delete all``) must
    not refund the budget. It holds no text and no assigner, only that the rep got a DM then;
    the tick forgets rows once they no longer count.
    """

    __tablename__ = "item_dms"
    __table_args__ = (Index("ix_item_dms_rep_sent", "team_id", "rep_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    rep_id: Mapped[str] = mapped_column(SlackId)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RatingBlock(Base):
    """A frozen group of ratings of one skill that the leaders' digest may show (``bot.services.digest``).

    ``ratings`` (3 or more) ratings made before ``closed_on`` (a Monday, 00:00 UTC) and after
    the skill's previous block. Once written it never changes, not when a note is edited or
    deleted: a figure that moved then would tell the change. ``authors`` counts the ratings
    per author, so a leader who rated too is shown a block only when 3 or more of its ratings
    are someone else's (their own ones they know, and could subtract).
    """

    __tablename__ = "rating_blocks"
    __table_args__ = (UniqueConstraint("team_id", "skill_id", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    skill_id: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date] = mapped_column(Date)
    ratings: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    authors: Mapped[dict[str, int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
