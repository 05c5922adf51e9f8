"""Action items: ``/coach todo @rep text [by fri]``, ``/coach todos``, and the rep's Got it / Done.

One flow, one file: a manager assigns (here or from the note form, via ``assign``), the rep
gets a DM after the ack, and the rep's buttons land here. The service re-checks that the
presser is the rep on every press (a button value can be forged) and answers "removed" once
the manager deleted everything.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import action_items as action_items_ui
from bot.deps import Deps
from bot.errors import UserError
from bot.gateway import loop as loop_dm
from bot.gateway import roles, users
from bot.listeners import coach_args, payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import action_items, note_input

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
TODO_EXAMPLE = note_input.TODO_EXAMPLE
ACTION_ITEM_BLOCK = action_items_ui.ACTION_ITEM_BLOCK


def assign(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    enterprise_id: str | None,
    assigner_id: str,
    rep_id: str,
    text: str,
    due_on: date | None,
    note_id: int | None = None,
    block_id: str | None = None,
) -> action_items.ActionItemView:
    """Check the rep, store the item, and DM the rep after the ack. The caller checked the role."""
    rep = users.resolve_person(
        deps.users, client, team_id=team_id, user_id=rep_id, example=TODO_EXAMPLE, block_id=block_id
    )
    if rep.id == assigner_id:
        raise UserError(
            f"An action item is for a rep, not for you. Pick the rep, e.g. `{TODO_EXAMPLE}`.", block_id=block_id
        )
    tz = users.user_zone(deps.users, client, team_id=team_id, user_id=rep.id)
    with deps.sessions.begin() as session:
        item = action_items.create_action_item(
            session,
            team_id=team_id,
            enterprise_id=enterprise_id,
            assigner_id=assigner_id,
            rep_id=rep.id,
            rep_tz=tz,
            text=text,
            due_on=due_on,
            now=deps.clock(),
            note_id=note_id,
            dms_per_day=deps.settings.max_item_dms_per_day,
        )
    log.info("action item %d assigned by %s in %s", item.id, assigner_id, team_id)
    deps.defer(loop_dm.send_action_item, client, deps.sessions, item)
    return item


def check_item(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    author_id: str,
    rep_id: str,
    text: str,
    due_on: date | None,
) -> None:
    """The note form's "Action item for the rep", checked before the note is saved, so that a
    refusal shown under its field never leaves a saved note behind (saving again would store
    it twice)."""
    try:
        action_items.validate_text(text)
    except UserError as err:
        raise UserError(err.message, block_id=ACTION_ITEM_BLOCK) from None
    if rep_id == author_id:
        raise UserError("An action item is for a rep, not for you.", block_id=ACTION_ITEM_BLOCK)
    tz = users.user_zone(deps.users, client, team_id=team_id, user_id=author_id)
    if due_on is not None and due_on < action_items.local_today(deps.clock(), tz):
        raise UserError("Pick today or a later due date.", block_id=action_items_ui.ACTION_DUE_BLOCK)
    # Read only, no lock: ``assign`` counts again under the rep's lock; this spares the note.
    with deps.sessions.begin() as session:
        action_items.check_dm_budget(
            session, team_id=team_id, rep_id=rep_id, now=deps.clock(), per_day=deps.settings.max_item_dms_per_day
        )


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
        raise coach_args.CoachArgsError(f"Usage: `/coach todo @rep what to do [by fri]`, e.g. `{TODO_EXAMPLE}`.")
    if rep_id is None:
        raise coach_args.NotAMention(first, TODO_EXAMPLE)
    deps = ctx.deps
    with deps.sessions.begin() as session:
        roles.check_manager(deps, ctx.client, session, team_id=ctx.team_id, user_id=ctx.user_id)
    # Due words ("by fri") are read in the manager's own calendar: that is the day they mean.
    tz = users.user_zone(deps.users, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    todo = note_input.parse_todo(coach_args.slack_unescape(rest), action_items.local_today(deps.clock(), tz))
    item = assign(
        deps,
        ctx.client,
        team_id=ctx.team_id,
        enterprise_id=ctx.enterprise_id,
        assigner_id=ctx.user_id,
        rep_id=rep_id,
        text=todo.text,
        due_on=todo.due_on,
    )
    return Message(text=action_items_ui.action_item_created_text(item))


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
        todos = action_items.list_todos(session, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock())
    # Only a manager (or admin) is offered /coach todo; whoever has assigned items sees them.
    can_assign = bool(todos.by_me_total) or roles.is_manager(
        ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id
    )
    return action_items_ui.todos_message(todos, can_assign=can_assign)


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
    now = deps.clock()
    try:
        with deps.sessions.begin() as session:
            if done:
                completion = action_items.complete(
                    session, team_id=who.team_id, item_id=item_id, user_id=who.user_id, now=now
                )
                item = completion.item
            else:
                item = action_items.acknowledge(
                    session, team_id=who.team_id, item_id=item_id, user_id=who.user_id, now=now
                )
    except action_items.ActionItemGone:
        _answer(body, respond, action_items_ui.action_item_removed_message(item_id), replace=True)
        return
    except UserError as err:
        _answer(body, respond, Message(text=err.message), replace=False)
        return
    if done and completion.notify is not None:
        deps.defer(loop_dm.send_item_done, client, manager_id=completion.notify, item=item)
    _answer(body, respond, action_items_ui.action_item_message(item), replace=True)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(action_items_ui.TODO_ACK)(handle_item_button)
    app.action(action_items_ui.TODO_DONE)(handle_item_button)
