"""run_due(deps, at): deliver everything due at ``at``, exactly once.

The same function runs from ``coachbot run-due --at T`` and from the scheduler tick in
``coachbot serve``. Exactly-once lives in the database, not in the process:

1. **Claim.** Each due occurrence (``kind.due``) is claimed by inserting its ``Delivery``
   row under the unique ``key`` (e.g. ``schedule:12:2026-11-30``), in ONE transaction
   with the choice of what to send (``kind.choose``, which advances the rotation) and the
   record of the first attempt (``attempts = 1``). A unique-key conflict means another
   run claimed it first: the whole transaction rolls back, rotation advance included.
2. **Post**, with message metadata ``{"event_type": "coachbot_delivery",
   "event_payload": {"delivery_id": .., "key": ..}}`` on every message, then record
   ``status = sent``, Slack's ``ts`` and ``sent_at``.
3. **Orphans.** Every run also takes every ``pending`` delivery due in ``[at - grace, at]``
   (a crashed or timed-out attempt, a rate limit that outlasted its retries): it re-reads
   the row, commits ``attempts + 1`` before posting and, since an earlier attempt may
   have posted before dying, first looks for the tagged message with
   ``conversations.history``. Found: it records that ``ts`` and posts nothing. Slack has
   no idempotency key for ``chat.postMessage``; the metadata is ours. An attempt younger
   than the Slack client's timeout may still be on its way, so reconciliation waits until
   it is older (only after a crash followed at once by another run).

On PostgreSQL every attempt holds a session-level ``pg_try_advisory_lock`` on the key
(on the connection the attempt runs on) from its first transaction to after its last
commit; a process that dies drops the connection and with it the lock. A worker that
cannot get the lock skips: someone is on it. On SQLite (one process supported) there is
no lock; a process-local in-flight set keeps two workers of one process off one
delivery (on both backends), and SQLite writes queue on a process lock.

Slack failures: 429 is waited out (Retry-After) and paces the whole workspace
(``bot.scheduling.fanout``). No answer (timeout, dropped connection, 5xx,
``internal_error``): the delivery stays pending with ``attempts > 0`` and the next run
reconciles it, never blindly reposts. ``channel_not_found`` / ``not_in_channel`` /
``is_archived``: the delivery fails, its schedule is paused and the person who set it is
told by DM (a public channel is joined and the post retried once first). Other errors
fail the delivery and keep the schedule.

Fan-out: the work goes to a bounded thread pool (``COACHBOT_FANOUT_WORKERS``), each
worker with its own session.

Calendars (``bot.scheduling.calendar_gate``): an occurrence on a public holiday of its
schedule's calendar, or before its schedule's pause ends, is dropped while computing what is
due: no claim, nothing made up later. A DM (the target is a user) whose recipient's Slack
status says away is claimed as ``deferred`` to their next working day at the same local time,
keeping its key and its chosen item; when it comes due it is checked again (so at most one
deferral per item per day), sent as a fresh attempt, or ``superseded`` when a newer occurrence
of its schedule exists, so the person gets one message when back. The status is read
(users.info, cached) here, when the DM is due, never on an ack path.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.daily import delivery_paused_message
from bot.db.models import Delivery
from bot.db.models.delivery import DeliveryStatus
from bot.deps import Deps
from bot.gateway.users import SlackUser
from bot.scheduling import calendar_gate
from bot.scheduling.fanout import TeamPacer, paced, run_bounded
from bot.scheduling.kinds import DeliveryKind, Occurrence
from bot.scheduling.registry import delivery_kinds
from bot.services import action_items, calendars, events, schedules
from bot.services.text import stable_int

log = logging.getLogger(__name__)


class RunOutcome(StrEnum):
    """How one run ended for an occurrence, besides the stored ``DeliveryStatus`` values."""

    BUSY = "busy"  # another process holds it right now
    LOST_CLAIM = "lost_claim"  # someone else claimed it first
    STOPPED = "stopped"  # SIGTERM: not started
    DONE = "done"  # nothing left to do (already handled)


METADATA_EVENT = "coachbot_delivery"
# Reconciliation reads the channel from a little before the due time: every attempt's
# post is newer than that (claims happen at or after the due time).
RECONCILE_MARGIN = timedelta(minutes=15)
HISTORY_PAGE = 200
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# Errors after which Slack may or may not have posted: never repost blindly.
UNKNOWN_OUTCOME_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# First key of the two-int4 advisory lock space for deliveries (the second is the id);
# distinct from the migrations' single-bigint lock.
DELIVERY_LOCK_SPACE = 0x64656C76  # "delv"

# The delivery clients' request timeout (bot.gateway.clients.make_client) and a margin.
SLACK_CLIENT_TIMEOUT = 10
SETTLE_MARGIN_SECONDS = 2

_sqlite_write_lock = threading.Lock()
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


@dataclass
class RunResult:
    at: datetime
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    due: int = 0  # occurrences due at ``at``
    claimed: int = 0  # claimed by this run
    already_claimed: int = 0  # duplicates avoided: claimed earlier or by another process
    reconciled: int = 0  # of ``sent``: found already posted by an earlier attempt, not reposted
    pending: int = 0  # left for the next run (no answer from Slack, still rate limited)
    busy: int = 0  # being posted by another process right now
    rate_limited: int = 0  # 429 answers waited out
    stopped: int = 0  # not started because the process is stopping (SIGTERM); the next run does them
    expired: int = 0  # pending claims past their grace, given up (never posted late)
    holidays: int = 0  # occurrences not claimed: a public holiday in their schedule's calendar
    paused: int = 0  # occurrences not claimed: their schedule is paused until a later date
    deferred: int = 0  # DMs held for the recipient's next working day (their status says away)
    superseded: int = 0  # deferred DMs replaced by a newer occurrence of the same schedule
    forgotten: int = 0  # housekeeping: replay records and DM-budget rows past their use, deleted
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"run-due at {self.at.isoformat()}: {self.sent} sent, {self.skipped} skipped, {self.failed} failed "
            f"({self.due} due, {self.claimed} claimed now, {self.already_claimed} already claimed, "
            f"{self.reconciled} reconciled without reposting, {self.pending} left pending, "
            f"{self.busy} busy elsewhere, {self.rate_limited} rate-limit waits"
            + (f", {self.stopped} left for the next run: stopping" if self.stopped else "")
            + (f", {self.expired} expired unconfirmed past the grace" if self.expired else "")
            + (f", {self.holidays} skipped for a public holiday" if self.holidays else "")
            + (f", {self.paused} paused" if self.paused else "")
            + (f", {self.deferred} deferred: recipient away" if self.deferred else "")
            + (f", {self.superseded} superseded by a newer one" if self.superseded else "")
            + f") in {self.seconds:.2f}s"
        )


@dataclass(frozen=True)
class _Task:
    occ: Occurrence | None = None  # claim this first
    delivery_id: int | None = None  # or deliver this existing pending delivery
    key: str | None = None
    deferred: bool = False  # the existing delivery is a deferred DM, now due again


@dataclass(frozen=True)
class _Outcome:
    status: str  # a DeliveryStatus (sent, reconciled, skipped, failed, pending, deferred) or a RunOutcome
    kind: str = ""
    error: str | None = None


def run_due(deps: Deps, at: datetime, *, kinds: Sequence[DeliveryKind] | None = None) -> RunResult:
    """Claim and deliver everything due at ``at``; see the module docstring."""
    started = time.perf_counter()
    run = _Run(deps, at, list(kinds) if kinds is not None else delivery_kinds())
    result = run.execute()
    result.seconds = time.perf_counter() - started
    return result


class _Run:
    def __init__(self, deps: Deps, at: datetime, kinds: list[DeliveryKind]) -> None:
        self.deps = deps
        self.at = at
        self.grace = timedelta(minutes=deps.settings.grace_minutes)
        self.kinds = {k.name: k for k in kinds}
        self.postgres = deps.engine.dialect.name == "postgresql"
        self._pacers: dict[str, TeamPacer] = {}
        self._clients: dict[tuple[str, str | None], WebClient | None] = {}
        self._lock = threading.Lock()
        # How long a request of a dead attempt can still be on its way: the client timeout.
        self.settle_window = float(SLACK_CLIENT_TIMEOUT + SETTLE_MARGIN_SECONDS)
        self.away_rules = calendars.AwayRules.of(deps.settings.away_emoji, deps.settings.away_words)

    # -- the run ------------------------------------------------------------------------

    def execute(self) -> RunResult:
        result = RunResult(at=self.at)
        # Housekeeping rides on every run (the tick and `coachbot run-due` alike): indexed
        # deletes of rows that can no longer matter, so these tables stay the size of a day.
        with self.deps.sessions.begin() as session:
            result.forgotten = events.forget_old_events(session, now=self.at) + action_items.forget_old_dms(
                session, now=self.at
            )
        occurrences: list[Occurrence] = []
        with self.deps.sessions.begin() as session:
            for kind in self.kinds.values():
                occurrences.extend(kind.due(session, self.at, self.grace))
            # Holidays and pauses: decided here, so they produce no claim at all.
            gated = calendar_gate.gate(session, occurrences)
            occurrences = gated.due
            deferred = calendar_gate.deferred_due(
                session, at=self.at, grace=self.grace, kinds=list(self.kinds), occurrences=occurrences
            )
            taken = _existing_keys(session, [o.key for o in occurrences])
            # Claims whose post never went through and whose grace has run out are given up
            # explicitly (posting now would be late: yesterday's quote), not left pending.
            expired = (
                session.execute(
                    update(Delivery)
                    .where(
                        Delivery.status == DeliveryStatus.PENDING,
                        Delivery.due_at < self.at - self.grace,
                        Delivery.kind.in_(list(self.kinds)),
                    )
                    .values(status=DeliveryStatus.EXPIRED, error="not confirmed within the grace window")
                    .returning(Delivery.kind)
                )
                .scalars()
                .all()
            )
            orphans = session.execute(
                select(Delivery.id, Delivery.key)
                .where(
                    Delivery.status == DeliveryStatus.PENDING,
                    Delivery.due_at >= self.at - self.grace,
                    Delivery.due_at <= self.at,
                    Delivery.kind.in_(list(self.kinds)),
                )
                .order_by(Delivery.due_at, Delivery.id)
            ).all()
        result.due = len(occurrences)
        result.expired = len(expired) + len(deferred.expired)
        result.holidays, result.paused, result.superseded = gated.holidays, gated.paused, deferred.superseded
        result.skipped += deferred.dropped
        for kind_name in [*expired, *deferred.expired]:
            self.deps.metrics.deliveries.labels(kind=kind_name, outcome=DeliveryStatus.EXPIRED).inc()
        result.already_claimed = sum(1 for o in occurrences if o.key in taken)
        tasks = [_Task(occ=o) for o in occurrences if o.key not in taken]
        tasks += [_Task(delivery_id=row.id, key=row.key) for row in orphans]
        tasks += [_Task(delivery_id=delivery_id, key=key, deferred=True) for delivery_id, key in deferred.rows]

        outcomes = run_bounded(self._task, tasks, workers=self.deps.settings.fanout_workers)
        for outcome in outcomes:
            self._tally(result, outcome)
        result.claimed = sum(
            1
            for t, o in zip(tasks, outcomes, strict=True)
            if t.occ is not None and o.status not in (RunOutcome.LOST_CLAIM, RunOutcome.BUSY)
        )
        result.rate_limited = sum(p.rate_limited for p in self._pacers.values())
        return result

    def _tally(self, result: RunResult, outcome: _Outcome) -> None:
        status = outcome.status
        if status in (DeliveryStatus.SENT, DeliveryStatus.RECONCILED):
            result.sent += 1
            result.reconciled += status == DeliveryStatus.RECONCILED
        elif status == DeliveryStatus.SKIPPED:
            result.skipped += 1
        elif status == DeliveryStatus.FAILED:
            result.failed += 1
        elif status == DeliveryStatus.PENDING:
            result.pending += 1
        elif status == RunOutcome.BUSY:
            result.busy += 1
        elif status == RunOutcome.LOST_CLAIM:
            result.already_claimed += 1
        elif status == RunOutcome.STOPPED:
            result.stopped += 1
        elif status == DeliveryStatus.DEFERRED:
            result.deferred += 1
        if outcome.error and status in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
            result.errors.append(outcome.error)
        if outcome.kind and status not in tuple(RunOutcome):
            self.deps.metrics.deliveries.labels(kind=outcome.kind, outcome=status).inc()

    def _task(self, task: _Task) -> _Outcome:
        if self.deps.stopping.is_set():
            # Nothing is claimed or started once a stop was asked for: what was not
            # begun stays due (or pending) for the next run, within its grace.
            return _Outcome(RunOutcome.STOPPED)
        if task.occ is not None:
            return self._claim_and_deliver(task.occ)
        assert task.delivery_id is not None and task.key is not None
        if task.deferred:
            return self._deliver_deferred(task.delivery_id, task.key)
        return self._deliver_pending(task.delivery_id, task.key)

    @contextmanager
    def _attempt(self, key: str) -> Iterator[tuple[Session, _KeyLock] | None]:
        """A session for one delivery attempt, or None when this process is already on it.

        PostgreSQL: the session runs on ONE connection held for the whole attempt; it
        carries the session-level advisory lock on the key (taken by ``_KeyLock.take`` in
        the attempt's first transaction; session-level locks outlive commits) until it is
        released after the attempt's last commit. A process that dies drops the
        connection and with it the lock. SQLite (one process): a plain session, whose
        connection goes back to the pool between transactions.
        """
        with _claim_in_process(key) as mine:
            if not mine:
                yield None
                return
            if not self.postgres:
                with self.deps.sessions() as session:
                    yield session, _KeyLock(key, postgres=False)
                return
            with self.deps.engine.connect() as conn, self.deps.sessions(bind=conn) as session:
                lock = _KeyLock(key, postgres=True)
                try:
                    yield session, lock
                finally:
                    lock.release(session, conn)

    # -- claiming ---------------------------------------------------------------------

    def _claim_and_deliver(self, occ: Occurrence) -> _Outcome:
        """Claim, choose, render and record the first attempt in ONE transaction; then post.

        A DM to someone away is claimed as deferred instead (item chosen, nothing posted)."""
        kind = self.kinds[occ.kind]
        with self._attempt(occ.key) as attempt:
            if attempt is None:
                return _Outcome(RunOutcome.BUSY, occ.kind)
            session, lock = attempt
            # Read before the claim's transaction: a Slack call must not hold a database lock.
            away = self._away(occ)
            try:
                with self._writing(), session.begin():
                    if not lock.take(session):
                        return _Outcome(RunOutcome.BUSY, occ.kind)
                    item_id = kind.choose(session, occ)
                    if away is not None:
                        session.add(self._deferred_claim(session, occ, item_id, away))
                        session.flush()  # the claim, as below
                        return _Outcome(DeliveryStatus.DEFERRED, occ.kind)
                    delivery = Delivery(
                        key=occ.key,
                        team_id=occ.team_id,
                        enterprise_id=occ.enterprise_id,
                        kind=occ.kind,
                        schedule_id=occ.schedule_id,
                        note_id=occ.note_id,
                        target_id=occ.target_id,
                        channel_id=None if _is_user(occ.target_id) else occ.target_id,
                        local_date=occ.local_date,
                        due_at=occ.due_at,
                        item_id=item_id,
                        claimed_at=self.at,
                        status=DeliveryStatus.PENDING,
                        # The first attempt is recorded with the claim: should this process
                        # die from here on, the next run reconciles before posting.
                        attempts=1,
                        attempted_at=self.deps.clock(),
                    )
                    session.add(delivery)
                    session.flush()  # the claim: the unique key makes a second one fail here
                    delivery_id, channel_id = delivery.id, delivery.channel_id
                    rendered = kind.render(session, occ, item_id)
                    if rendered is None:
                        delivery.status, delivery.error = DeliveryStatus.SKIPPED, "nothing to send"
            except IntegrityError:
                return _Outcome(RunOutcome.LOST_CLAIM, occ.kind)
            if rendered is None:
                return _Outcome(DeliveryStatus.SKIPPED, occ.kind)
            return self._send(session, occ, delivery_id, channel_id, rendered, earlier_attempts=0)

    # -- people who are away --------------------------------------------------------------

    def _away(self, occ: Occurrence) -> SlackUser | None:
        """The recipient, when ``occ`` is a DM and their Slack status says away; else None.

        A status that cannot be read (Slack error, no answer) does not hold a DM back."""
        if not _is_user(occ.target_id):
            return None
        client = self._client(occ.team_id, occ.enterprise_id)
        if client is None:
            return None
        try:
            user = self.deps.users.status_of(client, team_id=occ.team_id, user_id=occ.target_id, now=self.at)
        except SlackApiError as exc:
            self.deps.metrics.slack_error("users.info", _error_code(exc))
            return None
        except (OSError, http.client.HTTPException) as exc:
            log.warning("delivery %s: status not read (%s); delivering", occ.key, type(exc).__name__)
            return None
        if user is None or not calendars.is_away(
            status_emoji=user.status_emoji,
            status_text=user.status_text,
            status_expiration=user.status_expiration,
            at=self.at,
            rules=self.away_rules,
        ):
            return None
        return user

    def _deferred_claim(self, session: Session, occ: Occurrence, item_id: int | None, user: SlackUser) -> Delivery:
        return Delivery(
            key=occ.key,
            team_id=occ.team_id,
            enterprise_id=occ.enterprise_id,
            kind=occ.kind,
            schedule_id=occ.schedule_id,
            note_id=occ.note_id,
            target_id=occ.target_id,
            channel_id=None,
            local_date=occ.local_date,  # the item's identity: it keeps its day and key
            due_at=calendar_gate.deferral_instant(session, occ, user_tz=user.tz),
            item_id=item_id,
            claimed_at=self.at,
            status=calendar_gate.DEFERRED,
            attempts=0,
            deferrals=1,
            deferred_at=self.at,
        )

    def _deliver_deferred(self, delivery_id: int, key: str) -> _Outcome:
        """A DM deferred earlier is due: still away, defer once more (one day on); else send it."""
        with self._attempt(key) as attempt:
            if attempt is None:
                return _Outcome(RunOutcome.BUSY)
            session, lock = attempt
            with session.begin():
                if not lock.take(session):
                    return _Outcome(RunOutcome.BUSY)
                delivery = session.scalars(
                    select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
                ).first()
                if delivery is None or delivery.status != calendar_gate.DEFERRED or delivery.due_at > self.at:
                    return _Outcome(RunOutcome.DONE)
                occ, due_at, item_id = _occurrence_of(delivery), delivery.due_at, delivery.item_id
            away = self._away(occ)
            with self._writing(), session.begin():
                pending = (
                    Delivery.id == delivery_id,
                    Delivery.status == calendar_gate.DEFERRED,
                    Delivery.due_at == due_at,
                )
                if away is not None:
                    later = calendar_gate.deferral_instant(session, occ, user_tz=away.tz)
                    moved = session.execute(
                        update(Delivery)
                        .where(*pending)
                        .values(due_at=later, deferrals=Delivery.deferrals + 1, deferred_at=self.at)
                        .execution_options(synchronize_session=False)
                    )
                    return _Outcome(
                        DeliveryStatus.DEFERRED if getattr(moved, "rowcount", 0) else RunOutcome.DONE, occ.kind
                    )
                # Back: this is the first attempt, committed before the post like a claim's.
                started = session.execute(
                    update(Delivery)
                    .where(*pending)
                    .values(status=DeliveryStatus.PENDING, attempts=1, attempted_at=self.deps.clock())
                    .execution_options(synchronize_session=False)
                )
                if not getattr(started, "rowcount", 0):
                    return _Outcome(RunOutcome.DONE)
                kind = self.kinds[occ.kind]
                rendered = kind.render(session, occ, item_id)
                if rendered is None:
                    session.execute(
                        update(Delivery)
                        .where(Delivery.id == delivery_id)
                        .values(status=DeliveryStatus.SKIPPED, error="nothing to send")
                    )
            if rendered is None:
                return _Outcome(DeliveryStatus.SKIPPED, occ.kind)
            return self._send(session, occ, delivery_id, None, rendered, earlier_attempts=0)

    # -- delivering -------------------------------------------------------------------

    def _deliver_pending(self, delivery_id: int, key: str) -> _Outcome:
        """Deliver a claim left pending by an earlier run (crashed, timed out, rate limited)."""
        with self._attempt(key) as attempt:
            if attempt is None:
                return _Outcome(RunOutcome.BUSY)
            session, lock = attempt
            with session.begin():
                if not lock.take(session):
                    return _Outcome(RunOutcome.BUSY)
                # Re-read under the lock: another process may have finished it meanwhile.
                delivery = session.scalars(
                    select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
                ).first()
                if delivery is None or delivery.status != DeliveryStatus.PENDING:
                    return _Outcome(RunOutcome.DONE)
                settle = self._settle_seconds(delivery.attempts, delivery.attempted_at)
                earlier_attempts = delivery.attempts
                channel_id = delivery.channel_id
                occ = _occurrence_of(delivery)
                kind = self.kinds.get(delivery.kind)
                rendered = kind.render(session, occ, delivery.item_id) if kind is not None else None
            if rendered is None:
                error = "nothing to send" if kind is not None else f"unknown kind {occ.kind}"
                with self._writing(), session.begin():
                    session.execute(
                        update(Delivery)
                        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
                        .values(status=DeliveryStatus.SKIPPED, error=error)
                    )
                return _Outcome(DeliveryStatus.SKIPPED, occ.kind)
            if settle > 0:
                # An earlier attempt started so recently that its post may still be on its
                # way to Slack (its process died mid-request): reading the history now could
                # miss it. Wait until that request has landed or timed out.
                log.info("delivery %s: waiting %.1fs for an earlier attempt to settle", delivery_id, settle)
                time.sleep(settle)
            with self._writing(), session.begin():
                # Commit attempts + 1 before any post; zero rows: it was finished meanwhile.
                bumped = session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
                    .values(attempts=Delivery.attempts + 1, attempted_at=self.deps.clock())
                    .execution_options(synchronize_session=False)
                )
                if not getattr(bumped, "rowcount", 0):
                    return _Outcome(RunOutcome.DONE)
            return self._send(session, occ, delivery_id, channel_id, rendered, earlier_attempts=earlier_attempts)

    def _send(
        self,
        session: Session,
        occ: Occurrence,
        delivery_id: int,
        channel_id: str | None,
        rendered: Message,
        *,
        earlier_attempts: int,
    ) -> _Outcome:
        """Resolve a DM's channel, reconcile an earlier attempt if any, post, record."""
        client = self._client(occ.team_id, occ.enterprise_id)
        if client is None:
            return self._fail(session, occ, "not_installed")
        if channel_id is None:
            # A DM: resolve the user's D-channel once and keep it, so reconciliation can
            # read that conversation's history.
            try:
                channel_id = str(client.conversations_open(users=occ.target_id)["channel"]["id"])
            except SlackApiError as exc:
                return self._slack_failure(session, occ, "conversations.open", exc)
            except (OSError, http.client.HTTPException) as exc:
                return self._leave_pending(session, occ, f"conversations.open: {type(exc).__name__}")
            with self._writing(), session.begin():
                session.execute(update(Delivery).where(Delivery.id == delivery_id).values(channel_id=channel_id))

        if earlier_attempts > 0:
            try:
                ts = self._find_posted(client, channel_id, delivery_id, occ.due_at)
            except SlackApiError as exc:
                if _error_code(exc) in CHANNEL_ERRORS:
                    return self._slack_failure(session, occ, "conversations.history", exc)
                return self._leave_pending(session, occ, f"conversations.history: {_error_code(exc)}")
            except (OSError, http.client.HTTPException) as exc:
                return self._leave_pending(session, occ, f"conversations.history: {type(exc).__name__}")
            if ts is not None:
                self._record_sent(session, delivery_id, ts)
                log.info("delivery %s was already posted (ts %s); recorded without reposting", delivery_id, ts)
                return _Outcome(DeliveryStatus.RECONCILED, occ.kind)
        return self._post(session, client, occ, delivery_id, channel_id, rendered)

    def _settle_seconds(self, attempts: int, attempted_at: datetime | None) -> float:
        if attempts == 0 or attempted_at is None:
            return 0.0
        elapsed = (self.deps.clock() - attempted_at).total_seconds()
        return max(0.0, min(self.settle_window - elapsed, self.settle_window))

    def _post(
        self,
        session: Session,
        client: WebClient,
        occ: Occurrence,
        delivery_id: int,
        channel_id: str,
        rendered: Message,
    ) -> _Outcome:
        joined = False
        while True:
            self._pacer(occ.team_id).acquire()
            try:
                resp = client.chat_postMessage(
                    channel=channel_id,
                    text=rendered.text,
                    blocks=rendered.blocks,
                    metadata={
                        "event_type": METADATA_EVENT,
                        "event_payload": {"delivery_id": delivery_id, "key": occ.key},
                    },
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except SlackApiError as exc:
                code = _error_code(exc)
                if code == "not_in_channel" and not joined and not _is_user(occ.target_id):
                    joined = True
                    if self._join(client, channel_id):
                        continue  # the failed post did not post: retrying cannot duplicate
                return self._slack_failure(session, occ, "chat.postMessage", exc)
            except (OSError, http.client.HTTPException) as exc:
                # No answer: it may or may not have posted. The next run reconciles.
                return self._leave_pending(session, occ, f"chat.postMessage: {type(exc).__name__}")
            self._record_sent(session, delivery_id, str(resp["ts"]))
            return _Outcome(DeliveryStatus.SENT, occ.kind)

    def _join(self, client: WebClient, channel_id: str) -> bool:
        try:
            client.conversations_join(channel=channel_id)
        except SlackApiError as exc:
            self.deps.metrics.slack_error("conversations.join", _error_code(exc))
            return False
        except (OSError, http.client.HTTPException):
            return False
        return True

    def _find_posted(self, client: WebClient, channel_id: str, delivery_id: int, due_at: datetime) -> str | None:
        """The ts of a message in the channel tagged with this delivery, if any."""
        oldest = f"{(due_at - RECONCILE_MARGIN).timestamp():.6f}"
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"channel": channel_id, "oldest": oldest, "limit": HISTORY_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            page = client.conversations_history(include_all_metadata=True, **kwargs)
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_EVENT and str(payload.get("delivery_id")) == str(delivery_id):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return None

    # -- recording outcomes -----------------------------------------------------------

    def _record_sent(self, session: Session, delivery_id: int, ts: str) -> None:
        with self._writing(), session.begin():
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(status=DeliveryStatus.SENT, message_ts=ts, sent_at=self.at, error=None)
            )

    def _leave_pending(self, session: Session, occ: Occurrence, error: str) -> _Outcome:
        log.warning("delivery %s left pending for the next run: %s", occ.key, error)
        with self._writing(), session.begin():
            session.execute(update(Delivery).where(Delivery.key == occ.key).values(error=error[:500]))
        return _Outcome(DeliveryStatus.PENDING, occ.kind, f"{occ.key}: {error}")

    def _fail(self, session: Session, occ: Occurrence, error: str) -> _Outcome:
        log.warning("delivery %s failed: %s", occ.key, error)
        with self._writing(), session.begin():
            session.execute(
                update(Delivery).where(Delivery.key == occ.key).values(status=DeliveryStatus.FAILED, error=error[:500])
            )
        return _Outcome(DeliveryStatus.FAILED, occ.kind, f"{occ.key}: {error}")

    def _slack_failure(self, session: Session, occ: Occurrence, method: str, exc: SlackApiError) -> _Outcome:
        code = _error_code(exc)
        self.deps.metrics.slack_error(method, code)
        status = getattr(exc.response, "status_code", 200) or 200
        if method == "chat.postMessage" and (status >= 500 or code in UNKNOWN_OUTCOME_ERRORS):
            return self._leave_pending(session, occ, f"{method}: {code}")
        if code == "ratelimited":
            # Still 429 after every retry: Slack did not post. Leave it for the next run.
            return self._leave_pending(session, occ, f"{method}: {code}")
        outcome = self._fail(session, occ, f"{method}: {code}")
        if code in CHANNEL_ERRORS and occ.schedule_id is not None:
            self._pause_and_tell(session, occ, code)
        return outcome

    def _pause_and_tell(self, session: Session, occ: Occurrence, code: str) -> None:
        assert occ.schedule_id is not None
        with self._writing(), session.begin():
            schedule = schedules.pause_schedule(session, schedule_id=occ.schedule_id, reason=_PAUSE_REASONS[code])
            if schedule is None:
                return
            kind, spec, owner = schedule.kind, schedules.spec_of(schedule), schedule.created_by
        if not owner:
            return
        message = delivery_paused_message(kind=kind, channel_id=occ.target_id, error=code, spec=spec)
        client = self._client(occ.team_id, occ.enterprise_id)
        if client is None:
            return
        try:
            client.chat_postMessage(channel=owner, text=message.text, blocks=message.blocks)
        except SlackApiError as exc:
            self.deps.metrics.slack_error("chat.postMessage", _error_code(exc))
            log.warning("could not tell %s that schedule %s is paused: %s", owner, occ.schedule_id, _error_code(exc))
        except (OSError, http.client.HTTPException) as exc:
            log.warning("could not tell %s that schedule %s is paused: %s", owner, occ.schedule_id, type(exc).__name__)

    def _writing(self) -> AbstractContextManager[Any]:
        """SQLite allows one writer at a time; queueing writers on a lock here is far faster
        than SQLite's busy handler, which sleeps in growing steps. PostgreSQL: no-op."""
        return nullcontext() if self.postgres else _sqlite_write_lock

    # -- per-workspace state ------------------------------------------------------------

    def _pacer(self, team_id: str) -> TeamPacer:
        with self._lock:
            pacer = self._pacers.get(team_id)
            if pacer is None:
                pacer = self._pacers[team_id] = TeamPacer()
            return pacer

    def _client(self, team_id: str, enterprise_id: str | None) -> WebClient | None:
        key = (team_id, enterprise_id)
        with self._lock:
            if key in self._clients:
                return self._clients[key]
        client = self.deps.clients.for_team(team_id=team_id, enterprise_id=enterprise_id, idempotent_only=True)
        if client is not None:
            client = paced(client, self._pacer(team_id))
        with self._lock:
            return self._clients.setdefault(key, client)


_PAUSE_REASONS = {
    "channel_not_found": "the channel was not found: it was deleted, or it is private and coachbot is not in it",
    "not_in_channel": "coachbot is not a member of the channel",
    "is_archived": "the channel is archived",
}


def _occurrence_of(d: Delivery) -> Occurrence:
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


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(chunk))))
    return found


def _is_user(target_id: str) -> bool:
    return target_id[:1] in ("U", "W")


def _error_code(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{getattr(exc.response, 'status_code', 'error')}"


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
    """The PostgreSQL session-level advisory lock on a delivery key (no-op on SQLite).

    Keyed by a stable hash of the delivery key, so the claim itself (before the row and
    its id exist) is already under the lock. Two keys sharing a hash only make one of
    them wait for the next run.
    """

    def __init__(self, key: str, *, postgres: bool) -> None:
        self.postgres = postgres
        self.lock_id = stable_int(key)
        self.held = False

    def take(self, session: Session) -> bool:
        if not self.postgres:
            return True
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
