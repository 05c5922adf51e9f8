"""Recurring schedules' storage: one ``Schedule`` row per (team, kind, target).

A channel's daily quote (``quote_channel``), a manager's prompt DM (``prompt_dm``, target =
user id), a channel's coaching prompt (``prompt_channel``), a leader's digest. Times are
wall-clock times in the schedule's own IANA zone; the weekday is judged in that zone too.

The concepts around a schedule have their own modules: what a schedule is and its wording
(``schedule_spec``), zones as typed (``zones``), parsing (``schedule_input``) and the DST maths
(``occurrences``). Their names are re-exported here, where every feature has always found them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Schedule
from bot.db.upsert import insert_ignore
from bot.kinds import ScheduleKind
from bot.services.occurrences import describe_instant, due_instant, next_run, occurrence_due, occurrences_due
from bot.services.schedule_input import parse_schedule, parse_time
from bot.services.schedule_spec import (
    DAY_ABBR,
    DAY_BITS,
    EVERYDAY,
    WEEKDAYS,
    WEEKENDS,
    InvalidSchedule,
    ScheduleSpec,
    command_args,
    format_days,
    format_spec,
    format_time,
)
from bot.services.zones import canonical_zone, suggest, zone_from_text, zone_or_utc

# Re-exported: callers have always found these here.
__all__ = [
    "DAY_ABBR",
    "DAY_BITS",
    "EVERYDAY",
    "WEEKDAYS",
    "WEEKENDS",
    "InvalidSchedule",
    "ScheduleSpec",
    "canonical_zone",
    "command_args",
    "describe_instant",
    "due_instant",
    "format_days",
    "format_spec",
    "format_time",
    "next_run",
    "occurrence_due",
    "occurrences_due",
    "parse_schedule",
    "parse_time",
    "suggest",
    "zone_from_text",
    "zone_or_utc",
]

KINDS = tuple(ScheduleKind)


@dataclass(frozen=True)
class DueSchedule:
    """One occurrence of a schedule that is due: the engine claims it under ``key``."""

    key: str
    schedule_id: int
    kind: str
    team_id: str
    enterprise_id: str | None
    target_id: str
    created_by: str
    local_date: date
    due_at: datetime


def spec_of(schedule: Schedule) -> ScheduleSpec:
    return ScheduleSpec(hour=schedule.hour, minute=schedule.minute, tz=schedule.tz, days=schedule.days)


def get_schedule(session: Session, *, team_id: str, kind: str, target_id: str) -> Schedule | None:
    return session.scalars(
        select(Schedule).where(Schedule.team_id == team_id, Schedule.kind == kind, Schedule.target_id == target_id)
    ).first()


def set_schedule(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    kind: str,
    target_id: str,
    created_by: str,
    spec: ScheduleSpec,
    now: datetime | None = None,
) -> Schedule:
    """Create or replace the (team, kind, target) schedule; it is active and unpaused after.

    With ``now``, occurrences due before it are never delivered: setting "09:00" at 09:30
    means tomorrow, not a post right away. (A post already made today is never repeated:
    deliveries are keyed by schedule and local date.)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown schedule kind {kind!r}")
    if spec.tz is None:
        raise ValueError("set_schedule needs a spec with a time zone")
    # Two commands for one channel at the same instant: the second must update the first's row,
    # not clash on the unique key (an IntegrityError, and a fault answer, before).
    insert_ignore(
        session,
        Schedule,
        dict(team_id=team_id, kind=kind, target_id=target_id, created_by=created_by, **_spec_columns(spec)),
        conflict_on=("team_id", "kind", "target_id"),
    )
    row = get_schedule(session, team_id=team_id, kind=kind, target_id=target_id)
    assert row is not None  # inserted above, or by whoever got there first
    session.refresh(row)
    row.enterprise_id = enterprise_id
    row.created_by = created_by
    row.hour, row.minute, row.tz, row.days = spec.hour, spec.minute, spec.tz, spec.days
    row.active = True
    row.paused_reason = None
    row.active_since = now
    session.flush()
    return row


def _spec_columns(spec: ScheduleSpec) -> dict[str, object]:
    return {"hour": spec.hour, "minute": spec.minute, "tz": spec.tz, "days": spec.days}


def stop_schedule(session: Session, *, team_id: str, kind: str, target_id: str) -> bool:
    """Turn the schedule off. True if there was an active (or paused) one."""
    row = get_schedule(session, team_id=team_id, kind=kind, target_id=target_id)
    if row is None or (not row.active and row.paused_reason is None):
        return False
    row.active = False
    row.paused_reason = None
    session.flush()
    return True


def pause_schedule(session: Session, *, schedule_id: int, reason: str) -> Schedule | None:
    """Stop deliveries until someone sets the schedule again; ``reason`` says why (shown)."""
    row = session.get(Schedule, schedule_id)
    if row is None:
        return None
    row.active = False
    row.paused_reason = reason[:200]
    session.flush()
    return row


def stop_team(session: Session, *, team_id: str) -> int:
    """Deactivate every schedule of a workspace (app uninstalled, tokens revoked)."""
    result = session.execute(
        update(Schedule)
        .where(Schedule.team_id == team_id, Schedule.active.is_(True))
        .values(active=False, paused_reason="the app was uninstalled or its token revoked")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def due_schedules(session: Session, *, kind: str, at: datetime, grace: timedelta) -> list[DueSchedule]:
    """Occurrences of active ``kind`` schedules due at ``at`` (due <= at <= due + grace).

    ``key`` = ``schedule:<id>:<local date>``: at most one delivery per schedule and local
    date, whatever the time or zone is changed to in between.
    """
    rows = session.execute(
        select(
            Schedule.id,
            Schedule.team_id,
            Schedule.enterprise_id,
            Schedule.target_id,
            Schedule.created_by,
            Schedule.hour,
            Schedule.minute,
            Schedule.tz,
            Schedule.days,
            Schedule.active_since,
        ).where(Schedule.kind == kind, Schedule.active.is_(True))
    ).all()
    due: list[DueSchedule] = []
    for row in rows:
        spec = ScheduleSpec(hour=row.hour, minute=row.minute, tz=row.tz, days=row.days)
        for local_date, due_at in occurrences_due(spec, at, grace):
            if row.active_since is not None and due_at < row.active_since:
                continue
            due.append(
                DueSchedule(
                    key=f"schedule:{row.id}:{local_date.isoformat()}",
                    schedule_id=row.id,
                    kind=kind,
                    team_id=row.team_id,
                    enterprise_id=row.enterprise_id,
                    target_id=row.target_id,
                    created_by=row.created_by,
                    local_date=local_date,
                    due_at=due_at,
                )
            )
    return due


def prompt_times(session: Session, *, user_ids: set[str]) -> dict[tuple[str, str], ScheduleSpec]:
    """Each user's active coaching-prompt schedule, by (team, user): when their reminders go."""
    if not user_ids:
        return {}
    rows = session.scalars(
        select(Schedule).where(
            Schedule.kind == ScheduleKind.PROMPT_DM, Schedule.active.is_(True), Schedule.target_id.in_(user_ids)
        )
    )
    return {(row.team_id, row.target_id): spec_of(row) for row in rows}
