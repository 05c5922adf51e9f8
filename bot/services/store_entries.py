"""One entry of the curated store: its vocabulary (themes, tags, confidence levels) and
the validation that turns a YAML mapping into a ``QuoteEntry`` or ``PromptEntry``.

Every problem raises ``StoreError`` naming the file and entry and saying what to write
instead; reading whole files and loading them is ``bot.services.store``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.errors import StoreError
from bot.services.quote_input import QUOTE_TAGS as SUBMISSION_TAGS
from bot.services.rubric import DEFAULT_SKILLS
from bot.services.text import normalize

THEMES: tuple[str, ...] = (
    "vision",
    "strategy",
    "culture",
    "sales-process",
    "effectiveness-drivers",
    "playbook",
    "coaching",
    "data-driven",
    "empowering",
    "leading-vs-managing",
)
THEME_LABELS: dict[str, str] = {
    "vision": "Vision",
    "strategy": "Strategy",
    "culture": "Culture",
    "sales-process": "Sales process",
    "effectiveness-drivers": "Sales effectiveness drivers",
    "playbook": "Playbook",
    "coaching": "Coaching reps",
    "data-driven": "Data-driven decisions",
    "empowering": "Empowering people",
    "leading-vs-managing": "Leading vs managing",
}

SOURCED = "sourced"
ATTRIBUTED = "attributed"
CONTESTED = "contested"
CONFIDENCE_LEVELS: tuple[str, ...] = (SOURCED, ATTRIBUTED, CONTESTED)

# The topic tags a submitter picks from, plus the curated store's own marker; the skill slugs
# are allowed too, so a targeted prompt can be paired with a quote about the same skill.
TOPIC_TAGS: tuple[str, ...] = (*SUBMISSION_TAGS, "seed-article")
QUOTE_TAGS: tuple[str, ...] = TOPIC_TAGS + DEFAULT_SKILLS
MAX_TAGS = 5

# A title is not part of a name ("Lord Kelvin" is William Thomson). Compared with the
# author's first word, case-insensitively and without a trailing dot ("Dr." and "Dr").
AUTHOR_TITLES = frozenset(
    {
        "lord", "lady", "sir", "dame", "baron", "baroness", "duke", "duchess", "count", "countess",
        "king", "queen", "prince", "princess", "emperor", "empress",
        "general", "gen", "colonel", "col", "admiral", "adm", "captain", "capt", "major", "lieutenant",
        "lt", "sergeant", "sgt", "commander", "cmdr", "marshal",
        "president", "pres", "senator", "sen", "governor", "gov", "mayor", "judge", "justice", "chancellor",
        "dr", "doctor", "prof", "professor", "coach",
        "saint", "st", "rev", "reverend", "father", "fr", "pope", "rabbi", "bishop", "archbishop",
        "cardinal", "pastor", "mother", "sister",
        "mr", "mrs", "ms", "miss", "mx",
    }
)  # fmt: skip

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_TAG = re.compile(r"^[a-z0-9-]{1,40}$")
_QUOTE_FIELDS = ("id", "text", "author", "confidence", "source", "tags", "attribution_note")
_PROMPT_FIELDS = ("id", "theme", "skill", "text")

_CONFIDENCE_EXAMPLE = (
    "`confidence: sourced` (with a source), `confidence: attributed` or "
    "`confidence: contested` (with an attribution_note)"
)


@dataclass(frozen=True)
class QuoteEntry:
    key: str
    text: str
    author: str
    confidence: str
    source: str | None
    tags: tuple[str, ...]
    attribution_note: str | None

    @property
    def contested(self) -> bool:
        return self.confidence == CONTESTED


@dataclass(frozen=True)
class PromptEntry:
    key: str
    theme: str
    skill: str
    text: str


def _where(name: str, index: int, entry: Any) -> str:
    key = entry.get("id") if isinstance(entry, dict) else None
    return f"{name}: entry {key!r}" if isinstance(key, str) and key else f"{name}: entry #{index + 1}"


def _text(where: str, entry: dict[str, Any], key: str, low: int, high: int, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if value is None:
        raise StoreError(f"{where}: '{key}' is missing")
    if not isinstance(value, str):
        raise StoreError(f"{where}: '{key}' must be a string (put it in double quotes)")
    value = " ".join(value.split())
    hidden = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")), None)
    if hidden is not None:
        # Invisible characters (soft hyphen, zero-width space, bidi controls) make a quote
        # look unlike its duplicate and can reorder what people read.
        raise StoreError(
            f"{where}: '{key}' contains the invisible character U+{ord(hidden):04X} "
            f"({unicodedata.name(hidden, 'unnamed')}); delete it"
        )
    if not low <= len(value) <= high:
        raise StoreError(f"{where}: '{key}' must be {low}-{high} characters, it has {len(value)}")
    if key in ("text", "author", "source") and any(c in value for c in "<>&"):
        raise StoreError(f"{where}: '{key}' must not contain Slack markup characters <, > or & (write 'and')")
    return value


def _key(where: str, entry: dict[str, Any]) -> str:
    key = entry.get("id")
    if not isinstance(key, str) or not _ID.match(key):
        raise StoreError(f"{where}: 'id' must be a slug of a-z, 0-9 and '-' (at most 80 characters)")
    return key


def author_title(author: str) -> str | None:
    """The title an author's name starts with ('Lord Kelvin' -> 'Lord'), or None.

    Compared after the bot's one normalization, so a look-alike ('Lоrd' with a Cyrillic о),
    full-width letters or a soft hyphen inside the title don't slip past.
    """
    words = author.split()
    if len(words) < 2:
        return None
    return words[0] if normalize(words[0]) in _title_skeletons() else None


@functools.cache
def _title_skeletons() -> frozenset[str]:
    # The titles through the same normalization (its look-alike skeleton spells "Mr" "rnr").
    return frozenset(normalize(title) for title in AUTHOR_TITLES)


def quote_entry(name: str, index: int, entry: Any) -> QuoteEntry:
    where = _where(name, index, entry)
    if not isinstance(entry, dict):
        raise StoreError(f"{where}: must be a mapping with id, text, author and confidence")
    extra = set(entry) - set(_QUOTE_FIELDS)
    if "contested" in extra:
        raise StoreError(
            f"{where}: 'contested' is no longer a field; write `confidence: contested` with an 'attribution_note'"
        )
    if extra:
        raise StoreError(f"{where}: unknown field {sorted(extra)[0]!r}; the fields are {', '.join(_QUOTE_FIELDS)}")
    key = _key(where, entry)
    text = _text(where, entry, "text", 10, 500)
    author = _text(where, entry, "author", 1, 100)
    assert text is not None and author is not None
    _check_author(where, author)
    source = _text(where, entry, "source", 1, 300, required=False)
    note = _text(where, entry, "attribution_note", 1, 1000, required=False)
    confidence = _confidence(where, entry, source, note)
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise StoreError(f"{where}: 'tags' must be a list of lowercase slugs like [leadership, coaching]")
    _check_tags(where, tags)
    return QuoteEntry(
        key=key,
        text=text,
        author=author,
        confidence=confidence,
        source=source,
        tags=tuple(dict.fromkeys(tags)),
        attribution_note=note,
    )


def _confidence(where: str, entry: dict[str, Any], source: str | None, note: str | None) -> str:
    declared = entry.get("confidence")
    if declared is None:
        raise StoreError(f"{where}: 'confidence' is missing; add {_CONFIDENCE_EXAMPLE}")
    if declared not in CONFIDENCE_LEVELS:
        raise StoreError(f"{where}: 'confidence' must be one of {', '.join(CONFIDENCE_LEVELS)}, not {declared!r}")
    if declared == SOURCED and source is None:
        raise StoreError(
            f"{where}: a sourced quote needs a 'source': the book, speech or article with its year, e.g. "
            '`source: "The Effective Executive (1967)"`; without one, use `confidence: attributed`'
        )
    if declared == SOURCED and note is not None:
        raise StoreError(
            f"{where}: a sourced quote has no 'attribution_note'; if the attribution needs explaining, "
            "it is `confidence: attributed` or `contested`"
        )
    if declared == CONTESTED and note is None:
        raise StoreError(f"{where}: a contested quote needs an 'attribution_note' saying what is known")
    return str(declared)


def _check_author(where: str, author: str) -> None:
    title = author_title(author)
    if title is not None:
        raise StoreError(
            f"{where}: author {author!r} starts with the title {title!r}; write the person's name without "
            "titles (for example 'William Thomson', not 'Lord Kelvin')"
        )


def _check_tags(where: str, tags: list[str]) -> None:
    if not 1 <= len(tags) <= MAX_TAGS:
        raise StoreError(f"{where}: give 1 to {MAX_TAGS} tags, it has {len(tags)}")
    unknown = [t for t in tags if t not in QUOTE_TAGS]
    if unknown:
        raise StoreError(
            f"{where}: tag {unknown[0]!r} is not in the list in quotes/README.md; use one of {', '.join(QUOTE_TAGS)}"
        )


def prompt_entry(name: str, index: int, entry: Any) -> PromptEntry:
    where = _where(name, index, entry)
    if not isinstance(entry, dict):
        raise StoreError(f"{where}: must be a mapping with id, theme, skill and text")
    extra = set(entry) - set(_PROMPT_FIELDS)
    if extra:
        raise StoreError(f"{where}: unknown field {sorted(extra)[0]!r}; the fields are {', '.join(_PROMPT_FIELDS)}")
    key = _key(where, entry)
    theme = entry.get("theme")
    if theme not in THEMES:
        raise StoreError(f"{where}: 'theme' must be one of {', '.join(THEMES)}")
    skill = entry.get("skill")
    if skill not in DEFAULT_SKILLS:
        problem = "is missing" if skill is None else f"must be one of the skills, not {skill!r}"
        raise StoreError(f"{where}: 'skill' {problem}; use one of {', '.join(DEFAULT_SKILLS)}")
    text = _text(where, entry, "text", 10, 500)
    assert text is not None and isinstance(theme, str) and isinstance(skill, str)
    return PromptEntry(key=key, theme=theme, skill=skill, text=text)


# -- loading -------------------------------------------------------------------------------
