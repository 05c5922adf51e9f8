"""People who are away: a DM the bot schedules waits for the recipient's next working day.

A coaching prompt, a follow-up or an action-item reminder whose recipient's Slack status says
away is deferred to their next working day at the same local time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.holiday_calendars import is_holiday
from bot.services.schedules import (
    DAY_BITS,
    WEEKDAYS,
    due_instant,
)
from bot.services.text import normalize, strip_invisible


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
