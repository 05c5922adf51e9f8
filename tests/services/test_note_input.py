"""The pure parser behind `/coach @rep [skill [rating]] text` and `/coach todo @rep text [by ...]`."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import UsageError
from bot.services.note_input import (
    ActionItemInput,
    NoteInput,
    match_skill,
    parse_action_item,
    parse_due,
    parse_note,
)
from bot.services.rubric import DEFAULT_SKILLS

SKILLS = list(DEFAULT_SKILLS)
TUE = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("discovery 3 asked great follow-up questions", NoteInput("discovery", 3, "asked great follow-up questions")),
        ("DISCOVERY 3 asked", NoteInput("discovery", 3, "asked")),
        ("disc 4/5 quantified the pain", NoteInput("discovery", 4, "quantified the pain")),
        ("Objection-Handling 2 froze on price", NoteInput("objection-handling", 2, "froze on price")),
        ("obj froze on price", NoteInput("objection-handling", None, "froze on price")),
        # Look-alikes: Cyrillic і and a soft hyphen inside the word still name the skill.
        ("dіscovery 5 great", NoteInput("discovery", 5, "great")),
        ("dis\u00adcovery 1 rough", NoteInput("discovery", 1, "rough")),
        ("demo 10 slides were too many", NoteInput("demo", None, "10 slides were too many")),
        ("strong call with Acme", NoteInput(None, None, "strong call with Acme")),
        ("called 3 prospects before lunch", NoteInput(None, None, "called 3 prospects before lunch")),
        ("pro is a word here", NoteInput(None, None, "pro is a word here")),
        ("de 3 is too short to be a skill", NoteInput(None, None, "de 3 is too short to be a skill")),
        ("  closing  5   line one\nline two ", NoteInput("closing", 5, "line one\nline two")),
    ],
)
def test_parse_note(typed: str, expected: NoteInput) -> None:
    assert parse_note(typed, SKILLS) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("pro 3 nice", r"`pro` could be `prospecting` or `product-knowledge`"),
        ("discvery 3 asked", r"`discvery` is not a skill here\. Did you mean `discovery`\?"),
        ("closing 0 bad", r"rating goes from 1 to 5; `0`"),
        ("closing 7/5 bad", r"rating goes from 1 to 5; `7/5`"),
        ("closing 4.5 bad", r"whole number from 1 to 5; `4\.5`"),
        ("closing 3", r"Add what you observed after the rating"),
        ("closing", r"Add what you observed after the skill"),
    ],
)
def test_parse_note_refusals_name_the_problem_and_show_an_example(typed: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as err:
        parse_note(typed, SKILLS)
    assert "`/coach @bob discovery 3 asked great follow-up questions`" in err.value.message


def test_a_huge_first_word_is_text() -> None:
    word = "discovery" + "x" * 100_000
    assert parse_note(f"{word} 3 rest", SKILLS) == NoteInput(None, None, f"{word} 3 rest")


def test_match_skill_exact_beats_prefix_and_unknown_lists_the_rubric() -> None:
    assert match_skill("demo", ["demo", "demo-prep"]) == "demo"
    assert match_skill("demo-p", ["demo", "demo-prep"]) == "demo-prep"
    with pytest.raises(UsageError, match=r"`astrology` is not a skill here\. Skills: `demo`, `demo-prep`"):
        match_skill("astrology", ["demo", "demo-prep"])
    with pytest.raises(UsageError, match="&lt;!channel&gt;"):
        match_skill("<!channel>", SKILLS)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("fri", date(2026, 12, 4)),
        ("Friday", date(2026, 12, 4)),
        ("tue", date(2026, 12, 8)),  # on a Tuesday, "by tue" is next week's
        ("wed", date(2026, 12, 2)),
        ("mon", date(2026, 12, 7)),
        ("MONDAY", date(2026, 12, 7)),
        ("today", TUE),
        ("tomorrow", date(2026, 12, 2)),
        ("2026-12-18", date(2026, 12, 18)),
        ("2027-12-01", date(2027, 12, 1)),
    ],
)
def test_parse_due(word: str, expected: date) -> None:
    assert parse_due(word, TUE) == expected


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("2026-11-30", "2026-11-30 has passed"),
        ("2026-02-30", "not a date on the calendar"),
        ("2027-12-03", "more than a year away"),
        ("someday", "`someday` is not a due date"),
    ],
)
def test_parse_due_refusals(word: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_due(word, TUE)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("send the Acme recap by fri", ActionItemInput("send the Acme recap", date(2026, 12, 4))),
        ("send the Acme recap by Fri.", ActionItemInput("send the Acme recap", date(2026, 12, 4))),
        ("send the Acme recap by 2026-12-18", ActionItemInput("send the Acme recap", date(2026, 12, 18))),
        ("have the deck ready by then", ActionItemInput("have the deck ready by then", None)),
        ("stand by the numbers", ActionItemInput("stand by the numbers", None)),
        ("call them back by tomorrow", ActionItemInput("call them back", date(2026, 12, 2))),
        ("prep the demo by Monday!", ActionItemInput("prep the demo", date(2026, 12, 7))),
        ("send <!channel> recap", ActionItemInput("send <!channel> recap", None)),
    ],
)
def test_parse_todo(typed: str, expected: ActionItemInput) -> None:
    assert parse_action_item(typed, TUE) == expected


def test_parse_todo_refusals() -> None:
    with pytest.raises(UsageError, match="Write what the rep should do"):
        parse_action_item("by fri", TUE)
    with pytest.raises(UsageError, match="`12/18` is not a due date"):
        parse_action_item("send it by 12/18", TUE)
