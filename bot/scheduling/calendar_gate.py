"""The engine's calendar decisions: holidays, pauses and away deferrals (issue 16).

Called by ``bot.scheduling.run`` while it computes what is due, so every schedule kind
gets them without knowing about them:

- ``gate`` drops the occurrences of a schedule whose local date is a holiday in its
  calendar, or before the date its pause ends. A dropped occurrence produces no claim
  (no ``Delivery`` row), so the next working day posts as usual and nothing is made up.
- ``deferred_due`` finds the DMs deferred earlier (recipient away) that are due again,
  after marking ``superseded`` those whose schedule has a newer occurrence: the person
  gets one message when back, not a pile.
- ``deferral_instant`` is when a DM to someone away goes out instead: their next
  working day (Mon–Fri, the schedule's holidays skipped) at the same local time.

Nothing here talks to Slack or commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import Delivery, Schedule
from bot.db.models.delivery import DeliveryStatus
from bot.scheduling.kinds import Occurrence
from bot.services import away, holiday_calendars, pauses

DEFERRED = DeliveryStatus.DEFERRED
SUPERSEDED = DeliveryStatus.SUPERSEDED


@dataclass
class Gated:
    due: list[Occurrence] = field(default_factory=list)
    holidays: int = 0  # occurrences on a public holiday in their schedule's calendar
    paused: int = 0  # occurrences before their schedule's pause ends


def gate(session: Session, occurrences: Sequence[Occurrence]) -> Gated:
    """``occurrences`` without those on a holiday or within a pause (judged on the occurrence's
    local date, which is in its schedule's own zone)."""
    if not any(o.schedule_id is not None for o in occurrences):
        return Gated(due=list(occurrences))
    # One query for every active schedule with a calendar or a pause (usually few), rather
    # than the due ones by id: no long IN lists, one round trip however many are due.
    rules: dict[int, tuple[str | None, date | None]] = {
        row.id: (row.holidays, row.paused_until)
        for row in session.execute(
            select(Schedule.id, Schedule.holidays, Schedule.paused_until).where(
                Schedule.active.is_(True),
                or_(Schedule.holidays.is_not(None), Schedule.paused_until.is_not(None)),
            )
        )
    }
    gated = Gated()
    for occ in occurrences:
        rule = rules.get(occ.schedule_id) if occ.schedule_id is not None else None
        if rule is None:
            gated.due.append(occ)
        elif pauses.is_paused(rule[1], occ.local_date):
            gated.paused += 1
        elif holiday_calendars.is_holiday(rule[0], occ.local_date):
            gated.holidays += 1
        else:
            gated.due.append(occ)
    return gated


@dataclass
class DeferredDue:
    rows: list[tuple[int, str]] = field(default_factory=list)  # (id, key), oldest first
    superseded: int = 0
    dropped: int = 0  # their schedule was turned off or paused meanwhile: not sent
    expired: list[str] = field(default_factory=list)  # kinds, for the metrics


def deferred_due(
    session: Session, *, at: datetime, grace: timedelta, kinds: Collection[str], occurrences: Sequence[Occurrence]
) -> DeferredDue:
    """Deferred DMs due at ``at``; first expires those whose window passed unseen (like a
    pending claim, never sent late) and supersedes those with a newer occurrence."""
    found = DeferredDue()
    found.expired = list(
        session.execute(
            update(Delivery)
            .where(Delivery.status == DEFERRED, Delivery.due_at < at - grace, Delivery.kind.in_(list(kinds)))
            .values(
                status=DeliveryStatus.EXPIRED,
                error="deferred while the recipient was away; not delivered within the grace",
            )
            .returning(Delivery.kind)
        )
        .scalars()
        .all()
    )
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.key,
            Delivery.schedule_id,
            Delivery.local_date,
            Delivery.due_at,
            Schedule.active,
            Schedule.paused_until,
            Schedule.tz,
        )
        .outerjoin(Schedule, Schedule.id == Delivery.schedule_id)
        .where(
            Delivery.status == DEFERRED,
            Delivery.due_at >= at - grace,
            Delivery.due_at <= at,
            Delivery.kind.in_(list(kinds)),
        )
        .order_by(Delivery.due_at, Delivery.id)
    ).all()
    if not rows:
        return found
    latest: dict[int, date] = {}
    for occ in occurrences:
        if occ.schedule_id is not None:
            latest[occ.schedule_id] = max(latest.get(occ.schedule_id, occ.local_date), occ.local_date)
    schedule_ids = sorted({r.schedule_id for r in rows if r.schedule_id is not None})
    for chunk in _chunks(schedule_ids):
        for schedule_id, newest in session.execute(
            select(Delivery.schedule_id, func.max(Delivery.local_date))
            .where(Delivery.schedule_id.in_(chunk))
            .group_by(Delivery.schedule_id)
        ):
            if schedule_id is not None:
                latest[schedule_id] = max(latest.get(schedule_id, newest), newest)
    stale = [r.id for r in rows if r.schedule_id is not None and latest.get(r.schedule_id, r.local_date) > r.local_date]
    found.superseded = _close(session, stale, SUPERSEDED, "a newer occurrence of the schedule replaced it")
    # Turned off, or paused, since it was deferred: the person asked for silence.
    off = [
        r.id
        for r in rows
        if r.schedule_id is not None
        and r.id not in stale
        and (
            not r.active
            or (r.tz is not None and pauses.is_paused(r.paused_until, r.due_at.astimezone(ZoneInfo(r.tz)).date()))
        )
    ]
    found.dropped = _close(
        session, off, DeliveryStatus.SKIPPED, "its schedule was turned off or paused while it waited"
    )
    found.rows = [(r.id, r.key) for r in rows if r.id not in stale and r.id not in off]
    return found


def _close(session: Session, ids: list[int], status: str, error: str) -> int:
    if not ids:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == DEFERRED)
        .values(status=status, error=error)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def deferral_instant(session: Session, occ: Occurrence, *, user_tz: str | None) -> datetime:
    """When a DM to someone away goes out instead: their next working day at the same local
    time, in the schedule's zone (or, without a schedule, the recipient's Slack zone)."""
    tz, calendar = user_tz or "UTC", None
    if occ.schedule_id is not None:
        schedule = session.execute(select(Schedule.tz, Schedule.holidays).where(Schedule.id == occ.schedule_id)).first()
        if schedule is not None:
            tz, calendar = schedule.tz, schedule.holidays
    return away.deferred_until(occ.due_at, tz=tz, calendar=calendar)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
