"""Reviewing submitted quotes: ``/quote review`` and the Approve, Edit and Reject buttons
and forms. The handlers translate Slack in and out of ``bot.flows.decide_quote``, which
checks on the server, for every press and every form, who may decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import decide_quote
from bot.listeners import payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import form_error, form_press, press_of
from bot.services.quote_input import clean_form_value

SUBCOMMANDS: list[Subcommand] = []


@declare(
    SUBCOMMANDS,
    "review",
    usage="review",
    example="review",
    summary="Quotes waiting for review (admins).",
    read_only=True,
)
def handle_review(ctx: CommandContext) -> Message:
    return decide_quote.review_list(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


# -- buttons and forms ------------------------------------------------------------------------


def _confirm(respond: Respond) -> Callable[[str], None]:
    def confirm(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    return confirm


def handle_approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    decide_quote.approve(deps, client, press_of(body).pressed(_confirm(respond)))


def _open_form(body: dict[str, Any], client: WebClient, deps: Deps, *, edit: bool) -> None:
    press = press_of(body)
    decide_quote.open_form(
        deps, client, press.pressed(), trigger_id=press.trigger_id, response_url=press.response_url, edit=edit
    )


def handle_edit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_form(body, client, deps, edit=True)


def handle_reject(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_form(body, client, deps, edit=False)


def handle_edit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    press, values = form_press(body, view)
    pressed = press.pressed()
    try:
        decision = decide_quote.approve_edited(
            deps,
            client,
            pressed,
            text=clean_form_value(payload.text_input(values, ui.TEXT_BLOCK)),
            author=clean_form_value(payload.text_input(values, ui.AUTHOR_BLOCK)),
        )
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    decide_quote.announce(deps, client, pressed, decision)


def handle_reject_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    press, values = form_press(body, view)
    pressed = press.pressed()
    try:
        decision = decide_quote.reject(
            deps, client, pressed, reason=clean_form_value(payload.text_input(values, ui.REASON_BLOCK))
        )
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    decide_quote.announce(deps, client, pressed, decision)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.action(ui.APPROVE)(quote.ack_first(handle_approve))
    app.action(ui.EDIT)(quote.ack_first(handle_edit))
    app.action(ui.REJECT)(quote.ack_first(handle_reject))
    app.view(ui.EDIT_MODAL)(quote.ack_first(handle_edit_view))
    app.view(ui.REJECT_MODAL)(quote.ack_first(handle_reject_view))
