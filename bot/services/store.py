"""The curated store: YAML files of quotes and coaching prompts, validated and upserted.

Each file holds a top-level ``quotes:`` or ``prompts:`` list. Entries are keyed by ``id``,
so loading is idempotent: a second load adds nothing, an edited entry is updated in
place, and an entry removed from the files is retired (kept for history, out of rotation).
A file with a bad entry is reported by name and entry and nothing from it is loaded.

Every quote declares how well its attribution is known (``confidence``, see
``quotes/README.md``); every prompt names the selling skill it trains. The content-level
checks that need the whole store at once (near-duplicates, minimum counts) live in
``bot.services.store_check``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Prompt, Quote, StoreState
from bot.errors import StoreError
from bot.services.quote_input import QUOTE_TAGS as SUBMISSION_TAGS
from bot.services.rubric import DEFAULT_SKILLS
from bot.services.text import norm_key, normalize, stable_int

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

DIGEST_KEY = "curated_digest"
# Part of the digest: a new loader that maps entries to rows differently reloads an
# unchanged store once (e.g. filling in confidence and skill on existing rows).
LOADER_VERSION = b"store-loader-2"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_TAG = re.compile(r"^[a-z0-9-]{1,40}$")
_SUFFIXES = (".yaml", ".yml")
# The reviewed list of quote pairs that share words but not an idea (``quotes check``
# reads it); it lives with the store but holds no entries, so the loader skips it.
SAME_IDEA_ALLOWED = "same-idea-allowed.yaml"
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


@dataclass(frozen=True)
class FileResult:
    """One file, parsed: its valid entries and one line per problem (file + entry + fix)."""

    name: str
    quotes: list[QuoteEntry]
    prompts: list[PromptEntry]
    problems: list[str]


@dataclass
class StoreRead:
    """Every file of a store. ``quotes``/``prompts`` hold (file name, entry) for files with no
    problem; a file with any problem contributes nothing (it is not half-loaded)."""

    files: list[str] = field(default_factory=list)
    quotes: list[tuple[str, QuoteEntry]] = field(default_factory=list)
    prompts: list[tuple[str, PromptEntry]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def default_store() -> Traversable:
    """The store shipped inside the package (``quotes/`` in a source checkout)."""
    return resources.files("bot.curated")


def store_files(root: Traversable | Path) -> list[Traversable | Path]:
    if isinstance(root, Path) and root.is_file():
        return [root]
    if isinstance(root, Path) and not root.exists():
        raise StoreError(f"{root}: no such file or directory; pass the folder that holds the YAML files")
    files = [f for f in root.iterdir() if f.is_file() and f.name.endswith(_SUFFIXES) and f.name != SAME_IDEA_ALLOWED]
    return sorted(files, key=lambda f: f.name)


def store_digest(root: Traversable | Path) -> str:
    h = hashlib.sha256(LOADER_VERSION)
    for f in store_files(root):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


# -- parsing and validation --------------------------------------------------------------


def parse_file(name: str, raw: bytes) -> tuple[list[QuoteEntry], list[PromptEntry]]:
    """Parse and validate one file. Raises ``StoreError`` naming the file and the first bad entry."""
    result = check_file(name, raw)
    if result.problems:
        raise StoreError(result.problems[0])
    return result.quotes, result.prompts


def check_file(name: str, raw: bytes) -> FileResult:
    """Parse one file and report every bad entry (the first problem of each)."""
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return FileResult(name, [], [], [f"{name}: not valid YAML ({exc.__class__.__name__}: {exc})"])
    if not isinstance(doc, dict) or not (set(doc) & {"quotes", "prompts"}):
        return FileResult(name, [], [], [f"{name}: expected a top-level 'quotes:' or 'prompts:' list"])
    unknown = set(doc) - {"quotes", "prompts"}
    if unknown:
        return FileResult(name, [], [], [f"{name}: unknown top-level key {sorted(unknown)[0]!r}"])
    quotes: list[QuoteEntry] = []
    prompts: list[PromptEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    parsers: list[tuple[str, Callable[[str, int, Any], QuoteEntry | PromptEntry]]] = [
        ("quotes", _quote),
        ("prompts", _prompt),
    ]
    for key, parse in parsers:
        value = doc.get(key, [])
        if not isinstance(value, list):
            problems.append(f"{name}: '{key}:' must be a list of entries")
            continue
        for index, item in enumerate(value):
            try:
                entry = parse(name, index, item)
            except StoreError as exc:
                problems.append(str(exc))
                continue
            if entry.key in seen:
                problems.append(f"{name}: entry {entry.key!r}: id is used twice in this file; give one a new id")
                continue
            seen.add(entry.key)
            if isinstance(entry, QuoteEntry):
                quotes.append(entry)
            else:
                prompts.append(entry)
    return FileResult(name, quotes, prompts, problems)


def read_store(root: Traversable | Path, *, partial: bool = False) -> StoreRead:
    """Every file of the store, with the problems of each; an id may be used once across files.

    ``partial``: keep the valid entries of a file that has problems too (the checker counts
    and compares them); the loader never does, so a file is loaded whole or not at all.
    """
    read = StoreRead()
    owner: dict[str, str] = {}
    for f in store_files(root):
        read.files.append(f.name)
        result = check_file(f.name, f.read_bytes())
        problems = list(result.problems)
        entries: list[QuoteEntry | PromptEntry] = [*result.quotes, *result.prompts]
        for entry in entries:
            if entry.key in owner:
                problems.append(
                    f"{f.name}: entry {entry.key!r}: id is already used in {owner[entry.key]}; give one a new id"
                )
        read.problems += problems
        if problems and not partial:
            continue
        for entry in entries:
            owner.setdefault(entry.key, f.name)
        read.quotes += [(f.name, q) for q in result.quotes if owner[q.key] == f.name]
        read.prompts += [(f.name, p) for p in result.prompts if owner[p.key] == f.name]
    return read


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


def _quote(name: str, index: int, entry: Any) -> QuoteEntry:
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


def _prompt(name: str, index: int, entry: Any) -> PromptEntry:
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


def load_store(session: Session, root: Traversable | Path, *, retire_missing: bool = True) -> LoadReport:
    """Validate every file, then upsert the entries of the valid ones.

    Entries missing from the files are retired only when every file was valid: a broken
    file must not take its quotes out of rotation.
    """
    read = read_store(root)
    report = LoadReport(files=len(read.files), errors=list(read.problems))
    quotes = {q.key: q for _, q in read.quotes}
    prompts = {p.key: p for _, p in read.prompts}
    _upsert_quotes(session, quotes.values(), report, retire_missing and report.ok)
    _upsert_prompts(session, prompts.values(), report, retire_missing and report.ok)
    if report.ok:
        _set_state(session, DIGEST_KEY, store_digest(root))
    return report


def _upsert_quotes(session: Session, entries: Iterable[QuoteEntry], report: LoadReport, retire: bool) -> None:
    existing = {q.curated_key: q for q in session.scalars(select(Quote).where(Quote.curated_key.is_not(None)))}
    keys: set[str] = set()
    for e in entries:
        keys.add(e.key)
        row = existing.get(e.key)
        values = {
            "text": e.text,
            "author": e.author,
            "source": e.source,
            "tags": list(e.tags),
            "confidence": e.confidence,
            "contested": e.contested,
            "attribution_note": e.attribution_note,
            "norm_key": norm_key(e.text),
            "active": True,
        }
        if row is None:
            session.add(Quote(curated_key=e.key, team_id=None, shuffle_key=stable_int(e.key), **values))
            report.added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    if retire:
        for key, row in existing.items():
            if key not in keys and row.active:
                row.active = False
                report.retired += 1


def _upsert_prompts(session: Session, entries: Iterable[PromptEntry], report: LoadReport, retire: bool) -> None:
    existing = {p.curated_key: p for p in session.scalars(select(Prompt))}
    keys: set[str] = set()
    for e in entries:
        keys.add(e.key)
        row = existing.get(e.key)
        if row is None:
            session.add(
                Prompt(curated_key=e.key, theme=e.theme, skill=e.skill, text=e.text, shuffle_key=stable_int(e.key))
            )
            report.added += 1
        elif (row.theme, row.skill, row.text, row.active) != (e.theme, e.skill, e.text, True):
            row.theme, row.skill, row.text, row.active = e.theme, e.skill, e.text, True
            report.updated += 1
        else:
            report.unchanged += 1
    if retire:
        for key, row in existing.items():
            if key not in keys and row.active:
                row.active = False
                report.retired += 1


def loaded_digest(session: Session) -> str | None:
    row = session.get(StoreState, DIGEST_KEY)
    return row.value if row else None


def _set_state(session: Session, key: str, value: str) -> None:
    row = session.get(StoreState, key)
    if row is None:
        session.add(StoreState(key=key, value=value))
    else:
        row.value = value
