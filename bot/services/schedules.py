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

Zones are taken as people type them: an IANA name (``Europe/Berlin``), or a city, one word
or several (``Berlin``, ``New York``, ``sao paulo``). Abbreviations (``EST``, ``PST``, ``CET``)
and fixed offsets (``UTC+2``) are refused with the zone the user most likely means: as zones
they ignore daylight saving time (``EST`` is UTC−5 all year), so posts would drift by an hour.

Pure functions take and return aware datetimes; nothing here reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Schedule
from bot.db.upsert import insert_ignore
from bot.errors import UsageError
from bot.kinds import ScheduleKind
from bot.services.text import escape, strip_invisible, truncate

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

KINDS = tuple(ScheduleKind)


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
    return escape(truncate(strip_invisible(token), 40))


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone a stored name means, or UTC when it is missing or unknown to this machine.

    The one place every feature turns a stored zone (a user's, a rep's, a note author's) into a
    ``ZoneInfo`` for dates and due times."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def canonical_zone(name: str) -> str | None:
    """The canonical spelling of an IANA zone name, case-insensitively; None if unknown."""
    return _zones().get(name.strip().lower())


# -- zones as people type them ---------------------------------------------------------------

_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
# Old IANA names for Australian states and regions, not cities ("Victoria" is a city in Canada).
_REGION_KEYS = frozenset(
    {"act", "lhi", "nsw", "north", "south", "west", "queensland", "tasmania", "victoria", "yancowinna"}
)
# Cities people name that are not zone names in the IANA database: the zone they are in.
_CITY_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("san francisco", "sf", "seattle", "san diego", "las vegas", "sacramento", "palo alto", "silicon valley"),
        "America/Los_Angeles",
    ),
    **dict.fromkeys(
        ("nyc", "boston", "washington", "washington dc", "dc", "philadelphia", "atlanta", "miami", "pittsburgh"),
        "America/New_York",
    ),
    **dict.fromkeys(("charlotte", "raleigh", "orlando", "baltimore", "cleveland", "columbus"), "America/New_York"),
    **dict.fromkeys(
        ("austin", "dallas", "houston", "san antonio", "minneapolis", "st louis", "saint louis", "nashville"),
        "America/Chicago",
    ),
    **dict.fromkeys(("kansas city", "new orleans", "milwaukee"), "America/Chicago"),
    **dict.fromkeys(("salt lake city", "albuquerque"), "America/Denver"),
    **dict.fromkeys(("ottawa", "montreal", "quebec"), "America/Toronto"),
    "calgary": "America/Edmonton",
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne", "dusseldorf", "stuttgart"), "Europe/Berlin"),
    **dict.fromkeys(("manchester", "edinburgh", "glasgow"), "Europe/London"),
    **dict.fromkeys(("milan", "naples", "florence"), "Europe/Rome"),
    **dict.fromkeys(("barcelona", "valencia", "seville"), "Europe/Madrid"),
    **dict.fromkeys(("geneva", "basel", "bern"), "Europe/Zurich"),
    **dict.fromkeys(("rotterdam", "the hague", "utrecht"), "Europe/Amsterdam"),
    **dict.fromkeys(("krakow", "wroclaw", "gdansk"), "Europe/Warsaw"),
    **dict.fromkeys(("lyon", "marseille", "toulouse"), "Europe/Paris"),
    **dict.fromkeys(("st petersburg", "saint petersburg"), "Europe/Moscow"),
    **dict.fromkeys(
        ("mumbai", "bombay", "delhi", "new delhi", "bangalore", "bengaluru", "hyderabad", "chennai", "pune"),
        "Asia/Kolkata",
    ),
    **dict.fromkeys(("beijing", "shenzhen", "guangzhou", "hangzhou"), "Asia/Shanghai"),
    **dict.fromkeys(("osaka", "kyoto", "yokohama"), "Asia/Tokyo"),
    "abu dhabi": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    "hanoi": "Asia/Bangkok",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "wellington": "Pacific/Auckland",
    **dict.fromkeys(("rio de janeiro", "rio"), "America/Sao_Paulo"),
    **dict.fromkeys(("cape town", "durban", "pretoria"), "Africa/Johannesburg"),
}
# City names shared by places in different zones: every candidate, with a label to choose by.
_AMBIGUOUS_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "portland": (("America/Los_Angeles", "Portland, Oregon"), ("America/New_York", "Portland, Maine")),
    "san jose": (("America/Los_Angeles", "San Jose, California"), ("America/Costa_Rica", "San José, Costa Rica")),
    "birmingham": (("Europe/London", "Birmingham, England"), ("America/Chicago", "Birmingham, Alabama")),
}


@dataclass(frozen=True)
class _Abbreviation:
    zone: str  # the zone people most likely mean
    means: str  # what it stands for, shown in the reply
    others: str = ""  # other readings, when there are common ones


_US_EAST = _Abbreviation("America/New_York", "US Eastern time: EST in winter, EDT in summer")
_US_CENTRAL = _Abbreviation("America/Chicago", "US Central time: CST in winter, CDT in summer")
_US_MOUNTAIN = _Abbreviation(
    "America/Denver",
    "US Mountain time: MST in winter, MDT in summer",
    "for Arizona (no summer time), `America/Phoenix`",
)
_US_PACIFIC = _Abbreviation("America/Los_Angeles", "US Pacific time: PST in winter, PDT in summer")
_CENTRAL_EU = _Abbreviation("Europe/Berlin", "Central European time: CET in winter, CEST in summer")
_EASTERN_EU = _Abbreviation("Europe/Athens", "Eastern European time: EET in winter, EEST in summer")
_UK = _Abbreviation("Europe/London", "UK time: GMT in winter, BST in summer", "for UTC all year round, `UTC`")
_ABBREVIATIONS: dict[str, _Abbreviation] = {
    **dict.fromkeys(("est", "edt", "et", "eastern", "est5edt"), _US_EAST),
    **dict.fromkeys(("cst", "cdt", "ct", "central", "cst6cdt"), _US_CENTRAL),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain", "mst7mdt"), _US_MOUNTAIN),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "pst8pdt"), _US_PACIFIC),
    **dict.fromkeys(("akst", "akdt"), _Abbreviation("America/Anchorage", "Alaska time: AKST, AKDT in summer")),
    **dict.fromkeys(("hst", "hast"), _Abbreviation("Pacific/Honolulu", "Hawaii time (no summer time)")),
    **dict.fromkeys(("ast", "adt"), _Abbreviation("America/Halifax", "Atlantic time", "for Arabia, `Asia/Riyadh`")),
    **dict.fromkeys(("nst", "ndt"), _Abbreviation("America/St_Johns", "Newfoundland time")),
    **dict.fromkeys(("gmt", "gmt0", "bst", "uk"), _UK),
    **dict.fromkeys(("cet", "cest", "met", "mest", "mez"), _CENTRAL_EU),
    **dict.fromkeys(("eet", "eest"), _EASTERN_EU),
    **dict.fromkeys(("wet", "west"), _Abbreviation("Europe/Lisbon", "Western European time: WET, WEST in summer")),
    "msk": _Abbreviation("Europe/Moscow", "Moscow time"),
    "ist": _Abbreviation(
        "Asia/Kolkata", "India Standard Time", "for Irish time, `Europe/Dublin`; for Israel, `Asia/Jerusalem`"
    ),
    "pkt": _Abbreviation("Asia/Karachi", "Pakistan time"),
    "ict": _Abbreviation("Asia/Bangkok", "Indochina time"),
    "wib": _Abbreviation("Asia/Jakarta", "Western Indonesia time"),
    "sgt": _Abbreviation("Asia/Singapore", "Singapore time"),
    "hkt": _Abbreviation("Asia/Hong_Kong", "Hong Kong time"),
    "jst": _Abbreviation("Asia/Tokyo", "Japan time"),
    "kst": _Abbreviation("Asia/Seoul", "Korea time"),
    **dict.fromkeys(("aest", "aedt"), _Abbreviation("Australia/Sydney", "Australian Eastern time: AEST, AEDT")),
    **dict.fromkeys(("acst", "acdt"), _Abbreviation("Australia/Adelaide", "Australian Central time: ACST, ACDT")),
    "awst": _Abbreviation("Australia/Perth", "Australian Western time"),
    **dict.fromkeys(("nzst", "nzdt"), _Abbreviation("Pacific/Auckland", "New Zealand time: NZST, NZDT in summer")),
    **dict.fromkeys(("brt", "brst"), _Abbreviation("America/Sao_Paulo", "Brasília time")),
    "art": _Abbreviation("America/Argentina/Buenos_Aires", "Argentina time"),
    "sast": _Abbreviation("Africa/Johannesburg", "South Africa time"),
    "cat": _Abbreviation("Africa/Maputo", "Central Africa time"),
    "eat": _Abbreviation("Africa/Nairobi", "East Africa time"),
    "wat": _Abbreviation("Africa/Lagos", "West Africa time"),
}
# A fixed offset -> a large city that uses it as its standard time (for the suggestion).
_OFFSET_EXAMPLES: dict[int, str] = {
    -600: "Pacific/Honolulu",
    -540: "America/Anchorage",
    -480: "America/Los_Angeles",
    -420: "America/Denver",
    -360: "America/Chicago",
    -300: "America/New_York",
    -240: "America/Halifax",
    -180: "America/Sao_Paulo",
    0: "Europe/London",
    60: "Europe/Berlin",
    120: "Europe/Athens",
    180: "Europe/Moscow",
    240: "Asia/Dubai",
    300: "Asia/Karachi",
    330: "Asia/Kolkata",
    420: "Asia/Bangkok",
    480: "Asia/Singapore",
    540: "Asia/Tokyo",
    600: "Australia/Sydney",
    720: "Pacific/Auckland",
}
_OFFSET = re.compile(r"^(?:utc|gmt|z)?([+\-−])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# Cyrillic and Greek letters that look like Latin ones: only used to suggest the real word.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝвнкмтАЕОРСУХІЈЅВНКМТαοκνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwbhkmtAEOPCYXIJSBHKMTaoknrtuxABEZHIKMNOPTYX",
)


def _fold(text: str) -> str:
    """How city names are compared: case, accents, ``_``/``-``/``.`` and invisible characters do not count."""
    text = strip_invisible(text).replace("\u00ad", "")  # a soft hyphen is invisible too
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[_\-.]", " ", text.casefold()).split())


def _behaviour(zone: str) -> tuple[timedelta | None, ...]:
    """UTC offsets through two years: zones that agree on all of them are the same place for us."""
    info = ZoneInfo(zone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return tuple(info.utcoffset(start + timedelta(days=15 * i)) for i in range(49))


@cache
def _cities() -> dict[str, tuple[str, ...]]:
    """Folded city name -> its zone (one), or the candidate zones when the name is ambiguous.

    From the IANA names' last part (``America/New_York`` -> ``new york``); old aliases of the
    same zone (``America/Buenos_Aires``) collapse into the current name (the longer path).
    """
    by_key: dict[str, list[str]] = {}
    for name in _zones().values():
        area, _, rest = name.partition("/")
        if area not in _AREAS or not rest:
            continue
        key = _fold(name.rsplit("/", 1)[1])
        if key not in _REGION_KEYS:
            by_key.setdefault(key, []).append(name)
    cities: dict[str, tuple[str, ...]] = {}
    for key, names in by_key.items():
        names.sort(key=lambda n: (-n.count("/"), n))
        distinct = list({_behaviour(n): n for n in reversed(names)}.values())
        cities[key] = (names[0],) if len(distinct) == 1 else tuple(sorted(distinct))
    for key, zone in _CITY_ALIASES.items():
        cities.setdefault(key, (zone,))
    for key, options in _AMBIGUOUS_CITIES.items():
        cities[key] = tuple(zone for zone, _ in options)
    return cities


@cache
def _city_words() -> int:
    return max(len(key.split()) for key in _cities())


def _city_label(key: str, zone: str) -> str:
    for option_zone, label in _AMBIGUOUS_CITIES.get(key, ()):
        if option_zone == zone:
            return label
    return zone


def _offset_minutes(token: str) -> int | None:
    m = _OFFSET.match(token.strip())
    if m is None:
        return None
    minutes = int(m[2]) * 60 + int(m[3] or 0)
    return -minutes if m[1] in "-−" else minutes


def _fixed_note(token: str, abbr: _Abbreviation) -> str:
    """Why taking ``token`` as a zone would go wrong, when it is an IANA zone of its own (EST, MST)."""
    zone = canonical_zone(token)
    if zone is None:
        return "it doesn't say when summer time starts or ends"
    winter, summer = (ZoneInfo(zone).utcoffset(datetime(2026, m, 1)) for m in (1, 7))
    meant = ZoneInfo(abbr.zone)
    if winter == summer and meant.utcoffset(datetime(2026, 1, 1)) != meant.utcoffset(datetime(2026, 7, 1)):
        hours = (winter or timedelta()).total_seconds() / 3600
        return f"as a zone it is UTC{hours:+g} all year (no summer time), so posts would come an hour off in summer"
    return "it doesn't say which place's summer-time rules apply"


def _paste(spec: ScheduleSpec | None, zone: str, command: str | None) -> str:
    if spec is None or command is None:
        return f"Use `{zone}` instead."
    fixed = ScheduleSpec(hour=spec.hour, minute=spec.minute, tz=zone, days=spec.days)
    return f"Paste this: `{command} {command_args(fixed)}`"


def abbreviation_message(token: str, abbr: _Abbreviation, *, spec: ScheduleSpec | None, command: str | None) -> str:
    others = f" (Or, {abbr.others}.)" if abbr.others else ""
    return (
        f"`{_shown(token)}` is an abbreviation, not a time zone: {_fixed_note(token, abbr)}. "
        f"You most likely mean *{abbr.zone}* ({abbr.means}).{others} {_paste(spec, abbr.zone, command)}"
    )


def offset_message(token: str, minutes: int, *, spec: ScheduleSpec | None, command: str | None) -> str:
    zone = _OFFSET_EXAMPLES.get(minutes)
    where = (
        f"Name the place instead, a city like `{zone.rsplit('/', 1)[1].replace('_', ' ')}` or its zone `{zone}`. "
        f"{_paste(spec, zone, command)}"
        if zone
        else "Name the place instead: a city like `Berlin` or `New York`, or a zone like `America/New_York`."
    )
    return (
        f"`{_shown(token)}` is a fixed offset: it never changes for summer time, so wherever clocks change "
        f"the posts would come an hour off for half the year. {where}"
    )


def ambiguous_message(
    token: str, key: str, zones: tuple[str, ...], *, spec: ScheduleSpec | None, command: str | None
) -> str:
    options = " or ".join(f"*{_city_label(key, z)}* (`{z}`)" for z in zones)
    return f"`{_shown(token)}` could be {options}. Name the zone. {_paste(spec, zones[0], command)}"


def suggest(word: str, choices: list[str], *, cutoff: float = 80) -> str | None:
    """The choice closest to a mistyped ``word`` (look-alike letters read as Latin), or None."""
    query = _fold(word.translate(_LOOK_ALIKES))
    if len(query) < 3:
        return None
    folded = {_fold(c): c for c in choices}
    if query in folded:
        return folded[query]
    found = process.extractOne(query, list(folded), scorer=fuzz.ratio, score_cutoff=cutoff)
    return folded[found[0]] if found else None


class _ZoneText:
    """A zone found in the words of a schedule, or why the words are no zone."""

    def __init__(self, zone: str | None = None, *, refusal: str | None = None, used: int = 1) -> None:
        self.zone, self.refusal, self.used = zone, refusal, used


def _zone_at(words: list[str], i: int) -> _ZoneText | None:
    """The zone named by ``words[i:]`` (a city may take several words), or None."""
    token = words[i]
    key = _fold(token)
    abbr = _ABBREVIATIONS.get(key)
    if abbr is not None:
        return _ZoneText(abbr.zone, refusal="abbreviation")
    if _offset_minutes(token) is not None:
        return _ZoneText(refusal="offset")
    zone = canonical_zone(token)
    if zone is not None and key not in _DAY_WORDS and key not in _GROUP_WORDS:
        return _ZoneText(zone)
    cities = _cities()
    for n in range(min(_city_words(), len(words) - i), 0, -1):
        phrase = _fold(" ".join(words[i : i + n]))
        if n == 1 and (phrase in _DAY_WORDS or phrase in _GROUP_WORDS):
            return None
        if phrase in cities:
            zones = cities[phrase]
            return _ZoneText(zones[0], refusal=None if len(zones) == 1 else "ambiguous", used=n)
    return None


def zone_from_text(text: str) -> str:
    """A zone typed into a form field (``America/New_York``, ``New York``): its IANA name.

    Raises ``InvalidSchedule`` in the form's words (no command to paste)."""
    words = text.split()
    found = _zone_at(words, 0) if words else None
    if found is not None and found.used == len(words):
        if found.refusal is None and found.zone is not None:
            return found.zone
        _refuse(text.strip(), found, spec=None, command=None)
    hint = suggest(text, [*_zones().values(), *(k.title() for k in _cities())])
    did_you_mean = f" Did you mean `{hint}`?" if hint else ""
    raise InvalidSchedule(
        f"`{_shown(text.strip())}` is not a time zone I know.{did_you_mean} "
        "Type a city like `Berlin` or `New York`, or a zone like `America/New_York`."
    )


def _refuse(token: str, found: _ZoneText, *, spec: ScheduleSpec | None, command: str | None) -> None:
    key = _fold(token)
    if found.refusal == "abbreviation":
        raise InvalidSchedule(abbreviation_message(token, _ABBREVIATIONS[key], spec=spec, command=command))
    if found.refusal == "offset":
        minutes = _offset_minutes(token)
        assert minutes is not None
        raise InvalidSchedule(offset_message(token, minutes, spec=spec, command=command))
    if found.refusal == "ambiguous":
        raise InvalidSchedule(ambiguous_message(token, key, _cities()[key], spec=spec, command=command))


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
    hint = suggest(token, [*_GROUP_WORDS, *_DAY_NAMES, *(key.title() for key in _cities())])
    did_you_mean = f" Did you mean `{hint}`?" if hint else ""
    raise InvalidSchedule(
        f"I don't know `{_shown(token)}`: it is not a day or a place I know.{did_you_mean} Days are `weekdays`, "
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
    refused: tuple[str, _ZoneText] | None = None
    days = 0
    i = 0
    while i < len(rest):
        token = rest[i]
        if token.lower() == "every" and i + 1 < len(rest) and rest[i + 1].lower() in ("day", "days"):
            days |= EVERYDAY
            i += 2
            continue
        found = _zone_at(rest, i)
        if found is not None:
            phrase = " ".join(rest[i : i + found.used])
            i += found.used
            if found.refusal is not None and refused is None:
                refused = (phrase, found)  # said after the rest is checked, with the whole command
            if found.zone is not None:
                if tz is not None and tz != found.zone:
                    raise InvalidSchedule(
                        f"Give one time zone, not both `{_shown(tz_words)}` and `{_shown(phrase)}`. "
                        f"For example {example}"
                    )
                tz, tz_words = found.zone, phrase
            continue
        i += 1
        if "/" in token:
            hint = suggest(token, list(_zones().values()))
            did_you_mean = f" Did you mean `{hint}`?" if hint else ""
            raise InvalidSchedule(
                f"`{_shown(token)}` is not a time zone I know.{did_you_mean} Use a city like `Berlin` or "
                f"`New York`, or an IANA name like `Europe/Berlin`, `America/New_York` or `Asia/Tokyo`. "
                f"For example {example}"
            )
        days |= _day_token(token, example=example)
    spec = ScheduleSpec(hour=hour, minute=minute, tz=tz, days=days or WEEKDAYS)
    if refused is not None:
        _refuse(refused[0], refused[1], spec=spec, command=command)
    return spec


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
