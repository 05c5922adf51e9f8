"""The quote builders: bylines by confidence level, user text as plain text, Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.daily import POST_INVITE, quote_post_message
from bot.blocks.home import member_home
from bot.blocks.quotes import CONTESTED_LINE, WHY_CONTESTED, quote_blocks, quote_text, why_contested_message
from tests.factories import quote_view


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every string Slack would parse as mrkdwn (formatting, links, mentions)."""
    return [o["text"] for o in walk(blocks) if o.get("type") == "mrkdwn"]


def literal_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every rich-text ``text`` element: shown exactly as written."""
    return [o["text"] for o in walk(blocks) if o.get("type") == "text" and isinstance(o.get("text"), str)]


def byline(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (rich,) = [b for b in blocks if b["type"] == "rich_text"]
    section = rich["elements"][1]
    assert section["type"] == "rich_text_section"
    return list(section["elements"])


def shown(elements: list[dict[str, Any]]) -> str:
    return "".join(e["text"] for e in elements)


# -- the three levels ------------------------------------------------------------------------


def test_sourced_reads_author_comma_italic_source() -> None:
    q = quote_view(
        confidence="sourced", author="Dale Carnegie", source="How to Win Friends and Influence People (1936)"
    )
    elements = byline(quote_blocks(q))
    assert shown(elements) == "— Dale Carnegie, How to Win Friends and Influence People (1936)"
    assert elements[-1]["style"] == {"italic": True} and all("style" not in e for e in elements[:-1])
    assert quote_text(q).endswith("— Dale Carnegie, How to Win Friends and Influence People (1936)")


def test_attributed_reads_attributed_to() -> None:
    q = quote_view(confidence="attributed", author="Zig Ziglar")
    assert shown(byline(quote_blocks(q))) == "— attributed to Zig Ziglar"
    assert quote_text(q).endswith("— attributed to Zig Ziglar")
    assert CONTESTED_LINE not in json.dumps(quote_blocks(q))


def test_contested_has_one_short_line_and_a_why_button_but_not_the_note() -> None:
    note = "No Drucker source exists; the line was first recorded in 2000, at Ford."
    q = quote_view(confidence="contested", author="Peter Drucker", attribution_note=note)
    blocks = quote_blocks(q)
    assert shown(byline(blocks)) == "— Peter Drucker"
    (line,) = [b for b in blocks if b.get("accessory")]
    assert line["text"]["text"] == "⚠ attribution contested"
    assert line["accessory"] == {
        "type": "button",
        "action_id": WHY_CONTESTED,
        "text": {"type": "plain_text", "text": "Why?", "emoji": True},
        "value": "7",
    }
    assert note not in json.dumps(blocks)
    assert quote_text(q).endswith("(attribution contested)")


def test_why_answers_with_the_note() -> None:
    q = quote_view(confidence="contested", author="Peter Drucker", attribution_note="First recorded in 2000 & later.")
    message = why_contested_message(q)
    assert message.text == "Why the attribution is contested: First recorded in 2000 &amp; later."
    assert "*Why the attribution is contested*\nFirst recorded in 2000 &amp; later." in mrkdwn_texts(message.blocks)


# -- user text as plain text -----------------------------------------------------------------

HOSTILE = {
    "text": "Ping <!channel> & <!here> <@U123> *now* _please_ `code` ~x~ https://evil.example www.evil.example",
    "author": "*Fake* <!everyone>",
    "source": "<https://x.example|click me> _Book_",
}


@pytest.mark.parametrize("confidence", ["sourced", "attributed", "contested"])
def test_user_text_is_shown_as_written_never_parsed(confidence: str) -> None:
    q = quote_view(confidence=confidence, submitted_by="U42", attribution_note="note", **HOSTILE)
    for blocks in (quote_blocks(q), quote_post_message(q).blocks, member_home(quote=q)["blocks"]):
        literal = literal_texts(blocks)
        # Exactly as typed, in elements Slack never parses ...
        assert HOSTILE["text"] in literal and HOSTILE["author"] in literal and HOSTILE["source"] in literal
        # ... and in no mrkdwn object, where it could format, link or ping.
        for value in HOSTILE.values():
            for piece in ("<!channel>", "*Fake*", "https://evil.example", "_Book_", "<https://x.example"):
                if piece in value:
                    assert not any(piece in m for m in mrkdwn_texts(blocks))
        # No link, mention or broadcast elements, and no styling on the user's words.
        kinds = {o.get("type") for o in walk(blocks)}
        assert not kinds & {"link", "user", "broadcast", "channel", "usergroup"}
        styled = [o for o in walk(blocks) if o.get("type") == "text" and o.get("style")]
        assert all(o["text"] != HOSTILE["text"] and o["text"] != HOSTILE["author"] for o in styled)
    # A team quote's source is the submitter's text: not even our italics.
    assert not [o for o in walk(quote_blocks(q)) if o.get("text") == HOSTILE["source"] and o.get("style")]


def test_an_author_written_with_stars_cannot_break_the_byline() -> None:
    q = quote_view(author="*Fake*", text="Bold *claims* need _bold_ proof.")
    elements = byline(quote_blocks(q))
    assert elements == [{"type": "text", "text": "— attributed to "}, {"type": "text", "text": "*Fake*"}]


def test_the_fallback_text_is_escaped() -> None:
    q = quote_view(**HOSTILE)
    fallback = quote_text(q) + quote_post_message(q).text
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://x.example|click me>"):
        assert raw not in fallback
    assert "&lt;!channel&gt; &amp; &lt;!here&gt;" in fallback


def test_a_bad_submitter_id_is_not_turned_into_a_mention() -> None:
    q = quote_view(submitted_by="U42> <!channel")
    assert not any("<!channel" in m for m in mrkdwn_texts(quote_blocks(q)))
    assert "Submitted by <@U42>" in mrkdwn_texts(quote_blocks(quote_view(submitted_by="U42")))


# -- tags, the daily post --------------------------------------------------------------------


def test_tags_are_plain_text_not_code_and_the_seed_marker_is_hidden() -> None:
    blocks = quote_blocks(quote_view(tags=("seed-article", "selling", "discovery")))
    context = blocks[-1]
    assert context["type"] == "context"
    assert context["elements"][0] == {"type": "plain_text", "text": "#selling  #discovery", "emoji": False}
    assert "`" not in json.dumps(blocks)


def test_the_daily_post_invites_people_in_under_thequote_view() -> None:
    message = quote_post_message(quote_view(confidence="contested", attribution_note="n"))
    assert message.blocks[0]["text"]["text"] == "*Leadership quote of the day*"
    assert message.blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": POST_INVITE}]}
    assert "React to vote for the team's favourites" in POST_INVITE and "`/quote add` to share one" in POST_INVITE


# -- limits ----------------------------------------------------------------------------------


def test_worst_case_text_still_fits_slacks_limits() -> None:
    q = quote_view(
        text="&" * 500, author="&" * 100, source="<" * 300, confidence="contested", attribution_note="&" * 1000
    )
    for blocks in (quote_post_message(q).blocks, why_contested_message(q).blocks):
        for b in blocks:
            parsed = Block.parse(b)
            assert parsed is not None
            parsed.validate_json()  # raises SlackObjectFormationError when over a limit
        assert all(len(m) <= 3000 for m in mrkdwn_texts(blocks))


def test_cached_blocks_are_copies() -> None:
    q = quote_view()
    first = quote_blocks(q)
    first.append({"type": "divider"})
    assert quote_blocks(q) != first
