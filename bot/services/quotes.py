"""Reading the quote pool: what a workspace can see, and one quote at random."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Quote
from bot.errors import NotFound

NO_QUOTES = "There are no quotes yet. An admin can load the curated store with `coachbot quotes load`."


@dataclass(frozen=True)
class QuoteView:
    id: int
    text: str
    author: str
    source: str | None
    tags: tuple[str, ...]
    confidence: str  # sourced | attributed | contested (bot.services.store)
    attribution_note: str | None
    submitted_by: str | None

    @property
    def contested(self) -> bool:
        return self.confidence == "contested"

    @classmethod
    def of(cls, q: Quote) -> QuoteView:
        return cls(
            id=q.id,
            text=q.text,
            author=q.author,
            source=q.source,
            tags=tuple(q.tags or ()),
            confidence=q.confidence,
            attribution_note=q.attribution_note,
            submitted_by=q.submitted_by,
        )


def visible_to(team_id: str) -> ColumnElement[bool]:
    """Curated quotes plus this workspace's approved ones; never another workspace's."""
    return (Quote.active.is_(True)) & or_(Quote.team_id.is_(None), Quote.team_id == team_id)


class QuotePool:
    """The quotes each workspace can see, kept in memory for ``ttl`` seconds.

    ``/quote`` and App Home show a random quote on every request; reading it from memory
    keeps the ack free of database round trips. Curated quotes change only when the store
    is loaded, team quotes when one is approved (which refreshes this process's copy at once);
    a few minutes of staleness on other replicas is harmless here
    (daily posts read the database, not this cache).
    """

    def __init__(self, sessions: sessionmaker[Session], *, ttl: float = 300.0) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str | None, tuple[float, list[QuoteView]]] = {}
        self._refreshing: set[str | None] = set()

    def visible(self, team_id: str) -> list[QuoteView]:
        return self._get(None) + self._get(team_id)

    def _get(self, key: str | None) -> list[QuoteView]:
        """Fresh entries come from memory. A stale one is refreshed by one thread while the
        others keep serving the stale copy, so an expiry never stampedes the database."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (now - entry[0] <= self.ttl or key in self._refreshing):
                return entry[1]
            self._refreshing.add(key)
        try:
            quotes = self._load(Quote.team_id.is_(None) if key is None else Quote.team_id == key)
            with self._lock:
                self._entries[key] = (time.monotonic(), quotes)
            return quotes
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def random(self, team_id: str, rng: random.Random | None = None) -> QuoteView:
        pool = self.visible(team_id)
        if not pool:
            raise NotFound(NO_QUOTES)
        return (rng or random).choice(pool)

    def invalidate(self, team_id: str | None = None) -> None:
        """Forget one workspace's quotes (e.g. after an approval), or everything."""
        with self._lock:
            if team_id is None:
                self._entries.clear()
            else:
                self._entries.pop(team_id, None)

    def _load(self, which: ColumnElement[bool]) -> list[QuoteView]:
        with self.sessions.begin() as session:
            rows = session.scalars(select(Quote).where(Quote.active.is_(True), which).order_by(Quote.id))
            return [QuoteView.of(q) for q in rows]


def get_quote(session: Session, *, team_id: str, quote_id: int) -> QuoteView:
    q = session.scalars(select(Quote).where(visible_to(team_id), Quote.id == quote_id)).first()
    if q is None:
        raise NotFound(f"Quote #{quote_id} was not found.")
    return QuoteView.of(q)
