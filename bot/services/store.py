"""The curated store: YAML files of quotes and coaching prompts, validated and upserted.

Each file holds a top-level ``quotes:`` or ``prompts:`` list. Entries are keyed by ``id``,
so loading is idempotent: a second load adds nothing, an edited entry is updated in
place, and an entry removed from the files is retired (kept for history, out of rotation).
A file with a bad entry is reported by name and entry and nothing from it is loaded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
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
from bot.services.text import norm_key, stable_int

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
DIGEST_KEY = "curated_digest"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_TAG = re.compile(r"^[a-z0-9-]{1,40}$")
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class QuoteEntry:
    key: str
    text: str
    author: str
    source: str | None
    tags: tuple[str, ...]
    contested: bool
    attribution_note: str | None


@dataclass(frozen=True)
class PromptEntry:
    key: str
    theme: str
    text: str


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
    files = [f for f in root.iterdir() if f.is_file() and f.name.endswith(_SUFFIXES)]
    return sorted(files, key=lambda f: f.name)


def store_digest(root: Traversable | Path) -> str:
    h = hashlib.sha256()
    for f in store_files(root):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def parse_file(name: str, raw: bytes) -> tuple[list[QuoteEntry], list[PromptEntry]]:
    """Parse and validate one file. Raises ``StoreError`` naming the file and the entry."""
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise StoreError(f"{name}: not valid YAML ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(doc, dict) or not (set(doc) & {"quotes", "prompts"}):
        raise StoreError(f"{name}: expected a top-level 'quotes:' or 'prompts:' list")
    unknown = set(doc) - {"quotes", "prompts"}
    if unknown:
        raise StoreError(f"{name}: unknown top-level key {sorted(unknown)[0]!r}")
    quotes = [_quote(name, i, e) for i, e in enumerate(_list(name, doc, "quotes"))]
    prompts = [_prompt(name, i, e) for i, e in enumerate(_list(name, doc, "prompts"))]
    seen: set[str] = set()
    entries: list[QuoteEntry | PromptEntry] = [*quotes, *prompts]
    for entry in entries:
        if entry.key in seen:
            raise StoreError(f"{name}: entry {entry.key!r}: id is used twice in this file")
        seen.add(entry.key)
    return quotes, prompts


def _list(name: str, doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise StoreError(f"{name}: '{key}:' must be a list of entries")
    return value


def _where(name: str, index: int, entry: Any) -> str:
    key = entry.get("id") if isinstance(entry, dict) else None
    return f"{name}: entry {key!r}" if key else f"{name}: entry #{index + 1}"


def _text(where: str, entry: dict[str, Any], key: str, low: int, high: int, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise StoreError(f"{where}: '{key}' must be a string")
    value = " ".join(value.split())
    if not low <= len(value) <= high:
        raise StoreError(f"{where}: '{key}' must be {low}-{high} characters, it has {len(value)}")
    if key == "text" and any(c in value for c in "<>&"):
        raise StoreError(f"{where}: 'text' must not contain Slack markup characters <, > or &")
    return value


def _key(where: str, entry: dict[str, Any]) -> str:
    key = entry.get("id")
    if not isinstance(key, str) or not _ID.match(key):
        raise StoreError(f"{where}: 'id' must be a slug of a-z, 0-9 and '-' (at most 80 characters)")
    return key


def _quote(name: str, index: int, entry: Any) -> QuoteEntry:
    where = _where(name, index, entry)
    if not isinstance(entry, dict):
        raise StoreError(f"{where}: must be a mapping with id, text and author")
    allowed = {"id", "text", "author", "source", "tags", "contested", "attribution_note"}
    extra = set(entry) - allowed
    if extra:
        raise StoreError(f"{where}: unknown field {sorted(extra)[0]!r}")
    key = _key(where, entry)
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise StoreError(f"{where}: 'tags' must be a list of lowercase slugs like [leadership, coaching]")
    contested = entry.get("contested", False)
    if not isinstance(contested, bool):
        raise StoreError(f"{where}: 'contested' must be true or false")
    note = _text(where, entry, "attribution_note", 1, 1000, required=False)
    if contested and not note:
        raise StoreError(f"{where}: a contested quote needs an 'attribution_note' saying what is known")
    text = _text(where, entry, "text", 10, 500)
    author = _text(where, entry, "author", 1, 100)
    assert text is not None and author is not None
    return QuoteEntry(
        key=key,
        text=text,
        author=author,
        source=_text(where, entry, "source", 1, 300, required=False),
        tags=tuple(dict.fromkeys(tags)),
        contested=contested,
        attribution_note=note,
    )


def _prompt(name: str, index: int, entry: Any) -> PromptEntry:
    where = _where(name, index, entry)
    if not isinstance(entry, dict):
        raise StoreError(f"{where}: must be a mapping with id, theme and text")
    extra = set(entry) - {"id", "theme", "text"}
    if extra:
        raise StoreError(f"{where}: unknown field {sorted(extra)[0]!r}")
    key = _key(where, entry)
    theme = entry.get("theme")
    if theme not in THEMES:
        raise StoreError(f"{where}: 'theme' must be one of {', '.join(THEMES)}")
    text = _text(where, entry, "text", 10, 500)
    assert text is not None and isinstance(theme, str)
    return PromptEntry(key=key, theme=theme, text=text)


def load_store(session: Session, root: Traversable | Path, *, retire_missing: bool = True) -> LoadReport:
    """Validate every file, then upsert the entries of the valid ones.

    Entries missing from the files are retired only when every file was valid: a broken
    file must not take its quotes out of rotation.
    """
    report = LoadReport()
    quotes: dict[str, QuoteEntry] = {}
    prompts: dict[str, PromptEntry] = {}
    owner: dict[str, str] = {}
    for f in store_files(root):
        report.files += 1
        try:
            fq, fp = parse_file(f.name, f.read_bytes())
            entries: list[QuoteEntry | PromptEntry] = [*fq, *fp]
            for entry in entries:
                if entry.key in owner:
                    raise StoreError(f"{f.name}: entry {entry.key!r}: id is already used in {owner[entry.key]}")
        except StoreError as exc:
            report.errors.append(str(exc))
            continue
        for entry in entries:
            owner[entry.key] = f.name
        quotes.update((q.key, q) for q in fq)
        prompts.update((p.key, p) for p in fp)

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
            session.add(Prompt(curated_key=e.key, theme=e.theme, text=e.text, shuffle_key=stable_int(e.key)))
            report.added += 1
        elif (row.theme, row.text, row.active) != (e.theme, e.text, True):
            row.theme, row.text, row.active = e.theme, e.text, True
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
