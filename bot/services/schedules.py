"""Recurring schedules: parsing "09:00 Europe/Berlin weekdays", local-time maths, storage.

One ``Schedule`` row per (team, kind, target): a channel's daily quote (``quote_channel``),
a manager's prompt DM (``prompt_dm``, target = user id) or a channel's coaching prompt
(``prompt_channel``). Times are wall-clock times in the schedule's own IANA zone; the
weekday is judged in that zone too.

DST rules (``due_instant``):
- a local time that does not exist that day (spring-forward gap) is due at the first
  valid instant after it, i.e. the end of the gap (02:30 on 2027-03-14 in New York is due
  at 03:00 EDT);
- a local time that happens twice (fall-back) is due once, at its first occurrence
  (``fold=0``), so 01:30 on 2026-11-01 in New York is due at 01:30 EDT.

Pure functions take and return aware datetimes; nothing here reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Schedule
from bot.errors import UsageError
from bot.services.text import escape, truncate

# Monday = 1 << 0 ... Sunday = 1 << 6, indexed by ``date.weekday()``.
DAY_BITS: tuple[int, ...] = tuple(1 << i for i in range(7))
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000
EVERYDAY = 0b1111111

DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS: dict[str, int] = {}
for _i, _name in enumerate(_DAY_NAMES):
    for _word in (_name, _name + "s", _name[:3], _name[:3] + "s"):
        _DAY_WORDS[_word] = DAY_BITS[_i]
_DAY_WORDS.update({"tues": DAY_BITS[1], "weds": DAY_BITS[2], "thur": DAY_BITS[3], "thurs": DAY_BITS[3]})
_GROUP_WORDS = {
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "workdays": WEEKDAYS,
    "everyday": EVERYDAY,
    "daily": EVERYDAY,
    "weekends": WEEKENDS,
    "weekend": WEEKENDS,
}

_TIME = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?P<ampm>am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_LOOSE_TIME = re.compile(r"^\d{1,2}([:.h]\d{1,3})?(am|pm)?$", re.IGNORECASE)

KINDS = ("quote_channel", "prompt_channel", "prompt_dm")


class InvalidSchedule(UsageError):
    """The schedule text could not be understood. The message names the bad part."""


@dataclass(frozen=True)
class ScheduleSpec:
    hour: int
    minute: int
    tz: str | None
    days: int


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


# -- parsing and formatting ---------------------------------------------------------------


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name -> canonical name (zoneinfo's list is slow to build: cached).

    ``localtime`` (whatever the server is set to) and ``Factory`` are not real places, and
    the ``posix/``/``right/`` copies are duplicates: none of them is offered."""
    hidden = {"localtime", "factory"}
    return {
        z.lower(): z
        for z in available_timezones()
        if z.lower() not in hidden and not z.startswith(("posix/", "right/"))
    }


def _shown(token: str) -> str:
    """A bad token, echoed back escaped and short enough to read."""
    return escape(truncate(token, 40))


def canonical_zone(name: str) -> str | None:
    """The canonical spelling of an IANA zone name, case-insensitively; None if unknown."""
    return _zones().get(name.strip().lower())


def parse_time(token: str, *, example: str) -> tuple[int, int]:
    """``09:00``, ``9:00``, ``9am``, ``9:30pm``, ``12am`` (midnight) -> (hour, minute)."""
    m = _TIME.match(token.strip())
    if m is None:
        raise InvalidSchedule(
            f"`{_shown(token)}` is not a time. Give the time first, as `HH:MM` (24-hour) or like "
            f"`9am` / `9:30pm`, for example {example}"
        )
    hour = int(m["h"])
    minute = int(m["m"]) if m["m"] is not None else 0
    ampm = (m["ampm"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12 or minute > 59:
            raise InvalidSchedule(
                f"`{_shown(token)}` is an impossible time: with am/pm the hour is 1–12 and the "
                f"minutes 00–59. For example {example}"
            )
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif m["m"] is None:
        raise InvalidSchedule(
            f"`{_shown(token)}` is ambiguous: write `{hour:02d}:00` or `{hour}am`/`{hour}pm`. For example {example}"
        )
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidSchedule(
            f"`{_shown(token)}` is an impossible time: hours are 00–23 and minutes 00–59. For example {example}"
        )
    return hour, minute


def _day_token(token: str, *, example: str) -> int:
    word = token.lower().strip(".")
    if word in _GROUP_WORDS:
        return _GROUP_WORDS[word]
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    first, dash, last = word.partition("-")
    if dash and first in _DAY_WORDS and last in _DAY_WORDS:  # a range: mon-fri, fri-mon
        start = _DAY_WORDS[first].bit_length() - 1
        end = _DAY_WORDS[last].bit_length() - 1
        bits, i = 0, start
        while True:
            bits |= DAY_BITS[i]
            if i == end:
                return bits
            i = (i + 1) % 7
    raise InvalidSchedule(
        f"I don't know the day(s) `{_shown(token)}`. Use `weekdays`, `everyday`, `weekends`, day names "
        f"like `mon,wed,fri` or `mondays`, or a range like `mon-thu`. For example {example}"
    )


def parse_schedule(text: str, *, example: str) -> ScheduleSpec:
    """Parse ``HH:MM [Area/City] [days]``; zone and days may come in either order.

    Days default to weekdays; the zone is None when not given (the caller picks the user's).
    ``example`` is a correct command shown in every error message.
    """
    tokens = text.replace(",", " ").split()
    if not tokens:
        raise InvalidSchedule(f"Give a time, for example {example}")
    head, rest = tokens[0], tokens[1:]
    if rest and rest[0].lower().replace(".", "") in ("am", "pm") and ":" not in head[-2:]:
        head, rest = head + rest[0], rest[1:]  # "9 am", "9:30 pm"
    if not _LOOSE_TIME.match(head) and canonical_zone(head) is None and "/" not in head:
        # Not even time-shaped: most likely the time is missing.
        try:
            _day_token(head, example=example)
        except InvalidSchedule:
            pass
        else:
            raise InvalidSchedule(f"Give the time first, then the zone and days, for example {example}")
    hour, minute = parse_time(head, example=example)

    tz: str | None = None
    days = 0
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        if token.lower() == "every" and i < len(rest) and rest[i].lower() in ("day", "days"):
            days |= EVERYDAY
            i += 1
            continue
        zone = canonical_zone(token)
        if zone is not None and token.lower() not in _DAY_WORDS and token.lower() not in _GROUP_WORDS:
            if tz is not None and tz != zone:
                raise InvalidSchedule(
                    f"Give one time zone, not both `{tz}` and `{_shown(token)}`. For example {example}"
                )
            tz = zone
            continue
        if "/" in token:
            raise InvalidSchedule(
                f"`{_shown(token)}` is not a time zone I know. Use an IANA name like `Europe/Berlin`, "
                f"`America/New_York` or `Asia/Tokyo`. For example {example}"
            )
        days |= _day_token(token, example=example)
    return ScheduleSpec(hour=hour, minute=minute, tz=tz, days=days or WEEKDAYS)


def format_days(days: int) -> str:
    """``weekdays``, ``every day``, ``weekends`` or ``Mon, Wed, Fri``."""
    if days == WEEKDAYS:
        return "weekdays"
    if days == EVERYDAY:
        return "every day"
    if days == WEEKENDS:
        return "weekends"
    return ", ".join(DAY_ABBR[i] for i in range(7) if days & DAY_BITS[i])


def format_time(spec: ScheduleSpec) -> str:
    return f"{spec.hour:02d}:{spec.minute:02d}"


def format_spec(spec: ScheduleSpec) -> str:
    """``09:00 Europe/Berlin, weekdays``; ``parse_schedule`` reads it back to the same spec."""
    zone = f" {spec.tz}" if spec.tz else ""
    return f"{format_time(spec)}{zone}, {format_days(spec.days)}"


def command_args(spec: ScheduleSpec) -> str:
    """The spec as command arguments: ``09:00 Europe/Berlin weekdays`` / ``... mon,wed,fri``."""
    days = format_days(spec.days)
    days = {"every day": "everyday"}.get(days, days.replace(", ", ",").lower())
    zone = f" {spec.tz}" if spec.tz else ""
    return f"{format_time(spec)}{zone} {days}"


# -- local-time maths --------------------------------------------------------------------


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


# -- storage -----------------------------------------------------------------------------


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
    row = get_schedule(session, team_id=team_id, kind=kind, target_id=target_id)
    if row is None:
        row = Schedule(team_id=team_id, kind=kind, target_id=target_id)
        session.add(row)
    row.enterprise_id = enterprise_id
    row.created_by = created_by
    row.hour, row.minute, row.tz, row.days = spec.hour, spec.minute, spec.tz, spec.days
    row.active = True
    row.paused_reason = None
    row.active_since = now
    session.flush()
    return row


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
