"""Answering buttons and forms: in place of the message, in the modal, or under a form field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import notes as notes_ui
from bot.errors import UserError
from bot.listeners import payload


def answer_action(
    body: dict[str, Any], respond: Respond, client: WebClient, text: str, *, replace: bool, title: str = "coachbot"
) -> None:
    """Message to a button: in place of its message (or beside it), or, in a modal, in the modal."""
    if payload.in_modal(body):
        view = payload.view_of(body)
        view_id = view.get("id") or (body.get("container") or {}).get("view_id")
        client.views_update(view_id=view_id, view=notes_ui.message_view(title, text))
        return
    if payload.response_url(body):
        respond(text=text, replace_original=replace, response_type="ephemeral")


def run_action(
    body: dict[str, Any], respond: Respond, client: WebClient, fn: Callable[[], str], *, title: str = "coachbot"
) -> None:
    """Run ``fn() -> text`` and answer; a ``UserError`` becomes a private answer beside the message."""
    try:
        text = fn()
    except UserError as err:
        answer_action(body, respond, client, err.message, replace=False, title=title)
        return
    answer_action(body, respond, client, text, replace=True, title=title)


def say_privately(body: dict[str, Any], respond: Respond, text: str) -> None:
    """A private line beside whatever was pressed (nothing, when there is nowhere to say it)."""
    if payload.response_url(body):
        respond(text=text, replace_original=False, response_type="ephemeral")


def form_errors(ack: Ack, err: UserError, default_block: str) -> None:
    """Show a problem under the form field it concerns (``block_id``), as Slack does."""
    ack(response_action="errors", errors={err.block_id or default_block: err.message})
