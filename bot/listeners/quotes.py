"""/quote: a quote now, and the help text; the "Why?" button under a contested quote.

Other features add subcommands to the router.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import quotes as ui
from bot.deps import Deps
from bot.errors import NotFound
from bot.listeners import payload
from bot.listeners.router import CommandContext, Routers
from bot.services import attribution


def handle_quote_now(ctx: CommandContext) -> Message:
    q = ctx.deps.quote_pool.random(ctx.team_id)
    return Message(text=ui.quote_text(q), blocks=ui.quote_blocks(q))


def handle_why_contested(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    """Anyone who sees a contested quote may ask why: in a channel post, in their own
    ephemeral /quote, or on App Home. The answer is private to whoever pressed."""
    ack()
    team_id = payload.actor(body).team_id
    try:
        quote_id = payload.parse_id(payload.action_value(body))
        if quote_id is None:  # not 1 to 12 ASCII digits within our ids: names no quote
            raise NotFound(attribution.NO_SUCH_QUOTE)
        with deps.sessions.begin() as session:
            quote = attribution.quote_for_note(session, team_id=team_id, quote_id=quote_id)
        message = ui.why_contested_message(quote)
    except NotFound as err:
        message = Message(text=err.message)
    if body.get("response_url"):
        # Messages (a channel post, an ephemeral /quote): a new private message, the
        # original stays as it is for everyone else.
        respond(text=message.text, blocks=message.blocks or None, response_type="ephemeral", replace_original=False)
    elif body.get("trigger_id"):
        # App Home has no response_url; a modal is its private answer.
        client.views_open(trigger_id=body["trigger_id"], view=ui.why_contested_modal(message.text, message.blocks))


def register(app: App, routers: Routers) -> None:
    routers.quote.default = handle_quote_now
    routers.quote.default_read_only = True
    app.action(ui.WHY_CONTESTED)(routers.quote.ack_first(handle_why_contested))
