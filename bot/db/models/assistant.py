"""The assistant's questions: one row per question asked in the AI pane, without its text.

What it holds is what the assistant needs and nothing more: who asked (for the per-minute
limit and for checking a vote's owner), when, which suggested question it was (or free text),
how it was answered (data, model, or the data after the model failed) and the asker's thumbs
up or down. The question and the answer are never stored or logged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class AssistantQuestion(Base):
    __tablename__ = "assistant_questions"
    # The per-minute count reads one member's latest rows.
    __table_args__ = (Index("ix_assistant_questions_member_asked", "team_id", "user_id", "asked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId)
    user_id: Mapped[str] = mapped_column(SlackId)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    intent: Mapped[str] = mapped_column(String(16))
    answered_by: Mapped[str | None] = mapped_column(String(16))  # data, model, fallback
    feedback: Mapped[str | None] = mapped_column(String(8))  # up, down
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
