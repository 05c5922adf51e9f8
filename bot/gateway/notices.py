"""Posting schedule-change notices: a line in the channel, and a DM to the schedule's creator."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def post_schedule_notice(
    client: WebClient, *, channel_id: str, text: str, creator_id: str | None, dm_text: str
) -> None:
    """Runs after the ack. A notice that cannot be posted is logged, never retried blindly."""
    try:
        client.chat_postMessage(channel=channel_id, text=text, unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        log.warning("schedule notice not posted in %s: %s", channel_id, exc.response.get("error"))
    if creator_id is None:
        return
    try:
        client.chat_postMessage(channel=creator_id, text=dm_text, unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        log.warning("schedule change DM not sent: %s", exc.response.get("error"))
