"""One flow for every schedule subcommand: parse, check the channel, save, confirm; show; off.

``/quote daily``, ``/coach prompts`` and ``/coach prompts channel`` take the same
``HH:MM [zone] [days]``, ``off`` and nothing (show). What differs is the schedule kind,
where it posts (this channel, or the user's DM) and the words of the replies, which each
feature supplies as a ``ScheduleReplies``. Everything else happens here, once: the zone
falls back to the user's Slack zone, a channel is checked (and joined when public) before
anything is saved, channel changes are announced, and the confirmation names the next post.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.gateway import users
from bot.kinds import ScheduleKind
from bot.listeners import schedule_args, schedule_changes
from bot.listeners.router import CommandContext
from bot.services import schedules
from bot.services.schedules import InvalidSchedule, ScheduleSpec

Problem = Literal["not_a_channel", "invite_needed", "archived", "slack_error", "join_failed"]


@dataclass(frozen=True)
class ChannelProblem:
    """Why the bot cannot post in the channel; ``code`` is Slack's error, when there is one."""

    reason: Problem
    code: str = ""


@dataclass(frozen=True)
class Saved:
    spec: ScheduleSpec
    next_post: str
    zone_from_profile: bool
    joined: bool


@dataclass(frozen=True)
class Current:
    spec: ScheduleSpec
    active: bool
    paused_reason: str | None
    next_post: str | None


class ScheduleReplies(Protocol):
    def saved(self, ctx: CommandContext, saved: Saved) -> Message: ...

    def current(self, ctx: CommandContext, current: Current) -> Message: ...

    def nothing_set(self, ctx: CommandContext) -> Message: ...

    def stopped(self, ctx: CommandContext, *, was_on: bool) -> Message: ...

    def channel_problem(self, ctx: CommandContext, problem: ChannelProblem, spec: ScheduleSpec | None) -> Message: ...


@dataclass(frozen=True)
class ScheduleCommand:
    kind: ScheduleKind
    command: str  # as typed, e.g. "/quote daily"
    in_channel: bool  # the schedule is the channel's (else the user's own DM)
    replies: ScheduleReplies
    at: str = "09:00"  # the time used in examples


def handle(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> Message:
    """``text`` is what follows the command: empty (show), ``off``/``stop``, or a schedule."""
    words = text.strip()
    if cmd.in_channel and ctx.channel_id.startswith("D"):
        return cmd.replies.channel_problem(ctx, ChannelProblem("not_a_channel"), None)
    if not words or words.lower() == "show":
        return _show(cmd, ctx)
    if words.lower() in ("off", "stop"):
        return _off(cmd, ctx)
    return _set(cmd, ctx, words)


def _target(cmd: ScheduleCommand, ctx: CommandContext) -> str:
    return ctx.channel_id if cmd.in_channel else ctx.user_id


def _show(cmd: ScheduleCommand, ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is None:
            return cmd.replies.nothing_set(ctx)
        spec, active, reason = schedules.spec_of(row), row.active, row.paused_reason
    assert spec.tz is not None
    next_post = schedules.describe_instant(schedules.next_run(spec, ctx.deps.clock()), spec.tz) if active else None
    return cmd.replies.current(ctx, Current(spec=spec, active=active, paused_reason=reason, next_post=next_post))


def _off(cmd: ScheduleCommand, ctx: CommandContext) -> Message:
    if cmd.in_channel:
        schedule_changes.check_allowed(ctx, kind=cmd.kind, command=f"{cmd.command} off")
        was = schedule_changes.before(ctx, kind=cmd.kind)
    with ctx.deps.sessions.begin() as session:
        was_on = schedules.stop_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
    if cmd.in_channel:
        schedule_changes.announce(ctx, kind=cmd.kind, was=was, now=None)
    return cmd.replies.stopped(ctx, was_on=was_on)


def _set(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> Message:
    deps = ctx.deps
    spec = schedule_args.parse_schedule_text(
        deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, text=text, command=cmd.command, at=cmd.at
    )
    zone_from_profile = spec.tz is None
    if spec.tz is None:
        zone = users.user_zone(deps.users, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        if zone is None:
            raise InvalidSchedule(
                "I couldn't read your Slack time zone, so please name one, for example "
                f"`{cmd.command} {schedules.format_time(spec)} Europe/Berlin`."
            )
        spec = dataclasses.replace(spec, tz=zone)
    joined = False
    if cmd.in_channel:
        schedule_changes.check_allowed(ctx, kind=cmd.kind, command=f"{cmd.command} {text}")
        problem, joined = check_channel(ctx)
        if problem is not None:
            return cmd.replies.channel_problem(ctx, problem, spec)
        was = schedule_changes.before(ctx, kind=cmd.kind)
    now: datetime = deps.clock()
    with deps.sessions.begin() as session:
        schedules.set_schedule(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            kind=cmd.kind,
            target_id=_target(cmd, ctx),
            created_by=ctx.user_id,
            spec=spec,
            now=now,
        )
    if cmd.in_channel:
        schedule_changes.announce(ctx, kind=cmd.kind, was=was, now=spec)
    assert spec.tz is not None
    next_post = schedules.describe_instant(schedules.next_run(spec, now), spec.tz)
    return cmd.replies.saved(
        ctx, Saved(spec=spec, next_post=next_post, zone_from_profile=zone_from_profile, joined=joined)
    )


def check_channel(ctx: CommandContext) -> tuple[ChannelProblem | None, bool]:
    """Can the bot post in the command's channel? Joins a public channel it is not in.

    A private channel the bot is not in is refused (and nothing saved) rather than saved
    paused: the fix, ``/invite @coachbot``, is one step, and the person is right there.
    Returns the problem (or None) and whether the bot just joined.
    """
    try:
        info: dict[str, Any] = ctx.client.conversations_info(channel=ctx.channel_id)["channel"]
    except SlackApiError as exc:
        code = str(exc.response.get("error"))
        # Slack hides private channels the bot is not in: that is what channel_not_found means here.
        return ChannelProblem("invite_needed" if code == "channel_not_found" else "slack_error", code), False
    if info.get("is_im") or info.get("is_mpim"):
        return ChannelProblem("not_a_channel"), False
    if info.get("is_archived"):
        return ChannelProblem("archived"), False
    if info.get("is_member"):
        return None, False
    if info.get("is_private"):
        return ChannelProblem("invite_needed"), False
    try:
        ctx.client.conversations_join(channel=ctx.channel_id)
    except SlackApiError as exc:
        return ChannelProblem("join_failed", str(exc.response.get("error"))), False
    return None, True
