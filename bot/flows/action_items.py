"""Assigning an action item, and the rep's Got it / Done on it.

A manager assigns one with ``/coach todo`` or from the note form; the rep gets a DM after the
ack (``bot.gateway.dms``). The rep's buttons come back here: the service re-checks that the
presser is the rep on every press (a button value can be forged), and once Done the manager
who assigned it is told by DM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import action_items as action_items_ui
from bot.deps import Deps
from bot.errors import UserError
from bot.gateway import dms, roles, users
from bot.services import action_items, note_input

log = logging.getLogger(__name__)

EXAMPLE = note_input.ACTION_ITEM_EXAMPLE


@dataclass(frozen=True)
class ActionItemRequest:
    """One action item to assign. ``from_form``: errors go under the note form's fields."""

    team_id: str
    enterprise_id: str | None
    assigner_id: str
    rep_id: str
    text: str
    due_on: date | None
    note_id: int | None = None
    from_form: bool = False


@dataclass(frozen=True)
class ButtonResult:
    """What a Got it / Done press answers: ``replace`` the pressed message, or reply beside it."""

    message: Message
    replace: bool


def assign(deps: Deps, client: WebClient, request: ActionItemRequest) -> action_items.ActionItemView:
    """Check the rep, store the item, and DM the rep after the ack. The caller checked the role."""
    block_id = action_items_ui.ACTION_ITEM_BLOCK if request.from_form else None
    rep = users.resolve_person(
        deps.users, client, team_id=request.team_id, user_id=request.rep_id, example=EXAMPLE, block_id=block_id
    )
    if rep.id == request.assigner_id:
        raise UserError(f"An action item is for a rep, not for you. Pick the rep, e.g. `{EXAMPLE}`.", block_id=block_id)
    tz = users.user_zone(deps.users, client, team_id=request.team_id, user_id=rep.id)
    with deps.sessions.begin() as session:
        item = action_items.create_action_item(
            session,
            team_id=request.team_id,
            enterprise_id=request.enterprise_id,
            assigner_id=request.assigner_id,
            rep_id=rep.id,
            rep_tz=tz,
            text=request.text,
            due_on=request.due_on,
            now=deps.clock(),
            note_id=request.note_id,
            dms_per_day=deps.settings.max_item_dms_per_day,
        )
    log.info("action item %d assigned by %s in %s", item.id, request.assigner_id, request.team_id)
    deps.defer(dms.send_action_item, client, deps.sessions, item)
    return item


def assign_typed(
    deps: Deps, client: WebClient, *, team_id: str, enterprise_id: str | None, assigner_id: str, rep_id: str, rest: str
) -> Message:
    """``/coach todo @rep what to do [by fri]``: the manager check, the due words, then ``assign``."""
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=team_id, user_id=assigner_id)
    # Due words ("by fri") are read in the manager's own calendar: that is the day they mean.
    tz = users.user_zone(deps.users, client, team_id=team_id, user_id=assigner_id)
    typed = note_input.parse_action_item(rest, action_items.local_today(deps.clock(), tz))
    item = assign(
        deps,
        client,
        ActionItemRequest(
            team_id=team_id,
            enterprise_id=enterprise_id,
            assigner_id=assigner_id,
            rep_id=rep_id,
            text=typed.text,
            due_on=typed.due_on,
        ),
    )
    return Message(text=action_items_ui.action_item_created_text(item))


def check(deps: Deps, client: WebClient, request: ActionItemRequest) -> None:
    """The note form's "Action item for the rep", checked before the note is saved, so that a
    refusal shown under its field never leaves a saved note behind (saving again would store
    it twice)."""
    block = action_items_ui.ACTION_ITEM_BLOCK
    try:
        action_items.validate_text(request.text)
    except UserError as err:
        raise UserError(err.message, block_id=block) from None
    if request.rep_id == request.assigner_id:
        raise UserError("An action item is for a rep, not for you.", block_id=block)
    tz = users.user_zone(deps.users, client, team_id=request.team_id, user_id=request.assigner_id)
    if request.due_on is not None and request.due_on < action_items.local_today(deps.clock(), tz):
        raise UserError("Pick today or a later due date.", block_id=action_items_ui.ACTION_DUE_BLOCK)
    # Read only, no lock: ``assign`` counts again under the rep's lock; this spares the note.
    with deps.sessions.begin() as session:
        action_items.check_dm_budget(
            session,
            team_id=request.team_id,
            rep_id=request.rep_id,
            now=deps.clock(),
            per_day=deps.settings.max_item_dms_per_day,
        )


def press(deps: Deps, client: WebClient, *, team_id: str, user_id: str, item_id: int, done: bool) -> ButtonResult:
    """Got it / Done, in the rep's DM or in ``/coach todos``; Done tells the assigner after the ack."""
    now = deps.clock()
    try:
        with deps.sessions.begin() as session:
            if done:
                completion = action_items.complete(session, team_id=team_id, item_id=item_id, user_id=user_id, now=now)
                item = completion.item
            else:
                item = action_items.acknowledge(session, team_id=team_id, item_id=item_id, user_id=user_id, now=now)
    except action_items.ActionItemGone:
        return ButtonResult(action_items_ui.action_item_removed_message(item_id), replace=True)
    except UserError as err:
        return ButtonResult(Message(text=err.message), replace=False)
    if done and completion.notify is not None:
        deps.defer(dms.send_item_done, client, manager_id=completion.notify, item=item)
    return ButtonResult(action_items_ui.action_item_message(item), replace=True)
