"""Sending a quote in: ``/quote add``, the "Save as leadership quote" shortcut, the App Home's
"Submit a quote" button and the form they open; and ``/quote mine``.

These handlers only translate: Slack's payload into a ``bot.flows.submit_quote`` request, and
its answer back (the reply, the ack, or errors under the form's fields).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.blocks.daily import own_post_shortcut_message
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import submit_quote
from bot.listeners import payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import form_error, tags
from bot.services.quote_input import clean_form_value

SUBCOMMANDS: list[Subcommand] = []


# -- /quote add and /quote mine ---------------------------------------------------------------


@declare(
    SUBCOMMANDS,
    "add",
    usage='add "text" — Author',
    example='add "Praise in public, coach in private." — Jordan Lee',
    summary="Suggest a quote for the team's daily posts (an admin reviews it; quoting a teammate "
    "as `— @name` asks them first).",
)
def handle_add(ctx: CommandContext) -> Message | None:
    respond = Respond(response_url=ctx.response_url)

    def answer_later(text: str, blocks: list[dict[str, Any]] | None) -> None:
        respond(text=text, blocks=blocks, response_type="ephemeral")

    request = submit_quote.AddQuote(who=_submitter(ctx), args=ctx.args, respond=answer_later)
    return submit_quote.add_quote(ctx.deps, ctx.client, request)


def _submitter(ctx: CommandContext) -> submit_quote.Submitter:
    return submit_quote.Submitter(team_id=ctx.team_id, enterprise_id=ctx.enterprise_id, user_id=ctx.user_id)


@declare(
    SUBCOMMANDS, "mine", usage="mine", example="mine", summary="Your submitted quotes and their status.", read_only=True
)
def handle_mine(ctx: CommandContext) -> Message:
    return submit_quote.list_mine(ctx.deps, _submitter(ctx))


# -- the shortcut, the App Home button and the form ----------------------------------------------


def handle_save_shortcut(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, deps: Deps, context: BoltContext, respond: Respond
) -> None:
    ack()
    team_id = payload.actor(shortcut).team_id
    message = shortcut.get("message") or {}
    if _own_post(message, context):
        reply = own_post_shortcut_message()
        deps.defer(respond, text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        return
    poster = None if message.get("bot_id") else message.get("user")
    saved = submit_quote.SavedMessage(
        team_id=team_id, trigger_id=shortcut.get("trigger_id", ""), raw=str(message.get("text") or ""), poster=poster
    )
    submit_quote.save_message(deps, client, saved)


def _own_post(message: dict[str, Any], context: BoltContext) -> bool:
    """A post of this app (a daily quote, a prompt): what it shows is in rotation already."""
    bot_id, bot_user = message.get("bot_id"), message.get("user")
    return bool(bot_id and bot_id == context.bot_id) or bool(bot_user and bot_user == context.bot_user_id)


def handle_open_submit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    submit_quote.open_form(deps, client, team_id=payload.actor(body).team_id, trigger_id=payload.trigger_id(body))


def handle_submit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    who = payload.actor(body)
    team_id, enterprise_id, user_id = who.team_id, who.enterprise_id, who.user_id
    meta = payload.metadata_json(view)
    values = payload.view_values(view)
    via = str(meta["via"]) if meta.get("via") in ("shortcut", "home") else "modal"
    author_raw = clean_form_value(payload.text_input(values, ui.AUTHOR_BLOCK))
    # The member whose message was saved stays the quoted member only while the
    # pre-filled author name is left as it was.
    prefilled = meta.get("author_user_id") if author_raw and author_raw == meta.get("author_name") else None
    form = submit_quote.QuoteForm(
        who=submit_quote.Submitter(team_id=team_id, enterprise_id=enterprise_id, user_id=user_id),
        text=clean_form_value(payload.text_input(values, ui.TEXT_BLOCK)),
        author=author_raw,
        source=clean_form_value(payload.text_input(values, ui.SOURCE_BLOCK)),
        tags=tuple(tags(values)),
        via=via,
        prefilled_member=prefilled if isinstance(prefilled, str) else None,
    )
    try:
        taken = submit_quote.take_form(deps, client, form)
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    submit_quote.after_form(deps, client, taken)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.shortcut(ui.SHORTCUT)(handle_save_shortcut)
    app.action(ui.SUBMIT_OPEN)(handle_open_submit)
    app.view(ui.SUBMIT_MODAL)(quote.ack_first(handle_submit_view))
