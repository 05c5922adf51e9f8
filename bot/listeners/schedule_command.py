"""One flow for every schedule subcommand: parse, check the channel, save, confirm; show; off.

``/quote daily``, ``/coach prompts`` and ``/coach prompts channel`` take the same
``HH:MM [zone] [days]``, ``off`` and nothing (show). What differs is the schedule kind,
where it posts (this channel, or the user's DM) and the words of the replies, which each
feature supplies as a ``ScheduleReplies``. Everything else happens here, once: the zone
falls back to the user's Slack zone, a channel is checked (and joined when public) before
anything is saved, channel changes are announced, and the confirmation names the next post.

Calendars (issue 16) come the same way to every schedule command: ``skip holidays DE`` (or
``DE-BY``, ``none``) among the schedule's words, ``pause until 2027-01-04`` / ``pause 2w`` and
``resume``. The rules live in ``bot.services.calendars``; this flow reads the words, saves, and
hands the replies the calendar and the pause as plain values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.db.models import Schedule
from bot.errors import UsageError
from bot.gateway import users
from bot.kinds import ScheduleKind
from bot.listeners import schedule_args, schedule_changes
from bot.listeners.router import CommandContext
from bot.services import holiday_calendars, pauses, schedule_spec, schedules
from bot.services.schedule_spec import InvalidSchedule, ScheduleSpec
from bot.services.text import normalize

Problem = Literal["not_a_channel", "invite_needed", "archived", "slack_error", "join_failed"]


@dataclass(frozen=True)
class ChannelProblem:
    """Why the bot cannot post in the channel; ``code`` is Slack's error, when there is one."""

    reason: Problem
    code: str = ""


# What just happened, for a reply that shows the schedule: a plain show, a pause, a resume, or
# a resume of a schedule that was not paused (nothing changed).
Event = Literal["shown", "paused", "resumed", "not_paused"]


@dataclass(frozen=True)
class Saved:
    spec: ScheduleSpec
    next_post: str
    zone_from_profile: bool
    joined: bool
    # The holiday calendar's code (``DE-BY``) or None; ``calendar_note`` says which and lists
    # the next three skipped dates, or is "" when the command named no calendar and none applies.
    calendar: str | None = None
    calendar_note: str = ""
    # A pause set earlier stays when the time is changed: the note says until when (else None).
    pause_note: str | None = None


@dataclass(frozen=True)
class Current:
    spec: ScheduleSpec
    active: bool
    paused_reason: str | None
    next_post: str | None
    calendar: str | None = None
    calendar_note: str = ""
    paused_until: date | None = None  # the local date it posts again, while paused
    pause_note: str | None = None
    event: Event = "shown"


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


_PAUSE, _RESUME = normalize("pause"), normalize("resume")


def handle(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> Message:
    """``text`` is what follows the command: empty (show), ``off``/``stop``, ``pause ...``,
    ``resume``, or a schedule (with ``skip holidays XX`` among its words, or only that)."""
    words = text.strip()
    if cmd.in_channel and ctx.channel_id.startswith("D"):
        return cmd.replies.channel_problem(ctx, ChannelProblem("not_a_channel"), None)
    if not words or words.lower() == "show":
        return _show(cmd, ctx)
    if words.lower() in ("off", "stop"):
        return _off(cmd, ctx)
    first, rest = [*words.split(None, 1), ""][:2]  # any whitespace: Slack keeps tabs and newlines
    # Compared as skeletons, like the calendar's words: "pаuse" with a Cyrillic "а" is still
    # pause. (A skeleton is not the word itself: "resume" becomes "resurne", so compare both.)
    verb = normalize(first)
    if verb == _PAUSE:
        return _pause(cmd, ctx, rest)
    if verb == _RESUME:
        if rest.strip():
            raise UsageError(f"`resume` takes nothing after it: `{cmd.command} resume` posts again from now on.")
        return _resume(cmd, ctx)
    return _set(cmd, ctx, words)


def _target(cmd: ScheduleCommand, ctx: CommandContext) -> str:
    return ctx.channel_id if cmd.in_channel else ctx.user_id


def _current(row: Schedule, now: datetime, event: Event = "shown") -> Current:
    """The schedule as a reply shows it; "Next post" skips holidays and the pause, as the engine does."""
    spec = schedules.spec_of(row)
    assert spec.tz is not None
    coming = pauses.upcoming(row, now)
    next_post = coming.next_post_text(spec.tz) if row.active else None
    return Current(
        spec=spec,
        active=row.active,
        paused_reason=row.paused_reason,
        next_post=next_post,
        calendar=row.holidays,
        calendar_note=holiday_calendars.calendar_summary(row.holidays, tz=spec.tz, now=now, days=spec.days),
        paused_until=coming.paused_until,
        pause_note=coming.pause_note,
        event=event,
    )


def _show(cmd: ScheduleCommand, ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is None:
            return cmd.replies.nothing_set(ctx)
        current = _current(row, ctx.deps.clock())
    return cmd.replies.current(ctx, current)


def _off(cmd: ScheduleCommand, ctx: CommandContext) -> Message:
    if cmd.in_channel:
        schedule_changes.check_allowed(ctx, kind=cmd.kind, command=f"{cmd.command} off")
        was = schedule_changes.before(ctx, kind=cmd.kind)
    with ctx.deps.sessions.begin() as session:
        was_on = schedules.stop_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is not None:
            # Off is stronger than a pause: setting the schedule again later starts unpaused.
            pauses.resume_schedule(row)
    if cmd.in_channel:
        schedule_changes.announce(ctx, kind=cmd.kind, was=was, now=None)
    return cmd.replies.stopped(ctx, was_on=was_on)


def _nothing_to(cmd: ScheduleCommand, verb: str) -> UsageError:
    where = "in this channel" if cmd.in_channel else "for you"
    return UsageError(
        f"There is nothing to {verb}: `{cmd.command}` has no schedule on {where}. Set one up first, for example "
        f"`{cmd.command} {cmd.at} Europe/Berlin weekdays`; then `{cmd.command} pause 2w` pauses it. "
        "Nothing was changed."
    )


def _pause(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> Message:
    """``pause until 2027-01-04`` / ``pause 2w``: nothing posts before that local date, then it
    posts again by itself. Pausing again moves the date."""
    if cmd.in_channel:
        schedule_changes.check_allowed(ctx, kind=cmd.kind, command=f"{cmd.command} pause {text}".strip())
    now = ctx.deps.clock()
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is None or not row.active:
            raise _nothing_to(cmd, "pause")
        today = pauses.local_today(row.tz, now)
        # Raises InvalidPause (a past date, more than a year, not a date) inside the unit of
        # work, so nothing is saved.
        until = pauses.parse_pause(text, today=today)
        was = row.paused_until if pauses.is_paused(row.paused_until, today) else None
        pauses.pause_schedule_until(row, until, ctx.user_id)
        session.flush()
        current, creator = _current(row, now, "paused"), row.created_by
    if cmd.in_channel and was != until:
        schedule_changes.announce_pause(ctx, kind=cmd.kind, until=until, creator_id=creator)
    return cmd.replies.current(ctx, current)


def _resume(cmd: ScheduleCommand, ctx: CommandContext) -> Message:
    """``resume``: lift a pause now; the next occurrence posts as usual."""
    if cmd.in_channel:
        schedule_changes.check_allowed(ctx, kind=cmd.kind, command=f"{cmd.command} resume")
    now = ctx.deps.clock()
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is None or not row.active:
            raise _nothing_to(cmd, "resume")
        was = row.paused_until if pauses.is_paused(row.paused_until, pauses.local_today(row.tz, now)) else None
        pauses.resume_schedule(row)
        session.flush()
        current, creator = _current(row, now, "resumed" if was else "not_paused"), row.created_by
    if cmd.in_channel and was is not None:
        schedule_changes.announce_pause(ctx, kind=cmd.kind, until=None, creator_id=creator, was_until=was)
    return cmd.replies.current(ctx, current)


def _spec_and_calendar(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> tuple[ScheduleSpec, str | None]:
    """The schedule's words and its ``skip holidays`` option (a code, ``none``, or None if not
    named). Only the option (``/quote daily skip holidays DE``) keeps the schedule's time."""
    option, words = holiday_calendars.split_calendar_option(text.split())
    if words or option is None:
        spec = schedule_args.parse_schedule_text(
            ctx.deps,
            ctx.client,
            team_id=ctx.team_id,
            user_id=ctx.user_id,
            text=" ".join(words),
            command=cmd.command,
            at=cmd.at,
        )
        return spec, option
    with ctx.deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        if row is None or not row.active:
            raise InvalidSchedule(
                "Give the time too, for example "
                f"`{cmd.command} {cmd.at} Europe/Berlin weekdays skip holidays {option}`."
            )
        return schedules.spec_of(row), option


def _set(cmd: ScheduleCommand, ctx: CommandContext, text: str) -> Message:
    deps = ctx.deps
    spec, option = _spec_and_calendar(cmd, ctx, text)
    zone_from_profile = spec.tz is None
    if spec.tz is None:
        zone = users.user_zone(deps.users, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        if zone is None:
            raise InvalidSchedule(
                "I couldn't read your Slack time zone, so please name one, for example "
                f"`{cmd.command} {schedule_spec.format_time(spec)} Europe/Berlin`."
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
        existing = schedules.get_schedule(session, team_id=ctx.team_id, kind=cmd.kind, target_id=_target(cmd, ctx))
        own = existing.holidays if existing is not None else None
        row = schedules.set_schedule(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            kind=cmd.kind,
            target_id=_target(cmd, ctx),
            created_by=ctx.user_id,
            spec=spec,
            now=now,
        )
        # Not named: a new schedule takes the workspace default (COACHBOT_HOLIDAYS), an existing
        # one keeps its own; ``none`` clears it.
        calendar = holiday_calendars.set_calendar(
            row,
            holiday_calendars.calendar_for_schedule(
                option, default=deps.settings.holidays, current=own, is_new=existing is None
            ),
        )
        current = _current(row, now)
    if cmd.in_channel:
        schedule_changes.announce(ctx, kind=cmd.kind, was=was, now=spec, calendar=calendar)
    assert current.next_post is not None
    return cmd.replies.saved(
        ctx,
        Saved(
            spec=spec,
            next_post=current.next_post,
            zone_from_profile=zone_from_profile,
            joined=joined,
            calendar=calendar,
            # Said when there is a calendar, or when the command turned it off (``none``).
            calendar_note=current.calendar_note if calendar is not None or option is not None else "",
            pause_note=current.pause_note,
        ),
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
