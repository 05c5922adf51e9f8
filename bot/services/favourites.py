"""Team favourites: reactions on the bot's daily posts, `/quote top` and `/quote search`.

A reaction counts when it is on a message the bot posted as a daily quote (a ``sent``
``quote`` delivery with that channel and ``ts``); one row per (member, emoji, post).
Slack retries an event it thinks we missed (``X-Slack-Retry-Num``). The app-wide event
middleware (``bot.listeners.events``) already drops a retry of an event id it has seen;
on top of that, applying the same event twice changes nothing here: the reaction's
unique key makes a repeated add a no-op, and a remove deletes at most that one row.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Delivery, Quote, Reaction
from bot.db.models.delivery import DeliveryStatus
from bot.db.upsert import insert_ignore
from bot.errors import UsageError
from bot.services.quote_input import clean_markup
from bot.services.quotes import QuoteView, visible_to
from bot.services.text import escape

QUOTE_KIND = "quote"
WINDOWS: dict[str, timedelta | None] = {"30d": timedelta(days=30), "90d": timedelta(days=90), "all": None}
DEFAULT_WINDOW = "30d"
TOP_LIMIT = 10
SEARCH_LIMIT = 10
MAX_WORDS = 8


class ReactionOutcome(Enum):
    NOT_OURS = "not_ours"
    ADDED = "added"
    REMOVED = "removed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Favourite:
    quote: QuoteView
    reactions: int


@dataclass(frozen=True)
class SearchResult:
    words: tuple[str, ...]
    quotes: tuple[QuoteView, ...]
    total: int


def record_reaction(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    reaction: str,
    added: bool,
    now: datetime,
) -> ReactionOutcome:
    """Apply one ``reaction_added``/``reaction_removed`` event; idempotent."""
    post = session.scalars(
        select(Delivery.id)
        .where(
            Delivery.team_id == team_id,
            Delivery.channel_id == channel_id,
            Delivery.message_ts == message_ts,
            Delivery.kind == QUOTE_KIND,
            Delivery.status == DeliveryStatus.SENT,
        )
        .limit(1)
    ).first()
    if post is None:
        return ReactionOutcome.NOT_OURS
    key = {
        "team_id": team_id,
        "channel_id": channel_id,
        "message_ts": message_ts,
        "user_id": user_id,
        "reaction": reaction,
    }
    if added:
        changed = insert_ignore(session, Reaction, {**key, "created_at": now})
        return ReactionOutcome.ADDED if changed else ReactionOutcome.UNCHANGED
    result = session.execute(delete(Reaction).where(*(getattr(Reaction, k) == v for k, v in key.items())))
    return ReactionOutcome.REMOVED if getattr(result, "rowcount", 0) else ReactionOutcome.UNCHANGED


def parse_window(arg: str) -> str:
    word = arg.strip().lower() or DEFAULT_WINDOW
    if word not in WINDOWS:
        raise UsageError(
            f"I don't know the period `{escape(arg.strip())}`. Use `30d`, `90d` or `all`.\n"
            "For example: `/quote top 90d`"
        )
    return word


def top_quotes(
    session: Session, *, team_id: str, window: str, now: datetime, limit: int = TOP_LIMIT
) -> list[Favourite]:
    """This workspace's most-voted daily quotes, counting votes made in the window.

    A vote is one member's reaction(s) on one post: however many different emoji they
    add, they count once (their first reaction in the window dates the vote). Ties go to
    the quote whose latest counted vote came first (it got there first), then to the
    lower quote id, so the order never depends on the database.
    """
    span = WINDOWS[window]
    votes = (
        select(
            Reaction.channel_id,
            Reaction.message_ts,
            Reaction.user_id,
            func.min(Reaction.created_at).label("voted_at"),
        )
        .where(Reaction.team_id == team_id)
        .group_by(Reaction.channel_id, Reaction.message_ts, Reaction.user_id)
    )
    if span is not None:
        votes = votes.where(Reaction.created_at >= now - span)
    vote = votes.subquery("vote")
    joined = and_(
        Delivery.team_id == team_id,
        Delivery.channel_id == vote.c.channel_id,
        Delivery.message_ts == vote.c.message_ts,
        Delivery.kind == QUOTE_KIND,
        Delivery.status == DeliveryStatus.SENT,
    )
    count = func.count().label("n")
    latest = func.max(vote.c.voted_at).label("latest")
    q = (
        select(Delivery.item_id, count, latest)
        .select_from(vote)
        .join(Delivery, joined)
        .where(Delivery.item_id.is_not(None))
        .group_by(Delivery.item_id)
        .order_by(count.desc(), latest.asc(), Delivery.item_id.asc())
        .limit(limit)
    )
    rows = session.execute(q).all()
    ids = [r[0] for r in rows]
    # Only quotes this workspace may see: curated ones and its own.
    quotes = {
        q.id: q
        for q in session.scalars(
            select(Quote).where(Quote.id.in_(ids), or_(Quote.team_id.is_(None), Quote.team_id == team_id))
        )
    }
    return [Favourite(QuoteView.of(quotes[qid]), int(n)) for qid, n, _ in rows if qid in quotes]


_LIKE_SPECIAL = re.compile(r"([\\%_])")
_WORD_EDGES = string.punctuation + "“”‘’«»—–"


def search_words(query: str) -> tuple[str, ...]:
    stripped = (w.strip(_WORD_EDGES).casefold() for w in clean_markup(query).split())
    words = tuple(dict.fromkeys(w for w in stripped if w))
    if not words:
        raise UsageError(
            "Tell me what to look for: words from the quote or its author.\nFor example: `/quote search drucker`"
        )
    if len(words) > MAX_WORDS:
        raise UsageError(
            f"That's {len(words)} words; search with at most {MAX_WORDS}.\n"
            "For example: `/quote search customer purpose`"
        )
    return words


def search_quotes(session: Session, *, team_id: str, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Quotes this workspace can see whose text or author holds every word (any case)."""
    words = search_words(query)
    conds = []
    for w in words:
        pattern = "%" + _LIKE_SPECIAL.sub(r"\\\1", w) + "%"
        conds.append(or_(Quote.text.ilike(pattern, escape="\\"), Quote.author.ilike(pattern, escape="\\")))
    where = and_(visible_to(team_id), *conds)
    total = session.scalar(select(func.count()).select_from(Quote).where(where)) or 0
    rows = session.scalars(select(Quote).where(where).order_by(Quote.author, Quote.id).limit(limit)).all()
    return SearchResult(words=words, quotes=tuple(QuoteView.of(q) for q in rows), total=total)
