"""``/quote daily ...``: a channel's daily quote; and the uninstall events that stop them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.blocks import Message
from bot.blocks import daily as ui
from bot.deps import Deps
from bot.kinds import ScheduleKind
from bot.listeners import schedule_args, schedule_command
from bot.listeners.router import CommandContext, Routers, Subcommand, declare
from bot.listeners.schedule_command import ChannelProblem, Current, Saved, ScheduleCommand
from bot.services import schedule_spec, schedules
from bot.services.schedule_spec import ScheduleSpec

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
EXAMPLE_ARGS = "09:00 Europe/Berlin weekdays"
EXAMPLE = f"`/quote daily {EXAMPLE_ARGS}`"


class DailyReplies:
    """The words of ``/quote daily``'s replies (Block Kit from ``bot.blocks.daily``)."""

    def saved(self, ctx: CommandContext, saved: Saved) -> Message:
        return ui.schedule_set_message(
            channel_id=ctx.channel_id,
            spec=saved.spec,
            next_post=saved.next_post,
            zone_from_profile=saved.zone_from_profile,
            joined=saved.joined,
            calendar_note=saved.calendar_note,
            pause_note=saved.pause_note,
        )

    def current(self, ctx: CommandContext, current: Current) -> Message:
        return ui.schedule_status_message(
            channel_id=ctx.channel_id,
            spec=current.spec,
            active=current.active,
            paused_reason=current.paused_reason,
            next_post=current.next_post,
            event=current.event,
            paused_until=current.paused_until,
            calendar_note=current.calendar_note,
            pause_note=current.pause_note,
        )

    def nothing_set(self, ctx: CommandContext) -> Message:
        zone = schedule_args.users_zone(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        return ui.no_schedule_message(channel_id=ctx.channel_id, example=_example(zone))

    def stopped(self, ctx: CommandContext, *, was_on: bool) -> Message:
        return ui.schedule_off_message(channel_id=ctx.channel_id, was_on=was_on)

    def channel_problem(self, ctx: CommandContext, problem: ChannelProblem, spec: ScheduleSpec | None) -> Message:
        args = schedule_spec.command_args(spec) if spec is not None else EXAMPLE_ARGS
        if problem.reason == "not_a_channel":
            return ui.not_a_channel_message(example=EXAMPLE)
        if problem.reason == "invite_needed":
            return ui.invite_needed_message(channel_id=ctx.channel_id, args=args)
        if problem.reason == "archived":
            return ui.cannot_post_message(
                channel_id=ctx.channel_id,
                reason="it is archived",
                example=f"Run `/quote daily {args}` in another channel.",
            )
        if problem.reason == "join_failed":
            return ui.cannot_post_message(
                channel_id=ctx.channel_id,
                reason=f"I couldn't join it (Slack said `{problem.code}`)",
                example="Type `/invite @coachbot` here, then run the command again.",
            )
        return ui.cannot_post_message(
            channel_id=ctx.channel_id,
            reason=f"Slack said `{problem.code}`",
            example=f"Try again in a minute: {EXAMPLE}",
        )


def _example(zone: str | None) -> str:
    return schedule_args.example("/quote daily", zone)


DAILY = ScheduleCommand(
    kind=ScheduleKind.QUOTE_CHANNEL, command="/quote daily", in_channel=True, replies=DailyReplies()
)


@declare(
    SUBCOMMANDS,
    "daily",
    usage="daily HH:MM [Area/City] [weekdays|everyday|mon,wed,fri] [skip holidays DE|DE-BY|none] | daily | "
    "daily pause until YYYY-MM-DD|2w | daily resume | daily off",
    example="daily 09:00 Europe/Berlin weekdays skip holidays DE",
    summary="A leadership quote in this channel every day at that time (zone defaults to yours), skipping "
    "public holidays if you name a calendar; `daily` shows the setting, `daily pause 2w` pauses it, "
    "`daily off` stops it.",
)
def handle_daily(ctx: CommandContext) -> Message:
    """``/quote daily [HH:MM [zone] [days] | off]``, typed in the channel concerned."""
    return schedule_command.handle(DAILY, ctx, ctx.args)


def handle_app_uninstalled(body: dict[str, Any], deps: Deps) -> None:
    _stop_team(body, deps, why="app_uninstalled")


def handle_tokens_revoked(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    tokens = event.get("tokens") or {}
    if tokens and not tokens.get("bot"):
        # Only user tokens were revoked; the bot (which posts) still works.
        team_id = body.get("team_id")
        if isinstance(team_id, str) and team_id:
            deps.clients.forget_users(
                team_id=team_id, enterprise_id=body.get("enterprise_id"), user_ids=list(tokens.get("oauth") or [])
            )
        log.info("tokens_revoked for user tokens only in %s; schedules kept", team_id)
        return
    _stop_team(body, deps, why="tokens_revoked")


def _stop_team(body: dict[str, Any], deps: Deps, *, why: str) -> None:
    team_id = body.get("team_id")
    if not isinstance(team_id, str) or not team_id:
        return
    with deps.sessions.begin() as session:
        stopped = schedules.stop_team(session, team_id=team_id)
    # The workspace's stored tokens go too (multi-workspace mode): they no longer work.
    deps.clients.forget(team_id=team_id, enterprise_id=body.get("enterprise_id"))
    log.info("%s: stopped %d schedule(s) of %s and deleted its tokens", why, stopped, team_id)


def register(app: App, routers: Routers) -> None:
    routers.quote.add_all(SUBCOMMANDS)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
