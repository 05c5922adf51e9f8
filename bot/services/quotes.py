"""Reading the quote pool: what a workspace can see, and one quote at random."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Quote
from bot.errors import NotFound


@dataclass(frozen=True)
class QuoteView:
    id: int
    text: str
    author: str
    source: str | None
    tags: tuple[str, ...]
    contested: bool
    attribution_note: str | None
    submitted_by: str | None

    @classmethod
    def of(cls, q: Quote) -> QuoteView:
        return cls(
            id=q.id,
            text=q.text,
            author=q.author,
            source=q.source,
            tags=tuple(q.tags or ()),
            contested=q.contested,
            attribution_note=q.attribution_note,
            submitted_by=q.submitted_by,
        )


def visible_to(team_id: str) -> ColumnElement[bool]:
    """Curated quotes plus this workspace's approved ones; never another workspace's."""
    return (Quote.active.is_(True)) & or_(Quote.team_id.is_(None), Quote.team_id == team_id)


def random_quote(session: Session, *, team_id: str, rng: random.Random | None = None) -> QuoteView:
    """One quote at random, by a seek on the shuffle index (no full scan, no ORDER BY random())."""
    r = (rng or random).randrange(0, 0x7FFFFFFF)
    for cond in (Quote.shuffle_key >= r, Quote.shuffle_key < r):
        q = session.scalars(select(Quote).where(visible_to(team_id), cond).order_by(Quote.shuffle_key).limit(1)).first()
        if q is not None:
            return QuoteView.of(q)
    raise NotFound("There are no quotes yet. An admin can load the curated store with `coachbot quotes load`.")


def get_quote(session: Session, *, team_id: str, quote_id: int) -> QuoteView:
    q = session.scalars(select(Quote).where(visible_to(team_id), Quote.id == quote_id)).first()
    if q is None:
        raise NotFound(f"Quote #{quote_id} was not found.")
    return QuoteView.of(q)
