"""Pauses: ``pause until 2027-01-04`` / ``pause 2w`` / ``resume``, and what posts next.

``Schedule.paused_until`` is the local date the schedule posts again; nothing before it is
claimed. No one has to resume it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Schedule
from bot.errors import UsageError
from bot.services.holiday_calendars import is_holiday
from bot.services.schedules import (
    ScheduleSpec,
    describe_instant,
    next_run,
    spec_of,
)
from bot.services.text import escape, strip_invisible, truncate

MAX_PAUSE_MONTHS = 12
PAUSE_EXAMPLE = "`pause until 2027-01-04`, or a span from today: `pause 2w` (also `10d`, `1m`)"
_RELATIVE = re.compile(
    r"^(?P<n>\d{1,4})\s*(?P<unit>d|day|days|w|wk|wks|week|weeks|m|mo|mon|month|months|y|yr|year|years)$",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _shown(token: str) -> str:
    return escape(truncate(token, 40))


class InvalidPause(UsageError):
    """A pause that cannot be: not a date or span, in the past, or longer than a year."""


def local_today(tz: str, now: datetime) -> date:
    """The date it is in ``tz`` at ``now``: what ``parse_pause`` counts from for a schedule."""
    return now.astimezone(ZoneInfo(tz)).date()


def parse_pause(text: str, *, today: date) -> date:
    """The local date a paused schedule posts again, from ``until 2027-01-04`` or ``2w`` /
    ``10d`` / ``1m`` (weeks, days, months from ``today``, the schedule's local date).

    Refused: not a date or span, today or earlier, more than a year away.
    """
    words = unicodedata.normalize("NFKC", strip_invisible(text)).split()
    if words and words[0].casefold() == "until":
        words = words[1:]
    token = " ".join(words)
    if not token:
        raise InvalidPause(f"Say until when: {PAUSE_EXAMPLE}.")
    relative = _RELATIVE.match(token)
    iso = _ISO_DATE.match(token)
    if relative is not None:
        n, unit = int(relative["n"]), relative["unit"].lower()
        if n == 0:
            raise InvalidPause(f"A pause needs at least a day: {PAUSE_EXAMPLE}.")
        n = min(n, 1000)  # anything longer is refused below as more than a year; keeps dates in range
        if unit.startswith("d"):
            until = today + timedelta(days=n)
        elif unit.startswith("w"):
            until = today + timedelta(weeks=n)
        elif unit.startswith("y"):
            until = add_months(today, 12 * n)
        else:
            until = add_months(today, n)
    elif iso is not None:
        try:
            until = date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise InvalidPause(f"`{_shown(token)}` is not a date in the calendar. {PAUSE_EXAMPLE}.") from None
    else:
        raise InvalidPause(f"`{_shown(token)}` is not a date or a span I understand. {PAUSE_EXAMPLE}.")
    if until <= today:
        when = "today" if until == today else "in the past"
        raise InvalidPause(
            f"{until.isoformat()} is {when} (today is {today.isoformat()} in the schedule's zone). Pause until a "
            f"later date, e.g. `pause until {(today + timedelta(days=7)).isoformat()}`, or use `resume` to post again."
        )
    latest = add_months(today, MAX_PAUSE_MONTHS)
    if until > latest:
        raise InvalidPause(
            f"{until.isoformat()} is more than a year away; the longest pause is until {latest.isoformat()}. "
            "To stop for good, use `off`."
        )
    return until


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months; the 31st becomes the month's last day (31 Jan + 1m = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def pause_schedule_until(schedule: Schedule, until: date, by: str) -> Schedule:
    """Pause ``schedule``: nothing is claimed for local dates before ``until``; it posts again
    on ``until`` by itself. ``by`` (a user id) is kept for the channel notice."""
    schedule.paused_until = until
    schedule.paused_by = by
    return schedule


def resume_schedule(schedule: Schedule) -> bool:
    """Lift a pause now. True if it was paused (a pause that has run out counts as none)."""
    was_paused = schedule.paused_until is not None
    schedule.paused_until = None
    schedule.paused_by = None
    return was_paused


def pause_summary(schedule: Schedule, *, today: date) -> str | None:
    """``Paused until Mon 4 Jan 2027 by <@U1>: it posts again that day by itself.``; None when
    it is not paused (a pause that has run out counts as none). ``today`` is the schedule's local date."""
    until = schedule.paused_until
    if until is None or until <= today:
        return None
    by = f" by <@{schedule.paused_by}>" if schedule.paused_by else ""
    return f"Paused until {until:%a} {until.day} {until:%b %Y}{by}: it posts again that day by itself."


def is_paused(paused_until: date | None, local_date: date) -> bool:
    return paused_until is not None and local_date < paused_until


def next_post(
    spec: ScheduleSpec, after: datetime, *, calendar: str | None, paused_until: date | None
) -> datetime | None:
    """The first occurrence after ``after`` that the engine will actually post: not on a holiday
    in ``calendar``, not before ``paused_until`` (what a confirmation's "Next post" must say).
    None when there is none within a year and a half (a calendar with every one of its days off)."""
    if spec.tz is None:
        raise ValueError("a schedule needs a time zone here")
    zone = ZoneInfo(spec.tz)
    at = after
    # A pause is at most a year (MAX_PAUSE_MONTHS) and holidays are a few a month: 550 daily
    # occurrences always get past both.
    for _ in range(550):
        due = next_run(spec, at)
        local = due.astimezone(zone).date()
        if not is_paused(paused_until, local) and not is_holiday(calendar, local):
            return due
        at = due
    return None


@dataclass(frozen=True)
class Upcoming:
    """What a stored schedule will do next, as the engine will do it."""

    next_post: datetime | None  # None: inactive, or nothing within a year and a half
    paused_until: date | None  # a pause still running on the schedule's local date
    pause_note: str | None  # ``pause_summary``'s sentence, for an active paused schedule

    def next_post_text(self, tz: str) -> str:
        """``Mon 4 Jan 2027, 09:00 CET`` in ``tz``, or ``none within a year``."""
        return describe_instant(self.next_post, tz) if self.next_post is not None else "none within a year"


def upcoming(schedule: Schedule, now: datetime) -> Upcoming:
    """The next post of ``schedule`` after ``now`` (holidays and a running pause skipped), for
    every place that shows one: a command's reply and the App Home."""
    spec = spec_of(schedule)
    if spec.tz is None:
        raise ValueError("a schedule needs a time zone here")
    today = local_today(spec.tz, now)
    paused_until = schedule.paused_until if is_paused(schedule.paused_until, today) else None
    if not schedule.active:
        return Upcoming(next_post=None, paused_until=paused_until, pause_note=None)
    return Upcoming(
        next_post=next_post(spec, now, calendar=schedule.holidays, paused_until=paused_until),
        paused_until=paused_until,
        pause_note=pause_summary(schedule, today=today),
    )
