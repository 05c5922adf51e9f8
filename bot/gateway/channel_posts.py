"""Posting a built message in a channel, with Slack's refusal as a ``UserError`` to show.

For the Workflow Builder step that posts a quote. Like the daily post, a public channel
coachbot is not in yet is joined (``channels:join``) and the post tried once more; unlike the
delivery engine (which retries later and pauses schedules), a step that still cannot post
fails at once with what to fix, and its caller rolls back whatever it had chosen.
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
    joined = False
    while True:
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
            if error == "not_in_channel" and not joined:
                joined = True
                if _join(client, channel_id):
                    continue  # the refused post posted nothing: trying again cannot duplicate it
            if error in REFUSALS:
                raise UserError(channel_refused_text(channel_id=channel_id, error=error)) from None
            raise
        return str(response["ts"])


def _join(client: WebClient, channel_id: str) -> bool:
    """Join a public channel; False when Slack refuses (a private one needs an invitation)."""
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError:
        return False
    return True
