"""Managers and their private coaching notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, String, Text, UniqueConstraint
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
