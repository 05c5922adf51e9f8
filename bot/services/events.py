"""Events API bookkeeping: each event id is processed once, across retries and replicas.

The same table records every command's and interaction's ``trigger_id`` (hashed) against
replays. Rows are only useful while Slack (or a replayer) can still send the same id again,
so the tick forgets them after ``KEEP_FOR`` (``forget_old_events``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ProcessedEvent
from bot.db.upsert import insert_ignore

# How long an id can come back: a replayed signed request only within 5 minutes (the
# signature's timestamp check), an event retry within about an hour (Slack retries three
# times over minutes, and keeps retrying a failing app for up to an hour or so before it
# disables the subscription). A day is a wide margin over both, for clock skew between
# replicas and a scheduler that was down for a while; past it the row is dead weight.
KEEP_FOR = timedelta(days=1)
# The column's width. Slack's ids are ~10 (events) or ~40 (trigger ids) characters; a longer
# one is stored as its hash instead, so it neither bloats the table (SQLite keeps any length)
# nor fails the insert (PostgreSQL raises on VARCHAR(64)).
ID_MAX = 64
TEAM_ID_MAX = 32


def record_key(event_id: str) -> str:
    """``event_id`` as stored: itself when it fits, else ``h:`` and 40 hex digits of its SHA-256."""
    if len(event_id) <= ID_MAX:
        return event_id
    return "h:" + hashlib.sha256(event_id.encode("utf-8", "replace")).hexdigest()[:40]


def _team(team_id: str | None) -> str | None:
    # Only a label for the row; an oversized one (never Slack's) is not worth failing over.
    return team_id if isinstance(team_id, str) and len(team_id) <= TEAM_ID_MAX else None


def first_time_seen(session: Session, *, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Record ``event_id``; False when it was already recorded (a retry, or another replica)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=record_key(event_id), team_id=_team(team_id), received_at=now))
    except IntegrityError:
        return False
    return True


def forget_old_events(session: Session, *, now: datetime) -> int:
    """Delete the ids recorded more than ``KEEP_FOR`` before ``now``; how many went."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)


def record_once(conn: Connection, *, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Like ``first_time_seen``, as one ``INSERT ... ON CONFLICT DO NOTHING`` statement on a
    connection in autocommit: one round trip, for the per-request replay record."""
    return insert_ignore(
        conn, ProcessedEvent, {"event_id": record_key(event_id), "team_id": _team(team_id), "received_at": now}
    )
