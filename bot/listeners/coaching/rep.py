"""``/coach rep @rep``: the manager's own card on one rep, and its "Log a note" button.

The card is built from the caller's own notes only (``rep_card.rep_card`` filters on team and
author). The button's value (rep and skill) comes from the client: it only pre-fills a form
that the manager check and the note service guard again on submit.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import rep_card as rep_card_ui
from bot.deps import Deps
from bot.errors import UserError
from bot.gateway import roles, users
from bot.listeners import answers, coach_args, payload
from bot.listeners.coaching import notes
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import rep_card

SUBCOMMANDS: list[Subcommand] = []
REP_EXAMPLE = "/coach rep @bob"


@declare(
    SUBCOMMANDS,
    "rep",
    usage="rep @rep",
    example="rep @bob",
    summary="Your card on a rep: skill trends, weakest skill, days since your last note, action items, "
    "your last 3 notes.",
)
def handle_rep(ctx: CommandContext) -> Message:
    words = coach_args.tokens(ctx.args)
    if len(words) != 1:
        raise coach_args.CoachArgsError(f"Name one rep, e.g. `{REP_EXAMPLE}`.")
    rep_id = coach_args.parse_mention(words[0])
    if rep_id is None:
        raise coach_args.NotAMention(words[0], REP_EXAMPLE)
    deps = ctx.deps
    with deps.sessions.begin() as session:
        roles.check_manager(deps, ctx.client, session, team_id=ctx.team_id, user_id=ctx.user_id)
        card = rep_card.rep_card(session, team_id=ctx.team_id, author_id=ctx.user_id, rep_id=rep_id, now=deps.clock())
    tz = users.user_zone(deps.users, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    return rep_card_ui.rep_card_message(card, tz=tz)


def handle_log_note_for_rep(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """'Log a note' on a rep card or a targeted prompt: the form with rep and skill filled in."""
    ack()
    who = payload.actor(body)
    rep_id, skill_id = rep_card_ui.parse_log_note_value(payload.action_value(body))
    try:
        notes.open_note_modal(
            deps,
            client,
            team_id=who.team_id,
            user_id=who.user_id,
            trigger_id=payload.trigger_id(body),
            rep_id=rep_id,
            skill_id=skill_id,
        )
    except UserError as err:
        answers.say_privately(body, respond, err.message)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(rep_card_ui.LOG_NOTE_FOR_REP)(coach.ack_first(handle_log_note_for_rep))
