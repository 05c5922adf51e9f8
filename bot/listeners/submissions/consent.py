"""Consent: the quoted member's Allow and Decline buttons, and ``/quote optout`` / ``optin``."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import UsageError
from bot.gateway.review import after_consent, announce_decision
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import press_of
from bot.services import submissions

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
    # Quotes naming them in plain text are theirs too (users.info, cached).
    me = ctx.deps.users.get(ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    names = [me.name, me.real_name, me.display_name] if me is not None else []
    with ctx.deps.sessions.begin() as session:
        result = submissions.opt_out(
            session, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock(), names=names
        )
    if result.retired_quotes:
        ctx.deps.quote_pool.invalidate(ctx.team_id)
    for decision in result.withdrawn:
        ctx.deps.defer(announce_decision, ctx.client, decision)
    lines = [
        "You were already opted out." if result.already else "Done: coachbot won't accept quotes attributed to you."
    ]
    if result.withdrawn:
        lines.append(f"I withdrew {ui.plural(len(result.withdrawn), 'quote')} of yours that were waiting.")
    if result.retired_quotes:
        lines.append(f"{ui.plural(result.retired_quotes, 'approved quote')} of yours left the daily rotation.")
    lines.append("Changed your mind? `/quote optin`")
    return Message(text="\n".join(lines))


@declare(SUBCOMMANDS, "optin", usage="optin", example="optin", summary="Allow teammates to quote you again.")
def handle_optin(ctx: CommandContext) -> Message:
    _no_arguments(ctx)
    with ctx.deps.sessions.begin() as session:
        was_out = submissions.opt_in(session, team_id=ctx.team_id, user_id=ctx.user_id)
    if not was_out:
        return Message(text="You weren't opted out. Teammates can quote you, and each quote still needs your OK.")
    return Message(
        text="Done: teammates can quote you again, and each quote still needs your OK. "
        "Quotes withdrawn when you opted out stay withdrawn; they can be submitted again."
    )


def _consent(body: dict[str, Any], client: WebClient, deps: Deps, *, allow: bool) -> None:
    press = press_of(body)
    with deps.sessions.begin() as session:
        sub = submissions.answer_consent(
            session,
            team_id=press.team_id,
            submission_id=press.submission_id,
            user_id=press.user_id,
            allow=allow,
            now=deps.clock(),
        )
    deps.defer(after_consent, deps, client, sub, channel_id=press.channel_id, message_ts=press.message_ts)


def handle_consent_allow(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _consent(body, client, deps, allow=True)


def handle_consent_decline(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _consent(body, client, deps, allow=False)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.action(ui.CONSENT_ALLOW)(handle_consent_allow)
    app.action(ui.CONSENT_DECLINE)(handle_consent_decline)
