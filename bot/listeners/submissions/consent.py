"""Consent: the quoted member's Allow and Decline buttons, and ``/quote optout`` / ``optin``."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import UsageError
from bot.flows import decide_quote
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import press_of

SUBCOMMANDS: list[Subcommand] = []


def _no_arguments(ctx: CommandContext) -> None:
    """Opting out/in is about the person typing; `/quote optout @bob` must not opt *them* out."""
    if ctx.args.strip():
        raise UsageError(
            f"`{ctx.command} {ctx.name}` takes no arguments: it is about you, the person typing it. "
            f"For example: `{ctx.command} {ctx.name}`"
        )


@declare(
    SUBCOMMANDS,
    "optout",
    usage="optout",
    example="optout",
    summary="Never be quoted: refuses and withdraws quotes attributed to you.",
)
def handle_optout(ctx: CommandContext) -> Message:
    _no_arguments(ctx)
    return decide_quote.opt_out(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


@declare(SUBCOMMANDS, "optin", usage="optin", example="optin", summary="Allow teammates to quote you again.")
def handle_optin(ctx: CommandContext) -> Message:
    _no_arguments(ctx)
    return decide_quote.opt_in(ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id)


def handle_consent_allow(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    decide_quote.answer_consent(deps, client, press_of(body).pressed(), allow=True)


def handle_consent_decline(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    decide_quote.answer_consent(deps, client, press_of(body).pressed(), allow=False)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.action(ui.CONSENT_ALLOW)(handle_consent_allow)
    app.action(ui.CONSENT_DECLINE)(handle_consent_decline)
