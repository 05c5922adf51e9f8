"""Coaching prompts: ``/coach prompts`` (a manager's DM), ``/coach prompts channel``, ``/coach prompt``,
and the App Home's "Set prompt time" form. Scheduling goes through the shared schedule flow."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import notes as notes_ui
from bot.blocks import prompts as prompts_ui
from bot.blocks.calendars import lead_line, note_lines
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.gateway import roles
from bot.kinds import ScheduleKind
from bot.listeners import answers, coach_args, payload, schedule_args, schedule_command
from bot.listeners.home import publish_home
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.schedule_command import ChannelProblem, Current, Saved, ScheduleCommand
from bot.services import prompts, schedules
from bot.services.schedules import ScheduleSpec

SUBCOMMANDS: list[Subcommand] = []
PROMPT_EXAMPLE = "/coach prompts 08:30 America/New_York weekdays"
CHANNEL_PROMPT_EXAMPLE = "/coach prompts channel 09:00 America/New_York mon,thu"


def _when(spec: ScheduleSpec, next_post: str, *, what: str, off: str) -> str:
    return f":alarm_clock: {what} at *{schedules.format_spec(spec)}*. Next one: {next_post}. Stop with `{off}`."


class _PromptReplies:
    what_set = what_now = off = again = none = stopped_text = not_stopped = ""

    def saved(self, ctx: CommandContext, saved: Saved) -> Message:
        notes = note_lines(
            event="shown", calendar_note=saved.calendar_note, pause_note=saved.pause_note, command=self.again
        )
        return Message(text="\n".join([_when(saved.spec, saved.next_post, what=self.what_set, off=self.off), *notes]))

    def current(self, ctx: CommandContext, current: Current) -> Message:
        if current.active and current.next_post is not None:
            lead = lead_line(current.event, paused_until=current.paused_until, command=self.again)
            notes = note_lines(
                event=current.event,
                calendar_note=current.calendar_note,
                pause_note=current.pause_note,
                command=self.again,
            )
            when = _when(current.spec, current.next_post, what=self.what_now, off=self.off)
            return Message(text="\n".join([*([lead] if lead else []), when, *notes]))
        if current.paused_reason is None:
            return self.nothing_set(ctx)  # stopped: as if never set
        return Message(
            text=f":double_vertical_bar: {self.what_now} at *{schedules.format_spec(current.spec)}* is paused: "
            f"{current.paused_reason}. Fix that, then turn it back on with "
            f"`{self.again} {schedules.command_args(current.spec)}`."
        )

    def nothing_set(self, ctx: CommandContext) -> Message:
        return Message(text=self.none)

    def stopped(self, ctx: CommandContext, *, was_on: bool) -> Message:
        return Message(text=self.stopped_text if was_on else self.not_stopped)

    def channel_problem(self, ctx: CommandContext, problem: ChannelProblem, spec: ScheduleSpec | None) -> Message:
        raise AssertionError("a DM schedule has no channel")  # pragma: no cover - only channel replies


class DmReplies(_PromptReplies):
    what_set = "You'll get a coaching prompt by DM"
    what_now = "You get a coaching prompt by DM"
    off = "/coach prompts off"
    again = "/coach prompts"
    stopped_text = f"Coaching prompt DMs stopped. Start again any time with `{PROMPT_EXAMPLE}`."
    not_stopped = f"You had no coaching prompt DMs. Start them with `{PROMPT_EXAMPLE}`."

    def nothing_set(self, ctx: CommandContext) -> Message:
        zone = schedule_args.users_zone(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        example = schedule_args.example("/coach prompts", zone, at="08:30")
        return Message(text=f"You get no coaching prompt DMs yet. Start them with e.g. {example}.")


class ChannelReplies(_PromptReplies):
    what_set = what_now = "This channel gets a coaching prompt"
    off = "/coach prompts channel off"
    again = "/coach prompts channel"
    none = f"This channel gets no coaching prompts yet. Start with `{CHANNEL_PROMPT_EXAMPLE}`."
    stopped_text = "Coaching prompts in this channel stopped."
    not_stopped = f"This channel gets no coaching prompts. Start them with `{CHANNEL_PROMPT_EXAMPLE}`."

    def channel_problem(self, ctx: CommandContext, problem: ChannelProblem, spec: ScheduleSpec | None) -> Message:
        if problem.reason == "not_a_channel":
            return Message(
                text="Type this in the channel that should get the prompts (e.g. #sales-managers), "
                f"e.g. `{CHANNEL_PROMPT_EXAMPLE}`."
            )
        again = f"`/coach prompts channel {schedules.command_args(spec)}`" if spec else f"`{CHANNEL_PROMPT_EXAMPLE}`"
        why = {
            "invite_needed": f"I'm not in this private channel. Type `/invite @coachbot` here, then run {again} again.",
            "archived": "This channel is archived; run the command in another channel.",
            "join_failed": f"I couldn't join this channel (Slack said `{problem.code}`). "
            "Type `/invite @coachbot` here.",
            "slack_error": f"Slack said `{problem.code}`. Try again in a minute: {again}.",
        }[problem.reason]
        return Message(text=f":warning: {why} Nothing was saved.")


PROMPTS_DM = ScheduleCommand(
    kind=ScheduleKind.PROMPT_DM, command="/coach prompts", in_channel=False, replies=DmReplies(), at="08:30"
)
PROMPTS_CHANNEL = ScheduleCommand(
    kind=ScheduleKind.PROMPT_CHANNEL, command="/coach prompts channel", in_channel=True, replies=ChannelReplies()
)


@declare(
    SUBCOMMANDS,
    "prompts",
    usage="prompts HH:MM [Area/City] [weekdays|everyday|mondays|mon,thu] [skip holidays US|DE-BY|none] | "
    "pause until YYYY-MM-DD|2w | resume | off | channel HH:MM ... | channel pause 2w | channel off",
    example="prompts 08:30 America/New_York weekdays skip holidays US",
    summary="A daily coaching prompt by DM (or, with `channel`, in this channel). Zone defaults to yours.",
)
def handle_prompts(ctx: CommandContext) -> Message:
    """``/coach prompts [HH:MM [zone] [days] | off | channel ...]``."""
    with ctx.deps.sessions.begin() as session:
        roles.check_manager(ctx.deps, ctx.client, session, team_id=ctx.team_id, user_id=ctx.user_id)
    args = coach_args.parse_prompts(ctx.args)
    text = {"show": "", "off": "off"}.get(args.action, args.schedule)
    return schedule_command.handle(PROMPTS_CHANNEL if args.channel else PROMPTS_DM, ctx, text)


@declare(SUBCOMMANDS, "prompt", usage="prompt", example="prompt", summary="One coaching prompt now.")
def handle_prompt_now(ctx: CommandContext) -> Message:
    """``/coach prompt``: one coaching prompt now, from the manager's own rotation."""
    with ctx.deps.sessions.begin() as session:
        roles.check_manager(ctx.deps, ctx.client, session, team_id=ctx.team_id, user_id=ctx.user_id)
        prompt = prompts.next_prompt(
            session, team_id=ctx.team_id, target_id=ctx.user_id, now=ctx.deps.clock(), weigh_by_author=ctx.user_id
        )
    built = prompts_ui.prompt_message(prompt)
    return built


# --- the App Home's "Set prompt time" form ---------------------------------------------------


def handle_set_prompt_time_button(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps
) -> None:
    ack()
    who = payload.actor(body)
    try:
        with deps.sessions.begin() as session:
            roles.check_manager(deps, client, session, team_id=who.team_id, user_id=who.user_id)
            sched = schedules.get_schedule(
                session, team_id=who.team_id, kind=ScheduleKind.PROMPT_DM, target_id=who.user_id
            )
            spec = schedules.spec_of(sched) if sched is not None and sched.active else None
    except UserError as err:
        answers.say_privately(body, respond, err.message)
        return
    view = prompts_ui.prompt_time_modal(
        hour_minute=f"{spec.hour:02d}:{spec.minute:02d}" if spec else None,
        tz=spec.tz if spec else None,
        days=schedules.format_days(spec.days) if spec else None,
    )
    deps.defer(client.views_open, trigger_id=payload.trigger_id(body), view=view)


def handle_prompt_time_submission(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps
) -> None:
    values = payload.view_values(payload.view_of(body))
    who = payload.actor(body)
    hhmm = str(payload.field(values, notes_ui.TIME_BLOCK).get("selected_time") or "").strip()
    zone = payload.text_input(values, notes_ui.ZONE_BLOCK).strip()
    days = payload.text_input(values, notes_ui.DAYS_BLOCK).strip() or "weekdays"
    ctx = CommandContext(
        command="/coach",
        name="prompts",
        args="",
        team_id=who.team_id,
        enterprise_id=context.enterprise_id,
        user_id=who.user_id,
        user_name="",
        channel_id="",
        channel_name="",
        trigger_id=payload.trigger_id(body),
        response_url="",
        client=client,
        deps=deps,
    )
    try:
        with deps.sessions.begin() as session:
            roles.check_manager(deps, client, session, team_id=who.team_id, user_id=who.user_id)
        if zone:
            try:  # a city ("New York") or an IANA name; an abbreviation gets the zone it likely means
                zone = schedules.zone_from_text(zone)
            except UserError as err:
                raise UsageError(err.message, block_id=notes_ui.ZONE_BLOCK) from None
        try:
            schedule_command.handle(PROMPTS_DM, ctx, " ".join(p for p in (hhmm, zone, days) if p))
        except UserError as err:
            raise UserError(err.message, block_id=err.block_id or notes_ui.DAYS_BLOCK) from None
    except UserError as err:
        answers.form_errors(ack, err, notes_ui.DAYS_BLOCK)
        return
    ack()
    deps.defer(publish_home, deps, client, team_id=who.team_id, user_id=who.user_id)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(notes_ui.SET_PROMPT_TIME)(coach.ack_first(handle_set_prompt_time_button))
    app.view(notes_ui.PROMPT_TIME_MODAL)(coach.ack_first(handle_prompt_time_submission))
