"""Schedules, exactly-once deliveries and per-target rotation state."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class Schedule(Base):
    """A recurring delivery: a channel's daily quote, a manager's prompt DM, a channel's prompt.

    ``kind`` is one of ``quote_channel``, ``prompt_channel``, ``prompt_dm``; ``target_id`` is
    the channel id (channel kinds) or the user id (``prompt_dm``). ``days`` is a bit mask,
    Monday = 1 << 0 ... Sunday = 1 << 6.
    """

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("team_id", "kind", "target_id"),
        Index("ix_schedules_active", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(SlackId)
    created_by: Mapped[str] = mapped_column(SlackId)
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    tz: Mapped[str] = mapped_column(String(64))
    days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_reason: Mapped[str | None] = mapped_column(String(200))
    # Occurrences due before this instant are never delivered (set when the schedule is
    # (re)set, so "09:00" typed at 09:30 means tomorrow rather than a post right away).
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Calendars (bot.services.calendars): a holiday calendar code such as ``DE`` or ``DE-BY``
    # (NULL: none) whose holidays produce no delivery; a pause until a local date (the first
    # date it posts again) and who asked for it.
    holidays: Mapped[str | None] = mapped_column(String(40))
    paused_until: Mapped[date | None] = mapped_column(Date)
    paused_by: Mapped[str | None] = mapped_column(SlackId)
    # 1:1s (kind ``one_on_one``): every 1 or 2 weeks, counted from ``anchor_on`` (the local
    # date of the first 1:1 after the cadence was set). Other kinds leave them as 1 and NULL.
    every_weeks: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    anchor_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryStatus(StrEnum):
    """What became of a claimed delivery (``deliveries.status``); the stored values."""

    PENDING = "pending"  # claimed; not (yet) confirmed posted
    SENT = "sent"
    RECONCILED = "reconciled"  # an unconfirmed attempt found in conversations.history
    SKIPPED = "skipped"  # nothing to send, or its schedule went off while it waited
    FAILED = "failed"  # Slack refused it for good (e.g. channel archived)
    EXPIRED = "expired"  # not confirmed within the grace window
    DEFERRED = "deferred"  # the recipient is away: moved to their next working day
    SUPERSEDED = "superseded"  # a newer occurrence of the same schedule replaced it


class Delivery(Base):
    """One message that must go out exactly once.

    ``key`` is unique and names the occurrence, e.g. ``schedule:12:2026-11-30`` or
    ``followup:7:2026-12-01``. Inserting the row is the claim; ``status`` moves from
    ``pending`` (claimed, not yet confirmed by Slack) to ``sent``, ``failed`` or ``skipped``.
    A DM to someone whose Slack status says away is ``deferred``: ``due_at`` moves to their next
    working day (same key, same item); it becomes ``pending`` when it goes out, or
    ``superseded`` when a newer occurrence of the same schedule comes first.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_due", "status", "due_at"),
        Index("ix_deliveries_team_kind_sent", "team_id", "kind", "sent_at"),
        Index("ix_deliveries_channel_ts", "team_id", "channel_id", "message_ts"),
        # A deferred DM looks for a newer occurrence of its schedule.
        Index("ix_deliveries_schedule_date", "schedule_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    kind: Mapped[str] = mapped_column(String(20))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    note_id: Mapped[int | None] = mapped_column(Integer)
    target_id: Mapped[str] = mapped_column(SlackId)
    channel_id: Mapped[str | None] = mapped_column(SlackId)
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the last attempt started (the app clock): an attempt younger than the Slack
    # client's timeout may still land, so reconciliation waits until it is older.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    item_id: Mapped[int | None] = mapped_column(Integer)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Away deferrals: how many, and the last one (at most one per item per day).
    deferrals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rotation(Base):
    """Where a target (channel or manager) is in its walk through a pool.

    ``kind`` is ``quote`` or ``prompt``. Within a cycle the walk visits items in
    ``shuffle_key`` order from ``start_key`` to the end of the key space, then (``wrapped``)
    from the other end back to ``start_key``; odd cycles walk upwards, even cycles downwards.
    ``cursor_key`` is the last key handed out. A new cycle picks a new random start. See
    ``bot.services.rotation`` for the exact guarantees.
    """

    __tablename__ = "rotations"
    __table_args__ = (UniqueConstraint("team_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(SlackId)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    start_key: Mapped[int] = mapped_column(Integer, default=0)
    cursor_key: Mapped[int | None] = mapped_column(Integer)
    wrapped: Mapped[bool] = mapped_column(Boolean, default=False)
    # The item handed out last: a new cycle never starts with it (no repeat across cycles).
    last_item_id: Mapped[int | None] = mapped_column(Integer)


class RotationSeen(Base):
    """An item a target has seen in a cycle. The primary key is the anti-join index."""

    __tablename__ = "rotation_seen"

    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotations.id", ondelete="CASCADE"), primary_key=True)
    cycle: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
