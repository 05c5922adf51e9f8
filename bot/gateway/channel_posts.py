"""Posting a built message in a channel, with Slack's refusal as a ``UserError`` to show.

For the Workflow Builder step that posts a quote: unlike the delivery engine (which retries,
joins and pauses schedules), a step that cannot post fails at once with what to fix, and
its caller rolls back whatever it had chosen.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.blocks.workflows import channel_refused_text
from bot.errors import UserError

# What a person can fix (invite coachbot, pick another channel); anything else (rate limits,
# Slack's own outages) stays an exception: nothing was posted and the step fails as a fault.
REFUSALS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "ekm_access_denied", "msg_too_long"}
)


def post_to_channel(client: WebClient, *, channel_id: str, message: Message) -> str:
    """Post ``message``; its ``ts``, or a ``UserError`` naming the problem."""
    try:
        response = client.chat_postMessage(
            channel=channel_id,
            text=message.text,
            blocks=message.blocks or None,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        if error in REFUSALS:
            raise UserError(channel_refused_text(channel_id=channel_id, error=error)) from None
        raise
    return str(response["ts"])
