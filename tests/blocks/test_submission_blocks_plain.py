"""User text in the submissions builders is plain text: never bold, italic or code, no
links; an author written ``*Fake*`` can't restyle the byline. Builders called directly, and
the review card and `/quote mine` over signed HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.services.favourites import Favourite, SearchResult
from bot.services.quotes import QuoteView
from bot.services.submissions import APPROVED, DECLINED, PENDING, REJECTED, Listing, NearDup, SubmissionView
from tests.factories import quote_view
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TEXT = "Visit https://evil.example/x or evil.com *NOW* _please_ `rm -rf` ~gone~ <!channel>"
AUTHOR = "*Fake* _Author_ evil.org"
MARKERS = ("NOW", "please", "rm -rf", "gone", "Fake", "Author", "evil")


def sub(status: str = PENDING, **kw: Any) -> SubmissionView:
    base: dict[str, Any] = {
        "id": 7,
        "team_id": "T1",
        "enterprise_id": None,
        "submitter_id": "U1",
        "text": TEXT,
        "author": AUTHOR,
        "author_user_id": None,
        "source": "*Book* http://x.io",
        "tags": ("coaching",),
        "via": "command",
        "status": status,
        "near_dup": None,
        "decided_by": "UADMIN" if status in (APPROVED, REJECTED) else None,
        "decided_at": None,
        "reason": "*Nope* see https://evil.example" if status == REJECTED else None,
        "quote_id": None,
        "created_at": NOW,
    }
    base.update(kw)
    return SubmissionView(**base)


def text_objects(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                yield block[key]
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                yield element


def assert_plain(blocks: list[dict[str, Any]], fallback: str = "") -> None:
    for obj in text_objects(blocks):
        if obj["type"] == "mrkdwn":
            assert not any(m in obj["text"] for m in MARKERS), obj["text"]
        else:
            assert "https://" not in obj["text"] and "http://" not in obj["text"], obj["text"]
            assert "evil.com" not in obj["text"] and "evil.example" not in obj["text"], obj["text"]
    for marker in ("https://", "evil.com", "<!channel>"):
        assert marker not in json.dumps(blocks) + fallback


def plain_test_quote() -> QuoteView:
    return quote_view(id=3, text=TEXT, author=AUTHOR, tags=(), submitted_by="U1")


def test_every_builder_shows_user_text_as_plain_text() -> None:
    near = NearDup(score=95, text=TEXT, author=AUTHOR, submission_id=3, submitted_by="U2")
    built: list[Message] = [
        ui.review_message(sub(near_dup=near)),
        ui.decided_message(sub(APPROVED)),
        ui.decided_message(sub(REJECTED)),
        ui.decided_message(sub(DECLINED, reason="*withdrawn* evil.com")),
        ui.consent_request(sub(author_user_id="U2")),
        ui.consent_answered(sub(author_user_id="U2")),
        ui.submitted_message(sub()),
        ui.outcome_dm(sub(APPROVED)),
        ui.outcome_dm(sub(REJECTED)),
        ui.mine_message(Listing(items=(sub(), sub(REJECTED)), total=2)),
        ui.pending_message(Listing(items=(sub(near_dup=near),), total=1)),
        ui.top_message([Favourite(plain_test_quote(), 3)], "30d"),
        ui.search_message(SearchResult(words=("*NOW*", "evil.com"), quotes=(plain_test_quote(),), total=1)),
    ]
    for message in built:
        assert_plain(message.blocks, message.text)
    # The byline is the author as typed, in a plain_text object: "*Fake*" stays literal.
    (quote,) = [o for o in text_objects(ui.review_message(sub()).blocks) if o["type"] == "plain_text"]
    assert "— *Fake* _Author_ evil[.]org" in quote["text"]


def test_the_review_card_and_mine_over_http_keep_user_text_plain(slack: SlackSender, fake_slack: FakeSlack) -> None:
    typed = 'add "Visit https://evil.example/x *NOW* _please_ today" — *Fake*'
    assert slack.command("/quote", typed, user="U1").status_code == 200
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    assert_plain(card.json("blocks"), str(card.get("text")))
    mine = slack.command("/quote", "mine", user="U1").json()
    assert_plain(mine["blocks"], mine["text"])
