"""A submitted quote's notification text (a message's top-level ``text``, which Slack formats as
mrkdwn) is as plain as its blocks: no bold, italic, strike or code from the member's markup, no
link, no ping (issue 19). Checked on every chat.postMessage and chat.update the fake recorded."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks import quotes as quote_ui
from bot.db.engine import Sessions
from bot.services.text import plain_fallback
from tests.factories import quote_view
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, until

TYPED = "*Bold* _it_ ~gone~ `code` https://evil.example/x evil.com <!channel>"
RAW_MARKUP = ("*Bold*", "_it_", "~gone~", "`code`", "https://", "evil.com", "evil.example", "<!channel>", "*Fake*")


def assert_plain_text(text: str) -> None:
    for marker in RAW_MARKUP:
        assert marker not in text, (marker, text)


def test_plain_fallback_keeps_the_words_and_drops_the_markup() -> None:
    shown = plain_fallback("*Bold* _it_ ~gone~ `code` https://evil.example <!channel>")
    assert_plain_text(shown)
    for word in ("Bold", "it", "gone", "code", "evil", "example", "channel"):
        assert word in shown


def test_a_team_quotes_notification_text_is_plain() -> None:
    q = quote_view(
        id=1,
        text="*Bold* _it_ ~gone~ `code` https://evil.example/x evil.com <!channel>",
        author="*Fake* evil.org",
        tags=(),
        submitted_by="U1",
    )
    text = quote_ui.quote_text(q)
    assert_plain_text(text)
    assert "evil.org" not in text and "Bold" in text and "Fake" in text


def test_every_post_and_update_about_a_submission_has_plain_text(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack = start_app()
    assert slack.command("/quote", f'add "{TYPED}" — *Fake*', user="U1").status_code == 200
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    assert "Bold" in str(card.get("text"))  # the quote is in the notification, as plain text
    value = next(
        e["value"]
        for b in card.json("blocks")
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == "submission_approve"
    )
    approve = slack.block_action(
        "submission_approve", value, user="UADMIN", channel=card.response["channel"], message_ts=card.response["ts"]
    )
    assert approve.status_code == 200
    assert until(lambda: fake_slack.calls_to("chat.update") and fake_slack.calls_to("chat.postMessage", channel="U1"))
    # The approved quote is now the team's: /quote and the daily post carry it.
    assert slack.command("/quote", "search Bold", user="U2").status_code == 200
    sent = [*fake_slack.calls_to("chat.postMessage"), *fake_slack.calls_to("chat.update")]
    assert len(sent) >= 3
    for call in sent:
        assert_plain_text(str(call.get("text")))
