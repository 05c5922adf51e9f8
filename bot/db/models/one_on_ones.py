"""1:1s: the talking points a manager and a rep add for their next 1:1.

The cadence itself is a ``Schedule`` row (kind ``one_on_one``, ``target_id`` = the rep,
``created_by`` = the manager, plus ``every_weeks``/``anchor_on`` for biweekly ones), so the
delivery engine's holidays, pauses and away deferrals apply to it unchanged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class Topic(Base):
    """A talking point for the 1:1 of ``manager_id`` and ``rep_id``; either of them adds it.

    It carries over from 1:1 to 1:1 until someone checks it off (``checked_at``). ``norm`` is
    ``bot.services.text.norm_key`` of the text: two topics that look the same (case, width,
    invisible characters, look-alike letters) share it, so the same point is not listed twice.
    Both sides see it: it never holds anything from a note.
    """

    __tablename__ = "topics"
    __table_args__ = (
        # The agenda: a pair's open topics, oldest first.
        Index("ix_topics_pair_open", "team_id", "manager_id", "rep_id", "checked_at"),
        # The flood limit: what one person added in the last 24 hours.
        Index("ix_topics_added_by", "team_id", "added_by", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    manager_id: Mapped[str] = mapped_column(SlackId)
    rep_id: Mapped[str] = mapped_column(SlackId)
    added_by: Mapped[str] = mapped_column(SlackId)
    text: Mapped[str] = mapped_column(String(1000))
    norm: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by: Mapped[str | None] = mapped_column(SlackId)
