""" "Save as leadership quote" on one of coachbot's own posts, over signed HTTP (issue 20).

A daily post's text is the quote with its byline and credit ("— attributed to Ernest
Hemingway (submitted by <@U2>)"); pre-filling the form from it offered a quote that is
already in rotation, with the credit folded into the author. The shortcut says so instead.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.blocks.daily import quote_post_message
from tests.factories import quote_view
from tests.fakes.slack_api import DEFAULT_BOT_ID, DEFAULT_BOT_USER_ID, FakeSlack
from tests.harness import SlackSender, until

POST = quote_post_message(
    quote_view(
        text="The way to get started is to quit talking and begin doing.",
        author="Ernest Hemingway",
        tags=("action",),
        submitted_by="U2",
    )
)


def shortcut_on(slack: SlackSender, message: dict[str, Any]) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "save_leadership_quote",
        "user": {"id": "U3", "username": "cy", "team_id": slack.team_id},
        "channel": {"id": "C1", "name": "general"},
        "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
        "message_ts": message["ts"],
        "message": message,
        "response_url": slack.response_url() if slack.response_url else "https://hooks.invalid/none",
    }
    assert slack.interactive(payload).status_code == 200


@pytest.mark.parametrize(
    "sender",
    [
        {"bot_id": DEFAULT_BOT_ID, "user": DEFAULT_BOT_USER_ID},
        {"bot_id": DEFAULT_BOT_ID},
        {"user": DEFAULT_BOT_USER_ID},
    ],
)
def test_the_shortcut_on_a_daily_post_says_the_quote_is_already_in_rotation(
    slack: SlackSender, fake_slack: FakeSlack, sender: dict[str, str]
) -> None:
    message = {"type": "message", "ts": "1700000000.000200", "text": POST.text, "blocks": POST.blocks, **sender}
    assert "(submitted by <@U2>)" in POST.text  # what the form used to be pre-filled from
    shortcut_on(slack, message)
    (answer,) = until(fake_slack.responses)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("That's one of my own posts: its quote is already in rotation")
    assert '`/quote add "text" — Author`' in answer["text"]
    assert fake_slack.calls_to("views.open") == []


def test_another_apps_post_still_opens_the_form(slack: SlackSender, fake_slack: FakeSlack) -> None:
    message = {"type": "message", "ts": "1700000000.000300", "bot_id": "BOTHER", "text": "“Ship it.” — Ann Lee"}
    shortcut_on(slack, message)
    (call,) = fake_slack.wait_for("views.open")
    assert call.json("view")["callback_id"] == "submit_quote"
    assert fake_slack.responses() == []
