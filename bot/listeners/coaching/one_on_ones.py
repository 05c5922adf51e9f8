"""1:1s: ``/coach 1on1 @rep ...``, ``/coach topic @manager|@rep ...``, "Add topic" and the ✓ buttons.

Thin: each handler reads the payload into a ``flows.one_on_ones.Request`` and answers with what
the flow returns. A button's value (a topic id, the other side's user id) comes from the client,
so the services check again that the presser is on that 1:1.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import one_on_ones as ui
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import one_on_ones as flow
from bot.listeners import answers, payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare

SUBCOMMANDS: list[Subcommand] = []
EXAMPLE_TOPIC = "topic @bob what to discuss"


def _request(ctx: CommandContext) -> flow.Request:
    return flow.Request(
        team_id=ctx.team_id, enterprise_id=ctx.enterprise_id, user_id=ctx.user_id, text=ctx.args, now=ctx.deps.clock()
    )


@declare(
    SUBCOMMANDS,
    "1on1",
    usage="1on1 @rep weekly|biweekly tue 10:00 [Area/City] [skip holidays DE|none] | @rep pause 2w | "
    "@rep resume | @rep off | @rep brief",
    example="1on1 @bob weekly tue 10:00 Europe/Berlin",
    summary="A 1:1 cadence with a rep: a prep brief 2 hours before, the agenda to both of you, a nudge after.",
)
def handle_one_on_one(ctx: CommandContext) -> Message:
    return flow.cadence(ctx.deps, ctx.client, _request(ctx))


@declare(
    SUBCOMMANDS,
    "topic",
    usage="topic @manager|@rep what to discuss",
    example="topic @ada help with the Acme negotiation",
    summary="Add a talking point to your next 1:1 (either side); without text, show the agenda.",
    audience="everyone",
)
def handle_topic(ctx: CommandContext) -> Message:
    return flow.topic(ctx.deps, ctx.client, _request(ctx))


def _button_request(body: dict[str, Any], deps: Deps, context: BoltContext | None = None) -> flow.Request:
    who = payload.actor(body)
    enterprise = context.enterprise_id if context is not None else None
    return flow.Request(team_id=who.team_id, enterprise_id=enterprise, user_id=who.user_id, text="", now=deps.clock())


def handle_check(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """✓ on an agenda or a brief: check the topic off and draw that message again."""
    ack()
    try:
        message = flow.check(deps, _button_request(body, deps), payload.action_value(body))
    except UserError as err:
        answers.say_privately(body, respond, err.message)
        return
    if payload.response_url(body):
        respond(text=message.text, blocks=message.blocks, replace_original=True)


def handle_add_button(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """ "Add topic": the form; the other side is checked again when it is submitted."""
    ack()
    other = payload.action_value(body)
    other_id = other if re.fullmatch(r"[UW][A-Z0-9]{1,30}", other) else ""
    if not other_id:
        answers.say_privately(body, respond, f"That button is broken; add a topic with `/coach {EXAMPLE_TOPIC}`.")
        return
    deps.defer(client.views_open, trigger_id=payload.trigger_id(body), view=ui.topic_modal(other_id))


def handle_topic_submission(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps
) -> None:
    view = payload.view_of(body)
    other_id = payload.private_metadata(view)
    text = payload.text_input(payload.view_values(view), ui.TOPIC_BLOCK)
    req = _button_request(body, deps, context)
    try:
        if not re.fullmatch(r"[UW][A-Z0-9]{1,30}", other_id):
            raise UserError(f"This form lost whom the topic is for; close it and use `/coach {EXAMPLE_TOPIC}`.")
        reply = flow.add_topic(deps, client, req, other_id, text)
    except UserError as err:
        answers.form_errors(ack, err, ui.TOPIC_BLOCK)
        return
    ack()
    deps.defer(client.chat_postMessage, channel=req.user_id, text=reply)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(re.compile(f"^{ui.TOPIC_CHECK}_[0-9]+$"))(coach.ack_first(handle_check))
    app.action(ui.TOPIC_ADD)(coach.ack_first(handle_add_button))
    app.view(ui.TOPIC_MODAL)(coach.ack_first(handle_topic_submission))
