"""The one text normalization (duplicates, consent, opt-outs) and the plain-text helper."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select

from bot.db import migrate
from bot.db.engine import Sessions, make_engine
from bot.db.models import Quote, Submission
from bot.services.text import compact, escape, norm_key, normalize, plain, strip_invisible
from tests.harness import SlackSender, ephemeral_text

BASE = "Leaders inspire, managers improve."

# Variants a person can't tell from BASE on screen; each must be the same key.
LOOK_ALIKES = {
    "soft hyphen": "Lead\u00aders inspire, managers improve.",
    "Hangul filler": "Leaders\u3164inspire, managers improve.",
    "Hangul choseong filler": "Lead\u115fers inspire, managers improve.",
    "Hangul filler inside a word": "Lea\u3164ders inspire, managers improve.",
    "halfwidth Hangul filler": "Leaders\uffa0inspire, managers improve.",
    "Cyrillic a": "Le\u0430ders inspire, managers improve.",
    "Cyrillic e and o": "L\u0435aders inspire, man\u0430gers impr\u043eve.",
    "zero-width space": "Lea\u200bders inspire, managers improve.",
    "word joiner": "Leaders insp\u2060ire, managers improve.",
    "bidi override": "\u202eLeaders inspire, managers improve.\u202c",
    "invisible times": "Leaders inspire,\u2062 managers improve.",
    "fullwidth": "Ｌｅａｄｅｒｓ inspire, managers improve.",
    "mathematical bold": "𝐋𝐞𝐚𝐝𝐞𝐫𝐬 inspire, managers improve.",
    "Greek omicron": "Leaders inspire, managers impr\u03bfve.",
    "case and spacing": "  LEADERS   inspire ,managers  IMPROVE  ",
    "punctuation": "“Leaders inspire — managers improve!”",
    "tag characters": "Leaders\U000e0041 inspire, managers improve.",
    "variation selector": "Leaders inspire\ufe0f, managers improve.",
}


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_look_alikes_normalize_to_the_same_key(name: str) -> None:
    assert norm_key(LOOK_ALIKES[name]) == norm_key(BASE), normalize(LOOK_ALIKES[name])


@pytest.mark.parametrize(
    "other",
    ["Leaders inspire, managers improvise.", "Readers inspire, managers improve.", "Leaders inspire managers."],
)
def test_different_words_stay_different(other: str) -> None:
    assert norm_key(other) != norm_key(BASE)


def test_normalize_collapses_whitespace_and_punctuation() -> None:
    assert normalize("  Bob\t\u00a0Rep!! ") == "bob rep"
    assert normalize("@bob") == normalize("bob")
    assert compact("Bob\u3164Rep") == compact("bob rep") == "bobrep"
    assert normalize("") == ""
    assert normalize("\u3164\u00ad\u200b") == ""


def test_names_in_other_scripts_are_kept() -> None:
    # Only look-alikes are folded: genuinely different letters still differ.
    assert normalize("Ωmega") != normalize("Omega")
    assert normalize("中文") == "中文"
    assert normalize("straße") == normalize("STRASSE")


def test_strip_invisible_keeps_what_is_visible() -> None:
    assert strip_invisible("Ja\u00adson\u3164 Lee\u200b") == "Jason Lee"
    assert strip_invisible("❤\ufe0f ok") == "❤\ufe0f ok"


def test_plain_defangs_links_and_escapes_markup() -> None:
    out = plain("Read https://evil.example/x?a=1&b=2 or evil.com, mail a@b.co <!channel> *Fake*")
    assert "https://" not in out and "evil.example" not in out and "evil.com" not in out
    assert "https[:]//evil[.]example" in out and "evil[.]com" in out and "a@b[.]co" in out
    assert "&lt;!channel&gt;" in out and "&amp;" in out
    # Formatting characters stay as typed: they are shown in a plain_text object.
    assert "*Fake*" in out


def test_plain_leaves_ordinary_sentences_alone() -> None:
    assert plain("Praise in public, coach in private. E.g. daily. Pi is 3.14") == (
        "Praise in public, coach in private. E.g. daily. Pi is 3.14"
    )


# -- over signed HTTP: look-alikes of a curated quote are exact duplicates --------------------------

CURATED_VARIANTS = {
    "soft hyphen": lambda t: t.replace("e", "e\u00ad", 1),
    "Hangul filler for a space": lambda t: t.replace(" ", "\u3164", 1),
    "Cyrillic a": lambda t: t.replace("a", "\u0430", 1),
    "zero-width space": lambda t: t.replace(" ", " \u200b", 2),
    "fullwidth first letter": lambda t: chr(ord(t[0]) + 0xFEE0) + t[1:] if t[0].isascii() and t[0].isalpha() else t,
    "Greek omicron": lambda t: t.replace("o", "\u03bf", 1),
}


@pytest.mark.parametrize("variant", sorted(CURATED_VARIANTS))
def test_a_look_alike_of_a_curated_quote_is_refused_as_a_duplicate(
    variant: str, slack: SlackSender, sessions: Sessions
) -> None:
    with sessions() as s:
        quote = s.scalars(
            select(Quote).where(Quote.team_id.is_(None), Quote.text.not_like('%"%')).order_by(Quote.id).limit(1)
        ).one()
    text = CURATED_VARIANTS[variant](quote.text)
    assert text != quote.text
    reply = ephemeral_text(slack.command("/quote", f'add "{escape(text)}" — Someone Else'))
    assert "already in coachbot" in reply and "curated" in reply, reply
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0


def test_migration_0007_recomputes_stored_keys(tmp_path: Path) -> None:
    """Keys stored by the old normalization are recomputed, so old rows catch look-alikes too."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0006")
    text = "Le\u0430ders inspire, managers improve."  # with a Cyrillic а
    meta = MetaData()
    meta.reflect(engine, only=["quotes"])
    quotes = meta.tables["quotes"]
    values: dict[str, object] = {"text": text, "author": "A", "norm_key": "old-key", "shuffle_key": 1, "tags": []}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for column in quotes.columns:
        if column.name not in values and not column.nullable and not column.primary_key:
            values[column.name] = (
                now if "DATE" in str(column.type).upper() else ("attributed" if column.name == "confidence" else False)
            )
    with engine.begin() as conn:
        conn.execute(quotes.insert().values(**values))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(quotes.c.norm_key)).scalar_one()
    engine.dispose()
    assert stored == norm_key("Leaders inspire, managers improve.")


def test_a_capital_look_alike_reads_as_the_letter_it_imitates() -> None:
    # Greek capital Kappa imitates "K"; its small letter imitates "ĸ", so casefolding first missed it.
    assert compact("Dana \u039aim") == compact("Dana Kim")
    assert compact("\u0392\u039f\u0392") == compact("BOB")  # Greek Beta, Omicron
    assert normalize("Ωmega") != normalize("Omega")
