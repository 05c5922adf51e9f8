"""Words of the Workflow Builder steps: the messages a failed step shows the person who ran it.

Slack shows a step's error in a message to whoever ran the workflow; each says what is wrong
and what to change (in the workflow's step, or in Slack), and that nothing was done.
"""

from __future__ import annotations

import re

from bot.services.text import escape

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id) else "that channel"


def channel_refused_text(*, channel_id: str, error: str) -> str:
    """Why a quote could not be posted in the step's channel, and how to fix it."""
    where = _channel(channel_id)
    if error == "not_in_channel":
        return (
            f"coachbot isn't a member of {where}, so it can't post there. Type `/invite @coachbot` in "
            f"{where}, then run the workflow again. Nothing was posted."
        )
    if error == "is_archived":
        return f"{where} is archived. Pick another channel in the workflow's step. Nothing was posted."
    if error == "channel_not_found":
        return (
            f"I can't find {where}: it was deleted, or it's private and coachbot isn't in it. If it's private, "
            f"type `/invite @coachbot` in it; otherwise pick another channel in the step. Nothing was posted."
        )
    return f"Slack refused the post in {where} (`{escape(error)}`). Nothing was posted."


def unknown_tag_text(tag: str, tags: tuple[str, ...]) -> str:
    return (
        f"`{escape(tag)}` is not a quote tag. Set the step's tag to one of: {', '.join(tags)} "
        "(or leave it empty for any quote). Nothing was posted."
    )


def no_quotes_text(tag: str | None) -> str:
    if tag:
        return (
            f"There are no quotes tagged `{escape(tag)}` yet. Pick another tag, or leave it empty. Nothing was posted."
        )
    return "There are no quotes yet. An admin can load the curated store with `coachbot quotes load`."


def failed_text(title: str, message: str) -> str:
    """The error a step completes with: its title first, since a workflow may have several steps."""
    return f"{title}: {message}"
