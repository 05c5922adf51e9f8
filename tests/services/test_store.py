"""The curated store: content rules, the loader's validation, and what a load writes."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy import text as sql

from bot.db.engine import Sessions
from bot.db.models import Prompt, Quote, StoreState
from bot.errors import StoreError
from bot.services import store
from bot.services.rubric import DEFAULT_SKILLS
from bot.services.store import (
    CONFIDENCE_LEVELS,
    THEMES,
    PromptEntry,
    QuoteEntry,
    author_title,
    default_store,
    parse_file,
    read_store,
)
from bot.services.text import normalize
from tests.cli.test_cli import fresh_pg_url  # noqa: F401 - the PostgreSQL fixture

ARTICLE_QUOTES = {
    "Leadership is the art of getting someone else to do something you want done because he wants to do it.": "Dwight D. Eisenhower",
    "Effective leadership is not about making speeches or being liked; leadership is defined by results, not attributes.": "Peter Drucker",
    "The supreme quality of leadership is integrity.": "Dwight D. Eisenhower",
    "A leader is a dealer in hope.": "Napoleon Bonaparte",
    "You manage things; you lead people.": "Grace Hopper",
    "A leader is one who knows the way, goes the way, and shows the way.": "John C. Maxwell",
}


def _all() -> tuple[list[QuoteEntry], list[PromptEntry]]:
    """The shipped store as the loader reads it; every file must load."""
    read = read_store(default_store())
    assert read.problems == []
    return [q for _, q in read.quotes], [p for _, p in read.prompts]


# -- the shipped store -----------------------------------------------------------------------


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


def test_every_shipped_quote_has_a_level_and_what_its_level_needs() -> None:
    quotes, _ = _all()
    assert {q.confidence for q in quotes} <= set(CONFIDENCE_LEVELS)
    assert all(q.attribution_note for q in quotes if q.confidence == "contested")
    assert all(q.source for q in quotes if q.confidence == "sourced")


def test_prompts_cover_every_theme() -> None:
    _, prompts = _all()
    assert len(prompts) >= 60
    per_theme = Counter(p.theme for p in prompts)
    assert set(per_theme) == set(THEMES)
    assert min(per_theme.values()) >= 6


# -- what the parser refuses -----------------------------------------------------------------

GOOD = "id: a, text: 'long enough text', author: Xavier Young"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "quotes: [{id: a-b, text: 'short', author: X, confidence: attributed, tags: [growth]}]",
            "'text' must be 10-500",
        ),
        ("quotes: [{id: Bad Id, text: 'long enough text', author: X}]", "'id' must be a slug"),
        (f"quotes: [{{{GOOD}, confidence: attributed, tags: [growth], text: 'long <!channel>'}}]", "Slack markup"),
        (f"quotes: [{{{GOOD}, tags: [growth]}}]", "'confidence' is missing; add `confidence: sourced`"),
        (f"quotes: [{{{GOOD}, confidence: maybe, tags: [growth]}}]", "'confidence' must be one of"),
        (f"quotes: [{{{GOOD}, confidence: sourced, tags: [growth]}}]", "a sourced quote needs a 'source'"),
        (
            f"quotes: [{{{GOOD}, confidence: sourced, source: 'A Book (1990)', attribution_note: hm, tags: [growth]}}]",
            "a sourced quote has no 'attribution_note'",
        ),
        (f"quotes: [{{{GOOD}, confidence: contested, tags: [growth]}}]", "needs an 'attribution_note'"),
        (
            f"quotes: [{{{GOOD}, confidence: contested, contested: true, attribution_note: x, tags: [growth]}}]",
            "'contested' is no longer a field; write `confidence: contested`",
        ),
        (f"quotes: [{{{GOOD}, contested: true, attribution_note: x, tags: [growth]}}]", "'contested' is no longer"),
        (f"quotes: [{{{GOOD}, confidence: attributed, tags: [growth], colour: red}}]", "unknown field 'colour'"),
        (f"quotes: [{{{GOOD}, confidence: attributed, tags: [astrology]}}]", "tag 'astrology' is not in the list"),
        (f"quotes: [{{{GOOD}, confidence: attributed}}]", "give 1 to 5 tags, it has 0"),
        (f"quotes: [{{{GOOD}, confidence: attributed, tags: [a, b, c, d, e, f]}}]", "give 1 to 5 tags, it has 6"),
        ("prompts: [{id: p, theme: astrology, skill: demo, text: 'Do a thing today, please.'}]", "'theme' must be"),
        ("prompts: [{id: p, theme: vision, text: 'Do a thing today, please.'}]", "'skill' is missing; use one of"),
        ("prompts: [{id: p, theme: vision, skill: juggling, text: 'Do a thing today.'}]", "not 'juggling'"),
        (
            "quotes: [{id: a, text: 'long enough text', author: X, confidence: attributed, tags: [growth]},"
            " {id: a, text: 'another long text', author: Y, confidence: attributed, tags: [growth]}]",
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


@pytest.mark.parametrize(
    "author",
    ["Lord Kelvin", "Sir Winston Churchill", "General George Patton", "Gen. George Patton", "Dr. Seuss", "Dr Seuss",
     "President John F. Kennedy", "Coach John Wooden", "Saint Augustine", "St. Augustine", "Mr. Rogers",
     "Mrs. Doubtfire", "Ms. Jane Doe", "Prof. Jane Doe", "Rev. Martin Luther King", "King Solomon", "Queen Elizabeth",
     "lord kelvin", "L\u043erd Kelvin", "\uff33\uff49\uff52 Winston Churchill"],
)  # fmt: skip
def test_a_title_in_an_author_is_refused_with_how_to_fix(author: str) -> None:
    doc = f'quotes: [{{id: a, text: "long enough text", author: "{author}", confidence: attributed, tags: [growth]}}]'
    with pytest.raises(StoreError) as err:
        parse_file("people.yaml", doc.encode())
    assert str(err.value).startswith("people.yaml: entry 'a': author")
    assert "without titles" in str(err.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Lead from the front, al\u00adways."),
        ("author", "Ann\u200b Bee"),
        ("text", "Lead from \u202ethe front."),
    ],
)
def test_invisible_characters_in_an_entry_are_refused(field: str, value: str) -> None:
    entry = {
        "id": "a",
        "text": "Lead from the front.",
        "author": "Ann Bee",
        "confidence": "attributed",
        "tags": ["growth"],
    }
    entry[field] = value
    with pytest.raises(StoreError) as err:
        parse_file("f.yaml", json.dumps({"quotes": [entry]}).encode())
    assert f"f.yaml: entry 'a': '{field}' contains the invisible character U+" in str(err.value)
    assert str(err.value).endswith("; delete it")


@pytest.mark.parametrize(
    "author", ["Kingsley Amis", "Mary Kay Ash", "Aristotle", "Sun Tzu", "Doctorow Edgar", "Lordes Ann", "Coach"]
)
def test_names_that_only_look_like_titles_are_fine(author: str) -> None:
    assert author_title(author) is None


def test_each_level_parses_with_what_it_needs() -> None:
    doc = """
quotes:
  - id: carnegie-persons-name
    text: "Remember that a man's name is to him the sweetest and most important sound in any language."
    author: Dale Carnegie
    confidence: sourced
    source: "How to Win Friends and Influence People (1936)"
    tags: [selling, communication, discovery]
  - id: ziglar-help-people
    text: "You can have everything in life you want, if you will just help enough other people get what they want."
    author: Zig Ziglar
    confidence: attributed
    tags: [selling]
  - id: drucker-culture-breakfast
    text: "Culture eats strategy for breakfast."
    author: Peter Drucker
    confidence: contested
    tags: [culture, strategy]
    attribution_note: "No Drucker source; first recorded in 2000 at Ford."
prompts:
  - id: discovery-three-whys
    theme: coaching
    skill: discovery
    text: "Ask a rep for the last discovery call and find the third why together."
"""
    quotes, prompts = parse_file("f.yaml", doc.encode())
    assert [(q.key, q.confidence, q.contested) for q in quotes] == [
        ("carnegie-persons-name", "sourced", False),
        ("ziglar-help-people", "attributed", False),
        ("drucker-culture-breakfast", "contested", True),
    ]
    assert quotes[0].source == "How to Win Friends and Influence People (1936)"
    assert prompts == [
        PromptEntry(
            "discovery-three-whys",
            "coaching",
            "discovery",
            "Ask a rep for the last discovery call and find the third why together.",
        )
    ]


def test_every_problem_in_a_store_is_listed_not_only_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "quotes:\n"
        "  - {id: one, text: 'long enough text', author: Sir Ann Bee, confidence: attributed, tags: [growth]}\n"
        "  - {id: two, text: 'another long text', author: Ann Bee, tags: [growth]}\n"
        "  - {id: ok, text: 'a third long text', author: Ann Bee, confidence: attributed, tags: [growth]}\n"
    )
    (tmp_path / "b.yaml").write_text(
        "quotes:\n  - {id: ok, text: 'a fourth long text', author: Cy Dee, confidence: attributed, tags: [growth]}\n"
    )
    read = read_store(tmp_path)
    assert [p.split(":")[0:2] for p in read.problems] == [["a.yaml", " entry 'one'"], ["a.yaml", " entry 'two'"]]
    assert read.quotes == [("b.yaml", read.quotes[0][1])]


def test_an_id_used_in_two_files_is_refused(tmp_path: Path) -> None:
    entry = "{id: same, text: 'long enough text', author: Ann Bee, confidence: attributed, tags: [growth]}"
    (tmp_path / "a.yaml").write_text(f"quotes: [{entry}]")
    (tmp_path / "b.yaml").write_text(f"quotes: [{entry}]")
    assert read_store(tmp_path).problems == ["b.yaml: entry 'same': id is already used in a.yaml; give one a new id"]


def test_the_skill_rubric_is_defined_once_and_prompts_use_it() -> None:
    assert len(DEFAULT_SKILLS) == len(set(DEFAULT_SKILLS)) == 8
    assert set(DEFAULT_SKILLS) <= set(store.QUOTE_TAGS)


# -- loading into the database ---------------------------------------------------------------

STORE_V1 = """
quotes:
  - id: h2-load-sourced
    text: "Loading test quote one, sourced from a book."
    author: Ann Bee
    confidence: sourced
    source: "A Book (1999)"
    tags: [selling]
  - id: h2-load-contested
    text: "Loading test quote two, contested."
    author: Cy Dee
    confidence: contested
    tags: [selling]
    attribution_note: "Nobody knows who said it first."
prompts:
  - id: h2-load-prompt
    theme: coaching
    skill: discovery
    text: "Loading test prompt: ask one good question today."
"""


@pytest.fixture
def own_rows(sessions: Sessions) -> Iterator[Sessions]:
    """Load test entries next to the shipped store, then take them (and the digest) away again."""
    with sessions() as s:
        digest = store.loaded_digest(s)
    yield sessions
    with sessions.begin() as s:
        s.execute(delete(Quote).where(Quote.curated_key.like("h2-load-%")))
        s.execute(delete(Prompt).where(Prompt.curated_key.like("h2-load-%")))
        state = s.get(StoreState, store.DIGEST_KEY)
        if state is not None and digest is not None:
            state.value = digest


def _load(sessions: Sessions, root: Path) -> store.LoadReport:
    with sessions.begin() as s:
        return store.load_store(s, root, retire_missing=False)


def test_a_load_writes_levels_and_skills_and_a_second_load_changes_nothing(own_rows: Sessions, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(STORE_V1)
    first = _load(own_rows, tmp_path)
    assert (first.added, first.updated, first.errors) == (3, 0, [])
    again = _load(own_rows, tmp_path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with own_rows() as s:
        rows = {q.curated_key: q for q in s.scalars(select(Quote).where(Quote.curated_key.like("h2-load-%")))}
        prompt = s.scalars(select(Prompt).where(Prompt.curated_key == "h2-load-prompt")).one()
    assert (rows["h2-load-sourced"].confidence, rows["h2-load-sourced"].contested) == ("sourced", False)
    assert (rows["h2-load-contested"].confidence, rows["h2-load-contested"].contested) == ("contested", True)
    assert prompt.skill == "discovery"


def test_an_edited_level_or_skill_is_updated_in_place(own_rows: Sessions, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(STORE_V1)
    _load(own_rows, tmp_path)
    edited = STORE_V1.replace('confidence: sourced\n    source: "A Book (1999)"', "confidence: attributed")
    (tmp_path / "s.yaml").write_text(edited.replace("skill: discovery", "skill: closing"))
    report = _load(own_rows, tmp_path)
    assert (report.added, report.updated, report.unchanged) == (0, 2, 1)
    with own_rows() as s:
        quote = s.scalars(select(Quote).where(Quote.curated_key == "h2-load-sourced")).one()
        prompt = s.scalars(select(Prompt).where(Prompt.curated_key == "h2-load-prompt")).one()
    assert (quote.confidence, quote.source) == ("attributed", None)
    assert prompt.skill == "closing"


# -- migration 0006 on a database that already holds quotes ---------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new database of the kind the suite runs on: SQLite always, PostgreSQL on the PG run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        yield request.getfixturevalue("fresh_pg_url")


def test_0006_backfills_levels_from_what_each_row_already_claimed(old_database: str) -> None:
    from bot.db import migrate
    from bot.db.engine import make_engine

    engine = make_engine(old_database)
    try:
        migrate.upgrade(engine, "0005")
        rows = {
            "contested": ("NULL", "'A book (1990)'", True),
            "with-source": ("NULL", "'A book (1990)'", False),
            "no-source": ("NULL", "NULL", False),
            "team-with-source": ("'T1'", "'Someone told me'", False),
        }
        with engine.begin() as conn:
            for key, (team, source, contested) in rows.items():
                conn.execute(
                    sql(
                        "INSERT INTO quotes (team_id, curated_key, text, author, source, tags, contested, active,"
                        f" norm_key, shuffle_key, created_at, updated_at) VALUES ({team}, :key, :text, 'Ann Bee',"
                        f" {source}, '[]', :contested, :active, :key, 1, :now, :now)"
                    ),
                    {"key": key, "text": f"Quote {key}", "contested": contested, "active": True, "now": "2026-01-01"},
                )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            levels: dict[str, str] = {
                key: level for key, level in conn.execute(sql("SELECT curated_key, confidence FROM quotes"))
            }
            skills = conn.execute(sql("SELECT count(*) FROM prompts WHERE skill IS NOT NULL")).scalar_one()
    finally:
        engine.dispose()
    assert levels == {
        "contested": "contested",
        "with-source": "sourced",
        "no-source": "attributed",
        "team-with-source": "attributed",
    }
    assert skills == 0  # filled in by the next store load
