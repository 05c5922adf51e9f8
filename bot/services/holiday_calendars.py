"""Public-holiday calendars for schedules: ``skip holidays DE`` / ``DE-BY`` / ``US`` / ``none``.

A schedule names a calendar, stored in ``Schedule.holidays``; an occurrence whose local date
(in the schedule's own zone) is a holiday there produces no claim at all. The calendars come
from the maintained ``holidays`` package, never a hand-made list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays
from rapidfuzz import fuzz, process

from bot.db.models import Schedule
from bot.errors import UsageError
from bot.services.schedules import (
    DAY_BITS,
    EVERYDAY,
)
from bot.services.text import escape, normalize, strip_invisible, truncate

NONE = "none"
# Holidays are looked up this many years ahead for "the next dates that will be skipped".
LOOKAHEAD_YEARS = 2
# The longest pause, in months: longer than that is "off", which says so honestly.
CALENDAR_EXAMPLE = (
    "`skip holidays DE` (Germany), `skip holidays DE-BY` (Bavaria), `skip holidays US` or `skip holidays none`"
)
_SEPARATORS = re.compile(r"[-–—_/.:]")  # DE-BY, DE–BY (an en dash from a phone), DE_BY, DE/BY


class InvalidCalendar(UsageError):
    """An unknown country or subdivision. The message names it and the nearest valid codes."""

    def __init__(self, message: str, *, nearest: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.nearest = tuple(nearest)


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
