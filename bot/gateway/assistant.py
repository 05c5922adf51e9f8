"""The AI pane's Web API calls: suggested prompts, status, title, and answers (posted or streamed).

Everything runs after the ack and goes through ``calls.safely``: a refusal is logged by its
error code and the next step still runs (a thread whose title could not be set still gets its
answer). Streaming uses slack-sdk's ``chat_stream`` helper (``chat.startStream``,
``appendStream``, ``stopStream``), which buffers small pieces into fewer calls.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from bot.blocks import Message
from bot.gateway.calls import post, safely
from bot.services.assistant_intents import Prompt

log = logging.getLogger(__name__)
# Characters buffered before a stream call: fewer calls per answer, still visibly streaming.
STREAM_BUFFER = 120


def set_prompts(
    client: WebClient, *, channel_id: str, thread_ts: str, prompts: Sequence[Prompt], title: str | None = None
) -> None:
    safely(
        "assistant prompts",
        client.assistant_threads_setSuggestedPrompts,
        channel_id=channel_id,
        thread_ts=thread_ts,
        title=title,
        prompts=[{"title": p.title, "message": p.message} for p in prompts],
    )


def set_status(client: WebClient, *, channel_id: str, thread_ts: str, status: str) -> None:
    """An empty status clears it (Slack also clears it when the app replies in the thread)."""
    safely(
        "assistant status",
        client.assistant_threads_setStatus,
        channel_id=channel_id,
        thread_ts=thread_ts,
        status=status,
    )


def set_title(client: WebClient, *, channel_id: str, thread_ts: str, title: str) -> None:
    safely(
        "assistant title", client.assistant_threads_setTitle, channel_id=channel_id, thread_ts=thread_ts, title=title
    )


def reply(client: WebClient, *, channel_id: str, thread_ts: str, message: Message) -> str | None:
    """Post ``message`` in the thread; its ts, or None if Slack refused."""
    answer = post(client, "assistant answer", channel=channel_id, message=message, thread_ts=thread_ts)
    return str(answer["ts"]) if answer is not None and answer.get("ts") else None


class Stream:
    """One answer streamed into a thread. ``stop`` ends it with blocks (the feedback buttons).

    A Slack refusal mid-stream ends streaming quietly (``failed``); what was sent stays."""

    def __init__(self, client: WebClient, *, channel_id: str, thread_ts: str, team_id: str, user_id: str) -> None:
        self._stream: ChatStream = client.chat_stream(
            channel=channel_id,
            thread_ts=thread_ts,
            recipient_team_id=team_id,
            recipient_user_id=user_id,
            buffer_size=STREAM_BUFFER,
        )
        self.failed = False

    def append(self, markdown: str) -> None:
        if self.failed:
            return
        try:
            self._stream.append(markdown_text=markdown)
        except SlackApiError as exc:
            self._fail("append", exc)

    def stop(self, *, markdown: str = "", blocks: list[dict[str, Any]] | None = None) -> None:
        if self.failed:
            return
        try:
            self._stream.stop(markdown_text=markdown or None, blocks=blocks)
        except SlackApiError as exc:
            self._fail("stop", exc)

    def _fail(self, step: str, exc: SlackApiError) -> None:
        log.warning("assistant stream %s failed: %s", step, exc.response.get("error"))
        self.failed = True
