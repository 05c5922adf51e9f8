"""Slack calls made after the ack, where one failure must not stop the others."""

from __future__ import annotations

import logging
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
