"""``/coach managers``: admins name the managers; a new manager gets a welcome DM."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import managers as managers_ui
from bot.gateway import roles, users
from bot.kinds import ScheduleKind
from bot.listeners import coach_args
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import managers as manager_service
from bot.services import schedules

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
EXAMPLE = coach_args.MANAGERS_EXAMPLE


@declare(
    SUBCOMMANDS,
    "managers",
    usage="managers [add @a @b | remove @a]",
    example="managers add @ada @bob",
    summary="Admins: list, add or remove managers.",
    audience="admin",
)
def handle_managers(ctx: CommandContext) -> Message:
    """``/coach managers [list|add @a @b|remove @a]``: admins only."""
    deps, client = ctx.deps, ctx.client
    verb = coach_args.managers_verb(ctx.args)
    is_admin = roles.is_admin(deps, client, team_id=ctx.team_id, user_id=ctx.user_id)
    admins = roles.configured_admins(deps, team_id=ctx.team_id)
    if verb == "list" and not is_admin:
        # Asking who the managers are changes nothing: say who manages that list instead.
        return Message(text=managers_ui.managers_admin_only_text(admins, ctx.user_id))
    manager_service.ensure_admin(is_admin=is_admin)
    if verb == "list":
        with deps.sessions.begin() as session:
            managers = manager_service.list_managers(session, team_id=ctx.team_id)
        return Message(text=managers_ui.managers_text(managers, admins))
    user_ids = coach_args.parse_managers(ctx.args).user_ids
    if verb == "add":
        return _add(ctx, user_ids)
    with deps.sessions.begin() as session:
        change = manager_service.remove_managers(session, team_id=ctx.team_id, user_ids=user_ids)
        for user_id in change.changed:
            # A former manager gets no more coaching prompts; their notes stay theirs.
            schedules.stop_schedule(session, team_id=ctx.team_id, kind=ScheduleKind.PROMPT_DM, target_id=user_id)
    parts = []
    if change.changed:
        parts.append("Removed as managers: " + ", ".join(f"<@{u}>" for u in change.changed) + ".")
        parts.append("Their notes stay private to them; their prompt DMs are stopped.")
    if change.unchanged:
        parts.append("Not managers: " + ", ".join(f"<@{u}>" for u in change.unchanged) + ".")
    still_admin = [u for u in user_ids if u in admins]
    if still_admin:
        parts.append(
            ", ".join(f"<@{u}>" for u in still_admin)
            + (" stays an admin" if len(still_admin) == 1 else " stay admins")
            + " through COACHBOT_ADMINS, and admins count as managers."
        )
    return Message(text=" ".join(parts))


def _add(ctx: CommandContext, user_ids: Sequence[str]) -> Message:
    deps = ctx.deps
    for user_id in user_ids:
        users.resolve_person(deps.users, ctx.client, team_id=ctx.team_id, user_id=user_id, example=EXAMPLE)
    with deps.sessions.begin() as session:
        change = manager_service.add_managers(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            user_ids=list(user_ids),
            added_by=ctx.user_id,
            now=deps.clock(),
        )
    parts = []
    if change.changed:
        parts.append("Added as managers: " + ", ".join(f"<@{u}>" for u in change.changed) + ".")
    if change.unchanged:
        parts.append("Already managers: " + ", ".join(f"<@{u}>" for u in change.unchanged) + ".")
    parts.append("They can now log private notes with `/coach @rep note` and get prompts with `/coach prompts 08:30`.")
    if change.changed:
        welcome_managers(ctx, change.changed)
        parts.append("Each new manager gets a welcome DM with three first steps.")
    return Message(text=" ".join(parts))


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
    built = managers_ui.manager_welcome_message(added_by=added_by, team_id=team_id, app_id=app_id)
    dm = client.conversations_open(users=user_id)
    client.chat_postMessage(channel=dm["channel"]["id"], text=built.text, blocks=built.blocks)
    log.info("welcome DM sent to new manager %s in %s", user_id, team_id)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
