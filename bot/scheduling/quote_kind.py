"""Daily quote posts to channels (daily-posts work)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.scheduling.kinds import Occurrence, Rendered


class QuoteKind:
    name = "quote"

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        return []

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return None

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Rendered | None:
        return None
