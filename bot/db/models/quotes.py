"""The quote pool (curated and team-approved) and the coaching prompts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SlackId, UTCDateTime, utcnow


class Quote(Base):
    """A quote in rotation. ``team_id`` is NULL for curated quotes, set for team quotes."""

    __tablename__ = "quotes"
    __table_args__ = (
        # The rotation walks quotes in shuffle order from a cursor: an index range scan.
        Index("ix_quotes_pool_shuffle", "team_id", "active", "shuffle_key"),
        Index("ix_quotes_norm_key", "norm_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(SlackId)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    curated_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How well the attribution is known: sourced | attributed | contested (see quotes/README.md).
    # Team quotes are the submitter's word, never checked: attributed.
    confidence: Mapped[str] = mapped_column(String(12), default="attributed", server_default="attributed")
    # Kept for existing readers and writers; always equal to confidence == "contested".
    contested: Mapped[bool] = mapped_column(Boolean, default=False)
    attribution_note: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(SlackId)
    submission_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # sha256 of the normalized text (see services.text.normalize): exact-duplicate checks.
    norm_key: Mapped[str] = mapped_column(String(64))
    shuffle_key: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Prompt(Base):
    """A coaching prompt from the curated store."""

    __tablename__ = "prompts"
    __table_args__ = (Index("ix_prompts_theme_active", "theme", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curated_key: Mapped[str] = mapped_column(String(100), unique=True)
    theme: Mapped[str] = mapped_column(String(40))
    # One of bot.services.rubric.DEFAULT_SKILLS; NULL only for rows loaded before skills existed.
    skill: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_key: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StoreState(Base):
    """Small key/value facts about the database, e.g. the digest of the last loaded store."""

    __tablename__ = "store_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
