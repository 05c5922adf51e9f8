"""Forged requests get 401 and change nothing; malformed signed bodies never get a 5xx."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, AppServer, SlackSender, sign

COMMAND = urlencode(
    {"command": "/quote", "text": "daily 09:00 Europe/Berlin", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
)


def _schedules(sessions: Sessions) -> int:
    with sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(Schedule)) or 0


@pytest.mark.parametrize(
    "forge",
    ["wrong_secret", "body_changed", "timestamp_old", "timestamp_future", "no_signature", "no_timestamp"],
)
def test_forged_requests_get_401_and_have_no_effect(
    forge: str, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    ts = str(int(time.time()))
    body = COMMAND
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts}
    headers["X-Slack-Signature"] = sign(SIGNING_SECRET, ts, body)
    if forge == "wrong_secret":
        headers["X-Slack-Signature"] = sign("another-secret", ts, body)
    elif forge == "body_changed":
        body = body.replace("09%3A00", "10%3A00")
    elif forge == "timestamp_old":
        old = str(int(time.time()) - 301)
        headers.update({"X-Slack-Request-Timestamp": old, "X-Slack-Signature": sign(SIGNING_SECRET, old, body)})
    elif forge == "timestamp_future":
        new = str(int(time.time()) + 400)
        headers.update({"X-Slack-Request-Timestamp": new, "X-Slack-Signature": sign(SIGNING_SECRET, new, body)})
    elif forge == "no_signature":
        del headers["X-Slack-Signature"]
    elif forge == "no_timestamp":
        del headers["X-Slack-Request-Timestamp"]
    resp = requests.post(f"{app_server.url}/slack/events", data=body, headers=headers, timeout=10)
    assert resp.status_code == 401
    assert _schedules(sessions) == 0
    assert fake_slack.calls == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("payload=" + "%7B%22type%22%3A%22block_actions%22%2C%22user%22", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
        ("", "application/json"),
        ('{"type": "event_callback"', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("payload=" + json.dumps({"type": "block_actions"}), "application/x-www-form-urlencoded"),
        ("payload=" + json.dumps({"type": "view_submission"}), "application/x-www-form-urlencoded"),
        ("payload=" + json.dumps({"type": "shortcut"}), "application/x-www-form-urlencoded"),
        (
            "payload=" + json.dumps({"type": "block_actions", "actions": "nope", "user": 5}),
            "application/x-www-form-urlencoded",
        ),
        ("payload=null", "application/x-www-form-urlencoded"),
        ("command=%2Fquote", "application/x-www-form-urlencoded"),
        ("command=%2Fcoach&text=%40x", "application/x-www-form-urlencoded"),
        ("command=%2Fnope&team_id=T1&user_id=U1", "application/x-www-form-urlencoded"),
        (json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}}), "application/json"),
        (json.dumps({"type": "event_callback", "team_id": "T1", "event": None}), "application/json"),
        (json.dumps({"type": "app_rate_limited", "team_id": "T1"}), "application/json"),
        ("a=%ZZ&b", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_signed_bodies_never_get_a_5xx(body: str, content_type: str, slack: SlackSender) -> None:
    resp = slack.post(body, content_type=content_type)
    assert resp.status_code < 500, (resp.status_code, resp.text)


def test_non_utf8_body_gets_400(app_server: AppServer) -> None:
    raw = b"payload=\xff\xfe\xfa"
    ts = str(int(time.time()))
    resp = requests.post(
        f"{app_server.url}/slack/events",
        data=raw,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SIGNING_SECRET, ts, raw.decode("latin-1")),
        },
        timeout=10,
    )
    assert resp.status_code == 400


def test_url_verification_is_answered_with_the_challenge(slack: SlackSender) -> None:
    resp = slack.post(
        json.dumps(
            {
                "token": "t",
                "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                "type": "url_verification",
            }
        ),
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_ssl_check_is_acknowledged(slack: SlackSender, fake_slack: FakeSlack) -> None:
    resp = slack.post(urlencode({"ssl_check": "1", "token": "t"}))
    assert resp.status_code == 200
    assert fake_slack.calls == []


def test_event_retry_with_a_handled_event_id_is_acked_once(slack: SlackSender, sessions: Sessions) -> None:
    from bot.db.models import ProcessedEvent

    event = {"type": "member_joined_channel", "user": "U2", "channel": "C1", "event_ts": "1.1"}
    first = slack.event(event, event_id="Ev0001")
    retry = slack.event(event, event_id="Ev0001", retry_num=1)
    other = slack.event(event, event_id="Ev0002")
    assert (first.status_code, retry.status_code, other.status_code) == (200, 200, 200)
    with sessions.begin() as s:
        ids = sorted(s.scalars(select(ProcessedEvent.event_id)))
    assert ids == ["Ev0001", "Ev0002"]
