"""Team quote submissions, their review messages, opt-outs and reactions on posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class Submission(Base):
    """A quote a member sent in.

    ``status``: ``awaiting_consent`` -> ``pending`` -> ``approved`` | ``rejected``;
    ``declined`` when the quoted member says no. Only ``approved`` ones become a ``Quote``.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_team_status", "team_id", "status"),
        Index("ix_submissions_team_norm", "team_id", "norm_key"),
        Index("ix_submissions_team_submitter", "team_id", "submitter_id"),
        Index("ix_submissions_team_author", "team_id", "author_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    submitter_id: Mapped[str] = mapped_column(SlackId)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    author_user_id: Mapped[str | None] = mapped_column(SlackId)
    source: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    norm_key: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    near_dup_quote_id: Mapped[int | None] = mapped_column(Integer)
    # Set instead of near_dup_quote_id when the look-alike is another pending submission.
    near_dup_submission_id: Mapped[int | None] = mapped_column(Integer)
    near_dup_text: Mapped[str | None] = mapped_column(Text)
    near_dup_score: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(SlackId)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    quote_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the quoted member was sent the consent DM (NULL: no consent needed). Counts the
    # DMs one member got in the last day, whatever became of the submissions.
    consent_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberLock(Base):
    """One row per member, locked (UPDATE) at the start of a submission's unit of work.

    The per-member limits (pending, per day, consent DMs) are counts; two concurrent
    submissions could both count 4 and both insert. Touching this row first makes the
    second wait for the first to commit (a row lock on PostgreSQL, the write lock on
    SQLite), so the count it then reads is true.
    """

    __tablename__ = "member_locks"

    team_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    user_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewSummary(Base):
    """The one "N quotes are waiting" message per review target, updated in place.

    ``ts`` is NULL while the first copy is being posted, so a concurrent poster knows
    one is on its way and does not post a second.
    """

    __tablename__ = "review_summaries"

    team_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    target_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    channel_id: Mapped[str | None] = mapped_column(SlackId)
    ts: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewMessage(Base):
    """Where a submission's review card was posted, so every copy can be updated."""

    __tablename__ = "review_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(SlackId)
    ts: Mapped[str] = mapped_column(String(32))


class OptOut(Base):
    """A member who does not want to be quoted."""

    __tablename__ = "opt_outs"

    team_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    user_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reaction(Base):
    """One member's reaction on one of the bot's posts; the row's existence is the count."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "message_ts", "user_id", "reaction"),
        Index("ix_reactions_message", "team_id", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    channel_id: Mapped[str] = mapped_column(SlackId)
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(SlackId)
    reaction: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedEvent(Base):
    """Events API ids already handled: Slack retries (X-Slack-Retry-Num) are acked, not redone."""

    __tablename__ = "processed_events"
    # The tick deletes rows past their window (``bot.services.events.forget_old_events``).
    __table_args__ = (Index("ix_processed_events_received", "received_at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(SlackId)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
