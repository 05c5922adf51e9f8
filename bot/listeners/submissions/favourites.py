"""The team's favourites: ``/quote top``, ``/quote search`` and reactions on the daily posts."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import favourites

SUBCOMMANDS: list[Subcommand] = []


@declare(
    SUBCOMMANDS,
    "top",
    usage="top [30d|90d|all]",
    example="top 90d",
    summary="The team's most-reacted daily quotes (default: last 30 days).",
    read_only=True,
)
def handle_top(ctx: CommandContext) -> Message:
    window = favourites.parse_window(ctx.args)
    with ctx.deps.sessions.begin() as session:
        top = favourites.top_quotes(session, team_id=ctx.team_id, window=window, now=ctx.deps.clock())
    message = ui.top_message(top, window)
    return message


@declare(
    SUBCOMMANDS,
    "search",
    usage="search words",
    example="search drucker customer",
    summary="Find quotes by words in their text or author.",
    read_only=True,
)
def handle_search(ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        result = favourites.search_quotes(session, team_id=ctx.team_id, query=ctx.args)
    message = ui.search_message(result)
    return message


# -- reactions on the daily posts ---------------------------------------------------------------


def _reaction(body: dict[str, Any], event: dict[str, Any], deps: Deps, *, added: bool) -> None:
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return
    with deps.sessions.begin() as session:
        favourites.record_reaction(
            session,
            team_id=body.get("team_id") or "",
            channel_id=str(item["channel"]),
            message_ts=str(item["ts"]),
            user_id=str(event.get("user") or ""),
            reaction=str(event.get("reaction") or "")[:100],
            added=added,
            now=deps.clock(),
        )


def handle_reaction_added(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    _reaction(body, event, deps, added=True)


def handle_reaction_removed(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    _reaction(body, event, deps, added=False)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.event("reaction_added")(handle_reaction_added)
    app.event("reaction_removed")(handle_reaction_removed)
