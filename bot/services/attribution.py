"""What is known about a quote's attribution, for the "Why?" button under a contested quote."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import Quote
from bot.errors import NotFound
from bot.services.quotes import QuoteView

# Ids are 32-bit integers in both databases; anything else cannot name a quote (and
# PostgreSQL would refuse the query rather than find nothing).
MAX_ID = 2**31 - 1
NO_SUCH_QUOTE = "There is no such quote: it may have been removed from the store. Try `/quote` for another one."


def quote_for_note(session: Session, *, team_id: str, quote_id: int) -> QuoteView:
    """Quote ``quote_id`` if this workspace can see it: curated, or one of its own team quotes.

    Retired quotes still answer: yesterday's post can outlive its entry in the store.
    """
    row = session.scalars(
        select(Quote).where(Quote.id == quote_id, or_(Quote.team_id.is_(None), Quote.team_id == team_id))
    ).first()
    if row is None:
        raise NotFound(NO_SUCH_QUOTE)
    return QuoteView.of(row)
