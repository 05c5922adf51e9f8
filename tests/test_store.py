"""The curated store: content rules and the loader's validation."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.errors import StoreError
from bot.services.store import THEMES, default_store, parse_file, store_files
from bot.services.text import normalize

ARTICLE_QUOTES = {
    "Leadership is the art of getting someone else to do something you want done because he wants to do it.": "Dwight D. Eisenhower",
    "Effective leadership is not about making speeches or being liked; leadership is defined by results, not attributes.": "Peter Drucker",
    "The supreme quality of leadership is integrity.": "Dwight D. Eisenhower",
    "A leader is a dealer in hope.": "Napoleon Bonaparte",
    "You manage things; you lead people.": "Grace Hopper",
    "A leader is one who knows the way, goes the way, and shows the way.": "John C. Maxwell",
}


def _all() -> tuple[list, list]:  # type: ignore[type-arg]
    quotes, prompts = [], []
    for f in store_files(default_store()):
        q, p = parse_file(f.name, f.read_bytes())
        quotes += q
        prompts += p
    return quotes, prompts


def test_store_holds_the_seed_article_quotes_with_their_authors() -> None:
    quotes, _ = _all()
    by_text = {normalize(q.text): q.author for q in quotes}
    for text, author in ARTICLE_QUOTES.items():
        assert by_text.get(normalize(text)) == author, text
    seed = [q for q in quotes if "seed-article" in q.tags]
    assert len(seed) == 16


def test_store_has_150_more_quotes_and_no_duplicates() -> None:
    quotes, _ = _all()
    assert len([q for q in quotes if "seed-article" not in q.tags]) >= 150
    counts = Counter(normalize(q.text) for q in quotes)
    assert counts.most_common(1)[0][1] == 1
    assert all(q.attribution_note for q in quotes if q.contested)


def test_prompts_cover_every_theme() -> None:
    _, prompts = _all()
    assert len(prompts) >= 60
    per_theme = Counter(p.theme for p in prompts)
    assert set(per_theme) == set(THEMES)
    assert min(per_theme.values()) >= 6


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("quotes: [{id: a-b, text: 'short', author: X}]", "entry 'a-b': 'text' must be 10-500"),
        ("quotes: [{id: Bad Id, text: 'long enough text', author: X}]", "'id' must be a slug"),
        ("quotes: [{id: a, text: 'long enough <!channel>', author: X}]", "Slack markup"),
        ("quotes: [{id: a, text: 'long enough text', author: X, contested: true}]", "attribution_note"),
        ("quotes: [{id: a, text: 'long enough text', author: X, colour: red}]", "unknown field 'colour'"),
        ("prompts: [{id: p, theme: astrology, text: 'Do a thing today, please.'}]", "'theme' must be one of"),
        (
            "quotes: [{id: a, text: 'long enough text', author: X}, {id: a, text: 'another long text', author: Y}]",
            "used twice",
        ),
        ("nothing: here", "expected a top-level"),
        ("quotes: [unclosed", "not valid YAML"),
    ],
)
def test_bad_entries_are_named(yaml_text: str, message: str) -> None:
    with pytest.raises(StoreError) as err:
        parse_file("f.yaml", yaml_text.encode())
    assert str(err.value).startswith("f.yaml")
    assert re.search(re.escape(message), str(err.value)), str(err.value)
