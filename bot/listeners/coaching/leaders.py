"""The leader's view: ``/coach leaders [add @a | remove @a]`` and ``/coach digest``.

Admins name leaders (admins count as leaders). A leader's digest is counts and averages per
manager, never a note or a single rating (``bot.services.digest``); it arrives by DM, now or
weekly through the shared schedule flow (a ``ScheduleKind.DIGEST`` schedule on the leader).
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import digest as digest_ui
from bot.blocks.calendars import lead_line, note_lines
from bot.db.engine import Sessions
from bot.deps import Deps
from bot.errors import UsageError
from bot.gateway import dms, roles, users
from bot.kinds import ScheduleKind
from bot.listeners import coach_args, schedule_command
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.schedule_command import ChannelProblem, Current, Saved, ScheduleCommand
from bot.services import calendars, digest, leaders, schedules
from bot.services.schedules import ScheduleSpec

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
LEADERS_EXAMPLE = leaders.ADD_EXAMPLE
DIGEST_EXAMPLE = "/coach digest weekly mon 08:00 Europe/Berlin"
AGAIN = "/coach digest"


@declare(
    SUBCOMMANDS,
    "leaders",
    usage="leaders [add @a | remove @a]",
    example="leaders add @ada",
    summary="Admins: who gets the coaching digest (counts per manager, never a note). Admins count too.",
    audience="admin",
)
def handle_leaders(ctx: CommandContext) -> Message:
    deps = ctx.deps
    is_admin = roles.is_admin(deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    leaders.ensure_admin(is_admin=is_admin)
    verb, rest = coach_args.split_first(ctx.args)
    verb = verb.lower()
    admins = roles.configured_admins(deps, team_id=ctx.team_id)
    if not verb or verb == "list":
        with deps.sessions.begin() as session:
            named = leaders.list_leaders(session, team_id=ctx.team_id)
        return Message(text=digest_ui.leaders_text(named, admins))
    if verb not in ("add", "remove"):
        raise UsageError(
            f"`/coach leaders` takes `add` or `remove` and mentions, e.g. `{LEADERS_EXAMPLE}`; alone it lists them."
        )
    user_ids = coach_args.parse_mentions(rest, example=f"/coach leaders {verb} @ada")
    if verb == "add":
        for user_id in user_ids:
            users.resolve_person(deps.users, ctx.client, team_id=ctx.team_id, user_id=user_id, example=LEADERS_EXAMPLE)
    with deps.sessions.begin() as session:
        if verb == "add":
            change = leaders.add_leaders(
                session,
                team_id=ctx.team_id,
                enterprise_id=ctx.enterprise_id,
                user_ids=user_ids,
                added_by=ctx.user_id,
                is_admin=is_admin,
                now=deps.clock(),
            )
        else:
            change = leaders.remove_leaders(session, team_id=ctx.team_id, user_ids=user_ids, is_admin=is_admin)
        named = leaders.list_leaders(session, team_id=ctx.team_id)
    people = ", ".join(f"<@{u}>" for u in change.changed)
    if verb == "add":
        head = f"Added as leaders: {people}." if change.changed else ""
        same = "Already leaders: " if change.unchanged else ""
    else:
        head = f"Removed as leaders: {people}; their digest is stopped." if change.changed else ""
        same = "Not leaders: " if change.unchanged else ""
    if same:
        head = f"{head} {same}{', '.join(f'<@{u}>' for u in change.unchanged)}.".strip()
    return Message(text=f"{head}\n{digest_ui.leaders_text(named, admins)}")


# --- the digest ------------------------------------------------------------------------------


def _when(spec: ScheduleSpec) -> str:
    return f"{schedules.format_days(spec.days)} at {schedules.format_time(spec)} {spec.tz}"


class DigestReplies:
    def saved(self, ctx: CommandContext, saved: Saved) -> Message:
        notes = note_lines(event="shown", calendar_note=saved.calendar_note, pause_note=saved.pause_note, command=AGAIN)
        when = (
            f":bar_chart: You'll get the coaching digest by DM {_when(saved.spec)}. "
            f"Next one: {saved.next_post}. Stop with `/coach digest off`; one now: `/coach digest now`."
        )
        return Message(text="\n".join([when, *notes]))

    def current(self, ctx: CommandContext, current: Current) -> Message:
        if current.active and current.next_post is not None:
            lead = lead_line(current.event, paused_until=current.paused_until, command=AGAIN)
            notes = note_lines(
                event=current.event, calendar_note=current.calendar_note, pause_note=current.pause_note, command=AGAIN
            )
            when = (
                f":bar_chart: You get the coaching digest by DM {_when(current.spec)}. "
                f"Next one: {current.next_post}. Stop with `/coach digest off`."
            )
            return Message(text="\n".join([*([lead] if lead else []), when, *notes]))
        if current.paused_reason is None:
            return self.nothing_set(ctx)
        return Message(
            text=f":double_vertical_bar: Your weekly digest is off: {current.paused_reason}. "
            f"Start it again with e.g. `{DIGEST_EXAMPLE}`."
        )

    def nothing_set(self, ctx: CommandContext) -> Message:
        return Message(
            text=f"You get no weekly coaching digest yet. Start it with e.g. `{DIGEST_EXAMPLE}`, "
            "or get one now with `/coach digest now`."
        )

    def stopped(self, ctx: CommandContext, *, was_on: bool) -> Message:
        if was_on:
            return Message(text=f"Weekly digest stopped. Start again any time with `{DIGEST_EXAMPLE}`.")
        return Message(text=f"You had no weekly digest. Start it with `{DIGEST_EXAMPLE}`.")

    def channel_problem(self, ctx: CommandContext, problem: ChannelProblem, spec: ScheduleSpec | None) -> Message:
        raise AssertionError("the digest is a DM schedule")  # pragma: no cover - only channel replies


DIGEST_WEEKLY = ScheduleCommand(
    kind=ScheduleKind.DIGEST, command="/coach digest weekly", in_channel=False, replies=DigestReplies(), at="08:00"
)


def weekly_text(words: list[str]) -> str:
    """``mon 08:00 [zone] [skip holidays XX]`` (the spec's order) as the schedule flow's
    ``08:00 [zone] mon [skip holidays XX]``; one day only."""
    option, words = calendars.split_calendar_option(words)
    if words and not any(ch.isdigit() for ch in words[0]):
        words = [*words[1:], words[0]]
    text = " ".join(words)
    spec = schedules.parse_schedule(text, example=f"`{DIGEST_EXAMPLE}`", command="/coach digest weekly")
    if bin(spec.days).count("1") != 1:
        raise UsageError(f"A weekly digest comes on one day of the week: name it, e.g. `{DIGEST_EXAMPLE}`.")
    return f"{text} skip holidays {option}" if option else text


@declare(
    SUBCOMMANDS,
    "digest",
    usage="digest now | weekly DAY HH:MM [Area/City] [skip holidays XX] | pause until DATE | resume | off",
    example="digest weekly mon 08:00 Europe/Berlin",
    # Help says exactly what leaders see, so every manager can read it there.
    summary="Leaders: the coaching digest by DM, now or weekly. " + digest_ui.LEADER_VIEW_HELP,
    audience="manager",  # managers read what leaders see; leaders are named by admins
)
def handle_digest(ctx: CommandContext) -> Message:
    deps = ctx.deps
    is_admin = roles.is_admin(deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    with deps.sessions.begin() as session:
        leaders.ensure_leader(session, team_id=ctx.team_id, user_id=ctx.user_id, is_admin=is_admin)
    words = ctx.args.split()
    verb = words[0].lower() if words else ""
    if verb == "now":
        if len(words) > 1:
            raise UsageError("`/coach digest now` takes nothing after `now`.")
        deps.defer(send_digest_now, deps.sessions, ctx.client, deps, team_id=ctx.team_id, user_id=ctx.user_id)
        # What leaders see is in `/coach help` and the digest's own footnote: not a third time here.
        return Message(text=":bar_chart: Sending you the coaching digest by DM.")
    if verb in ("", "show", "off", "stop"):
        if len(words) > 1:
            raise UsageError(f"`/coach digest {verb}` takes nothing after it; to schedule: `{DIGEST_EXAMPLE}`.")
        return schedule_command.handle(DIGEST_WEEKLY, ctx, verb)
    if verb == "weekly":
        return schedule_command.handle(DIGEST_WEEKLY, ctx, weekly_text(words[1:]))
    if verb in ("pause", "resume"):
        # `pause until 2027-01-04`, `pause 2w`, `resume`: the shared flow reads them.
        return schedule_command.handle(DIGEST_WEEKLY, ctx, ctx.args)
    raise UsageError(
        f"`/coach digest` takes `now`, `weekly DAY HH:MM [zone]` or `off`, "
        f"e.g. `{DIGEST_EXAMPLE}` or `/coach digest now`."
    )


def send_digest_now(sessions: Sessions, client: WebClient, deps: Deps, *, team_id: str, user_id: str) -> None:
    """After the ack: compute the digest (counts only) and DM it to the leader who asked."""
    with sessions.begin() as session:
        built = digest_ui.digest_message(
            digest.build_digest(session, team_id=team_id, now=deps.clock(), viewer=user_id)
        )
    dms.send_dm(client, user_id=user_id, message=built)
    log.info("digest sent to leader %s in %s", user_id, team_id)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
