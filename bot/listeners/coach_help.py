"""``/coach`` for its reader: help by role, typo hints, and a welcome for new managers.

Most of ``/coach`` is for managers (admins count as managers); naming managers is for
admins. A rep's ``/coach help`` lists what a rep can use and says who can make them a
manager, instead of a list of commands that would all answer "you're not a manager".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient

from bot.blocks import coaching as blocks
from bot.gateway import roles
from bot.listeners.router import Audience, CommandContext, CommandRouter
from bot.services import coaching

log = logging.getLogger(__name__)


def reader_role(ctx: CommandContext) -> Audience:
    """``admin``, ``manager`` or ``everyone``: the most the user may do with ``/coach``."""
    if roles.is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        return "admin"
    with ctx.deps.sessions.begin() as session:
        if coaching.is_manager(session, team_id=ctx.team_id, user_id=ctx.user_id):
            return "manager"
    return "everyone"


def hidden_note(ctx: CommandContext, reader: Audience) -> str:
    if reader != "everyone":
        return ""  # a manager misses only `/coach managers`, which is no news to them
    return blocks.rep_help_note(roles.configured_admins(ctx.deps, team_id=ctx.team_id))


def install(router: CommandRouter) -> None:
    """Audiences for the ``/coach`` router: managers by default, so a subcommand added later is
    not offered to reps; ``help`` for everyone; ``managers`` for admins."""
    router.default_audience = "manager"
    router.set_audience("everyone", "help")
    router.set_audience("admin", "managers")
    router.audience_of = reader_role
    router.hidden_note = hidden_note
    router.suggests_people = True


def welcome_managers(ctx: CommandContext, user_ids: Sequence[str]) -> None:
    """After the ack, DM each newly named manager their first steps."""
    for user_id in user_ids:
        ctx.deps.defer(
            send_manager_welcome,
            ctx.client,
            user_id=user_id,
            added_by=ctx.user_id,
            team_id=ctx.team_id,
            app_id=ctx.api_app_id,
        )


def send_manager_welcome(client: WebClient, *, user_id: str, added_by: str, team_id: str, app_id: str) -> None:
    text, message = blocks.manager_welcome_message(added_by=added_by, team_id=team_id, app_id=app_id)
    dm = client.conversations_open(users=user_id)
    client.chat_postMessage(channel=dm["channel"]["id"], text=text, blocks=message)
    log.info("welcome DM sent to new manager %s in %s", user_id, team_id)
