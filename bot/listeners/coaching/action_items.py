"""Action items: ``/coach todo @rep text [by fri]``, ``/coach todos``, and the rep's Got it / Done.

The listeners only translate Slack in and out: assigning (here or from the note form), the
rep's DM and the rep's buttons are ``bot.flows.action_items``, which re-checks the presser on
every press (a button value can be forged) and answers "removed" once the manager deleted
everything.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import action_items as action_items_ui
from bot.deps import Deps
from bot.flows import action_items as flow
from bot.gateway import roles
from bot.listeners import coach_args, payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import action_items, note_input

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
ACTION_ITEM_EXAMPLE = note_input.ACTION_ITEM_EXAMPLE


@declare(
    SUBCOMMANDS,
    "todo",
    usage="todo @rep what to do [by fri | by 2026-12-18]",
    example="todo @bob send the Acme recap by fri",
    summary="Give a rep an action item: they get it by DM (never your note), with Got it and Done.",
)
def handle_todo(ctx: CommandContext) -> Message:
    first, rest = coach_args.split_first(ctx.args)
    rep_id = coach_args.parse_mention(first) if first else None
    if not first:
        raise coach_args.CoachArgsError(f"Usage: `/coach todo @rep what to do [by fri]`, e.g. `{ACTION_ITEM_EXAMPLE}`.")
    if rep_id is None:
        raise coach_args.NotAMention(first, ACTION_ITEM_EXAMPLE)
    return flow.assign_typed(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        enterprise_id=ctx.enterprise_id,
        assigner_id=ctx.user_id,
        rep_id=rep_id,
        rest=coach_args.slack_unescape(rest),
    )


@declare(
    SUBCOMMANDS,
    "todos",
    usage="todos",
    example="todos",
    summary="Your open action items, and the ones you assigned with their status.",
    audience="everyone",
)
def handle_todos(ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        items = action_items.list_action_items(session, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock())
    # Only a manager (or admin) is offered /coach todo; whoever has assigned items sees them.
    can_assign = bool(items.by_me_total) or roles.is_manager(
        ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id
    )
    return action_items_ui.action_items_message(items, can_assign=can_assign)


# --- the rep's buttons -----------------------------------------------------------------------


def _answer(body: dict[str, Any], respond: Respond, message: Message, *, replace: bool) -> None:
    if payload.response_url(body):
        respond(text=message.text, blocks=message.blocks, replace_original=replace)


def handle_item_button(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """Got it / Done, in the rep's DM or in ``/coach todos``."""
    ack()
    who = payload.actor(body)
    done = payload.action_id(body) == action_items_ui.TODO_DONE
    item_id = payload.parse_id(payload.action_value(body)) or 0  # 0: no such item, answered "removed"
    result = flow.press(deps, client, team_id=who.team_id, user_id=who.user_id, item_id=item_id, done=done)
    _answer(body, respond, result.message, replace=result.replace)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(action_items_ui.TODO_ACK)(handle_item_button)
    app.action(action_items_ui.TODO_DONE)(handle_item_button)
