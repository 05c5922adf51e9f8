"""Slack calls made after the ack, where one failure must not stop the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message

log = logging.getLogger(__name__)


def safely(what: str, call: Callable[..., Any], **kwargs: Any) -> Any:
    """One Slack call; a refusal is logged by its error code only (never a payload) and gives None."""
    try:
        return call(**kwargs)
    except SlackApiError as exc:
        log.warning("%s failed: %s", what, exc.response.get("error"))
        return None


def post(client: WebClient, what: str, *, channel: str, message: Message, **extra: Any) -> Any:
    """``chat.postMessage`` of a built message, safely: the response, or None if Slack refused."""
    return safely(
        what, client.chat_postMessage, channel=channel, text=message.text, blocks=message.blocks or None, **extra
    )


def update(client: WebClient, what: str, *, channel: str, ts: str, message: Message) -> Any:
    """``chat.update`` of a posted message with a built one, safely."""
    return safely(what, client.chat_update, channel=channel, ts=ts, text=message.text, blocks=message.blocks)


class AckWatch:
    """Tells a request's thread that it would wait on Slack before its ack.

    A slash command's handler runs in a worker thread while the request thread waits on
    ``settled``: set when the handler is done (the answer goes in the ack, as Slack likes
    best) or as soon as the handler would wait on the Web API (then the request is acked
    empty at once and the answer follows through ``response_url``). Only calls from the
    handler's own thread count: work it defers (``deps.defer``) runs after the ack anyway.
    """

    def __init__(self) -> None:
        self.settled = threading.Event()
        self._thread: int | None = None

    def start(self) -> None:
        """Called by the handler's thread before it runs the handler."""
        self._thread = threading.get_ident()

    def touch(self) -> None:
        """About to wait on Slack: from the handler's thread, the ack must not wait for it."""
        if self._thread == threading.get_ident():
            self.settled.set()


class _WatchedClient(WebClient):
    """A request's WebClient whose every Web API call first tells the request's ``AckWatch``."""

    _ack_watch: AckWatch

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        self._ack_watch.touch()
        return super().api_call(api_method, **kwargs)


def watched(client: WebClient, watch: AckWatch) -> WebClient:
    """``client`` (same token, URL, retries) reporting each Web API call to ``watch``."""
    copy = _WatchedClient.__new__(_WatchedClient)
    copy.__dict__.update(client.__dict__)
    copy._ack_watch = watch
    return copy


def waiting_on_slack(client: WebClient) -> None:
    """Say that the caller is about to wait on Slack without a call of its own (another
    thread's users.list load): on a command's ack path, the ack goes out first."""
    watch = getattr(client, "_ack_watch", None)
    if isinstance(watch, AckWatch):
        watch.touch()
