"""Moderation and consent over signed HTTP: review cards, admin-only decisions, edits,
rejections, racing approvals, the quoted member's consent, opt-outs, mine/review lists."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Quote, ReviewMessage, Submission
from tests.fakes.slack_api import Call, FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text, until

TEXT = "Coach the player in front of you, not the one you wish you had."
REVIEW = "CREVIEW"


@pytest.fixture
def rslack(start_app: Callable[..., SlackSender], fake_slack: FakeSlack) -> SlackSender:
    fake_slack.add_channel(REVIEW, name="quote-review")
    fake_slack.add_user("UBOSS", name="boss2", real_name="Sam Owner", is_owner=True)
    return start_app(COACHBOT_REVIEW_CHANNEL=REVIEW)


def row(sessions: Sessions, sub_id: int) -> Submission:
    with sessions() as s:
        got = s.get(Submission, sub_id)
        assert got is not None
        return got


def team_quotes(sessions: Sessions) -> list[Quote]:
    with sessions() as s:
        return list(s.scalars(select(Quote).where(Quote.team_id.is_not(None)).order_by(Quote.id)))


def submit(
    slack: SlackSender, fake: FakeSlack, sessions: Sessions, text: str = TEXT, user: str = "U1"
) -> tuple[int, Call]:
    """Submit with `/quote add` and wait until its review card is posted and remembered."""
    before = len(fake.calls_to("chat.postMessage", channel=REVIEW))
    assert "Thanks!" in ephemeral_text(slack.command("/quote", f'add "{text}" — Jordan Lee', user=user))
    card = fake.wait_for("chat.postMessage", count=before + 1, channel=REVIEW)[-1]
    with sessions() as s:
        sub_id = s.scalars(select(Submission.id).order_by(Submission.id.desc())).first()
    assert sub_id is not None
    until(lambda: _remembered(sessions, sub_id))
    return sub_id, card


def _remembered(sessions: Sessions, sub_id: int) -> bool:
    with sessions() as s:
        return s.scalars(select(ReviewMessage).where(ReviewMessage.submission_id == sub_id)).first() is not None


def press(slack: SlackSender, action: str, sub_id: int, user: str, card: Call | None = None) -> requests.Response:
    ts = card.response["ts"] if card else None
    channel = card.response["channel"] if card else "C1"
    resp = slack.block_action(action, str(sub_id), user=user, channel=channel, message_ts=ts)
    assert resp.status_code == 200
    return resp


def press_replies(fake: FakeSlack) -> list[dict[str, Any]]:
    """What reached a response_url, except the answers to ``submit``'s ``/quote add`` (which
    come there when the member list had to be fetched first: the ack does not wait on Slack)."""
    return [r for r in fake.responses() if not str(r.get("text", "")).startswith("Thanks! Quote #")]


def private_replies(fake: FakeSlack) -> list[str]:
    return [str(r.get("text", "")) for r in press_replies(fake)]


def blocks_text(call: Call) -> str:
    return json.dumps(call.json("blocks"), ensure_ascii=False)


# -- the review card ----------------------------------------------------------------------------


def test_review_card_shows_quote_author_submitter_and_buttons(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions, text="Ship it & <!here> learn fast, then ship again.")
    shown = blocks_text(card)
    assert "Ship it &amp; learn fast" in shown and "<!here>" not in shown
    assert "Jordan Lee" in shown and "<@U1>" in shown
    buttons = [e["action_id"] for b in card.json("blocks") if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["submission_approve", "submission_edit", "submission_reject"]
    with sessions() as s:
        (rm,) = s.scalars(select(ReviewMessage))
    assert (rm.submission_id, rm.channel_id, rm.ts) == (sub_id, REVIEW, card.response["ts"])


def test_without_a_review_channel_each_admin_gets_a_dm_and_every_copy_is_updated(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_user("UADM2", name="adm2", real_name="Second Admin")
    slack = start_app(COACHBOT_ADMINS="UADMIN,UADM2")
    slack.command("/quote", f'add "{TEXT}" — Jordan Lee', user="U1")
    fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    fake_slack.wait_for("chat.postMessage", channel="UADM2")
    with sessions() as s:
        sub_id = s.scalars(select(Submission.id)).one()
    until(lambda: len(_cards(sessions)) == 2)
    press(slack, "submission_approve", sub_id, "UADM2")
    updates = fake_slack.wait_for("chat.update", count=2)
    assert {(u.get("channel"), u.get("ts")) for u in updates} == set(_cards(sessions))


def test_review_channel_the_bot_cannot_post_in_falls_back_to_admin_dms(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_channel("CLOCKED", name="locked", is_private=True, bot_is_member=False)
    slack = start_app(COACHBOT_REVIEW_CHANNEL="CLOCKED")
    slack.command("/quote", f'add "{TEXT}" — Jordan Lee', user="U1")
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    assert card.ok and "submission_approve" in blocks_text(card)
    assert until(lambda: _cards(sessions)) == [("DUADMIN", card.response["ts"])]


def _cards(sessions: Sessions) -> list[tuple[str, str]]:
    with sessions() as s:
        return [(r.channel_id, r.ts) for r in s.scalars(select(ReviewMessage))]


# -- approve ----------------------------------------------------------------------------------------


def test_non_admin_approve_is_refused_privately_and_changes_nothing(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    press(rslack, "submission_approve", sub_id, "U2", card)
    # The admin check asks Slack (users.info), so the press is acked first and answered after.
    (reply,) = until(lambda: press_replies(fake_slack))
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Only coachbot admins" in reply["text"]
    assert row(sessions, sub_id).status == "pending"
    assert team_quotes(sessions) == []
    assert not fake_slack.calls_to("chat.update")


def test_admin_approve_adds_the_team_quote_updates_the_card_and_dms_the_submitter(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, clock: TestClock
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions, user="U1")
    press(rslack, "submission_approve", sub_id, "UADMIN", card)
    (update,) = fake_slack.wait_for("chat.update", channel=REVIEW, ts=card.response["ts"])
    shown = blocks_text(update)
    assert "Approved" in shown and "<@UADMIN>" in shown and "submission_approve" not in shown
    (dm,) = fake_slack.wait_for("chat.postMessage", channel="U1", text=lambda t: "approved" in t)
    assert "<@UADMIN>" in dm.get("text")
    sub = row(sessions, sub_id)
    assert (sub.status, sub.decided_by, sub.decided_at) == ("approved", "UADMIN", clock.now)
    (quote,) = team_quotes(sessions)
    assert (quote.team_id, quote.text, quote.author, quote.submitted_by, quote.submission_id) == (
        "T1",
        TEXT,
        "Jordan Lee",
        "U1",
        sub_id,
    )
    assert quote.active and quote.approved_at == clock.now and sub.quote_id == quote.id
    assert press_replies(fake_slack) == []  # pressed on the card itself: the card is the answer


def test_workspace_owner_counts_as_admin(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    press(rslack, "submission_approve", sub_id, "UBOSS", card)
    fake_slack.wait_for("chat.update", channel=REVIEW)
    assert row(sessions, sub_id).decided_by == "UBOSS"


def test_second_approve_is_told_who_decided(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    press(rslack, "submission_approve", sub_id, "UADMIN", card)
    press(rslack, "submission_approve", sub_id, "UBOSS", card)
    assert until(lambda: any("already approved by <@UADMIN>" in t for t in private_replies(fake_slack)))
    assert len(team_quotes(sessions)) == 1


def test_two_racing_approvals_give_one_outcome(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def go(admin: str) -> None:
        barrier.wait()
        statuses.append(press(rslack, "submission_approve", sub_id, admin, card).status_code)

    threads = [threading.Thread(target=go, args=(a,)) for a in ("UADMIN", "UBOSS")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200, 200]
    until(lambda: [t for t in private_replies(fake_slack) if "already approved" in t])  # both answered
    assert len(team_quotes(sessions)) == 1
    sub = row(sessions, sub_id)
    assert sub.status == "approved" and sub.decided_by in ("UADMIN", "UBOSS")
    loser = "UBOSS" if sub.decided_by == "UADMIN" else "UADMIN"
    refusals = until(lambda: [t for t in private_replies(fake_slack) if "already approved" in t])
    assert refusals == [f"Quote #{sub_id} is already approved by <@{sub.decided_by}>, so nothing was changed."]
    assert loser not in refusals[0]
    # One outcome, announced once.
    until(lambda: fake_slack.calls_to("chat.postMessage", channel="U1", text=lambda t: "approved" in t))
    assert len(fake_slack.calls_to("chat.postMessage", channel="U1", text=lambda t: "approved" in t)) == 1


# -- edit and reject ----------------------------------------------------------------------------------


def test_edit_opens_a_prefilled_modal_and_submitting_it_approves_the_fixed_quote(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions, text="Coach the player in front of you , not the one u wish.")
    press(rslack, "submission_edit", sub_id, "UADMIN", card)
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.json("view")
    assert view["callback_id"] == "submission_edit_modal"
    prefilled = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert prefilled == {"text": "Coach the player in front of you , not the one u wish.", "author": "Jordan Lee"}
    values = {
        "text": {"text": {"type": "plain_text_input", "value": TEXT}},
        "author": {"author": {"type": "plain_text_input", "value": "Jordan A. Lee"}},
    }
    resp = rslack.view_submission(
        "submission_edit_modal", values, user="UADMIN", private_metadata=view["private_metadata"]
    )
    assert resp.status_code == 200 and resp.text == ""
    (quote,) = team_quotes(sessions)
    assert (quote.text, quote.author) == (TEXT, "Jordan A. Lee")
    (update,) = fake_slack.wait_for("chat.update", channel=REVIEW, ts=card.response["ts"])
    assert "Jordan A. Lee" in blocks_text(update) and "Approved" in blocks_text(update)


def test_edit_with_an_invalid_text_shows_the_error_and_keeps_it_pending(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    meta = json.dumps({"id": sub_id, "channel": REVIEW, "ts": card.response["ts"], "response_url": None})
    values = {"text": {"text": {"type": "plain_text_input", "value": "Too short"}}}
    resp = rslack.view_submission("submission_edit_modal", values, user="UADMIN", private_metadata=meta)
    assert resp.json()["response_action"] == "errors" and "9 characters" in resp.json()["errors"]["text"]
    assert row(sessions, sub_id).status == "pending"


def test_non_admin_cannot_open_edit_or_submit_it(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    press(rslack, "submission_edit", sub_id, "U2", card)
    assert until(lambda: any("Only coachbot admins" in t for t in private_replies(fake_slack)))
    meta = json.dumps({"id": sub_id})
    values = {"text": {"text": {"type": "plain_text_input", "value": TEXT + " Edited."}}}
    resp = rslack.view_submission("submission_edit_modal", values, user="U2", private_metadata=meta)
    assert "Only coachbot admins" in json.dumps(resp.json())
    assert row(sessions, sub_id).status == "pending" and not fake_slack.calls_to("views.open")


def test_reject_asks_for_a_reason_and_tells_the_submitter(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions, user="U3")
    press(rslack, "submission_reject", sub_id, "UADMIN", card)
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.json("view")
    assert view["callback_id"] == "submission_reject_modal"
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "Posted <!channel> last month"}}}
    resp = rslack.view_submission(
        "submission_reject_modal", values, user="UADMIN", private_metadata=view["private_metadata"]
    )
    assert resp.status_code == 200
    sub = row(sessions, sub_id)
    assert (sub.status, sub.reason, sub.decided_by) == ("rejected", "Posted last month", "UADMIN")
    (update,) = fake_slack.wait_for("chat.update", channel=REVIEW)
    assert "Rejected" in blocks_text(update) and "Posted last month" in blocks_text(update)
    (dm,) = fake_slack.wait_for("chat.postMessage", channel="U3", text=lambda t: "not accepted" in t)
    assert "Posted last month" in blocks_text(dm) and "Reason:" in blocks_text(dm)
    assert team_quotes(sessions) == []


def test_reject_without_a_reason(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    sub_id, _ = submit(rslack, fake_slack, sessions)
    resp = rslack.view_submission(
        "submission_reject_modal",
        {"reason": {"reason": {"value": None}}},
        user="UADMIN",
        private_metadata=json.dumps({"id": sub_id}),
    )
    assert resp.status_code == 200
    assert (row(sessions, sub_id).status, row(sessions, sub_id).reason) == ("rejected", None)


# -- consent ------------------------------------------------------------------------------------------


def _ask_bob(slack: SlackSender, fake: FakeSlack, sessions: Sessions) -> tuple[int, Call]:
    slack.command("/quote", f'add "{TEXT}" — <@U2>', user="U1")
    (ask,) = fake.wait_for("chat.postMessage", channel="U2")
    with sessions() as s:
        sub_id = s.scalars(select(Submission.id)).one()
    return sub_id, ask


def test_consent_allow_sends_the_quote_to_review(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, ask = _ask_bob(rslack, fake_slack, sessions)
    press(rslack, "submission_consent_allow", sub_id, "U2", ask)
    (card,) = fake_slack.wait_for("chat.postMessage", channel=REVIEW)
    assert "Bob Rep" in blocks_text(card) and "agreed to be quoted" in blocks_text(card)
    (answered,) = fake_slack.wait_for("chat.update", channel=ask.response["channel"], ts=ask.response["ts"])
    assert "You allowed it" in answered.get("text")
    fake_slack.wait_for("chat.postMessage", channel="U1", text=lambda t: "agreed to be quoted" in t)
    assert row(sessions, sub_id).status == "pending"


def test_consent_decline_is_final_and_never_reaches_review(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, ask = _ask_bob(rslack, fake_slack, sessions)
    press(rslack, "submission_consent_decline", sub_id, "U2", ask)
    fake_slack.wait_for("chat.postMessage", channel="U1", text=lambda t: "declined" in t)
    press(rslack, "submission_consent_allow", sub_id, "U2", ask)
    assert any("You already answered" in t for t in private_replies(fake_slack))
    assert row(sessions, sub_id).status == "declined"
    # An admin can't approve it either.
    press(rslack, "submission_approve", sub_id, "UADMIN")
    assert row(sessions, sub_id).status == "declined"
    assert not fake_slack.calls_to("chat.postMessage", channel=REVIEW) and team_quotes(sessions) == []


def test_only_the_quoted_member_can_answer(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    sub_id, ask = _ask_bob(rslack, fake_slack, sessions)
    press(rslack, "submission_consent_allow", sub_id, "U1", ask)
    assert any("Only <@U2> can allow" in t for t in private_replies(fake_slack))
    assert row(sessions, sub_id).status == "awaiting_consent"


def test_quote_awaiting_consent_cannot_be_approved(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, _ = _ask_bob(rslack, fake_slack, sessions)
    press(rslack, "submission_approve", sub_id, "UADMIN")
    assert any("waiting for <@U2> to agree" in t for t in private_replies(fake_slack))
    assert team_quotes(sessions) == []


# -- opting out ------------------------------------------------------------------------------------------


def test_opted_out_member_cannot_be_quoted(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    assert "won't accept quotes attributed to you" in ephemeral_text(rslack.command("/quote", "optout", user="U2"))
    text = ephemeral_text(rslack.command("/quote", f'add "{TEXT}" — <@U2>', user="U1"))
    assert "<@U2> has opted out of being quoted" in text
    with sessions() as s:
        assert s.scalars(select(Submission)).all() == []
    assert "can quote you again" in ephemeral_text(rslack.command("/quote", "optin", user="U2"))
    assert "Thanks!" in ephemeral_text(rslack.command("/quote", f'add "{TEXT}" — <@U2>', user="U1"))


def test_opting_out_withdraws_waiting_quotes_and_retires_approved_ones(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, ask = _ask_bob(rslack, fake_slack, sessions)
    press(rslack, "submission_consent_allow", sub_id, "U2", ask)
    card = fake_slack.wait_for("chat.postMessage", channel=REVIEW)[0]
    until(lambda: _remembered(sessions, sub_id))
    press(rslack, "submission_approve", sub_id, "UADMIN", card)
    rslack.command("/quote", 'add "Listen twice as much as you talk, every single day." — <@U2>', user="U3")
    text = ephemeral_text(rslack.command("/quote", "optout", user="U2"))
    assert "withdrew 1" in text and "1 approved quote" in text
    assert [q.active for q in team_quotes(sessions)] == [False]
    with sessions() as s:
        statuses = [r.status for r in s.scalars(select(Submission).order_by(Submission.id))]
    assert statuses == ["approved", "declined"]
    fake_slack.wait_for("chat.postMessage", channel="U3", text=lambda t: "declined to be quoted" in t)


# -- lists ---------------------------------------------------------------------------------------------------


def test_quote_mine_lists_my_submissions_with_status(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions, user="U1")
    submit(rslack, fake_slack, sessions, text="Listen twice as much as you talk, every single day.", user="U1")
    submit(rslack, fake_slack, sessions, text="Someone else's quote about coaching and listening.", user="U2")
    press(rslack, "submission_approve", sub_id, "UADMIN", card)
    text = ephemeral_text(rslack.command("/quote", "mine", user="U1"))
    assert "Your submitted quotes* (2)" in text
    assert "approved by <@UADMIN>" in text and "in review" in text
    assert "Someone else" not in text


def test_quote_review_is_for_admins_only(rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    submit(rslack, fake_slack, sessions)
    text = ephemeral_text(rslack.command("/quote", "review", user="U1"))
    assert "Only coachbot admins" in text and "/quote mine" in text
    text = ephemeral_text(rslack.command("/quote", "review", user="UADMIN"))
    assert "waiting for review* (1)" in text and "submission_approve" in text


def test_approving_from_the_review_list_confirms_privately(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    resp = rslack.block_action("submission_approve", str(sub_id), user="UADMIN", channel="C1", message_ts="9.9")
    assert resp.status_code == 200
    until(lambda: press_replies(fake_slack))
    (reply,) = press_replies(fake_slack)
    assert reply["text"].startswith(f"Quote #{sub_id}: ✅ *Approved* by <@UADMIN>")
    fake_slack.wait_for("chat.update", channel=REVIEW, ts=card.response["ts"])


def test_another_workspace_cannot_act_on_this_ones_submission(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, _ = submit(rslack, fake_slack, sessions)
    other = rslack.as_team("T2")
    resp = other.block_action("submission_approve", str(sub_id), user="UADMIN")
    assert resp.status_code == 200
    # With one bot token the app refuses another workspace's request before any listener runs.
    assert not any("Approved" in t for t in private_replies(fake_slack))
    assert row(sessions, sub_id).status == "pending"


def test_an_edit_cannot_name_a_teammate_who_was_never_asked(
    rslack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    sub_id, card = submit(rslack, fake_slack, sessions)
    meta = json.dumps({"id": sub_id, "channel": REVIEW, "ts": card.response["ts"], "response_url": None})
    values = {
        "text": {"text": {"type": "plain_text_input", "value": TEXT}},
        "author": {"author": {"type": "plain_text_input", "value": "B\u043eb Rep"}},  # Cyrillic о
    }
    resp = rslack.view_submission("submission_edit_modal", values, user="UADMIN", private_metadata=meta)
    body = resp.json()
    assert body["response_action"] == "errors" and "<@U2>" in body["errors"]["author"]
    assert "needs their OK" in body["errors"]["author"]
    assert row(sessions, sub_id).status == "pending" and team_quotes(sessions) == []
