"""The fake Slack Web API: the AI pane (assistant.threads.*) and streamed messages (chat.*Stream).

Like Slack:

- ``assistant.threads.setStatus`` needs ``channel_id``, ``thread_ts`` and ``status`` (an empty
  status clears it); ``setTitle`` needs a ``title``; ``setSuggestedPrompts`` takes one to four
  prompts, each with a ``title`` and a ``message``. All three work in DMs with the bot only
  (``channel_not_found`` elsewhere): the AI pane is a DM.
- ``chat.startStream`` starts a reply in a thread (``thread_ts`` required; outside a DM the
  ``recipient_user_id`` and ``recipient_team_id`` are too), ``chat.appendStream`` adds to it and
  ``chat.stopStream`` ends it, optionally with blocks (feedback buttons). Text comes as
  ``markdown_text`` or as ``chunks`` of type ``markdown_text`` (slack-sdk's ``chat_stream``
  helper sends chunks). Appending to a stopped stream answers ``message_not_in_streaming_state``.

A reply by the app in a thread clears its status, as on Slack. The streamed message is
stored in the channel like any other, so ``history`` and
``conversations.replies`` see it. ``statuses``, ``titles``, ``suggested_prompts`` and
``streamed`` read back what the app set, for assertions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tests.fakes.core import Channel, FakeSlackCore, Workspace, _ApiError, _maybe_json

MAX_PROMPTS = 4


class AssistantApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "assistant.threads.setStatus": "_assistant_set_status",
        "assistant.threads.setTitle": "_assistant_set_title",
        "assistant.threads.setSuggestedPrompts": "_assistant_set_suggested_prompts",
        "chat.startStream": "_chat_start_stream",
        "chat.appendStream": "_chat_append_stream",
        "chat.stopStream": "_chat_stop_stream",
    }

    # (channel, thread_ts) -> what the app set last; a stream's (channel, ts) -> still streaming.
    _assistant_status: dict[tuple[str, str], str]
    _assistant_titles: dict[tuple[str, str], str]
    _assistant_prompts: dict[tuple[str, str], list[dict[str, Any]]]
    _streaming: set[tuple[str, str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._assistant_status = {}
        self._assistant_titles = {}
        self._assistant_prompts = {}
        self._streaming = set()
        super().__init__(*args, **kwargs)

    # -- read back ------------------------------------------------------------------

    def status(self, channel: str, thread_ts: str) -> str:
        """The thread's current status ("" when cleared or never set)."""
        with self._lock:
            return self._assistant_status.get((channel, thread_ts), "")

    def title(self, channel: str, thread_ts: str) -> str | None:
        with self._lock:
            return self._assistant_titles.get((channel, thread_ts))

    def suggested_prompts(self, channel: str, thread_ts: str = "") -> list[dict[str, Any]]:
        """The prompts last set for the thread (or for the channel, without a thread)."""
        with self._lock:
            return list(self._assistant_prompts.get((channel, thread_ts), []))

    def thread_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The bot's replies in one thread, oldest first (streamed ones included)."""
        return [m for m in self.history(channel) if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]

    def _store_message(self, channel: Channel, message: dict[str, Any]) -> None:
        # As on Slack, the app's reply in a thread clears the thread's status.
        super()._store_message(channel, message)
        if message.get("bot_id") and message.get("thread_ts"):
            self._assistant_status.pop((channel.id, str(message["thread_ts"])), None)

    def is_streaming(self, channel: str, ts: str) -> bool:
        with self._lock:
            return (channel, ts) in self._streaming

    # -- assistant.threads.* --------------------------------------------------------

    def _assistant_thread(self, ws: Workspace, params: dict[str, Any], *, thread: bool = True) -> tuple[str, str]:
        channel = self._assistant_channel(ws, params.get("channel_id"))
        thread_ts = str(params.get("thread_ts") or "")
        if thread and not thread_ts:
            raise _ApiError("invalid_arguments", detail="thread_ts is required")
        return channel.id, thread_ts

    def _assistant_channel(self, ws: Workspace, channel_id: Any) -> Channel:
        if not channel_id:
            raise _ApiError("invalid_arguments", detail="channel_id is required")
        channel = self._conversation(ws, channel_id)
        if not channel.is_im:
            raise _ApiError("channel_not_found")
        return channel

    def _assistant_set_status(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        key = self._assistant_thread(ws, params)
        if "status" not in params:
            raise _ApiError("invalid_arguments", detail="status is required")
        self._assistant_status[key] = str(params.get("status") or "")
        return {"ok": True}

    def _assistant_set_title(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        key = self._assistant_thread(ws, params)
        title = str(params.get("title") or "")
        if not title:
            raise _ApiError("invalid_arguments", detail="title is required")
        self._assistant_titles[key] = title
        return {"ok": True}

    def _assistant_set_suggested_prompts(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        key = self._assistant_thread(ws, params, thread=False)
        prompts = _maybe_json(params.get("prompts"))
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS:
            raise _ApiError("invalid_arguments", detail=f"prompts: 1 to {MAX_PROMPTS} items")
        for prompt in prompts:
            if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
                raise _ApiError("invalid_arguments", detail="each prompt needs a title and a message")
        self._assistant_prompts[key] = [dict(p) for p in prompts]
        return {"ok": True}

    # -- chat.*Stream -----------------------------------------------------------------

    def _chat_start_stream(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(ws, params.get("channel"))
        thread_ts = str(params.get("thread_ts") or "")
        if not thread_ts:
            raise _ApiError("invalid_arguments", detail="thread_ts is required")
        if not channel.is_im and not (params.get("recipient_user_id") and params.get("recipient_team_id")):
            raise _ApiError("invalid_arguments", detail="recipient_user_id and recipient_team_id are required")
        message = self._bot_message(ws, {"thread_ts": thread_ts})
        message["text"] = _stream_text(params)
        self._store_message(channel, message)
        self._streaming.add((channel.id, message["ts"]))
        return {"ok": True, "channel": channel.id, "ts": message["ts"]}

    def _stream_message(self, ws: Workspace, params: dict[str, Any]) -> tuple[Channel, dict[str, Any]]:
        channel = self._conversation(ws, params.get("channel"))
        message = self._find_message(channel, str(params.get("ts") or ""))
        if message is None:
            raise _ApiError("message_not_found")
        if (channel.id, message["ts"]) not in self._streaming:
            raise _ApiError("message_not_in_streaming_state")
        return channel, message

    def _chat_append_stream(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._stream_message(ws, params)
        added = _stream_text(params)
        if not added:
            raise _ApiError("invalid_arguments", detail="markdown_text or chunks is required")
        message["text"] = message.get("text", "") + added
        return {"ok": True, "channel": channel.id, "ts": message["ts"]}

    def _chat_stop_stream(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._stream_message(ws, params)
        message["text"] = message.get("text", "") + _stream_text(params)
        for name in ("blocks", "metadata"):
            if params.get(name):
                message[name] = _maybe_json(params[name])
        self._streaming.discard((channel.id, message["ts"]))
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": dict(message)}


def _stream_text(params: dict[str, Any]) -> str:
    """The text one stream call adds: ``markdown_text``, then any ``markdown_text`` chunks."""
    text = str(params.get("markdown_text") or "")
    chunks = _maybe_json(params.get("chunks"))
    if isinstance(chunks, list):
        for chunk in chunks:
            if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                text += str(chunk.get("text") or "")
    return text
