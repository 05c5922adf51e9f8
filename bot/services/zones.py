"""Time zones as people type them, and the refusals that name the zone they mean.

An IANA name (``Europe/Berlin``), or a city, one word or several (``Berlin``, ``New York``,
``sao paulo``). Abbreviations (``EST``, ``PST``, ``CET``) and fixed offsets (``UTC+2``) are
refused with the zone the user most likely means: as zones they ignore daylight saving time
(``EST`` is UTC−5 all year), so posts would drift by an hour.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

from bot.services.schedule_spec import DAY_WORDS, GROUP_WORDS, InvalidSchedule, ScheduleSpec, command_args
from bot.services.text import escape, strip_invisible, truncate


@cache
def zone_names() -> dict[str, str]:
    """Lower-cased IANA name -> canonical name (zoneinfo's list is slow to build: cached).

    ``localtime`` (whatever the server is set to) and ``Factory`` are not real places, and
    the ``posix/``/``right/`` copies are duplicates: none of them is offered."""
    hidden = {"localtime", "factory"}
    return {
        z.lower(): z
        for z in available_timezones()
        if z.lower() not in hidden and not z.startswith(("posix/", "right/"))
    }


def shown(token: str) -> str:
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
    return zone_names().get(name.strip().lower())


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
def city_zones() -> dict[str, tuple[str, ...]]:
    """Folded city name -> its zone (one), or the candidate zones when the name is ambiguous.

    From the IANA names' last part (``America/New_York`` -> ``new york``); old aliases of the
    same zone (``America/Buenos_Aires``) collapse into the current name (the longer path).
    """
    by_key: dict[str, list[str]] = {}
    for name in zone_names().values():
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
    return max(len(key.split()) for key in city_zones())


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
        f"`{shown(token)}` is an abbreviation, not a time zone: {_fixed_note(token, abbr)}. "
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
        f"`{shown(token)}` is a fixed offset: it never changes for summer time, so wherever clocks change "
        f"the posts would come an hour off for half the year. {where}"
    )


def ambiguous_message(
    token: str, key: str, zones: tuple[str, ...], *, spec: ScheduleSpec | None, command: str | None
) -> str:
    options = " or ".join(f"*{_city_label(key, z)}* (`{z}`)" for z in zones)
    return f"`{shown(token)}` could be {options}. Name the zone. {_paste(spec, zones[0], command)}"


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


class ZoneText:
    """A zone found in the words of a schedule, or why the words are no zone."""

    def __init__(self, zone: str | None = None, *, refusal: str | None = None, used: int = 1) -> None:
        self.zone, self.refusal, self.used = zone, refusal, used


def zone_at(words: list[str], i: int) -> ZoneText | None:
    """The zone named by ``words[i:]`` (a city may take several words), or None."""
    token = words[i]
    key = _fold(token)
    abbr = _ABBREVIATIONS.get(key)
    if abbr is not None:
        return ZoneText(abbr.zone, refusal="abbreviation")
    if _offset_minutes(token) is not None:
        return ZoneText(refusal="offset")
    zone = canonical_zone(token)
    if zone is not None and key not in DAY_WORDS and key not in GROUP_WORDS:
        return ZoneText(zone)
    cities = city_zones()
    for n in range(min(_city_words(), len(words) - i), 0, -1):
        phrase = _fold(" ".join(words[i : i + n]))
        if n == 1 and (phrase in DAY_WORDS or phrase in GROUP_WORDS):
            return None
        if phrase in cities:
            zones = cities[phrase]
            return ZoneText(zones[0], refusal=None if len(zones) == 1 else "ambiguous", used=n)
    return None


def zone_from_text(text: str) -> str:
    """A zone typed into a form field (``America/New_York``, ``New York``): its IANA name.

    Raises ``InvalidSchedule`` in the form's words (no command to paste)."""
    words = text.split()
    found = zone_at(words, 0) if words else None
    if found is not None and found.used == len(words):
        if found.refusal is None and found.zone is not None:
            return found.zone
        refuse(text.strip(), found, spec=None, command=None)
    hint = suggest(text, [*zone_names().values(), *(k.title() for k in city_zones())])
    did_you_mean = f" Did you mean `{hint}`?" if hint else ""
    raise InvalidSchedule(
        f"`{shown(text.strip())}` is not a time zone I know.{did_you_mean} "
        "Type a city like `Berlin` or `New York`, or a zone like `America/New_York`."
    )


def refuse(token: str, found: ZoneText, *, spec: ScheduleSpec | None, command: str | None) -> None:
    key = _fold(token)
    if found.refusal == "abbreviation":
        raise InvalidSchedule(abbreviation_message(token, _ABBREVIATIONS[key], spec=spec, command=command))
    if found.refusal == "offset":
        minutes = _offset_minutes(token)
        assert minutes is not None
        raise InvalidSchedule(offset_message(token, minutes, spec=spec, command=command))
    if found.refusal == "ambiguous":
        raise InvalidSchedule(ambiguous_message(token, key, city_zones()[key], spec=spec, command=command))
