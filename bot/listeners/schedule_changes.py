"""Channel schedules are visible: who set, changed or stopped one is announced in the channel.

Slack's own ``/remind`` does the same. Without it, any member could silently overwrite or stop
a schedule someone else set up. A change by someone other than the schedule's creator also
DMs the creator. ``COACHBOT_SCHEDULE_CHANGES=admins`` limits the daily quote to admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.errors import NotAllowed
from bot.gateway import notices, roles
from bot.kinds import ScheduleKind
from bot.listeners.router import CommandContext
from bot.scheduling import registry
from bot.services import schedules
from bot.services.schedules import ScheduleSpec
from bot.services.text import escape, truncate


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
        return Before(args=_args(schedules.spec_of(row), row.holidays) if on else None, created_by=row.created_by)


def _args(spec: ScheduleSpec, calendar: str | None) -> str:
    """The setting as the command that makes it, the holiday calendar included (a canonical code)."""
    skip = f" skip holidays {calendar}" if calendar else ""
    return schedules.command_args(spec) + skip


def check_allowed(ctx: CommandContext, *, kind: ScheduleKind, command: str) -> None:
    """With ``COACHBOT_SCHEDULE_CHANGES=admins``, only admins set, change or stop a kind declared
    ``admins_only`` (the daily quote)."""
    if not registry.declaration(kind).admins_only or ctx.deps.settings.schedule_changes != "admins":
        return
    if roles.is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        return
    admins = roles.configured_admins(ctx.deps, team_id=ctx.team_id)
    ask = "Ask " + ", ".join(f"<@{a}>" for a in admins) if admins else "Ask a workspace admin"
    # ``command`` holds the words as typed (``pause <!channel>`` is refused only later): escaped.
    raise NotAllowed(
        f"In this workspace only coachbot admins set, change or stop {registry.wording(kind).label} in a channel. "
        f"{ask} to run `{escape(truncate(command, 120))}` here. Nothing was changed."
    )


def announce(
    ctx: CommandContext, *, kind: ScheduleKind, was: Before, now: ScheduleSpec | None, calendar: str | None = None
) -> None:
    """After the change is committed: one line in the channel, a DM to a different creator."""
    label = registry.wording(kind).label
    after = _args(now, calendar) if now is not None else None
    if after == was.args:
        return  # nothing visible changed (set to the same, or stopped while already off)
    if was.args is None:
        change = f"set up {label} here: {_words(after)}"
    elif after is None:
        change = f"stopped {label} here (it was {_words(was.args)})"
    else:
        change = f"changed {label} here from {_words(was.args)} to {_words(after)}"
    _post(ctx, kind=kind, emoji=":calendar:", change=change, creator_id=was.created_by)


def announce_pause(
    ctx: CommandContext,
    *,
    kind: ScheduleKind,
    until: date | None,
    creator_id: str | None,
    was_until: date | None = None,
) -> None:
    """After a pause (``until``) or a resume (``until`` None) is committed: who did it and until
    when, in the channel, and a DM to a different creator. Dates are the schedule's local dates."""
    label = registry.wording(kind).label
    if until is not None:
        change = f"paused {label} here until {_day(until)}; it posts again that day by itself"
        _post(ctx, kind=kind, emoji=":double_vertical_bar:", change=change, creator_id=creator_id)
        return
    was = f" (it was paused until {_day(was_until)})" if was_until is not None else ""
    _post(ctx, kind=kind, emoji=":arrow_forward:", change=f"resumed {label} here{was}", creator_id=creator_id)


def _post(ctx: CommandContext, *, kind: ScheduleKind, emoji: str, change: str, creator_id: str | None) -> None:
    actor = f"<@{ctx.user_id}>"
    creator = creator_id if creator_id not in (None, ctx.user_id) else None
    ctx.deps.defer(
        notices.post_schedule_notice,
        ctx.client,
        channel_id=ctx.channel_id,
        text=f"{emoji} {actor} {change}.",
        creator_id=creator,
        dm_text=f"{emoji} {actor} {change.replace(' here', f' in <#{ctx.channel_id}>', 1)}. "
        f"You had set it up; `{registry.wording(kind).command}` in that channel shows the setting.",
    )


def _day(day: date) -> str:
    return f"*{day:%a} {day.day} {day:%b %Y}*"


def _words(args: str | None) -> str:
    return f"`{args}`" if args else "off"
