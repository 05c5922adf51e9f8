"""What follows the mention in ``/coach @rep ...`` and ``/coach todo @rep ...``, as plain values.

Pure: no I/O, no database, no Slack. The listener takes the mention off and passes the rest,
the workspace's active skill names and (for action items) the manager's local today.

- ``parse_note("discovery 3 asked great follow-up questions", skills)`` ->
  ``NoteInput(skill="discovery", rating=3, text="asked great follow-up questions")``.
  The skill is optional and may be written in any case or as a unique prefix (``disc``);
  the rating is optional and counts only directly after a skill (1-5, or ``3/5``).
- ``parse_action_item("send the recap by fri", today)`` -> ``ActionItemInput(text="send the recap",
  due_on=<the next Friday>)``. ``by`` is read only as the last two words.

Typed words are compared after ``bot.services.text.compact`` (case, width, invisible
characters such as a soft hyphen, and look-alike letters such as Cyrillic "і" folded), so
what looks like a skill name is one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from bot.errors import UsageError
from bot.services.text import compact, escape, truncate

NOTE_WITH_SKILL_EXAMPLE = "/coach @bob discovery 3 asked great follow-up questions"
ACTION_ITEM_EXAMPLE = "/coach todo @bob send the Acme recap by fri"
MIN_PREFIX = 3  # "de" could be demo or a word; three letters say "I mean a skill"
RATING_MIN, RATING_MAX = 1, 5
MAX_DUE_DAYS = 366

_RATING = re.compile(r"([0-9]+)(?:/5)?", re.ASCII)
_DECIMAL_RATING = re.compile(r"[0-9]+[.,][0-9]+(?:/5)?", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_DATE_LIKE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}(?:[-/.][0-9]{1,4})?", re.ASCII)
_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_SHOWN = 40
_LONGEST_WORD = 80  # skill names have at most 40 characters; leave room for invisible ones
# Compared in ``compact`` form on both sides: its look-alike folding maps some plain letters
# too (TR39 treats "m" and "rn" as one), so plain keys would miss plain words.
_WEEKDAY_KEYS = {compact(word): day for word, day in _WEEKDAYS.items()}
_TODAY, _TOMORROW, _BY = compact("today"), compact("tomorrow"), compact("by")


@dataclass(frozen=True)
class NoteInput:
    skill: str | None  # an active skill's name, as stored
    rating: int | None
    text: str


@dataclass(frozen=True)
class ActionItemInput:
    text: str
    due_on: date | None


def _shown(word: str) -> str:
    return escape(truncate(word, _SHOWN))


def skill_list(skills: Sequence[str]) -> str:
    return ", ".join(f"`{s}`" for s in skills) if skills else "(none yet)"


def find_skill(typed: str, skills: Sequence[str]) -> tuple[str | None, list[str]]:
    """(the skill ``typed`` names, []) or (None, the candidates it is a prefix of).

    Exact matches win (``demo`` over a hypothetical ``demo-prep``); otherwise a prefix of at
    least ``MIN_PREFIX`` characters that fits exactly one skill.
    """
    if len(typed) > _LONGEST_WORD:  # no skill name is this long: don't fold a pasted wall of text
        return None, []
    key = compact(typed)
    if not key:
        return None, []
    keys = {s: compact(s) for s in skills}
    exact = [s for s, k in keys.items() if k == key]
    if exact:
        return exact[0], []
    if len(key) < MIN_PREFIX:
        return None, []
    prefixed = [s for s, k in keys.items() if k.startswith(key)]
    if len(prefixed) == 1:
        return prefixed[0], []
    return None, prefixed


def ambiguous_message(typed: str, candidates: Sequence[str], example: str) -> str:
    return (
        f"`{_shown(typed)}` could be {' or '.join(f'`{c}`' for c in candidates)}. "
        f"Type a little more of it, e.g. `{example}`."
    )


def unknown_skill_message(typed: str, skills: Sequence[str], example: str) -> str:
    near = process.extractOne(compact(typed), {s: compact(s) for s in skills}, scorer=fuzz.ratio, score_cutoff=70)
    hint = f" Did you mean `{near[2]}`?" if near else ""
    return f"`{_shown(typed)}` is not a skill here.{hint} Skills: {skill_list(skills)}. E.g. `{example}`."


def match_skill(typed: str, skills: Sequence[str], *, example: str = NOTE_WITH_SKILL_EXAMPLE) -> str:
    """The skill ``typed`` names (any case, look-alikes folded, or a unique prefix), or a ``UsageError``
    that names the candidates (ambiguous) or lists the skills (unknown)."""
    found, candidates = find_skill(typed, skills)
    if found is not None:
        return found
    if candidates:
        raise UsageError(ambiguous_message(typed, candidates, example))
    raise UsageError(unknown_skill_message(typed, skills, example))


def _looks_like_skill(word: str, skills: Sequence[str]) -> bool:
    """A misspelt skill (``discvery``): close to one, so the user meant a skill."""
    if len(word) > _LONGEST_WORD:
        return False
    key = compact(word)
    return bool(key) and any(fuzz.ratio(key, compact(s)) >= 80 for s in skills)


def parse_rating(word: str) -> int | None:
    """``3`` or ``3/5`` -> 3; a number outside 1-5 or with decimals -> ``UsageError``; a word -> None."""
    if _DECIMAL_RATING.fullmatch(word):
        raise UsageError(
            f"A rating is a whole number from {RATING_MIN} to {RATING_MAX}; `{_shown(word)}` is not. "
            f"E.g. `{NOTE_WITH_SKILL_EXAMPLE}`."
        )
    m = _RATING.fullmatch(word)
    if m is None:
        return None
    value = int(m.group(1)[:6])
    if not RATING_MIN <= value <= RATING_MAX:
        if word.endswith("/5") or value == 0:
            raise UsageError(
                f"A rating goes from {RATING_MIN} to {RATING_MAX}; `{_shown(word)}` is outside that. "
                f"E.g. `{NOTE_WITH_SKILL_EXAMPLE}`."
            )
        return None  # "demo 10 slides were too many": a number in the text, not a rating
    return value


def parse_note(text: str, skills: Sequence[str]) -> NoteInput:
    """Split ``[skill [rating]] text``. Text stays verbatim (the caller validates its length)."""
    words = text.split(maxsplit=2)
    if not words:
        return NoteInput(skill=None, rating=None, text="")
    first = words[0]
    skill, candidates = find_skill(first, skills)
    second = words[1] if len(words) > 1 else None
    if skill is None:
        rating_follows = second is not None and _RATING.fullmatch(second) is not None
        if candidates and rating_follows:
            raise UsageError(ambiguous_message(first, candidates, NOTE_WITH_SKILL_EXAMPLE))
        if rating_follows and _looks_like_skill(first, skills):
            raise UsageError(unknown_skill_message(first, skills, NOTE_WITH_SKILL_EXAMPLE))
        return NoteInput(skill=None, rating=None, text=text.strip())
    rest = text.strip()[len(first) :].strip()
    rating = parse_rating(second) if second is not None else None
    if rating is not None:
        rest = rest[len(second or "") :].strip()
    if not rest:
        raise UsageError(
            f"Add what you observed after the {'rating' if rating is not None else 'skill'}, "
            f"e.g. `{NOTE_WITH_SKILL_EXAMPLE}`."
        )
    return NoteInput(skill=skill, rating=rating, text=rest)


def parse_due(word: str, today: date) -> date:
    """``fri``/``friday`` (the next one after today), ``today``, ``tomorrow`` or ``2026-12-18``."""
    key = compact(word)
    if key == _TODAY:
        return today
    if key == _TOMORROW:
        return today + timedelta(days=1)
    if key in _WEEKDAY_KEYS:
        ahead = (_WEEKDAY_KEYS[key] - today.weekday() - 1) % 7 + 1  # 1..7: "by fri" on a Friday is next week
        return today + timedelta(days=ahead)
    m = _ISO_DATE.fullmatch(word)
    if m is None:
        raise UsageError(
            f"`{_shown(word)}` is not a due date. Write a weekday (`fri`), `today`, `tomorrow` or a date "
            f"like `{(today + timedelta(days=14)).isoformat()}`, e.g. `{ACTION_ITEM_EXAMPLE}`."
        )
    try:
        due = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise UsageError(
            f"`{_shown(word)}` is not a date on the calendar. Write it as YYYY-MM-DD, "
            f"e.g. `/coach todo @bob send the recap by {(today + timedelta(days=14)).isoformat()}`."
        ) from None
    if due < today:
        raise UsageError(
            f"{due.isoformat()} has passed (today is {today.isoformat()}). Pick today or a later date, "
            f"e.g. `{ACTION_ITEM_EXAMPLE}`."
        )
    if due > today + timedelta(days=MAX_DUE_DAYS):
        raise UsageError(
            f"{due.isoformat()} is more than a year away. Pick a date within a year, e.g. `{ACTION_ITEM_EXAMPLE}`."
        )
    return due


def _is_due_word(word: str) -> bool:
    key = compact(word)
    return key in _WEEKDAY_KEYS or key in (_TODAY, _TOMORROW) or bool(_DATE_LIKE.fullmatch(word))


def parse_action_item(text: str, today: date) -> ActionItemInput:
    """``text [by <due>]``: the due date is read only from the last two words, and only when the
    word after ``by`` looks like a date (``...ready by then`` stays text)."""
    stripped = text.strip()
    words = stripped.rsplit(maxsplit=2)
    due_on: date | None = None
    if len(words) >= 2 and compact(words[-2]) == _BY:
        last = words[-1].rstrip(".!,;")
        if _is_due_word(last):
            due_on = parse_due(last, today)
            stripped = words[0] if len(words) == 3 else ""
    if not stripped:
        raise UsageError(f"Write what the rep should do, e.g. `{ACTION_ITEM_EXAMPLE}`.")
    return ActionItemInput(text=stripped, due_on=due_on)
