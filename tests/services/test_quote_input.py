"""The `/quote add` parser and Slack-markup cleaning: examples and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.services.quote_input import (
    AUTHOR_MAX,
    CLOSE_QUOTES,
    TEXT_MAX,
    TEXT_MIN,
    QuoteInput,
    QuoteInputError,
    clean_form_value,
    clean_markup,
    format_add,
    mention_ids,
    parse_add,
    split_quote,
    tidy,
    validate,
)

TEXT = "Leaders eat last, always."


@pytest.mark.parametrize(
    "raw",
    [
        f'"{TEXT}" — Simon Sinek',
        f'"{TEXT}" - Simon Sinek',
        f'"{TEXT}" -- Simon Sinek',
        f'"{TEXT}" ~ Simon Sinek',
        f'"{TEXT}" – Simon Sinek',
        f"“{TEXT}” — Simon Sinek",
        f"“{TEXT}”—Simon Sinek",
        f"  “{TEXT}”   --   Simon Sinek  ",
        f"{TEXT} — Simon Sinek",
    ],
)
def test_every_separator_and_quote_style_gives_text_and_author(raw: str) -> None:
    assert parse_add(raw) == QuoteInput(text=TEXT, author="Simon Sinek")


def test_no_author_is_unknown() -> None:
    assert parse_add(f'"{TEXT}"') == QuoteInput(text=TEXT, author="Unknown")
    assert parse_add(f"{TEXT}") == QuoteInput(text=TEXT, author="Unknown")
    assert parse_add(f'"{TEXT}" —') == QuoteInput(text=TEXT, author="Unknown")


def test_quotes_inside_the_text_and_the_author_are_kept() -> None:
    raw = '"He said "wait" - then he left." — Jim "The Closer" Lee'
    assert parse_add(raw) == QuoteInput(text='He said "wait" - then he left.', author='Jim "The Closer" Lee')


def test_hyphenated_author_is_not_split() -> None:
    assert parse_add(f'"{TEXT}" — Jean-Paul Sartre').author == "Jean-Paul Sartre"


def test_author_mention_gives_member_and_their_name() -> None:
    q = parse_add(f'"{TEXT}" — <@U123|ada>', {"U123": "Ada Lovelace"})
    assert q == QuoteInput(text=TEXT, author="Ada Lovelace", author_user_id="U123")


def test_author_mention_without_a_known_name_uses_the_label_or_id() -> None:
    assert parse_add(f'"{TEXT}" — <@U123|ada>').author == "ada"
    assert parse_add(f'"{TEXT}" — <@U123>').author == "@U123"


def test_markup_in_text_is_cleaned() -> None:
    raw = (
        '"<!channel> Ask <@U2> about <https://example.com/a-b|the playbook> &amp; '
        '<#C1|general>, <!here|here> then <mailto:a@b.co|email> &lt;now&gt;" — Ann'
    )
    q = parse_add(raw, {"U2": "Bob Rep"})
    assert q.text == "Ask Bob Rep about the playbook & #general, then email <now>"
    assert q.author == "Ann"


def test_bare_link_and_subteam_and_date_tokens_read_as_text() -> None:
    assert clean_markup("see <https://x.io> <!subteam^S1|@sales> <!date^1392734382^{date}|Feb 18>") == (
        "see https://x.io @sales Feb 18"
    )


def test_entities_are_decoded_once() -> None:
    assert clean_markup("a &amp;lt; b") == "a &lt; b"


def test_separator_inside_a_link_label_does_not_split() -> None:
    q = parse_add("Read <https://x.io|this - now> every day please — Ann")
    assert q == QuoteInput(text="Read this - now every day please", author="Ann")


def test_mention_ids_in_order_without_repeats() -> None:
    assert mention_ids("<@U1> <@W2|x> <@U1> <#C1>") == ["U1", "W2"]


def test_form_value_loses_only_channel_wide_mentions() -> None:
    assert clean_form_value("  <!here> a <b> &amp;   c <!everyone|@everyone> ") == "a <b> &amp; c"


def test_split_requiring_quotes_refuses_chat_text() -> None:
    assert split_quote("great call today - thanks team", require_quotes=True) is None
    assert split_quote(f'"{TEXT}" — Ann', require_quotes=True) == QuoteInput(text=TEXT, author="Ann")


def test_empty_input_explains_the_format() -> None:
    with pytest.raises(QuoteInputError) as err:
        parse_add("   ")
    assert '/quote add "' in err.value.message


def test_too_short_names_limit_and_actual_length() -> None:
    with pytest.raises(QuoteInputError) as err:
        parse_add('"  Be kind  " — Ann')
    assert "7 characters" in err.value.message and f"at least {TEXT_MIN}" in err.value.message
    assert err.value.block_id == "text"


def test_too_long_names_limit_and_actual_length() -> None:
    with pytest.raises(QuoteInputError) as err:
        parse_add('"' + "x" * 501 + '" — Ann')
    assert "501 characters" in err.value.message and f"limit is {TEXT_MAX}" in err.value.message


def test_author_too_long_names_limit_and_actual_length() -> None:
    with pytest.raises(QuoteInputError) as err:
        parse_add(f'"{TEXT}" — ' + "A" * 101)
    assert "101 characters" in err.value.message and f"limit is {AUTHOR_MAX}" in err.value.message
    assert err.value.block_id == "author"


def test_text_that_is_only_markup_is_too_short() -> None:
    with pytest.raises(QuoteInputError) as err:
        parse_add('"<!channel> <!here>" — Ann')
    assert "0 characters" in err.value.message


def test_form_errors_show_a_field_example_not_a_command() -> None:
    with pytest.raises(QuoteInputError) as err:
        validate("short", "Ann", None, form=True)
    assert "/quote" not in err.value.message and "For example: Praise in public" in err.value.message


def test_source_too_long() -> None:
    with pytest.raises(QuoteInputError) as err:
        validate(TEXT, "Ann", "s" * 301, form=True)
    assert "301 characters" in err.value.message and err.value.block_id == "source"


def test_parser_error_is_a_usage_error() -> None:
    assert issubclass(QuoteInputError, UsageError)


# -- properties --------------------------------------------------------------------------------

_AMBIGUOUS_AUTHOR = re.compile(rf"[{re.escape(CLOSE_QUOTES)}]\s*(?:--|—|–|―|-|~)")
texts = st.text(min_size=TEXT_MIN, max_size=TEXT_MAX + 20).map(tidy)
authors = st.text(min_size=1, max_size=AUTHOR_MAX).map(tidy)
user_ids = st.from_regex(r"[UW][A-Z0-9]{2,11}", fullmatch=True)


@given(st.text())
@example('"')
@example('"" —')
@example("<@U1|")
@example("<<@U1>>")
@example("\x00")
@example("&amp;&lt;")
def test_parse_never_raises_anything_but_its_own_error(raw: str) -> None:
    try:
        q = parse_add(raw)
    except QuoteInputError:
        return
    assert TEXT_MIN <= len(q.text) <= TEXT_MAX
    assert 1 <= len(q.author) <= AUTHOR_MAX


@given(texts, authors, st.one_of(st.none(), user_ids))
@example("He said “wait” — then left", "Bob", None)
@example("a < b & c > d, <!channel>", "<@U1>", None)
@example("x" * TEXT_MIN, 'Jim "The Closer" Lee', None)
@example("x" * TEXT_MIN, "Ada", "U123")
def test_parse_format_parse_round_trips(text: str, author: str, user_id: str | None) -> None:
    assume(TEXT_MIN <= len(text) <= TEXT_MAX and author)
    assume(not _AMBIGUOUS_AUTHOR.search(author))
    q = QuoteInput(text=text, author=author, author_user_id=user_id)
    assert parse_add(format_add(q)) == q


@given(st.text())
@example("<!her<!here>e>")
def test_cleaning_is_idempotent_on_its_own_output(raw: str) -> None:
    once = tidy(raw)
    assert tidy(once) == once
    assert clean_form_value(clean_form_value(raw)) == clean_form_value(raw)
