"""Calendars: public holidays, pauses, and whether a person is away.

Three ways a scheduled delivery does not go out on its usual day, all decided by the
delivery engine when it computes what is due (``bot.scheduling.run``):

- **Public holidays.** A schedule names a calendar (``DE``, ``DE-BY``, ``US``), stored in
  ``Schedule.holidays``; an occurrence whose local date (in the schedule's own zone) is a
  holiday there produces no claim at all, and the next working day posts as usual. The
  calendars come from the maintained ``holidays`` package, never a hand-made list. The
  workspace default (``COACHBOT_HOLIDAYS``) is applied when a schedule is created without
  naming one (``calendar_for_schedule``); ``none`` turns it off for one schedule.
- **Pauses.** ``Schedule.paused_until`` is the local date the schedule posts again; nothing
  before it is claimed. No one has to resume it.
- **People who are away.** A DM the bot schedules (a coaching prompt, a follow-up, an
  action-item reminder) whose recipient's Slack status says away is deferred to their next
  working day at the same local time (``is_away``, ``deferred_until``).

Pure functions and plain values: no Slack, no commits (the caller owns the unit of work).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays
from rapidfuzz import fuzz, process

from bot.db.models import Schedule
from bot.errors import UsageError
from bot.services.schedules import (
    DAY_BITS,
    EVERYDAY,
    WEEKDAYS,
    ScheduleSpec,
    describe_instant,
    due_instant,
    next_run,
    spec_of,
)
from bot.services.text import escape, normalize, strip_invisible, truncate

NONE = "none"
# Holidays are looked up this many years ahead for "the next dates that will be skipped".
LOOKAHEAD_YEARS = 2
# The longest pause, in months: longer than that is "off", which says so honestly.
MAX_PAUSE_MONTHS = 12
CALENDAR_EXAMPLE = (
    "`skip holidays DE` (Germany), `skip holidays DE-BY` (Bavaria), `skip holidays US` or `skip holidays none`"
)
PAUSE_EXAMPLE = "`pause until 2027-01-04`, or a span from today: `pause 2w` (also `10d`, `1m`)"
_SEPARATORS = re.compile(r"[-–—_/.:]")  # DE-BY, DE–BY (an en dash from a phone), DE_BY, DE/BY
_RELATIVE = re.compile(
    r"^(?P<n>\d{1,4})\s*(?P<unit>d|day|days|w|wk|wks|week|weeks|m|mo|mon|month|months|y|yr|year|years)$",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class InvalidCalendar(UsageError):
    """An unknown country or subdivision. The message names it and the nearest valid codes."""

    def __init__(self, message: str, *, nearest: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.nearest = tuple(nearest)


class InvalidPause(UsageError):
    """A pause that cannot be: not a date or span, in the past, or longer than a year."""


# -- holiday calendars ----------------------------------------------------------------------


def _key(text: str) -> str:
    """How codes and names are compared: case, accents-as-typed, look-alike letters (a Cyrillic
    "Е" in "DЕ") and invisible characters (a soft hyphen) don't count."""
    return normalize(text).replace(" ", "")


@cache
def _countries() -> dict[str, str]:
    """Every supported country code -> its English name (``DE`` -> ``Germany``)."""
    names = {}
    for module, entry in holidays.registry.COUNTRIES.items():
        names[entry[1]] = module.replace("_", " ").title()
    return {code: names.get(code, code) for code in holidays.list_supported_countries(include_aliases=False)}


@cache
def _country_keys() -> dict[str, str]:
    """Comparison key -> country code: codes, the package's aliases (``UK``, ``DEU``) and names."""
    keys: dict[str, str] = {}
    for module, entry in holidays.registry.COUNTRIES.items():
        code = entry[1]
        for alias in (module, *entry[2:]):
            if not alias.startswith("Holidays"):
                keys.setdefault(_key(alias), code)
    for alias, code in _alias_codes().items():
        keys.setdefault(_key(alias), code)
    for code in _countries():
        keys[_key(code)] = code
    return keys


@cache
def _alias_codes() -> dict[str, str]:
    """Aliases the package accepts (``UK`` for ``GB``) -> the canonical code, by comparing subdivisions."""
    canonical = holidays.list_supported_countries(include_aliases=False)
    found: dict[str, str] = {}
    for alias in holidays.list_supported_countries():
        if alias in canonical or len(alias) != 2:
            continue
        entity = holidays.country_holidays(alias)
        found[alias] = str(entity.country)
    return found


@cache
def _subdivisions(country: str) -> tuple[dict[str, str], dict[str, str]]:
    """(comparison key -> subdivision code, subdivision code -> its name) for one country."""
    entity = holidays.country_holidays(country)
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for sub in entity.subdivisions:
        codes[_key(sub)] = sub
        names.setdefault(sub, sub)
    for name, sub in (getattr(entity, "subdivisions_aliases", None) or {}).items():
        codes.setdefault(_key(name), sub)
        if names.get(sub) == sub:
            names[sub] = name
    return codes, names


def _shown(token: str) -> str:
    return escape(truncate(token, 40))


def _nearest(token: str, labelled: dict[str, str], limit: int = 3) -> list[str]:
    """The ``limit`` codes whose code or name is closest to ``token`` (rapidfuzz), best first."""
    query = _key(token) or token.lower()
    choices = {label_key: code for label, code in labelled.items() if (label_key := _key(label))}
    keys = list(choices)
    found: list[str] = []
    scored = process.extract(query, keys, scorer=fuzz.WRatio, limit=limit * 4, processor=None)
    # A name that starts with what was typed ("cali") beats one that merely shares letters.
    scored.sort(key=lambda hit: (not keys[hit[2]].startswith(query), -hit[1]))
    for _choice, _score, index in scored:
        code = choices[keys[index]]
        if code not in found:
            found.append(code)
        if len(found) == limit:
            break
    return found


def _nearest_countries(token: str) -> list[str]:
    labelled = {**{code: code for code in _countries()}, **{name: code for code, name in _countries().items()}}
    return _nearest(token, labelled)


def _nearest_subdivisions(country: str, token: str) -> list[str]:
    names = _subdivisions(country)[1]
    labelled = {**{sub: sub for sub in names}, **{name: sub for sub, name in names.items()}}
    return [f"{country}-{sub}" for sub in _nearest(token, labelled)]


def _listed(codes: list[str]) -> str:
    return ", ".join(f"`{code}` ({calendar_label(code).rsplit(' (', 1)[0]})" for code in codes)


def parse_calendar(text: str) -> str | None:
    """A calendar as typed -> its canonical code (``de-by`` -> ``DE-BY``), or None for ``none``.

    Accepts a country code (``DE``, ``US``), an alias the package knows (``UK``, ``DEU``), a
    country name (``Germany``), and a subdivision after a dash (``DE-BY``, ``DE-Bayern``,
    ``US-CA``). Anything else raises ``InvalidCalendar`` naming it and the nearest codes.
    """
    token = unicodedata.normalize("NFKC", strip_invisible(text)).strip()
    if not token:
        raise InvalidCalendar(f"Name a holiday calendar: {CALENDAR_EXAMPLE}.")
    if _key(token) == NONE:
        return None
    whole = _country_keys().get(_key(token))
    if whole is not None:
        return whole
    parts = _SEPARATORS.split(token, maxsplit=1)
    country_text, sub_text = parts[0], (parts[1] if len(parts) > 1 else "")
    country = _country_keys().get(_key(country_text))
    if country is None:
        nearest = _nearest_countries(country_text or token)
        raise InvalidCalendar(
            f"`{_shown(country_text or token)}` is not a country I have a holiday calendar for. "
            f"Nearest: {_listed(nearest)}. Use a country code, optionally with a region: {CALENDAR_EXAMPLE}.",
            nearest=nearest,
        )
    if not sub_text.strip():
        return country
    codes, names = _subdivisions(country)
    sub = codes.get(_key(sub_text))
    if sub is None:
        if not names:
            raise InvalidCalendar(
                f"{_countries()[country]} (`{country}`) has no regional holiday calendars, so "
                f"`{_shown(token)}` is not one. Use `skip holidays {country}`.",
                nearest=[country],
            )
        nearest = _nearest_subdivisions(country, sub_text)
        raise InvalidCalendar(
            f"`{_shown(sub_text)}` is not a region of {_countries()[country]} (`{country}`) with its own holidays. "
            f"Nearest: {_listed(nearest)}. For example `skip holidays {country}` for the whole country.",
            nearest=nearest,
        )
    return f"{country}-{sub}"


def calendar_label(code: str | None) -> str:
    """``Germany, Bavaria (DE-BY)``; ``no holiday calendar`` for None."""
    if code is None:
        return "no holiday calendar"
    country, _, sub = code.partition("-")
    name = _countries().get(country, country)
    if sub:
        name = f"{name}, {_subdivisions(country)[1].get(sub, sub)}"
    return f"{name} ({code})"


@lru_cache(maxsize=512)
def _holidays_in(code: str, year: int) -> dict[date, str]:
    """One calendar year as a plain dict, built once: the package's objects grow lazily on
    lookup, which is not safe to share between the engine's worker threads."""
    country, _, sub = code.partition("-")
    entity = holidays.country_holidays(country, subdiv=sub or None, years=year)
    language = "en_US" if "en_US" in (getattr(entity, "supported_languages", ()) or ()) else None
    if language is not None and entity.default_language != language:
        entity = holidays.country_holidays(country, subdiv=sub or None, years=year, language=language)
    return {day: str(name) for day, name in entity.items() if day.year == year}


def holiday_name(calendar: str | None, local_date: date) -> str | None:
    """The holiday on ``local_date`` in ``calendar`` (a canonical code), or None."""
    if calendar is None:
        return None
    return _holidays_in(calendar, local_date.year).get(local_date)


def is_holiday(calendar: str | None, local_date: date) -> bool:
    return holiday_name(calendar, local_date) is not None


def next_skipped(
    calendar: str | None, tz: str, from_date: date | datetime, n: int = 3, *, days: int = EVERYDAY
) -> list[tuple[date, str]]:
    """The next ``n`` dates (from ``from_date``, included) a schedule on ``days`` will skip, with
    the holiday's name. A datetime is read as a local date in ``tz``."""
    if calendar is None or n <= 0:
        return []
    start = from_date.astimezone(ZoneInfo(tz)).date() if isinstance(from_date, datetime) else from_date
    found: list[tuple[date, str]] = []
    for year in range(start.year, start.year + LOOKAHEAD_YEARS + 1):
        for day, name in sorted(_holidays_in(calendar, year).items()):
            if day >= start and days & DAY_BITS[day.weekday()]:
                found.append((day, name))
                if len(found) == n:
                    return found
    return found


def calendar_summary(calendar: str | None, *, tz: str, now: datetime, days: int = EVERYDAY) -> str:
    """What a confirmation or ``show`` says about the calendar: ``Skips public holidays in
    Germany, Bayern (DE-BY); next: Fri 25 Dec 2026 (Christmas Day), ...``. Plain text, no
    user input in it (the code is canonical)."""
    if calendar is None:
        return "Posts on public holidays too (no holiday calendar)."
    upcoming = next_skipped(calendar, tz, now, days=days)
    listed = "; ".join(f"{day:%a} {day.day} {day:%b %Y} ({escape(name)})" for day, name in upcoming)
    nothing = "none on its days in the next two years"
    return f"Skips public holidays in {calendar_label(calendar)}. Next skipped: {listed or nothing}."


def split_calendar_option(words: Sequence[str]) -> tuple[str | None, list[str]]:
    """Take ``skip holidays XX`` out of a schedule's words.

    Returns (the canonical code, or ``"none"`` for ``skip holidays none``, or None when the
    option is absent; the other words in order). ``skip holiday`` and any case work. Raises
    ``InvalidCalendar`` for a missing or unknown code, or the option given twice.
    """
    found: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _key(word) != "skip":
            rest.append(word)
            i += 1
            continue
        if i + 1 >= len(words) or _key(words[i + 1]) not in ("holidays", "holiday"):
            raise InvalidCalendar(f"`skip` takes `holidays` and a calendar: {CALENDAR_EXAMPLE}.")
        if i + 2 >= len(words):
            raise InvalidCalendar(f"Say which holidays to skip: {CALENDAR_EXAMPLE}.")
        if found is not None:
            raise InvalidCalendar(f"Give one holiday calendar, not two: {CALENDAR_EXAMPLE}.")
        found = parse_calendar(words[i + 2]) or NONE
        i += 3
    return found, rest


def calendar_for_schedule(option: str | None, *, default: str | None, current: str | None, is_new: bool) -> str | None:
    """The calendar a schedule gets from what the command said.

    ``option`` is ``split_calendar_option``'s first value. Not named: a new schedule takes the
    workspace default (``COACHBOT_HOLIDAYS``), an existing one keeps its own. ``none``: no
    calendar.
    """
    if option == NONE:
        return None
    if option is not None:
        return option
    return default if is_new else current


def set_calendar(schedule: Schedule, calendar: str | None) -> str | None:
    """Give ``schedule`` a holiday calendar (a code, ``none`` or None to clear); returns the
    canonical code stored. Raises ``InvalidCalendar`` and changes nothing for an unknown one."""
    code = None if calendar is None else parse_calendar(calendar)
    schedule.holidays = code
    return code


# -- pauses ---------------------------------------------------------------------------------


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


# -- people who are away -------------------------------------------------------------------


@dataclass(frozen=True)
class AwayRules:
    """What counts as away: a status emoji name (without colons), or one of ``words`` in the
    status text (any case; look-alike letters and invisible characters don't hide a word)."""

    emoji: frozenset[str]
    words: tuple[str, ...]

    @classmethod
    def of(cls, emoji: Iterable[str], words: Iterable[str]) -> AwayRules:
        return cls(
            emoji=frozenset(e.strip().strip(":").lower() for e in emoji if e.strip().strip(":")),
            words=tuple(w for w in (_fold(word) for word in words) if w),
        )


_EMOJI = re.compile(r"^:([^:\s]+):")


def _fold(text: str) -> str:
    """Lower-case words separated by single spaces; non-ASCII look-alikes mapped to the letter they
    imitate. ASCII is kept as typed, so ``1,000`` stays digits and is never read as ``OOO``."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).casefold()
    text = "".join(c if c.isascii() else (normalize(c) or " ") for c in text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _mentions(folded_text: str, word: str) -> bool:
    # Words start at a word boundary ("sick" in "sick leave" and "sickness", not "homesick");
    # short ones (OOO) must also end at one, so "ooops" is not out of office.
    end = r"\b" if len(word) <= 3 else ""
    return re.search(rf"\b{re.escape(word)}{end}", folded_text) is not None


def is_away(*, status_emoji: str, status_text: str, status_expiration: int, at: datetime, rules: AwayRules) -> bool:
    """Whether a Slack status says its person is away at ``at``.

    ``status_expiration`` is Slack's Unix time the status clears at (0: never); an expired
    status says nothing.
    """
    if status_expiration and status_expiration <= at.timestamp():
        return False
    emoji = _EMOJI.match((status_emoji or "").strip())
    if emoji is not None and emoji[1].lower() in rules.emoji:
        return True
    folded = _fold(status_text or "")
    return bool(folded) and any(_mentions(folded, word) for word in rules.words)


def next_working_day(after: date, *, calendar: str | None, days: int = WEEKDAYS) -> date:
    """The first day after ``after`` that is one of ``days`` and not a holiday in ``calendar``."""
    day = after
    for _ in range(366):
        day += timedelta(days=1)
        if days & DAY_BITS[day.weekday()] and not is_holiday(calendar, day):
            return day
    return after + timedelta(days=1)  # a calendar with no working day at all: tomorrow


def deferred_until(due_at: datetime, *, tz: str, calendar: str | None) -> datetime:
    """The UTC instant of the recipient's next working day (Mon–Fri, holidays in ``calendar``
    skipped) at the same local time as ``due_at`` in ``tz``."""
    zone = ZoneInfo(tz)
    local = due_at.astimezone(zone)
    day = next_working_day(local.date(), calendar=calendar)
    return due_instant(day, local.hour, local.minute, zone)
