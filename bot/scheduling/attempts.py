"""One delivery attempt, exactly once: the key lock, the per-run state, and recording outcomes.

Written once for every path that delivers (a fresh claim, a pending orphan, a deferred DM,
``bot.scheduling.claims``): ``Attempts.attempt(key)`` gives a session holding the key, or
None when someone else is on it; ``record_sent`` / ``leave_pending`` / ``fail`` write the
result. See ``bot.scheduling.run`` for the whole protocol.

On PostgreSQL every attempt holds a session-level ``pg_try_advisory_lock`` on the key (on the
connection the attempt runs on) from its first transaction to after its last commit; a
process that dies drops the connection and with it the lock. On SQLite (one process
supported) there is no lock; a process-local in-flight set keeps two workers of one process
off one delivery (on both backends), and SQLite writes queue on a process lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.orm import Session

from bot.db.models import Delivery
from bot.db.models.delivery import DeliveryStatus
from bot.deps import Deps
from bot.scheduling.fanout import TeamPacer, paced
from bot.scheduling.kinds import DeliveryKind, Occurrence
from bot.services import calendars
from bot.services.text import stable_int

log = logging.getLogger(__name__)

# First key of the two-int4 advisory lock space for deliveries (the second is the id);
# distinct from the migrations' single-bigint lock.
DELIVERY_LOCK_SPACE = 0x64656C76  # "delv"
# The delivery clients' request timeout (bot.gateway.clients.make_client) and a margin.
SLACK_CLIENT_TIMEOUT = 10
SETTLE_MARGIN_SECONDS = 2

_sqlite_write_lock = threading.Lock()
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


class RunOutcome(StrEnum):
    """How one run ended for an occurrence, besides the stored ``DeliveryStatus`` values."""

    BUSY = "busy"  # another process holds it right now
    LOST_CLAIM = "lost_claim"  # someone else claimed it first
    STOPPED = "stopped"  # SIGTERM: not started
    DONE = "done"  # nothing left to do (already handled)


@dataclass(frozen=True)
class Outcome:
    status: str  # a DeliveryStatus (sent, reconciled, skipped, failed, pending, deferred) or a RunOutcome
    kind: str = ""
    error: str | None = None


class Attempts:
    """What one run shares between its workers: deps, the instant, clients and pacers per workspace."""

    def __init__(self, deps: Deps, at: datetime, kinds: list[DeliveryKind]) -> None:
        self.deps = deps
        self.at = at
        self.grace = timedelta(minutes=deps.settings.grace_minutes)
        self.kinds = {k.name: k for k in kinds}
        self.postgres = deps.engine.dialect.name == "postgresql"
        self.pacers: dict[str, TeamPacer] = {}
        self._clients: dict[tuple[str, str | None], WebClient | None] = {}
        self._lock = threading.Lock()
        # How long a request of a dead attempt can still be on its way: the client timeout.
        self.settle_window = float(SLACK_CLIENT_TIMEOUT + SETTLE_MARGIN_SECONDS)
        self.away_rules = calendars.AwayRules.of(deps.settings.away_emoji, deps.settings.away_words)

    @contextmanager
    def attempt(self, key: str) -> Iterator[Session | None]:
        """A session holding ``key`` for one delivery attempt, or None when someone else is on it.

        PostgreSQL: the session runs on ONE connection held for the whole attempt; it carries
        the session-level advisory lock on the key (taken in the attempt's first transaction;
        session-level locks outlive commits) until it is released after the attempt's last
        commit. SQLite (one process): a plain session, whose connection goes back to the pool
        between transactions.
        """
        with _claim_in_process(key) as mine:
            if not mine:
                yield None
                return
            if not self.postgres:
                with self.deps.sessions() as session:
                    yield session
                return
            with self.deps.engine.connect() as conn, self.deps.sessions(bind=conn) as session:
                lock = _KeyLock(key)
                try:
                    with session.begin():
                        taken = lock.take(session)
                    yield session if taken else None
                finally:
                    lock.release(session, conn)

    def writing(self) -> AbstractContextManager[Any]:
        """SQLite allows one writer at a time; queueing writers on a lock here is far faster
        than SQLite's busy handler, which sleeps in growing steps. PostgreSQL: no-op."""
        return nullcontext() if self.postgres else _sqlite_write_lock

    def settle_seconds(self, attempts: int, attempted_at: datetime | None) -> float:
        """How long to wait before reconciling: an earlier attempt's post may still be on its way."""
        if attempts == 0 or attempted_at is None:
            return 0.0
        elapsed = (self.deps.clock() - attempted_at).total_seconds()
        return max(0.0, min(self.settle_window - elapsed, self.settle_window))

    # -- recording outcomes -----------------------------------------------------------

    def record_sent(self, session: Session, delivery_id: int, ts: str) -> None:
        with self.writing(), session.begin():
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(status=DeliveryStatus.SENT, message_ts=ts, sent_at=self.at, error=None)
            )

    def leave_pending(self, session: Session, occ: Occurrence, error: str) -> Outcome:
        log.warning("delivery %s left pending for the next run: %s", occ.key, error)
        with self.writing(), session.begin():
            session.execute(update(Delivery).where(Delivery.key == occ.key).values(error=error[:500]))
        return Outcome(DeliveryStatus.PENDING, occ.kind, f"{occ.key}: {error}")

    def fail(self, session: Session, occ: Occurrence, error: str) -> Outcome:
        log.warning("delivery %s failed: %s", occ.key, error)
        with self.writing(), session.begin():
            session.execute(
                update(Delivery).where(Delivery.key == occ.key).values(status=DeliveryStatus.FAILED, error=error[:500])
            )
        return Outcome(DeliveryStatus.FAILED, occ.kind, f"{occ.key}: {error}")

    # -- per-workspace state ------------------------------------------------------------

    def pacer(self, team_id: str) -> TeamPacer:
        with self._lock:
            pacer = self.pacers.get(team_id)
            if pacer is None:
                pacer = self.pacers[team_id] = TeamPacer()
            return pacer

    def client(self, team_id: str, enterprise_id: str | None) -> WebClient | None:
        key = (team_id, enterprise_id)
        with self._lock:
            if key in self._clients:
                return self._clients[key]
        client = self.deps.clients.for_team(team_id=team_id, enterprise_id=enterprise_id, idempotent_only=True)
        if client is not None:
            client = paced(client, self.pacer(team_id))
        with self._lock:
            return self._clients.setdefault(key, client)


def occurrence_of(d: Delivery) -> Occurrence:
    return Occurrence(
        key=d.key,
        kind=d.kind,
        team_id=d.team_id,
        enterprise_id=d.enterprise_id,
        target_id=d.target_id,
        local_date=d.local_date,
        due_at=d.due_at,
        schedule_id=d.schedule_id,
        note_id=d.note_id,
    )


def is_user(target_id: str) -> bool:
    """A DM target (a user id) rather than a channel."""
    return target_id[:1] in ("U", "W")


@contextmanager
def _claim_in_process(key: str) -> Iterator[bool]:
    """Keeps two workers of this process off the same delivery (both backends)."""
    with _in_flight_lock:
        mine = key not in _in_flight
        if mine:
            _in_flight.add(key)
    try:
        yield mine
    finally:
        if mine:
            with _in_flight_lock:
                _in_flight.discard(key)


class _KeyLock:
    """The PostgreSQL session-level advisory lock on a delivery key.

    Keyed by a stable hash of the delivery key, so the claim itself (before the row and
    its id exist) is already under the lock. Two keys sharing a hash only make one of
    them wait for the next run.
    """

    def __init__(self, key: str) -> None:
        self.lock_id = stable_int(key)
        self.held = False

    def take(self, session: Session) -> bool:
        self.held = bool(session.scalar(select(func.pg_try_advisory_lock(DELIVERY_LOCK_SPACE, self.lock_id))))
        return self.held

    def release(self, session: Session, conn: Connection) -> None:
        if not self.held:
            return
        try:
            session.rollback()
            conn.execute(
                text("SELECT pg_advisory_unlock(:space, :id)"), {"space": DELIVERY_LOCK_SPACE, "id": self.lock_id}
            )
            conn.commit()
        except Exception as exc:  # noqa: BLE001 - a connection that may still hold the lock must not be reused
            log.warning("could not release a delivery lock (%s); dropping the connection", type(exc).__name__)
            conn.invalidate()
