"""Listeners for daily quote posts: ``/quote daily ...`` and the uninstall events."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.blocks.daily import (
    Message,
    cannot_post_message,
    invite_needed_message,
    no_schedule_message,
    not_a_channel_message,
    schedule_off_message,
    schedule_set_message,
    schedule_status_message,
)
from bot.deps import Deps
from bot.listeners import schedule_args, schedule_changes
from bot.listeners.router import CommandContext, Reply, Routers
from bot.services import schedules
from bot.services.schedules import InvalidSchedule, ScheduleSpec

log = logging.getLogger(__name__)

KIND = "quote_channel"
EXAMPLE_ARGS = "09:00 Europe/Berlin weekdays"
EXAMPLE = f"`/quote daily {EXAMPLE_ARGS}`"


def _reply(message: Message) -> Reply:
    return Reply(text=message.text, blocks=message.blocks)


def handle_daily(ctx: CommandContext) -> Reply:
    """``/quote daily [HH:MM [Area/City] [days] | off]``, typed in the channel concerned."""
    args = ctx.args.strip()
    if ctx.channel_id.startswith("D"):
        return _reply(not_a_channel_message(example=EXAMPLE))
    if not args:
        return _show(ctx)
    if args.lower() in ("off", "stop"):
        schedule_changes.check_allowed(ctx, kind=KIND, command="/quote daily off")
        was = schedule_changes.before(ctx, kind=KIND)
        with ctx.deps.sessions.begin() as session:
            was_on = schedules.stop_schedule(session, team_id=ctx.team_id, kind=KIND, target_id=ctx.channel_id)
        schedule_changes.announce(ctx, kind=KIND, was=was, now=None)
        return _reply(schedule_off_message(channel_id=ctx.channel_id, was_on=was_on))

    spec = schedule_args.parse_schedule_text(
        ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, text=args, command="/quote daily"
    )
    zone_from_profile = spec.tz is None
    if spec.tz is None:
        spec = dataclasses.replace(spec, tz=_user_zone(ctx, spec))

    schedule_changes.check_allowed(ctx, kind=KIND, command=f"/quote daily {args}")
    problem, joined = _check_channel(ctx, spec)
    if problem is not None:
        return _reply(problem)

    was = schedule_changes.before(ctx, kind=KIND)
    now = ctx.deps.clock()
    with ctx.deps.sessions.begin() as session:
        schedules.set_schedule(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            kind=KIND,
            target_id=ctx.channel_id,
            created_by=ctx.user_id,
            spec=spec,
            now=now,
        )
    assert spec.tz is not None
    schedule_changes.announce(ctx, kind=KIND, was=was, now=spec)
    next_post = schedules.describe_instant(schedules.next_run(spec, now), spec.tz)
    return _reply(
        schedule_set_message(
            channel_id=ctx.channel_id,
            spec=spec,
            next_post=next_post,
            zone_from_profile=zone_from_profile,
            joined=joined,
        )
    )


def _show(ctx: CommandContext) -> Reply:
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=KIND, target_id=ctx.channel_id)
        if row is not None:
            spec, active, reason = schedules.spec_of(row), row.active, row.paused_reason
    if row is None:
        # The example in the zone a schedule set here would fall back to: the user's own.
        zone = schedule_args.users_zone(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        return _reply(
            no_schedule_message(channel_id=ctx.channel_id, example=schedule_args.example("/quote daily", zone))
        )
    assert spec.tz is not None
    next_post = schedules.describe_instant(schedules.next_run(spec, ctx.deps.clock()), spec.tz) if active else None
    return _reply(
        schedule_status_message(
            channel_id=ctx.channel_id, spec=spec, active=active, paused_reason=reason, next_post=next_post
        )
    )


def _user_zone(ctx: CommandContext, spec: ScheduleSpec) -> str:
    user = ctx.deps.users.get(ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    zone = schedules.canonical_zone(user.tz) if user is not None and user.tz else None
    if zone is None:
        raise InvalidSchedule(
            "I couldn't read your Slack time zone, so please name one, for example "
            f"`/quote daily {schedules.format_time(spec)} Europe/Berlin`."
        )
    return zone


def _check_channel(ctx: CommandContext, spec: ScheduleSpec) -> tuple[Message | None, bool]:
    """Can the bot post here at the set time? Joins a public channel it is not in.

    A private channel the bot is not in is refused (and nothing saved) rather than saved
    paused: the fix, ``/invite @coachbot``, is one step, and the person is right there.
    """
    args = schedules.command_args(spec)
    try:
        info: dict[str, Any] = ctx.client.conversations_info(channel=ctx.channel_id)["channel"]
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code == "channel_not_found":
            # Slack hides private channels the bot is not in: that is what this means here.
            return invite_needed_message(channel_id=ctx.channel_id, args=args), False
        return cannot_post_message(
            channel_id=ctx.channel_id, reason=f"Slack said `{code}`", example=f"Try again in a minute: {EXAMPLE}"
        ), False
    if info.get("is_im") or info.get("is_mpim"):
        return not_a_channel_message(example=EXAMPLE), False
    if info.get("is_archived"):
        return cannot_post_message(
            channel_id=ctx.channel_id,
            reason="it is archived",
            example=f"Run `/quote daily {args}` in another channel.",
        ), False
    if info.get("is_member"):
        return None, False
    if info.get("is_private"):
        return invite_needed_message(channel_id=ctx.channel_id, args=args), False
    try:
        ctx.client.conversations_join(channel=ctx.channel_id)
    except SlackApiError as exc:
        code = exc.response.get("error")
        return cannot_post_message(
            channel_id=ctx.channel_id,
            reason=f"I couldn't join it (Slack said `{code}`)",
            example="Type `/invite @coachbot` here, then run the command again.",
        ), False
    return None, True


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
    routers.quote.add(
        "daily",
        handle_daily,
        usage="daily HH:MM [Area/City] [weekdays|everyday|mon,wed,fri] | daily | daily off",
        example="daily 09:00 Europe/Berlin weekdays",
        summary="A leadership quote in this channel every day at that time (zone defaults to yours); "
        "`daily` shows the setting, `daily off` stops it.",
    )
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
