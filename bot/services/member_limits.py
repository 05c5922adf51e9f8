"""What the per-member limits share (submissions, consent requests, action-item DMs): the
member's lock row, taken before counting, and how the refusal says when a place frees up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import MemberLock
from bot.db.upsert import insert_for


def lock_members(session: Session, *, team_id: str, user_ids: Iterable[str], now: datetime) -> None:
    """Lock each member's row (sorted, so two units of work never wait on each other in a
    cycle) before counting anything. Must be the first statement of the unit of work: on
    SQLite it takes the write lock, and a read before it could see an outdated snapshot."""
    for user_id in sorted(set(user_ids)):
        stmt = insert_for(session, MemberLock).values(team_id=team_id, user_id=user_id, touched_at=now)
        session.execute(stmt.on_conflict_do_update(index_elements=["team_id", "user_id"], set_={"touched_at": now}))


def slack_when(at: datetime, now: datetime) -> str:
    """A moment as Slack shows it in the reader's own time zone, with a UTC fallback, and how
    long until then."""
    minutes = max(1, int((at - now).total_seconds() + 59) // 60)
    left = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}> (in {left})"
