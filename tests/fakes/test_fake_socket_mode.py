"""The fake Socket Mode endpoint behaves as Slack's does for the parts coachbot relies on."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.enable_socket_mode()
        yield fake


def open_url(fake: FakeSlack, token: str = DEFAULT_APP_TOKEN) -> str:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=token)["url"]
    assert isinstance(url, str)
    return url


@pytest.mark.parametrize(
    ("token", "error"), [("xoxb-test", "not_allowed_token_type"), ("xapp-1-A1-1-nope", "invalid_auth")]
)
def test_apps_connections_open_takes_only_the_app_level_token(fake: FakeSlack, token: str, error: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        open_url(fake, token)
    assert refused.value.response["error"] == error


def test_the_app_level_token_is_refused_by_every_other_method(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=DEFAULT_APP_TOKEN, base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_a_url_says_hello_takes_acks_with_payloads_and_works_once(fake: FakeSlack) -> None:
    url = open_url(fake)
    with connect(url) as ws:
        hello = json.loads(ws.recv(timeout=5))
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A1"}
        envelope_id = fake.socket_mode.send_envelope(
            "slash_commands", {"command": "/quote"}, accepts_response_payload=True
        )
        envelope = json.loads(ws.recv(timeout=5))
        assert (envelope["envelope_id"], envelope["type"], envelope["payload"]) == (
            envelope_id,
            "slash_commands",
            {"command": "/quote"},
        )
        ws.send(json.dumps({"envelope_id": envelope_id, "payload": {"text": "hi"}}))
        assert fake.socket_mode.wait_ack(envelope_id).payload == {"text": "hi"}
        fake.socket_mode.disconnect()
        assert json.loads(ws.recv(timeout=5)) == {
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "fake-applink"},
        }
    with pytest.raises(InvalidStatus):
        connect(url)  # a ticket is good for one connection
