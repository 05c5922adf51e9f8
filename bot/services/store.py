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

import hashlib
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
from bot.services.store_entries import (
    ATTRIBUTED,
    AUTHOR_TITLES,
    CONFIDENCE_LEVELS,
    CONTESTED,
    MAX_TAGS,
    QUOTE_TAGS,
    SOURCED,
    THEME_LABELS,
    THEMES,
    TOPIC_TAGS,
    PromptEntry,
    QuoteEntry,
    author_title,
    prompt_entry,
    quote_entry,
)
from bot.services.text import norm_key, stable_int

# One entry's vocabulary and validation live in ``store_entries``; they are named here too,
# so a caller reads them from "the store" without knowing how it is split.
__all__ = [
    "ATTRIBUTED",
    "AUTHOR_TITLES",
    "CONFIDENCE_LEVELS",
    "CONTESTED",
    "DIGEST_KEY",
    "MAX_TAGS",
    "QUOTE_TAGS",
    "SAME_IDEA_ALLOWED",
    "SOURCED",
    "THEMES",
    "THEME_LABELS",
    "TOPIC_TAGS",
    "FileResult",
    "LoadReport",
    "PromptEntry",
    "QuoteEntry",
    "StoreRead",
    "author_title",
    "check_file",
    "default_store",
    "load_store",
    "loaded_digest",
    "parse_file",
    "read_store",
    "store_digest",
    "store_files",
]

DIGEST_KEY = "curated_digest"
# Part of the digest: a new loader that maps entries to rows differently reloads an
# unchanged store once (e.g. filling in confidence and skill on existing rows).
LOADER_VERSION = b"store-loader-2"
_SUFFIXES = (".yaml", ".yml")
# The reviewed list of quote pairs that share words but not an idea (``quotes check``
# reads it); it lives with the store but holds no entries, so the loader skips it.
SAME_IDEA_ALLOWED = "same-idea-allowed.yaml"


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
        ("quotes", quote_entry),
        ("prompts", prompt_entry),
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
