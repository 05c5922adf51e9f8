"""Workflow Builder steps: one row per execution of a custom step, and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class FunctionRun(Base):
    """A ``function_executed`` delivery that was taken up (``bot.services.function_runs``).

    Slack retries the event of an execution that was not acknowledged in time, with the same
    ``function_execution_id``; the retry finds this row and answers with the same ``outputs``
    (or ``error``) instead of doing the step again. ``finished_at`` is NULL while the first
    delivery is still at work. Rows hold ids, counts and error messages, never a note's text.
    """

    __tablename__ = "function_runs"
    # Forgotten after a day, like processed_events: Slack's retries come within the hour.
    __table_args__ = (Index("ix_function_runs_claimed", "claimed_at"),)

    team_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    execution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    callback_id: Mapped[str] = mapped_column(String(64))
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
