"""Property tests for the ``/coach`` argument parsers (``bot.listeners.coach_args``).

For any text: parsing raises nothing but ``CoachArgsError``, and whatever parses survives
parse -> format -> parse unchanged. From the other side: any value formats to text that
parses back to that same value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.db.models.base import MAX_ID
from bot.errors import UsageError
from bot.listeners import coach_args, payload
from bot.listeners.coach_args import (
    CoachArgsError,
    DeleteArgs,
    ManagersArgs,
    NoteArgs,
    NotesArgs,
    PromptsArgs,
)
from bot.services.text import escape

# Words that steer the parsers down their different branches, mixed with hostile ones.
WORDS = [
    "<@U2|bob>",
    "<@U2>",
    "<@W1ABC>",
    "<@UBOT|bot>",
    "<@U2|Bob Rep>",
    "@bob",
    "<@u2>",
    "<@>",
    "<!channel>",
    "<#C1|general>",
    "<https://x.example|a b>",
    "&amp;",
    "&lt;",
    "&gt;",
    "&amp;lt;",
    "<",
    ">",
    "|",
    "all",
    "ALL",
    "add",
    "remove",
    "list",
    "channel",
    "off",
    "Off",
    "09:00",
    "Europe/Berlin",
    "#12",
    "12",
    "0",
    "-1",
    "²",
    "٣",
    "9" * 30,
    "\x00",
    "\u200b",
    "\u202e",
    "\u00a0",
    "\n",
    "'; DROP TABLE notes;--",
    "%_\\",
]
hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=6).map("".join),
)
user_ids = st.from_regex(r"[UW][A-Z0-9]{1,11}", fullmatch=True)
# Free text as a person types it: no outer whitespace (the parsers trim it).
typed_text = st.text(max_size=80).map(str.strip)

Parser = Callable[[str], Any]
PARSERS: list[tuple[str, Parser, Callable[[Any], str]]] = [
    ("note", coach_args.parse_note, coach_args.format_note),
    ("notes", coach_args.parse_notes, coach_args.format_notes),
    ("search", coach_args.parse_search, coach_args.format_search),
    ("delete", coach_args.parse_delete, coach_args.format_delete),
    ("managers", coach_args.parse_managers, coach_args.format_managers),
    ("prompts", coach_args.parse_prompts, coach_args.format_prompts),
]


@pytest.mark.parametrize(("name", "parse", "fmt"), PARSERS, ids=[p[0] for p in PARSERS])
@settings(max_examples=300)
@given(text=hostile_text)
@example(text="\u00b2")
@example(text="<@U2|bob> \u00b2")
@example(text="9" * 10_000)
@example(text="<@U2|<!channel>> &amp;lt;b&amp;gt;")
def test_parsers_raise_only_their_own_error_and_round_trip(
    name: str, parse: Parser, fmt: Callable[[Any], str], text: str
) -> None:
    try:
        parsed = parse(text)
    except CoachArgsError as err:
        assert isinstance(err, UsageError)  # the router answers it; it is never a crash
        assert "`/coach" in err.message  # and it shows a correct command
        assert "<!channel>" not in err.message  # echoed words are escaped
        return
    assert parse(fmt(parsed)) == parsed


@given(rep_id=user_ids, text=typed_text)
def test_a_note_formats_and_parses_back(rep_id: str, text: str) -> None:
    args = NoteArgs(rep_id=rep_id, text=text)
    assert coach_args.parse_note(coach_args.format_note(args)) == args


@given(rep_id=st.one_of(st.none(), user_ids), page=st.integers(0, 999_999_999))
def test_notes_arguments_format_and_parse_back(rep_id: str | None, page: int) -> None:
    args = NotesArgs(rep_id=rep_id, page=page)
    assert coach_args.parse_notes(coach_args.format_notes(args)) == args


@given(note_id=st.one_of(st.none(), st.integers(0, 10**12 - 1)))
def test_delete_arguments_format_and_parse_back(note_id: int | None) -> None:
    args = DeleteArgs(note_id=note_id)
    assert coach_args.parse_delete(coach_args.format_delete(args)) == args


@given(
    args=st.one_of(
        st.just(ManagersArgs(verb="list")),
        st.builds(
            ManagersArgs,
            verb=st.sampled_from(["add", "remove"]),
            user_ids=st.lists(user_ids, min_size=1, max_size=5, unique=True).map(tuple),
        ),
    )
)
def test_managers_arguments_format_and_parse_back(args: ManagersArgs) -> None:
    assert coach_args.parse_managers(coach_args.format_managers(args)) == args


@given(channel=st.booleans(), action=st.sampled_from(["show", "off", "set"]), schedule=typed_text)
def test_prompts_arguments_format_and_parse_back(channel: bool, action: str, schedule: str) -> None:
    if action != "set":
        schedule = ""
    else:
        assume(schedule and schedule.lower() != "off")
        assume(channel or schedule.split()[0].lower() != "channel")
    args = PromptsArgs(channel=channel, action=action, schedule=schedule)  # type: ignore[arg-type]
    assert coach_args.parse_prompts(coach_args.format_prompts(args)) == args


@given(query=typed_text)
def test_search_words_format_and_parse_back(query: str) -> None:
    assert coach_args.parse_search(coach_args.format_search(query)) == query


@given(text=st.text())
def test_slack_escaping_is_undone_exactly(text: str) -> None:
    assert coach_args.slack_unescape(escape(text)) == text


@given(value=st.one_of(st.text(max_size=20), st.integers(-(10**14), 10**14).map(str)))
@example(value="²")
@example(value="①")
@example(value="٣")
@example(value="1e999")
@example(value=str(2**31))
@example(value="9" * 5000)
def test_button_ids_are_ascii_digits_or_nothing(value: str) -> None:
    # The one id parser every button, form and command uses (bot/listeners/payload.py).
    parsed = payload.parse_id(value)
    if parsed is None:
        assert not (value.isascii() and value.isdigit() and 0 < len(value) <= 12 and 1 <= int(value) <= MAX_ID)
    else:
        assert str(parsed) == value.lstrip("0") and 1 <= parsed <= MAX_ID


def test_what_slack_sends_for_typed_markup_is_stored_as_typed() -> None:
    # A person typed: R&D <b>ok</b> &lt;  -- Slack sends the &, < and > escaped.
    sent = "<@U2|bob> R&amp;D &lt;b&gt;ok&lt;/b&gt; &amp;lt;"
    assert coach_args.parse_note(sent) == NoteArgs(rep_id="U2", text="R&D <b>ok</b> &lt;")


@pytest.mark.parametrize("text", ["²", "①", "9" * 10_000, "1 2", "<@U2> x"])
def test_a_page_that_is_not_a_short_ascii_number_is_a_usage_error(text: str) -> None:
    with pytest.raises(CoachArgsError, match="/coach notes"):
        coach_args.parse_notes(text)


def test_a_bad_word_is_echoed_escaped_and_short() -> None:
    with pytest.raises(coach_args.NotAMention) as caught:
        coach_args.parse_note("<!channel>" + "x" * 5_000)
    assert "&lt;!channel&gt;" in caught.value.message and len(caught.value.message) < 400
