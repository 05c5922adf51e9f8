"""The fakes behind the assistant's tests answer as Slack and an OpenAI-compatible server do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.llm import FakeModel
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack


def test_the_ai_pane_methods_set_what_they_say_and_refuse_like_slack() -> None:
    with FakeSlack() as fake:
        fake.add_user("U1", name="ada", real_name="Ada")
        fake.add_channel("C1", name="general")
        client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url)
        client.assistant_threads_setStatus(channel_id="DU1", thread_ts="1.1", status="is thinking…")
        assert fake.status("DU1", "1.1") == "is thinking…"
        client.assistant_threads_setTitle(channel_id="DU1", thread_ts="1.1", title="Prep")
        client.assistant_threads_setSuggestedPrompts(
            channel_id="DU1", thread_ts="1.1", prompts=[{"title": "a", "message": "b"}]
        )
        assert (fake.title("DU1", "1.1"), fake.suggested_prompts("DU1", "1.1")) == (
            "Prep",
            [{"title": "a", "message": "b"}],
        )
        client.chat_postMessage(channel="DU1", thread_ts="1.1", text="answer")
        assert fake.status("DU1", "1.1") == ""  # a reply in the thread clears it
        calls: list[tuple[Callable[[], Any], str]]
        too_many = [{"title": str(i), "message": str(i)} for i in range(5)]
        calls = [
            (
                lambda: client.assistant_threads_setStatus(channel_id="C1", thread_ts="1.1", status="x"),
                "channel_not_found",
            ),
            (
                lambda: client.assistant_threads_setSuggestedPrompts(channel_id="DU1", prompts=too_many),
                "invalid_arguments",
            ),
            (lambda: client.chat_startStream(channel="C1", thread_ts="1.1"), "invalid_arguments"),  # no recipient
        ]
        for call, error in calls:
            with pytest.raises(SlackApiError) as err:
                call()
            assert err.value.response["error"] == error


def test_a_stream_collects_its_text_and_ends_with_its_blocks() -> None:
    with FakeSlack() as fake:
        fake.add_user("U1", name="ada", real_name="Ada")
        client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url)
        stream = client.chat_stream(channel="DU1", thread_ts="1.1", buffer_size=4)
        stream.append(markdown_text="Hello ")
        stream.append(markdown_text="there")
        stream.stop(blocks=[{"type": "divider"}])
        (reply,) = fake.thread_replies("DU1", "1.1")
        assert reply["text"] == "Hello there" and reply["blocks"] == [{"type": "divider"}]
        with pytest.raises(SlackApiError) as err:
            client.chat_appendStream(channel="DU1", ts=reply["ts"], markdown_text="more")
        assert err.value.response["error"] == "message_not_in_streaming_state"


def test_the_fake_model_streams_fails_and_records_every_prompt() -> None:
    with FakeModel(model="m") as model:
        client = openai.OpenAI(base_url=model.base_url, api_key="k", max_retries=0, timeout=2)
        model.reply("one two three")
        chunks = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three"
        whole = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "again"}])
        assert whole.choices[0].message.content == "one two three"
        model.fail(500, times=1)
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "fails"}])
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "works again"}])
        model.hang(5)
        with pytest.raises(openai.APITimeoutError):
            openai.OpenAI(base_url=model.base_url, api_key="k", max_retries=0, timeout=0.5).chat.completions.create(
                model="m", messages=[{"role": "user", "content": "slow"}]
            )
        assert [r.text for r in model.completions()] == ["hi", "again", "fails", "works again", "slow"]
