"""Posting schedule-change notices: a line in the channel, and a DM to the schedule's creator."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks import Message
from bot.gateway.calls import post


def post_schedule_notice(
    client: WebClient, *, channel_id: str, text: str, creator_id: str | None, dm_text: str
) -> None:
    """Runs after the ack. A notice that cannot be posted is logged, never retried blindly."""
    quiet = {"unfurl_links": False, "unfurl_media": False}
    post(client, "schedule notice", channel=channel_id, message=Message(text=text), **quiet)
    if creator_id is not None:
        post(client, "schedule change DM", channel=creator_id, message=Message(text=dm_text), **quiet)
