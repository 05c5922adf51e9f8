"""Events API bookkeeping: each event id is processed once, across retries and replicas."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ProcessedEvent
from bot.db.upsert import insert_ignore

KEEP_FOR = timedelta(days=2)


def first_time_seen(session: Session, *, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Record ``event_id``; False when it was already recorded (a retry, or another replica)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))
    except IntegrityError:
        return False
    return True


def forget_old_events(session: Session, *, now: datetime) -> int:
    """Slack retries for minutes, not days; older ids can go."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)


def record_once(conn: Connection, *, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Like ``first_time_seen``, as one ``INSERT ... ON CONFLICT DO NOTHING`` statement on a
    connection in autocommit: one round trip, for the per-request replay record."""
    return insert_ignore(conn, ProcessedEvent, {"event_id": event_id, "team_id": team_id, "received_at": now})
