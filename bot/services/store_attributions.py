"""What the store's prompts say about who said what: no more than the store knows.

"X said/wrote/called ..." (and "as X put it", "X's words") asserts X said it: allowed only
when the words quoted are a ``sourced`` entry of X's. "attributed to X" is enough for an
``attributed`` entry; a ``contested`` one needs the prompt to say so as well. Part of
``coachbot quotes check`` (``bot.services.store_check``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.services.store import ATTRIBUTED, CONTESTED, SOURCED, PromptEntry, QuoteEntry
from bot.services.text import normalize

_CLAIM_VERBS = (
    r"(?:said|says|wrote|writes|called|calls|put it|puts it|told|tells|observed|observes|noted|notes|"
    r"argued|argues|declared|declares|coined|taught|teaches|insisted|insists|defined|defines|reminds us)"
)
_QUOTED = re.compile(r"_([^_]+)_|\*([^*]+)\*|\"([^\"]+)\"|[\u2018']([^'\u2019]+)[\u2019']|\u201c([^\u201d]+)\u201d")
_DOUBT = re.compile(r"\b(?:contested|disputed|doubtful|uncertain|probably not|wrongly|misattributed)\b", re.I)


@dataclass(frozen=True)
class _Author:
    name: str
    names: tuple[str, ...]
    pattern_claim: re.Pattern[str]
    pattern_hedge: re.Pattern[str]
    quotes: tuple[QuoteEntry, ...]


def _names(author: str) -> tuple[str, ...]:
    """The full name, the surname and the first name ("Napoleon", "Drucker")."""
    words = [w for w in author.split() if len(w.strip(".")) > 2 and w not in ("and", "Jr.")]
    return tuple(sorted({author, *(words[:1] + words[-1:])}, key=len, reverse=True))


def _authors(quotes: Iterable[QuoteEntry]) -> list[_Author]:
    by_author: dict[str, list[QuoteEntry]] = {}
    for q in quotes:
        by_author.setdefault(q.author, []).append(q)
    out = []
    for author, entries in by_author.items():
        names = _names(author)
        n = "(?:" + "|".join(re.escape(name) for name in names) + ")"
        claim = re.compile(
            rf"\b{n}(?:'s?)?\s+(?:once\s+|famously\s+|rightly\s+|himself\s+|herself\s+)?{_CLAIM_VERBS}\b"
            rf"|\b{_CLAIM_VERBS}\s+by\s+{n}\b"
            rf"|\b(?:according to|in the words of|quoting|to quote|as)\s+{n}\b"
            rf"|\b{n}'s?\s+(?:line|words|phrase|quote|maxim|dictum|advice|definition)\b"
        )
        hedge = re.compile(rf"\b(?:attributed|credited|ascribed)\s+to\s+{n}\b")
        out.append(_Author(author, names, claim, hedge, tuple(entries)))
    return out


def _quoted_entries(text: str, entries: Sequence[QuoteEntry]) -> list[QuoteEntry]:
    """The store entries whose words the prompt quotes (a fragment of two words or more
    inside the entry's text, or the entry's whole text inside the prompt)."""
    fragments = [normalize(next(g for g in m.groups() if g)) for m in _QUOTED.finditer(text)]
    fragments = [f for f in fragments if len(f.split()) >= 2]
    whole = normalize(text)
    found = []
    for q in entries:
        qt = normalize(q.text)
        if any(fuzz.partial_ratio(f, qt) >= 90 for f in fragments if len(f) <= len(qt)) or (
            len(qt) <= len(whole) and fuzz.partial_ratio(qt, whole) >= 90
        ):
            found.append(q)
    return found


def prompt_attributions(prompts: Sequence[tuple[str, PromptEntry]], quotes: Sequence[QuoteEntry]) -> list[str]:
    """Prompts that claim more about who said a line than the store knows.

    "X said/wrote/called ..." (and "as X put it", "X's words") asserts X said it: allowed only
    when the words quoted are a ``sourced`` entry of X's. "attributed to X" is enough for an
    ``attributed`` entry; a ``contested`` one needs the prompt to say so as well.
    """
    authors = _authors(quotes)
    problems = []
    for file, p in prompts:
        where = f"{file}: entry {p.key!r}"
        present = [a for a in authors if any(name in p.text for name in a.names)]  # cheap first pass
        named = [(a, a.pattern_claim.search(p.text), _quoted_entries(p.text, a.quotes)) for a in present]
        named = [(a, claims, entries) for a, claims, entries in named if claims or a.pattern_hedge.search(p.text)]
        # "Napoleon" names Napoleon Bonaparte and Napoleon Hill: the one whose words are quoted counts.
        if any(entries for _, _, entries in named):
            named = [n for n in named if n[2]]
        for a, claims, entries in named:
            if claims and not entries:
                problems.append(
                    f"{where}: says {a.name} said something that is not a store quote of theirs; quote a "
                    f"sourced entry's words, or drop the name"
                )
            for q in entries:
                if claims and q.confidence != SOURCED:
                    problems.append(
                        f"{where}: states as fact that {a.name} said it, but {q.key!r} is {q.confidence}; "
                        f"write e.g. 'a line {_hedge_for(q.confidence)} {a.name}'"
                    )
                elif q.confidence == CONTESTED and not _DOUBT.search(p.text):
                    problems.append(
                        f"{where}: {q.key!r} is contested, so the prompt must say so, e.g. "
                        f"'a line {_hedge_for(CONTESTED)} {a.name}'"
                    )
    return problems


def _hedge_for(level: str) -> str:
    return "attributed to" if level == ATTRIBUTED else "usually, perhaps wrongly, credited to"
