"""Slack answering 5xx: idempotent calls are retried with backoff; posts never blindly."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.gateway.clients import make_client
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, ephemeral_text


def _client(fake: FakeSlack):  # type: ignore[no-untyped-def]
    return make_client(Settings.from_env({"SLACK_API_URL": fake.api_url}), "xoxb-test")


def test_a_read_that_gets_a_503_is_retried_and_the_command_succeeds(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail("users.info", "service_unavailable", status=503, times=1)
    text = ephemeral_text(slack.command("/quote", "daily 09:00 weekdays"))
    assert "09:00" in text and "Europe/Berlin" in text  # the zone came from users.info, on the retry
    assert [c.status for c in fake_slack.calls_to("users.info")] == [503, 200]


def test_a_post_that_gets_a_500_is_not_retried_by_the_client(fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=1)
    with pytest.raises(SlackApiError):
        _client(fake_slack).chat_postMessage(channel="C1", text="hello")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.history("C1") == []


def test_a_429_is_waited_out_for_any_call(fake_slack: FakeSlack) -> None:
    fake_slack.ratelimit_next("chat.postMessage", retry_after=0, times=1)
    resp = _client(fake_slack).chat_postMessage(channel="C1", text="hello")
    assert resp["ok"] and [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(fake_slack.history("C1")) == 1


def test_slack_errors_in_listeners_are_counted_by_method_and_code(
    slack: SlackSender, fake_slack: FakeSlack, app_server: AppServer
) -> None:
    fake_slack.fail("users.info", "fatal_error", times=None)
    resp = slack.command("/quote", "daily 09:00 weekdays")
    assert resp.status_code == 200
    assert "nothing was changed" in resp.json()["text"]  # a clear answer, no stack trace
    metrics = app_server.metrics()
    assert 'coachbot_slack_api_errors_total{error="fatal_error",method="users.info"}' in metrics


def test_dropped_connections_are_retried_for_reads_but_never_for_posts() -> None:
    from urllib.error import URLError

    from slack_sdk.http_retry.request import HttpRequest
    from slack_sdk.http_retry.state import RetryState

    from bot.gateway.clients import SafeConnectionErrorRetryHandler

    handler = SafeConnectionErrorRetryHandler(max_retry_count=2)

    def can_retry(method: str) -> bool:
        request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={}, data=b"")
        return handler.can_retry(state=RetryState(), request=request, response=None, error=URLError("reset"))

    assert can_retry("users.info") is True
    assert can_retry("conversations.history") is True
    assert can_retry("chat.postMessage") is False
    assert can_retry("files.completeUploadExternal") is False
