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

The modules: this one computes what is due and tallies the run; ``bot.scheduling.attempts``
holds the key lock and records outcomes; ``bot.scheduling.claims`` starts each attempt; the
delivery flow (``bot.flows.deliver``) posts through ``bot.gateway.posting``.

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

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Delivery
from bot.db.models.delivery import DeliveryStatus
from bot.deps import Deps
from bot.scheduling import calendar_gate, claims
from bot.scheduling.attempts import Attempts, Outcome, RunOutcome
from bot.scheduling.fanout import run_bounded
from bot.scheduling.kinds import DeliveryKind, Occurrence
from bot.scheduling.registry import delivery_kinds
from bot.services import action_items, events

log = logging.getLogger(__name__)


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


def run_due(deps: Deps, at: datetime, *, kinds: Sequence[DeliveryKind] | None = None) -> RunResult:
    """Claim and deliver everything due at ``at``; see the module docstring."""
    started = time.perf_counter()
    run = _Run(deps, at, list(kinds) if kinds is not None else delivery_kinds())
    result = run.execute()
    result.seconds = time.perf_counter() - started
    return result


class _Run(Attempts):
    """One run: what is due, the tasks for the workers, and the tally."""

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
        result.rate_limited = sum(p.rate_limited for p in self.pacers.values())
        return result

    def _tally(self, result: RunResult, outcome: Outcome) -> None:
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

    def _task(self, task: _Task) -> Outcome:
        if self.deps.stopping.is_set():
            # Nothing is claimed or started once a stop was asked for: what was not
            # begun stays due (or pending) for the next run, within its grace.
            return Outcome(RunOutcome.STOPPED)
        if task.occ is not None:
            return claims.claim_and_deliver(self, task.occ)
        assert task.delivery_id is not None and task.key is not None
        if task.deferred:
            return claims.deliver_deferred(self, task.delivery_id, task.key)
        return claims.deliver_pending(self, task.delivery_id, task.key)


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(chunk))))
    return found
