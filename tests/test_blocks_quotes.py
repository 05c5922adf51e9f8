"""The quote message builder: escaping, credit, and Slack's size limits."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot.blocks.quotes import quote_blocks, quote_text
from bot.services.quotes import QuoteView


def _quote(**kw: object) -> QuoteView:
    base: dict[str, object] = {
        "id": 1,
        "text": "You manage things; you lead people.",
        "author": "Grace Hopper",
        "source": None,
        "tags": ("leadership",),
        "contested": False,
        "attribution_note": None,
        "submitted_by": None,
    }
    base.update(kw)
    return QuoteView(**base)  # type: ignore[arg-type]


def test_markup_in_user_text_is_escaped_and_cannot_ping() -> None:
    q = _quote(text="Ping <!channel> & <!here> <@U123> now please", author="<!everyone>", source="<https://x|y>")
    rendered = json.dumps(quote_blocks(q)) + quote_text(q)
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://x|y>"):
        assert raw not in rendered
    assert "&lt;!channel&gt; &amp; &lt;!here&gt;" in rendered


def test_team_quote_is_credited_and_contested_marked() -> None:
    blocks = quote_blocks(_quote(submitted_by="U42", contested=True, attribution_note="Often misattributed."))
    context = json.dumps(blocks[-1])
    assert "Submitted by <@U42>" in context and "attribution contested" in context


def test_worst_case_escaping_still_fits_slacks_limits() -> None:
    q = _quote(text="&" * 500, author="&" * 100, source="<" * 300, contested=True, attribution_note="&" * 1000)
    blocks = quote_blocks(q)
    assert len(blocks[0]["text"]["text"]) <= 3000
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None
        parsed.validate_json()  # raises SlackObjectFormationError when over a limit


def test_cached_blocks_are_copies() -> None:
    q = _quote()
    first = quote_blocks(q)
    first.append({"type": "divider"})
    assert quote_blocks(q) != first
