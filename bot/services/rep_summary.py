"""A rep's coaching summary for a workflow: counts from one manager's own notes, nothing else.

A workflow's outputs travel on (into a channel post, a form, a spreadsheet), so the summary
says only how much coaching happened, never what was written: no note text and no single
rating. The weakest skill follows the digest's rule that an average of fewer than
``MIN_RATINGS`` ratings is not shown (an average of one rating *is* that rating): only skills
rated 3 or more times on this rep compete, over the same recent ratings as ``/coach rep``.
Like everything from notes, it reads the manager's own notes only (team + author).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Note
from bot.services import action_items, rep_card
from bot.services.digest import MIN_RATINGS, WINDOW


@dataclass(frozen=True)
class RepSummary:
    notes_30d: int
    days_since_last_note: int | None  # None: the manager has no note on this rep
    open_items: int
    overdue_items: int
    weakest_skill: str | None  # a rubric skill's name; None without 3+ ratings of any skill


def _utc(value: datetime | str) -> datetime:
    # max() comes back without the column type on SQLite: a naive string.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rep_summary(session: Session, *, team_id: str, author_id: str, rep_id: str, now: datetime) -> RepSummary:
    """The counts for ``author_id``'s notes on ``rep_id`` (the caller checked the author is a manager)."""
    own = (Note.team_id == team_id, Note.author_id == author_id, Note.rep_id == rep_id)
    recent, last = session.execute(
        select(
            func.count(Note.id).filter(Note.created_at >= now - WINDOW),
            func.max(Note.created_at),
        ).where(*own)
    ).one()
    trends = rep_card.skill_trends(session, team_id=team_id, author_id=author_id, rep_id=rep_id, now=now)
    weakest = rep_card.weakest_of([t for t in trends if len(t.ratings) >= MIN_RATINGS])
    items = action_items.counts_for_rep(session, team_id=team_id, assigner_id=author_id, rep_id=rep_id, now=now)
    return RepSummary(
        notes_30d=int(recent or 0),
        days_since_last_note=(now - _utc(last)).days if last is not None else None,
        open_items=items.open,
        overdue_items=items.overdue,
        weakest_skill=weakest.name if weakest is not None else None,
    )
