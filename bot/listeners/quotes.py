"""/quote: a quote now, and the help text. Other features add subcommands to the router."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.quotes import quote_blocks, quote_text
from bot.listeners.router import CommandContext, Reply, Routers


def handle_quote_now(ctx: CommandContext) -> Reply:
    q = ctx.deps.quote_pool.random(ctx.team_id)
    return Reply(text=quote_text(q), blocks=quote_blocks(q))


def register(app: App, routers: Routers) -> None:
    routers.quote.default = handle_quote_now
