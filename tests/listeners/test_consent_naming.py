"""Consent covers every way of naming a member, over signed HTTP against the fake Slack:
mention, @handle, display or real name, any case, look-alike letters, invisible characters,
the shortcut's pre-filled author. An opted-out member is refused outright."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Quote, Submission
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text, until

TEXT = "Coach the player in front of you, not the one you wish you had."

# U2 is "Bob Rep", handle "bob", in the fake (tests/conftest.py).
WAYS_OF_NAMING_U2 = {
    "mention": "<@U2|bob>",
    "@handle": "@bob",
    "@handle, other case": "@u2",
    "handle": "bob",
    "handle in capitals": "BOB",
    "real name": "Bob Rep",
    "real name, lower case": "bob rep",
    "Cyrillic o": "B\u043eb Rep",
    "soft hyphen": "Bo\u00adb Rep",
    "Hangul filler for the space": "Bob\u3164Rep",
    "zero-width joiner": "Bob R\u200dep",
    "fullwidth": "Ｂｏｂ Ｒｅｐ",
    "user id": "@U2",
}


def rows(sessions: Sessions) -> list[Submission]:
    with sessions() as s:
        return list(s.scalars(select(Submission).order_by(Submission.id)))


def add(slack: SlackSender, author: str, *, user: str = "U1", text: str = TEXT) -> str:
    return ephemeral_text(slack.command("/quote", f'add "{text}" — {author}', user=user))


def consent_dms(fake: FakeSlack, user: str = "U2") -> list[Any]:
    return [c for c in fake.calls_to("chat.postMessage", channel=user) if "consent" in json.dumps(c.json("blocks"))]


@pytest.mark.parametrize("way", sorted(WAYS_OF_NAMING_U2))
def test_every_way_of_naming_a_member_asks_them_first(
    way: str, slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    reply = add(slack, WAYS_OF_NAMING_U2[way])
    assert "<@U2> has to agree to be quoted" in reply, reply
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id) == ("awaiting_consent", "U2")
    assert until(lambda: consent_dms(fake_slack))


@pytest.mark.parametrize("way", sorted(WAYS_OF_NAMING_U2))
def test_an_opted_out_member_is_refused_however_named(
    way: str, slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    assert "Done" in ephemeral_text(slack.command("/quote", "optout", user="U2"))
    reply = add(slack, WAYS_OF_NAMING_U2[way])
    assert "<@U2> has opted out of being quoted" in reply and "Thanks" not in reply
    assert rows(sessions) == []
    time.sleep(0.1)
    assert consent_dms(fake_slack) == []


def test_a_handle_is_credited_as_the_members_name(slack: SlackSender, sessions: Sessions) -> None:
    add(slack, "@bob")
    (row,) = rows(sessions)
    assert (row.author, row.author_user_id) == ("Bob Rep", "U2")


def test_a_name_that_is_nobody_here_goes_straight_to_review(slack: SlackSender, sessions: Sessions) -> None:
    assert "with an admin for review" in add(slack, "Jordan Lee")
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id) == ("pending", None)


def test_quoting_yourself_by_name_needs_no_consent(slack: SlackSender, sessions: Sessions) -> None:
    assert "with an admin for review" in add(slack, "Bob Rep", user="U2")
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id) == ("pending", "U2")


def test_a_real_name_that_looks_like_an_id_is_still_a_name(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_user("U5", name="five", real_name="User U5")
    assert "<@U5> has to agree" in add(slack, "User U5")
    assert rows(sessions)[0].author_user_id == "U5"


def test_a_name_shared_by_two_members_asks_for_a_mention(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_user("U6", name="sam1", real_name="Sam Lee")
    fake_slack.add_user("U7", name="sam2", real_name="Sam Lee")
    reply = add(slack, "Sam Lee")
    assert "more than one member" in reply and "<@U6>" in reply and "<@U7>" in reply
    assert rows(sessions) == []


def test_a_slow_member_list_answers_after_the_ack(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    # users.list takes longer than the request may wait: the answer comes through
    # response_url once the list is in, and nothing is stored before the author is checked.
    fake_slack.hang("users.list", 2.5, times=1)
    resp = slack.command("/quote", f'add "{TEXT}" — Bob Rep', user="U1", wait_for_answer=False)
    assert resp.status_code == 200 and not (resp.content and resp.json().get("text"))
    (reply,) = until(fake_slack.responses, timeout=10)
    assert "<@U2> has to agree to be quoted" in json.dumps(reply)
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id) == ("awaiting_consent", "U2")


def _shortcut(slack: SlackSender, poster: str) -> Any:
    payload = {
        "type": "message_action",
        "callback_id": "save_leadership_quote",
        "user": {"id": "U1", "username": "u1", "team_id": "T1"},
        "channel": {"id": "C1", "name": "general"},
        "trigger_id": "trig.shortcut1",
        "message_ts": "1700000000.000100",
        "message": {"type": "message", "user": poster, "ts": "1700000000.000100", "text": TEXT},
        "response_url": "https://hooks.invalid/none",
    }
    return slack.interactive(payload)


@pytest.mark.parametrize("edit", ["as pre-filled", "with a soft hyphen", "with a zero-width space"])
def test_the_shortcuts_pre_filled_author_goes_through_consent(
    edit: str, slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    assert _shortcut(slack, poster="U2").status_code == 200
    (opened,) = until(lambda: fake_slack.calls_to("views.open"))
    view = opened.json("view")
    author = next(b for b in view["blocks"] if b.get("block_id") == "author")["element"]["initial_value"]
    assert author == "Bob Rep"
    author = {
        "as pre-filled": author,
        "with a soft hyphen": "Bo\u00adb Rep",
        "with a zero-width space": "Bob\u200b Rep",
    }[edit]
    values = {
        "text": {"text": {"type": "plain_text_input", "value": TEXT}},
        "author": {"author": {"type": "plain_text_input", "value": author}},
    }
    resp = slack.view_submission("submit_quote", values, user="U1", private_metadata=view["private_metadata"])
    assert resp.status_code == 200 and not resp.content
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id) == ("awaiting_consent", "U2")
    assert until(lambda: consent_dms(fake_slack))


def test_the_shortcut_refuses_an_opted_out_member_under_the_author_field(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/quote", "optout", user="U2")
    _shortcut(slack, poster="U2")
    (opened,) = until(lambda: fake_slack.calls_to("views.open"))
    values = {
        "text": {"text": {"type": "plain_text_input", "value": TEXT}},
        "author": {"author": {"type": "plain_text_input", "value": "Bo\u00adb Rep"}},
    }
    meta = opened.json("view")["private_metadata"]
    resp = slack.view_submission("submit_quote", values, user="U1", private_metadata=meta)
    body = resp.json()
    assert body["response_action"] == "errors" and "opted out" in body["errors"]["author"]
    # A form error speaks of the form, not of slash-command syntax.
    assert "/quote add" not in body["errors"]["author"] and "Who said it" in body["errors"]["author"]
    assert rows(sessions) == []


def test_opting_out_withdraws_and_retires_quotes_naming_them_in_plain_text(
    slack: SlackSender, sessions: Sessions, clock: Any
) -> None:
    # Sent in before names were checked: plain-text authors, no quoted member recorded.
    from bot.services import submissions as svc

    with sessions.begin() as s:
        waiting = svc.submit(
            s,
            team_id="T1",
            enterprise_id=None,
            submitter_id="U1",
            text=TEXT,
            author="Bob Rep",
            via="command",
            now=clock.now,
        )
        approved = svc.submit(
            s,
            team_id="T1",
            enterprise_id=None,
            submitter_id="U3",
            text="Another line worth keeping around.",
            author="BOB",
            via="command",
            now=clock.now,
        )
        svc.approve(s, team_id="T1", submission_id=approved.id, admin_id="UADMIN", actor_is_admin=True, now=clock.now)
        other = svc.submit(
            s,
            team_id="T1",
            enterprise_id=None,
            submitter_id="U1",
            text="Someone else entirely said this.",
            author="Jordan Lee",
            via="command",
            now=clock.now,
        )
    text = ephemeral_text(slack.command("/quote", "optout", user="U2"))
    assert "I withdrew 1 quote of yours" in text and "1 approved quote of yours left the daily rotation" in text
    with sessions() as s:
        assert s.get(Submission, waiting.id).status == "declined"  # type: ignore[union-attr]
        assert s.get(Submission, other.id).status == "pending"  # type: ignore[union-attr]
        quote = s.scalars(select(Quote).where(Quote.submission_id == approved.id)).one()
        assert quote.active is False


def test_a_slow_member_list_finishes_the_form_after_it_closes(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.hang("users.list", 2.5, times=1)
    values = {
        "text": {"text": {"type": "plain_text_input", "value": TEXT}},
        "author": {"author": {"type": "plain_text_input", "value": "Bob Rep"}},
    }
    resp = slack.view_submission("submit_quote", values, user="U1", private_metadata=json.dumps({"via": "home"}))
    assert resp.status_code == 200 and not resp.content  # the form closes at once
    (dm,) = until(lambda: fake_slack.calls_to("chat.postMessage", channel="U1"), timeout=10)
    assert "<@U2> has to agree to be quoted" in json.dumps(dm.json("blocks"))
    (row,) = rows(sessions)
    assert (row.status, row.author_user_id, row.via) == ("awaiting_consent", "U2", "home")


def test_when_slack_gives_no_member_list_nothing_is_stored_and_the_reply_says_why(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    # Consent can't be checked, so the quote is refused rather than let through unchecked.
    fake_slack.fail("users.list", "internal_error")
    resp = slack.command("/quote", f'add "{TEXT}" — Bob Rep', user="U1")
    assert resp.status_code == 200
    (reply,) = until(fake_slack.responses, timeout=10)
    assert "couldn't check whether “Bob Rep” is a teammate" in reply["text"] and "not saved" in reply["text"]
    assert rows(sessions) == []
    # A quote with no author names nobody and needs no list.
    fake_slack.clear_failures()
    assert "Thanks" in ephemeral_text(slack.command("/quote", f'add "{TEXT}"', user="U1"))


# A member whose handle, display name and real name all differ, named in plain text every way
# a person could type them, by `/quote add` and by the form (issue 19: none may skip consent).
U8_NAMES = {
    "@handle": "@dana.k",
    "handle": "dana.k",
    "@handle, capitals": "@DANA.K",
    "display name": "DK Sales",
    "@display name": "@DK Sales",
    "display name, lower case": "dk sales",
    "real name": "Dana Kim",
    "real name, Cyrillic a": "D\u0430na Kim",
    "real name, Greek K": "Dana \u039aim",
    "real name, soft hyphen": "Da\u00adna Kim",
    "display name, soft hyphen": "DK Sa\u00adles",
    "handle, zero-width space": "@dana\u200b.k",
    "user id": "U8",
    "@user id, lower case": "@u8",
    "User U8 style real name": "User U8",
}


@pytest.mark.parametrize("way", sorted(U8_NAMES))
@pytest.mark.parametrize("path", ["command", "form"])
def test_a_member_named_in_plain_text_any_way_is_asked_first(
    way: str, path: str, slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_user("U8", name="dana.k", real_name="Dana Kim", display_name="DK Sales")
    fake_slack.add_user("U9", name="nine", real_name="User U8" if way == "User U8 style real name" else "Nine")
    expected = "U9" if way == "User U8 style real name" else "U8"
    author = U8_NAMES[way]
    if path == "command":
        reply = add(slack, author)
        assert f"<@{expected}> has to agree to be quoted" in reply, reply
    else:
        values = {
            "text": {"text": {"type": "plain_text_input", "value": TEXT}},
            "author": {"author": {"type": "plain_text_input", "value": author}},
        }
        resp = slack.view_submission("submit_quote", values, user="U1", private_metadata=json.dumps({"via": "home"}))
        assert resp.status_code == 200 and not resp.content
    (row,) = until(lambda: rows(sessions))
    assert (row.status, row.author_user_id) == ("awaiting_consent", expected)
    assert until(lambda: consent_dms(fake_slack, expected))
