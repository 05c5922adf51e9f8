"""Local-time maths for schedules: when an occurrence is due, in UTC, across DST.

DST rules (``due_instant``):
- a local time that does not exist that day (spring-forward gap) is due at the first
  valid instant after it, i.e. the end of the gap (02:30 on 2027-03-14 in New York is due
  at 03:00 EDT);
- a local time that happens twice (fall-back) is due once, at its first occurrence
  (``fold=0``), so 01:30 on 2026-11-01 in New York is due at 01:30 EDT.

Pure functions take and return aware datetimes; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.schedule_spec import DAY_ABBR, DAY_BITS, ScheduleSpec


def due_instant(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``hour:minute`` on ``day`` in ``zone`` is due.

    Gap (the time does not exist): the first valid instant after it, i.e. the transition.
    Overlap (it happens twice): the first occurrence (fold=0).
    """
    wall = datetime.combine(day, time(hour, minute))
    first = wall.replace(tzinfo=zone, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In a gap. fold=1 applies the offset after the transition, which lands before it;
    # fold=0 applies the one before, which lands after it. The transition lies between:
    # find the first second whose local wall time is at or after ``wall``.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = instant
    if lo > hi:
        lo, hi = hi, lo
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def _require_zone(spec: ScheduleSpec) -> ZoneInfo:
    if spec.tz is None:
        raise ValueError("a schedule needs a time zone here")
    return ZoneInfo(spec.tz)


def occurrences_due(spec: ScheduleSpec, at: datetime, grace: timedelta) -> list[tuple[date, datetime]]:
    """Every (local date, due instant) with due <= at <= due + grace, oldest first.

    Usually zero or one; two only when ``grace`` is nearly a day long.
    """
    zone = _require_zone(spec)
    today = at.astimezone(zone).date()
    found: list[tuple[date, datetime]] = []
    # Yesterday (and earlier, for long graces) too: the grace can cross local midnight.
    for back in range(grace.days + 1, -1, -1):
        day = today - timedelta(days=back)
        if not spec.days & DAY_BITS[day.weekday()]:
            continue
        due = due_instant(day, spec.hour, spec.minute, zone)
        if due <= at <= due + grace:
            found.append((day, due))
    return found


def occurrence_due(spec: ScheduleSpec, at: datetime, grace: timedelta) -> tuple[date, datetime] | None:
    """The most recent (local date, due instant UTC) with due <= at <= due + grace, or None."""
    found = occurrences_due(spec, at, grace)
    return found[-1] if found else None


def next_run(spec: ScheduleSpec, after: datetime) -> datetime:
    """The UTC instant of the first occurrence strictly after ``after``."""
    zone = _require_zone(spec)
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(9):
        day = start + timedelta(days=offset)
        if spec.days & DAY_BITS[day.weekday()]:
            due = due_instant(day, spec.hour, spec.minute, zone)
            if due > after:
                return due
    raise ValueError("a schedule with no days never runs")


def describe_instant(instant: datetime, tz: str) -> str:
    """``Mon 30 Nov 2026, 09:00 CET``: an instant as people in ``tz`` read it."""
    local = instant.astimezone(ZoneInfo(tz))
    return f"{DAY_ABBR[local.weekday()]} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"
