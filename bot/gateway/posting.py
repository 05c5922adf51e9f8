"""The scheduler's Slack Web API calls: open a DM, post a tagged delivery, find it again, join.

Every message a delivery posts carries message metadata ``{"event_type": "coachbot_delivery",
"event_payload": {"delivery_id": .., "key": ..}}``: Slack has no idempotency key for
``chat.postMessage``, so that tag is how a later attempt finds an earlier one's post
(``find_tagged``) instead of posting twice.

These calls raise what the SDK raises (``SlackApiError``, or ``OSError``/``HTTPException`` when
Slack did not answer): whether a failure means "failed", "paused" or "try again next run" is
the delivery flow's decision (``bot.flows.deliver``), not the transport's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message

METADATA_EVENT = "coachbot_delivery"
HISTORY_PAGE = 200


def error_code(exc: SlackApiError) -> str:
    """Slack's error code (``not_in_channel``), or ``http_<status>`` when the body had none."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{getattr(exc.response, 'status_code', 'error')}"


def open_dm(client: WebClient, *, user_id: str) -> str:
    """The id of the DM conversation with ``user_id`` (``conversations.open``)."""
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def post_tagged(client: WebClient, *, channel_id: str, message: Message, delivery_id: int, key: str) -> str:
    """Post a delivery's message tagged with its id and key; Slack's ``ts`` of the post."""
    resp = client.chat_postMessage(
        channel=channel_id,
        text=message.text,
        blocks=message.blocks,
        metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_id": delivery_id, "key": key}},
        unfurl_links=False,
        unfurl_media=False,
    )
    return str(resp["ts"])


def post_dm(client: WebClient, *, user_id: str, message: Message) -> None:
    """A plain DM (``chat.postMessage`` to a user id), e.g. telling someone their schedule paused."""
    client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)


def join(client: WebClient, *, channel_id: str) -> None:
    """Join a public channel (``conversations.join``)."""
    client.conversations_join(channel=channel_id)


def find_tagged(client: WebClient, *, channel_id: str, delivery_id: int, oldest: datetime) -> str | None:
    """The ts of a message in the channel since ``oldest`` tagged with this delivery, if any."""
    cursor: str | None = None
    while True:
        kwargs: dict[str, Any] = {"channel": channel_id, "oldest": f"{oldest.timestamp():.6f}", "limit": HISTORY_PAGE}
        if cursor:
            kwargs["cursor"] = cursor
        page = client.conversations_history(include_all_metadata=True, **kwargs)
        for message in page.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == METADATA_EVENT and str(payload.get("delivery_id")) == str(delivery_id):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return None
