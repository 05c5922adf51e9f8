"""1:1 cadences: which manager meets which rep, on which weekday and time, every 1 or 2 weeks.

A cadence is a ``Schedule`` row of kind ``one_on_one`` (``target_id`` = the rep,
``created_by`` = the manager), so the delivery engine's holiday skips, pauses and away
deferrals apply to it as to any schedule. A rep has one 1:1 cadence per workspace: a second
manager is told who already meets them rather than silently taking the rep over.

Around each 1:1 the engine sends three things (``meetings_due`` finds them): the manager's
prep brief ``BRIEF_BEFORE`` the 1:1, the agenda to both sides ``AGENDA_BEFORE`` it, and one
nudge to log a note ``NUDGE_AFTER`` it started. All three belong to a 1:1 that starts after
the cadence was (re)set (``active_since``): a cadence set at 09:00 for a 10:00 1:1 today sends
the brief at once (it was due at 08:00, still within the engine's grace), then the agenda and
the nudge; one set at 10:30 starts with next week's.

Biweekly: the 1:1 falls on the weeks an even number of weeks after ``anchor_on``, the local
date of the first 1:1 after the cadence was (re)set.

Plain values in and out; no Slack, no commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Schedule
from bot.errors import NotAllowed, UsageError
from bot.kinds import ScheduleKind
from bot.services import holiday_calendars, occurrences, pauses, schedule_input, schedule_spec, schedules
from bot.services.managers import NotAManager, is_manager
from bot.services.schedule_spec import DAY_BITS, ScheduleSpec
from bot.services.zones import zone_or_utc

SCHEDULE_KIND = ScheduleKind.ONE_ON_ONE
EXAMPLE = "/coach 1on1 @bob weekly tue 10:00 Europe/Berlin"
BRIEF_BEFORE = timedelta(hours=2)
AGENDA_BEFORE = timedelta(minutes=30)
NUDGE_AFTER = timedelta(hours=1)
# A pause is at most a year: 60 weekly 1:1s always get past it and a few holidays.
_LOOKAHEAD_WEEKS = 60

_FREQUENCIES = {
    "weekly": 1,
    "biweekly": 2,
    "bi-weekly": 2,
    "fortnightly": 2,
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {
    **{name: i for i, name in enumerate(_DAY_NAMES)},
    **{name[:3]: i for i, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}


class InvalidCadence(UsageError):
    """The 1:1 cadence text could not be understood, or names an impossible pair."""


@dataclass(frozen=True)
class Cadence:
    """What was typed: every 1 or 2 weeks, a weekday (Monday = 0), a local time and maybe a zone."""

    every_weeks: int
    weekday: int
    hour: int
    minute: int
    tz: str | None

    def spec(self, tz: str) -> ScheduleSpec:
        return ScheduleSpec(hour=self.hour, minute=self.minute, tz=tz, days=DAY_BITS[self.weekday])


@dataclass(frozen=True)
class CadenceView:
    schedule_id: int
    team_id: str
    manager_id: str
    rep_id: str
    every_weeks: int
    weekday: int
    hour: int
    minute: int
    tz: str
    active: bool
    anchor_on: date | None
    paused_until: date | None
    holidays: str | None
    active_since: datetime | None

    @classmethod
    def of(cls, row: Schedule) -> CadenceView:
        return cls(
            schedule_id=row.id,
            team_id=row.team_id,
            manager_id=row.created_by,
            rep_id=row.target_id,
            every_weeks=row.every_weeks,
            weekday=_weekday_of(row.days),
            hour=row.hour,
            minute=row.minute,
            tz=row.tz,
            active=row.active,
            anchor_on=row.anchor_on,
            paused_until=row.paused_until,
            holidays=row.holidays,
            active_since=row.active_since,
        )

    @property
    def spec(self) -> ScheduleSpec:
        return ScheduleSpec(hour=self.hour, minute=self.minute, tz=self.tz, days=DAY_BITS[self.weekday])

    def falls_on(self, local_date: date) -> bool:
        """Whether a date with the right weekday is a 1:1 week (always, for weekly ones)."""
        if self.every_weeks <= 1 or self.anchor_on is None:
            return True
        return ((local_date - self.anchor_on).days // 7) % self.every_weeks == 0


@dataclass(frozen=True)
class Meeting:
    """One 1:1 with something due around it: ``due_at`` = ``meets_at`` + the offset asked for."""

    schedule_id: int
    team_id: str
    enterprise_id: str | None
    manager_id: str
    rep_id: str
    tz: str
    local_date: date  # the 1:1's date in the cadence's zone (holidays and pauses judge it)
    meets_at: datetime
    due_at: datetime


def _weekday_of(days: int) -> int:
    return next((i for i in range(7) if days & DAY_BITS[i]), 0)


def describe(c: CadenceView | Cadence, tz: str | None = None) -> str:
    """``every Tue at 10:00 (Europe/Berlin)`` / ``every other Tue ...``."""
    every = "every other" if c.every_weeks == 2 else "every"
    zone = tz or (c.tz if c.tz else "")
    return f"{every} {schedule_spec.DAY_ABBR[c.weekday]} at {c.hour:02d}:{c.minute:02d}" + (
        f" ({zone})" if zone else ""
    )


def parse_cadence(text: str, *, example: str = EXAMPLE, command: str | None = None) -> Cadence:
    """``weekly tue 10:00 [zone]``, ``biweekly thu 4pm New York``: words in any order after the
    frequency (which defaults to weekly); exactly one weekday. ``command`` (``/coach 1on1 @bob
    weekly``) lets a refused zone abbreviation come with the whole command to paste."""
    words = text.replace(",", " ").split()
    every = 1
    rest: list[str] = []
    day: int | None = None
    i = 0
    while i < len(words):
        word = words[i]
        key = word.lower().strip(".")
        if key in _FREQUENCIES:
            every = _FREQUENCIES[key]
        elif key == "every" and i + 2 < len(words) and words[i + 1].lower() == "other":
            every, i = 2, i + 1  # "every other tue": the day is read next
        elif (
            key == "every"
            and i + 2 < len(words)
            and words[i + 1] in ("1", "2")
            and words[i + 2].lower()
            in (
                "week",
                "weeks",
            )
        ):
            every, i = int(words[i + 1]), i + 2
        elif key.rstrip("s") in _DAYS or key in _DAYS:
            found = _DAYS.get(key, _DAYS.get(key.rstrip("s")))
            assert found is not None
            if day is not None and day != found:
                raise InvalidCadence(
                    f"A 1:1 cadence has one day of the week; you named two. For example `{example}` "
                    "(or `biweekly` for every other week)."
                )
            day = found
        else:
            rest.append(word)
        i += 1
    if day is None:
        raise InvalidCadence(f"Say which day of the week the 1:1 is, for example `{example}`.")
    if not rest:
        raise InvalidCadence(f"Say what time the 1:1 starts, for example `{example}`.")
    # The time and zone are read by the schedules parser, which shows the same errors as
    # every other schedule (abbreviations, ambiguous cities, impossible times).
    spec = schedule_input.parse_schedule(
        " ".join(rest) + " " + schedule_spec.DAY_ABBR[day].lower(), example=f"`{example}`", command=command
    )
    if spec.days != DAY_BITS[day]:
        raise InvalidCadence(
            f"A 1:1 cadence has one day of the week, for example `{example}`; `weekdays` or ranges don't fit one."
        )
    return Cadence(every_weeks=every, weekday=day, hour=spec.hour, minute=spec.minute, tz=spec.tz)


# -- storage -------------------------------------------------------------------------------


def get_cadence(session: Session, *, team_id: str, rep_id: str) -> CadenceView | None:
    row = schedules.get_schedule(session, team_id=team_id, kind=SCHEDULE_KIND, target_id=rep_id)
    return CadenceView.of(row) if row is not None else None


def cadence_for_pair(session: Session, *, team_id: str, manager_id: str, rep_id: str) -> CadenceView | None:
    """The cadence of this manager with this rep (active, paused or off), or None."""
    found = get_cadence(session, team_id=team_id, rep_id=rep_id)
    return found if found is not None and found.manager_id == manager_id else None


def cadences_of_manager(session: Session, *, team_id: str, manager_id: str) -> list[CadenceView]:
    rows = session.scalars(
        select(Schedule)
        .where(Schedule.team_id == team_id, Schedule.kind == SCHEDULE_KIND, Schedule.created_by == manager_id)
        .order_by(Schedule.id)
    )
    return [CadenceView.of(r) for r in rows]


def check_pair(
    session: Session, *, team_id: str, manager_id: str, rep_id: str, admin_ids: list[str], checked_manager: bool = False
) -> None:
    """Refuse a 1:1 the manager can't set: not a manager, with themselves, or a rep someone else
    meets. ``checked_manager``: the caller checked the role already (admins count as managers)."""
    if rep_id == manager_id:
        raise InvalidCadence(f"A 1:1 is with one of your reps, not with yourself. For example `{EXAMPLE}`.")
    if not checked_manager and not is_manager(session, team_id=team_id, user_id=manager_id):
        admins = ", ".join(f"<@{a}>" for a in admin_ids) or "an admin"
        raise NotAManager(
            "1:1 cadences are for managers, and you are not one in this workspace. "
            f"Ask {admins} to add you: `/coach managers add @you`. Then: `{EXAMPLE}`."
        )
    other = get_cadence(session, team_id=team_id, rep_id=rep_id)
    if other is not None and other.manager_id != manager_id and (other.active or other.paused_until is not None):
        raise NotAllowed(
            f"<@{rep_id}> already has a 1:1 cadence with <@{other.manager_id}>, and a rep has one 1:1 "
            "cadence here. Nothing was changed; they can stop theirs with "
            f"`/coach 1on1 @{rep_id} off`, then set yours: `{EXAMPLE}`."
        )


def set_cadence(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    manager_id: str,
    rep_id: str,
    cadence: Cadence,
    tz: str,
    now: datetime,
    admin_ids: list[str] | None = None,
    checked_manager: bool = False,
) -> CadenceView:
    """Create or replace the rep's cadence with this manager; active after (a pause is kept)."""
    check_pair(
        session,
        team_id=team_id,
        manager_id=manager_id,
        rep_id=rep_id,
        admin_ids=admin_ids or [],
        checked_manager=checked_manager,
    )
    spec = cadence.spec(tz)
    row = schedules.set_schedule(
        session,
        team_id=team_id,
        enterprise_id=enterprise_id,
        kind=SCHEDULE_KIND,
        target_id=rep_id,
        created_by=manager_id,
        spec=spec,
        now=now,
    )
    row.every_weeks = cadence.every_weeks
    # The first 1:1 from now on anchors the biweekly count.
    row.anchor_on = occurrences.next_run(spec, now).astimezone(zone_or_utc(tz)).date()
    session.flush()
    return CadenceView.of(row)


def stop_cadence(session: Session, *, team_id: str, manager_id: str, rep_id: str) -> bool:
    """Turn the pair's cadence off. True if there was one to stop (another manager's is not touched)."""
    if cadence_for_pair(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id) is None:
        return False
    return schedules.stop_schedule(session, team_id=team_id, kind=SCHEDULE_KIND, target_id=rep_id)


# -- what is due ---------------------------------------------------------------------------


def next_meeting(cadence: CadenceView, after: datetime) -> datetime | None:
    """The first 1:1 strictly after ``after`` that the engine will hold: a 1:1 week, not on a
    holiday of the cadence's calendar, not within its pause. None when there is none in a year."""
    spec = cadence.spec
    zone = zone_or_utc(cadence.tz)
    at = after
    for _ in range(_LOOKAHEAD_WEEKS):
        due = occurrences.next_run(spec, at)
        local = due.astimezone(zone).date()
        if (
            cadence.falls_on(local)
            and not pauses.is_paused(cadence.paused_until, local)
            and not holiday_calendars.is_holiday(cadence.holidays, local)
        ):
            return due
        at = due
    return None


def meetings_due(session: Session, *, offset: timedelta, at: datetime, grace: timedelta) -> list[Meeting]:
    """1:1s whose ``meets_at + offset`` falls in [at - grace, at], across workspaces, for the
    active cadences (the engine then drops holidays and pauses by ``local_date``)."""
    rows = session.scalars(select(Schedule).where(Schedule.kind == SCHEDULE_KIND, Schedule.active.is_(True)))
    found: list[Meeting] = []
    for row in rows:
        cadence = CadenceView.of(row)
        for local_date, meets_at in occurrences.occurrences_due(cadence.spec, at - offset, grace):
            due_at = meets_at + offset
            if not cadence.falls_on(local_date):
                continue
            if cadence.active_since is not None and meets_at < cadence.active_since:
                continue  # a 1:1 from before the cadence was set: nothing of it is sent
            found.append(
                Meeting(
                    schedule_id=row.id,
                    team_id=row.team_id,
                    enterprise_id=row.enterprise_id,
                    manager_id=row.created_by,
                    rep_id=row.target_id,
                    tz=row.tz,
                    local_date=local_date,
                    meets_at=meets_at,
                    due_at=due_at,
                )
            )
    return found
