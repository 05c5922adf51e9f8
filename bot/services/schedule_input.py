"""Reading a schedule as typed: ``09:00 Europe/Berlin weekdays``, ``8:30am mon,wed,fri``.

Each refusal names the bad part and shows a correct example (``InvalidSchedule``).
"""

from __future__ import annotations

import re

from bot.services.schedule_spec import (
    DAY_BITS,
    DAY_NAMES,
    DAY_WORDS,
    EVERYDAY,
    GROUP_WORDS,
    WEEKDAYS,
    InvalidSchedule,
    ScheduleSpec,
)
from bot.services.zones import ZoneText, canonical_zone, city_zones, refuse, shown, suggest, zone_at, zone_names

_TIME = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?P<ampm>am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_LOOSE_TIME = re.compile(r"^\d{1,2}([:.h]\d{1,3})?(am|pm)?$", re.IGNORECASE)


def parse_time(token: str, *, example: str) -> tuple[int, int]:
    """``09:00``, ``9:00``, ``9am``, ``9:30pm``, ``12am`` (midnight) -> (hour, minute)."""
    m = _TIME.match(token.strip())
    if m is None:
        raise InvalidSchedule(
            f"`{shown(token)}` is not a time. Give the time first, as `HH:MM` (24-hour) or like "
            f"`9am` / `9:30pm`, for example {example}"
        )
    hour = int(m["h"])
    minute = int(m["m"]) if m["m"] is not None else 0
    ampm = (m["ampm"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12 or minute > 59:
            raise InvalidSchedule(
                f"`{shown(token)}` is an impossible time: with am/pm the hour is 1–12 and the "
                f"minutes 00–59. For example {example}"
            )
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif m["m"] is None:
        raise InvalidSchedule(
            f"`{shown(token)}` is ambiguous: write `{hour:02d}:00` or `{hour}am`/`{hour}pm`. For example {example}"
        )
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidSchedule(
            f"`{shown(token)}` is an impossible time: hours are 00–23 and minutes 00–59. For example {example}"
        )
    return hour, minute


def _day_token(token: str, *, example: str) -> int:
    word = token.lower().strip(".")
    if word in GROUP_WORDS:
        return GROUP_WORDS[word]
    if word in DAY_WORDS:
        return DAY_WORDS[word]
    first, dash, last = word.partition("-")
    if dash and first in DAY_WORDS and last in DAY_WORDS:  # a range: mon-fri, fri-mon
        start = DAY_WORDS[first].bit_length() - 1
        end = DAY_WORDS[last].bit_length() - 1
        bits, i = 0, start
        while True:
            bits |= DAY_BITS[i]
            if i == end:
                return bits
            i = (i + 1) % 7
    hint = suggest(token, [*GROUP_WORDS, *DAY_NAMES, *(key.title() for key in city_zones())])
    did_you_mean = f" Did you mean `{hint}`?" if hint else ""
    raise InvalidSchedule(
        f"I don't know `{shown(token)}`: it is not a day or a place I know.{did_you_mean} Days are `weekdays`, "
        f"`everyday`, `weekends`, day names like `mon,wed,fri` or `mondays`, or a range like `mon-thu`; "
        f"a place is a city like `Berlin` or `New York`, or a zone like `Europe/Berlin`. For example {example}"
    )


def parse_schedule(text: str, *, example: str, command: str | None = None) -> ScheduleSpec:
    """Parse ``HH:MM [zone or city] [days]``; zone and days may come in either order.

    Days default to weekdays; the zone is None when not given (the caller picks the user's).
    ``example`` is a correct command shown in every error message; ``command`` (e.g.
    ``/quote daily``) lets a refused zone abbreviation come with the exact command to paste.
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
    tz_words = ""  # as typed, for "give one time zone, not both"
    refused: tuple[str, ZoneText] | None = None
    days = 0
    i = 0
    while i < len(rest):
        token = rest[i]
        if token.lower() == "every" and i + 1 < len(rest) and rest[i + 1].lower() in ("day", "days"):
            days |= EVERYDAY
            i += 2
            continue
        found = zone_at(rest, i)
        if found is not None:
            phrase = " ".join(rest[i : i + found.used])
            i += found.used
            if found.refusal is not None and refused is None:
                refused = (phrase, found)  # said after the rest is checked, with the whole command
            if found.zone is not None:
                if tz is not None and tz != found.zone:
                    raise InvalidSchedule(
                        f"Give one time zone, not both `{shown(tz_words)}` and `{shown(phrase)}`. For example {example}"
                    )
                tz, tz_words = found.zone, phrase
            continue
        i += 1
        if "/" in token:
            hint = suggest(token, list(zone_names().values()))
            did_you_mean = f" Did you mean `{hint}`?" if hint else ""
            raise InvalidSchedule(
                f"`{shown(token)}` is not a time zone I know.{did_you_mean} Use a city like `Berlin` or "
                f"`New York`, or an IANA name like `Europe/Berlin`, `America/New_York` or `Asia/Tokyo`. "
                f"For example {example}"
            )
        days |= _day_token(token, example=example)
    spec = ScheduleSpec(hour=hour, minute=minute, tz=tz, days=days or WEEKDAYS)
    if refused is not None:
        refuse(refused[0], refused[1], spec=spec, command=command)
    return spec
