"""``coachbot quotes check``: the whole store, checked the way CI checks it.

On top of every entry's schema (``bot.services.store``), the store as a whole must hold no
near-duplicates and must meet the shelf minimums of issue 14: enough selling quotes, and
enough prompts for every skill and theme. Each problem is one line naming the file and
entry (or the count that falls short) and what to do about it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.services.skills import DEFAULT_SKILLS
from bot.services.store import CONFIDENCE_LEVELS, THEMES, read_store
from bot.services.text import normalize

QUOTE_NEAR_DUPLICATE = 90  # rapidfuzz ratio, after normalize()
PROMPT_NEAR_DUPLICATE = 85
SELLING_TAGS = ("selling", "sales-process")
MIN_SELLING_SHARE = 0.25
MIN_TAGGED = {"sales-process": 15, "playbook": 10}
MIN_PROMPTS_PER_SKILL = 8
MIN_PROMPTS_PER_THEME = 6


@dataclass(frozen=True)
class Entry:
    file: str
    key: str
    text: str


@dataclass
class CheckReport:
    files: int = 0
    quotes: int = 0
    prompts: int = 0
    problems: list[str] = field(default_factory=list)
    confidence: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    selling: int = 0
    skills: Counter[str] = field(default_factory=Counter)
    themes: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(root: Traversable | Path, *, minimums: bool = True) -> CheckReport:
    """Every problem in the store at ``root``; ``minimums=False`` skips the shelf counts
    (for checking one file, or a team's own smaller store)."""
    read = read_store(root, partial=True)
    quotes = [q for _, q in read.quotes]
    prompts = [p for _, p in read.prompts]
    report = CheckReport(files=len(read.files), quotes=len(quotes), prompts=len(prompts), problems=list(read.problems))
    if not read.files:
        report.problems.append(f"{root}: no .yaml or .yml files here; pass the folder that holds the store")
        return report
    report.confidence = Counter(q.confidence for q in quotes)
    report.tags = Counter(t for q in quotes for t in q.tags)
    report.selling = sum(1 for q in quotes if set(q.tags) & set(SELLING_TAGS))
    report.skills = Counter(p.skill for p in prompts)
    report.themes = Counter(p.theme for p in prompts)
    report.problems += near_duplicates(
        [Entry(f, q.key, q.text) for f, q in read.quotes], QUOTE_NEAR_DUPLICATE, "quotes", "keep one"
    )
    report.problems += near_duplicates(
        [Entry(f, p.key, p.text) for f, p in read.prompts], PROMPT_NEAR_DUPLICATE, "prompts", "merge them"
    )
    if minimums:
        report.problems += _minimums(report)
    return report


def near_duplicates(entries: Sequence[Entry], cutoff: int, what: str, fix: str) -> list[str]:
    """Pairs whose normalized texts score ``cutoff`` or more (rapidfuzz ratio), each once.

    Each text is scored against the ones after it by ``process.extract`` in C, which skips
    pairs that cannot reach the cutoff (e.g. very different lengths): 400 quotes take a few
    milliseconds, with no numpy needed for ``cdist``.
    """
    texts = [normalize(e.text) for e in entries]
    problems = []
    for i, text in enumerate(texts):
        later = texts[i + 1 :]
        for _, score, offset in process.extract(text, later, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
            a, b = entries[i], entries[i + 1 + offset]
            problems.append(
                f"{a.file}: entry {a.key!r} and {b.file}: entry {b.key!r}: near-duplicate {what} "
                f"(similarity {round(score)} >= {cutoff}); {fix}"
            )
    return problems


def _minimums(r: CheckReport) -> list[str]:
    problems = []
    if r.quotes and r.selling < MIN_SELLING_SHARE * r.quotes:
        need = -(-int(MIN_SELLING_SHARE * 100) * r.quotes // 100)
        problems.append(
            f"store: {r.selling} of {r.quotes} quotes ({r.selling / r.quotes:.1%}) are tagged selling or "
            f"sales-process; at least {MIN_SELLING_SHARE:.0%} ({need}) must be: add or tag {need - r.selling} more"
        )
    for tag, least in MIN_TAGGED.items():
        if r.tags[tag] < least:
            problems.append(f"store: {r.tags[tag]} quotes are tagged {tag}; at least {least} must be")
    for skill in DEFAULT_SKILLS:
        if r.skills[skill] < MIN_PROMPTS_PER_SKILL:
            problems.append(
                f"store: skill {skill!r} has {r.skills[skill]} prompts; every skill needs at least "
                f"{MIN_PROMPTS_PER_SKILL}"
            )
    for theme in THEMES:
        if r.themes[theme] < MIN_PROMPTS_PER_THEME:
            problems.append(
                f"store: theme {theme!r} has {r.themes[theme]} prompts; every theme needs at least "
                f"{MIN_PROMPTS_PER_THEME}"
            )
    return problems


def summary_table(r: CheckReport) -> list[str]:
    """The counts a reviewer wants to see when the store passes."""
    share = f"{r.selling / r.quotes:.1%}" if r.quotes else "-"
    lines = [
        f"{r.files} files, {r.quotes} quotes, {r.prompts} prompts",
        "confidence: " + ", ".join(f"{level} {r.confidence[level]}" for level in CONFIDENCE_LEVELS),
        f"{'quotes tagged':<30}{'count':>6}{'minimum':>9}",
        f"{'  selling or sales-process':<30}{r.selling:>6}{f'{MIN_SELLING_SHARE:.0%}':>9}  ({share})",
    ]
    lines += [f"{'  ' + tag:<30}{r.tags[tag]:>6}{least:>9}" for tag, least in MIN_TAGGED.items()]
    lines.append(f"{'prompts per skill':<30}{'count':>6}{'minimum':>9}")
    lines += [f"{'  ' + s:<30}{r.skills[s]:>6}{MIN_PROMPTS_PER_SKILL:>9}" for s in DEFAULT_SKILLS]
    lines.append(f"{'prompts per theme':<30}{'count':>6}{'minimum':>9}")
    lines += [f"{'  ' + t:<30}{r.themes[t]:>6}{MIN_PROMPTS_PER_THEME:>9}" for t in THEMES]
    return lines
