"""Channel schedules are visible: who set, changed or stopped one is announced in the channel.

Slack's own ``/remind`` does the same. Without it, any member could silently overwrite or stop
a schedule someone else set up. A change by someone other than the schedule's creator also
DMs the creator. ``COACHBOT_SCHEDULE_CHANGES=admins`` limits the daily quote to admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotAllowed
from bot.gateway import notices, roles
from bot.kinds import ScheduleKind
from bot.listeners.router import CommandContext
from bot.services import schedules
from bot.services.schedules import ScheduleSpec

LABELS = {ScheduleKind.QUOTE_CHANNEL: "the daily quote", ScheduleKind.PROMPT_CHANNEL: "the daily coaching prompt"}
SHOW = {ScheduleKind.QUOTE_CHANNEL: "/quote daily", ScheduleKind.PROMPT_CHANNEL: "/coach prompts channel"}


@dataclass(frozen=True)
class Before:
    """A channel schedule as it was before the command: its words if on, and who set it up."""

    args: str | None
    created_by: str | None


def before(ctx: CommandContext, *, kind: ScheduleKind) -> Before:
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=kind, target_id=ctx.channel_id)
        if row is None:
            return Before(args=None, created_by=None)
        on = row.active or row.paused_reason is not None
        return Before(args=schedules.command_args(schedules.spec_of(row)) if on else None, created_by=row.created_by)


def check_allowed(ctx: CommandContext, *, kind: ScheduleKind, command: str) -> None:
    """With ``COACHBOT_SCHEDULE_CHANGES=admins``, only admins set, change or stop the daily quote."""
    if kind != ScheduleKind.QUOTE_CHANNEL or ctx.deps.settings.schedule_changes != "admins":
        return
    if roles.is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        return
    admins = roles.configured_admins(ctx.deps, team_id=ctx.team_id)
    ask = "Ask " + ", ".join(f"<@{a}>" for a in admins) if admins else "Ask a workspace admin"
    raise NotAllowed(
        f"In this workspace only coachbot admins set, change or stop {LABELS[kind]} in a channel. "
        f"{ask} to run `{command}` here. Nothing was changed."
    )


def announce(ctx: CommandContext, *, kind: ScheduleKind, was: Before, now: ScheduleSpec | None) -> None:
    """After the change is committed: one line in the channel, a DM to a different creator."""
    label = LABELS[kind]
    after = schedules.command_args(now) if now is not None else None
    if after == was.args:
        return  # nothing visible changed (set to the same, or stopped while already off)
    actor = f"<@{ctx.user_id}>"
    if was.args is None:
        change = f"set up {label} here: {_words(after)}"
    elif after is None:
        change = f"stopped {label} here (it was {_words(was.args)})"
    else:
        change = f"changed {label} here from {_words(was.args)} to {_words(after)}"
    creator = was.created_by if was.created_by not in (None, ctx.user_id) else None
    ctx.deps.defer(
        notices.post_schedule_notice,
        ctx.client,
        channel_id=ctx.channel_id,
        text=f":calendar: {actor} {change}.",
        creator_id=creator,
        dm_text=f":calendar: {actor} {change.replace(' here', f' in <#{ctx.channel_id}>', 1)}. "
        f"You had set it up; `{SHOW[kind]}` in that channel shows the setting.",
    )


def _words(args: str | None) -> str:
    return f"`{args}`" if args else "off"
