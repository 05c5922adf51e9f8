"""The contract between the delivery engine and the things it delivers.

The engine (``bot.scheduling.run``) owns exactly-once: it asks each kind what is due,
claims each occurrence under the unique ``Delivery.key``, asks the kind to ``choose``
the item once (at claim time; the choice is stored as ``Delivery.item_id`` so a re-run
after a crash posts the same thing), ``render``s it, posts it with message metadata, and
records Slack's ``ts``. Kinds hold no Slack objects and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.blocks import Message


@dataclass(frozen=True)
class Occurrence:
    """One thing due. ``key`` is unique forever, e.g. ``schedule:12:2026-11-30``."""

    key: str
    kind: str
    team_id: str
    enterprise_id: str | None
    target_id: str  # a channel id, or a user id for a DM
    local_date: date
    due_at: datetime  # the UTC instant it became due
    schedule_id: int | None = None
    note_id: int | None = None
    owner_id: str | None = None  # whom to tell when it cannot be delivered


class DeliveryKind(Protocol):
    @property
    def name(self) -> str:
        """The ``DeliveryKindName`` it claims under (``bot.kinds``)."""
        ...

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        """Occurrences due at ``at``: scheduled at T with T <= at <= T + grace."""
        ...

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        """Pick the item (quote, prompt, note id) and advance any rotation. Called once per claim."""
        ...

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        """The message for a chosen item; repeatable. None means: nothing to send, skip."""
        ...
