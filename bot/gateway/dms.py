"""Coaching DMs sent after the ack: the rep's action item, the manager's "done", the digest,
and the rep's copy of a shared note.

Each but the note's copy opens the DM itself (``conversations.open``) so a DM works even before the person ever
talked to the bot. Failures are logged by Slack's error code only: no item or note text.
"""

from __future__ import annotations

import contextlib
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.blocks.action_items import action_item_done_message, action_item_message
from bot.blocks.notes import shared_note_message
from bot.db.engine import Sessions
from bot.services import action_items
from bot.services.action_items import ActionItemView
from bot.services.notes import NoteView

log = logging.getLogger(__name__)


def send_dm(client: WebClient, *, user_id: str, message: Message) -> tuple[str, str] | None:
    """Post ``message`` to ``user_id``'s DM with the bot; (channel, ts), or None if Slack refused."""
    try:
        dm = client.conversations_open(users=user_id)
        channel = str(dm["channel"]["id"])
        posted = client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as exc:
        log.warning("DM to %s not sent: %s", user_id, exc.response.get("error"))
        return None
    return channel, str(posted.get("ts") or "")


def send_action_item(client: WebClient, sessions: Sessions, item: ActionItemView) -> None:
    """The rep's DM with Got it / Done; its channel and ts are recorded on the item."""
    sent = send_dm(client, user_id=item.rep_id, message=action_item_message(item))
    if sent is None:
        return
    # Deleted (delete all) between the ack and this DM: nothing to record.
    with sessions.begin() as session, contextlib.suppress(action_items.ActionItemGone):
        action_items.record_dm(session, team_id=item.team_id, item_id=item.id, channel_id=sent[0], ts=sent[1])
    log.info("action item %d sent to its rep", item.id)


def send_item_done(client: WebClient, *, manager_id: str, item: ActionItemView) -> None:
    send_dm(client, user_id=manager_id, message=action_item_done_message(item))


def send_note_copy(client: WebClient, note: NoteView) -> None:
    """Send the rep their copy of a shared note, once, at save time (to the user id: Slack
    delivers it in the app's DM)."""
    built = shared_note_message(note)
    client.chat_postMessage(channel=note.rep_id, text=built.text, blocks=built.blocks)
