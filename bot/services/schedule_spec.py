"""What a recurring schedule is: a local time, an IANA zone and a set of weekdays.

``ScheduleSpec`` and its wording (``09:00 Europe/Berlin weekdays``), shared by the parser
(``bot.services.schedule_input``), the zone rules (``bot.services.zones``), the local-time
maths (``bot.services.occurrences``) and storage (``bot.services.schedules``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UsageError

# Monday = 1 << 0 ... Sunday = 1 << 6, indexed by ``date.weekday()``.
DAY_BITS: tuple[int, ...] = tuple(1 << i for i in range(7))
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000
EVERYDAY = 0b1111111

DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_WORDS: dict[str, int] = {}
for _i, _name in enumerate(DAY_NAMES):
    for _word in (_name, _name + "s", _name[:3], _name[:3] + "s"):
        DAY_WORDS[_word] = DAY_BITS[_i]
DAY_WORDS.update({"tues": DAY_BITS[1], "weds": DAY_BITS[2], "thur": DAY_BITS[3], "thurs": DAY_BITS[3]})
GROUP_WORDS = {
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "workdays": WEEKDAYS,
    "everyday": EVERYDAY,
    "daily": EVERYDAY,
    "weekends": WEEKENDS,
    "weekend": WEEKENDS,
}


class InvalidSchedule(UsageError):
    """The schedule text could not be understood. The message names the bad part."""


@dataclass(frozen=True)
class ScheduleSpec:
    hour: int
    minute: int
    tz: str | None
    days: int


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
