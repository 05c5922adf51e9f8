"""/coach: managers, private notes, prompts and follow-ups; and the buttons and modals they use.

Listeners translate: they read the Slack payload into plain values, call a service in one
unit of work, build blocks with ``bot.blocks.coaching`` and reply. Ownership of a note is
re-checked by the service on every action, because button values come from the client
and can be forged. Slow Slack calls (views.open, DMs, uploads) run after the ack.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import coaching as blocks
from bot.deps import Deps
from bot.errors import NotFound, UsageError, UserError
from bot.gateway import roles
from bot.gateway.users import SlackUser
from bot.listeners import coach_args, coach_help, schedule_args, schedule_changes
from bot.listeners.router import CommandContext, CommandRouter, Reply, Routers
from bot.services import coaching, prompts, schedules
from bot.services.store import THEMES

log = logging.getLogger(__name__)

PROMPT_EXAMPLE = "/coach prompts 08:30 America/New_York weekdays"
CHANNEL_PROMPT_EXAMPLE = "/coach prompts channel 09:00 America/New_York mon,thu"
MANAGERS_EXAMPLE = coach_args.MANAGERS_EXAMPLE
PROMPT_DM, PROMPT_CHANNEL = "prompt_dm", "prompt_channel"  # schedule kinds


# --- parsing at the edge (the /coach argument parsers live in bot.listeners.coach_args) -----

parse_mention = coach_args.parse_mention
parse_int_value = coach_args.parse_id_value


@dataclass(frozen=True)
class NoteForm:
    rep_id: str | None
    text: str
    follow_up_on: date | None
    theme: str | None
    share: bool


def parse_note_form(values: dict[str, Any]) -> NoteForm:
    """``view.state.values`` of the note modal as plain values."""

    def field(block: str) -> dict[str, Any]:
        return dict((values.get(block) or {}).get(block) or {})

    follow_raw = field(blocks.FOLLOW_UP_BLOCK).get("selected_date")
    try:
        follow_up = date.fromisoformat(follow_raw) if follow_raw else None
    except ValueError:
        raise UsageError("Pick a date from the calendar.", block_id=blocks.FOLLOW_UP_BLOCK) from None
    theme_opt = field(blocks.THEME_BLOCK).get("selected_option") or {}
    share_opts = field(blocks.SHARE_BLOCK).get("selected_options") or []
    return NoteForm(
        rep_id=field(blocks.REP_BLOCK).get("selected_user") or None,
        text=field(blocks.NOTE_BLOCK).get("value") or "",
        follow_up_on=follow_up,
        theme=theme_opt.get("value") or None,
        share=any(o.get("value") == blocks.SHARE_VALUE for o in share_opts),
    )


# --- roles and people ----------------------------------------------------------------------


def check_manager(deps: Deps, client: WebClient, *, team_id: str, user_id: str, session: Session | None = None) -> None:
    """Managers (named by an admin) and admins may keep notes; others are told who to ask.

    Pass ``session`` to check inside the caller's unit of work (one transaction, not two)."""
    if session is not None:
        if coaching.is_manager(session, team_id=team_id, user_id=user_id):
            return
    else:
        with deps.sessions.begin() as own:
            if coaching.is_manager(own, team_id=team_id, user_id=user_id):
                return
    if roles.is_admin(deps, client, team_id=team_id, user_id=user_id):
        return
    raise coaching.NotAManager(coaching.not_a_manager_message(roles.configured_admins(deps, team_id=team_id)))


def is_manager(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    try:
        check_manager(deps, client, team_id=team_id, user_id=user_id)
    except coaching.NotAManager:
        return False
    return True


def resolve_person(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, example: str, block_id: str | None = None
) -> SlackUser:
    """A real, active person of this workspace, or a ``UserError`` saying what is wrong."""
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    shown = None if block_id else example  # under a form's field: pick another there, no command
    if user is None:
        raise NotFound(blocks.person_error_text(user_id, "missing", example=shown), block_id=block_id)
    if user.is_bot:
        raise UserError(blocks.person_error_text(user_id, "bot", example=shown), block_id=block_id)
    if user.deleted:
        raise UserError(blocks.person_error_text(user_id, "deactivated", example=shown), block_id=block_id)
    return user


def user_tz(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> str | None:
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return user.tz if user else None


def valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


# --- notes -----------------------------------------------------------------------------------


def save_note(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    enterprise_id: str | None,
    author_id: str,
    rep_id: str,
    text: str,
    theme: str | None = None,
    follow_up_on: date | None = None,
    share: bool = False,
    block_ids: bool = False,
) -> tuple[coaching.NoteView, bool]:
    """Check and store a note. Returns the note and whether it is about the author.

    The manager check and the insert share one transaction (the ack path's main cost is
    database round trips); a non-manager is refused before any Slack lookup."""
    with deps.sessions.begin() as session:
        check_manager(deps, client, team_id=team_id, user_id=author_id, session=session)
        note, about_self = _save_note_checked(
            deps,
            client,
            session,
            team_id=team_id,
            enterprise_id=enterprise_id,
            author_id=author_id,
            rep_id=rep_id,
            text=text,
            theme=theme,
            follow_up_on=follow_up_on,
            share=share,
            block_ids=block_ids,
        )
    log.info("note %d saved by %s in %s", note.id, author_id, team_id)
    if note.shared_with_rep:
        deps.defer(share_with_rep, client, note)
    return note, about_self


def _save_note_checked(
    deps: Deps,
    client: WebClient,
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    author_id: str,
    rep_id: str,
    text: str,
    theme: str | None,
    follow_up_on: date | None,
    share: bool,
    block_ids: bool,
) -> tuple[coaching.NoteView, bool]:
    # Length and emptiness first: a refused note costs no Slack call and stores nothing.
    try:
        coaching.validate_note_text(text)
    except (coaching.EmptyNote, coaching.NoteTooLong):
        if not block_ids:
            raise
        raise UsageError(blocks.note_field_error(text), block_id=blocks.NOTE_BLOCK) from None
    rep = resolve_person(
        deps,
        client,
        team_id=team_id,
        user_id=rep_id,
        example=coaching.NOTE_EXAMPLE,
        block_id=blocks.REP_BLOCK if block_ids else None,
    )
    tz = valid_zone(user_tz(deps, client, team_id=team_id, user_id=author_id))
    if follow_up_on is not None and follow_up_on < coaching.local_today(deps.clock(), tz):
        raise UserError("Pick today or a later date for the follow-up.", block_id=blocks.FOLLOW_UP_BLOCK)
    note = coaching.log_note(
        session,
        team_id=team_id,
        enterprise_id=enterprise_id,
        author_id=author_id,
        author_tz=tz,
        rep_id=rep.id,
        rep_name=rep.display,
        text=text,
        theme=theme,
        follow_up_on=follow_up_on,
        share_with_rep=share and rep.id != author_id,
        now=deps.clock(),
    )
    return note, rep.id == author_id


def share_with_rep(client: WebClient, note: coaching.NoteView) -> None:
    """Send the rep their copy, once, at save time."""
    text, message = blocks.shared_note_message(note)
    client.chat_postMessage(channel=note.rep_id, text=text, blocks=message)


def handle_log_note(ctx: CommandContext, router: CommandRouter) -> Reply:
    """``/coach @rep text``: the router's fallback, since the first word is a mention."""
    try:
        args = coach_args.parse_note(ctx.args)
    except coach_args.NotAMention as err:
        # `/coach frobnicate`: no mention and no subcommand of that name (`/coach note x` is a bad note).
        if not ctx.name and not err.word.startswith(("@", "<@")):
            raise UsageError(router.unknown(err.word, ctx)) from None
        raise
    note, about_self = save_note(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        enterprise_id=ctx.enterprise_id,
        author_id=ctx.user_id,
        rep_id=args.rep_id,
        text=args.text,
    )
    return Reply(
        text=blocks.note_saved_text(note, about_self=about_self),
        blocks=blocks.note_saved_blocks(note, about_self=about_self),
    )


def open_note_modal(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    theme: str | None = None,
    private_metadata: str = "",
) -> None:
    check_manager(deps, client, team_id=team_id, user_id=user_id)
    view = blocks.note_modal(theme=theme if theme in THEMES else None, private_metadata=private_metadata)
    # The trigger_id is valid for 3 seconds: open right after the ack, not later.
    deps.defer(client.views_open, trigger_id=trigger_id, view=view)


def handle_open_modal(ctx: CommandContext) -> Reply | None:
    """``/coach`` with no text."""
    open_note_modal(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, trigger_id=ctx.trigger_id)
    return None


def handle_notes(ctx: CommandContext) -> Reply:
    """``/coach notes [@rep] [page]``."""
    args = coach_args.parse_notes(ctx.args)
    with ctx.deps.sessions.begin() as session:
        result = coaching.list_notes(
            session, team_id=ctx.team_id, author_id=ctx.user_id, rep_id=args.rep_id, page=args.page
        )
    tz = user_tz(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    return Reply(text=blocks.notes_page_text(result), blocks=blocks.notes_page_blocks(result, tz=tz))


def handle_search(ctx: CommandContext) -> Reply:
    with ctx.deps.sessions.begin() as session:
        result = coaching.search_notes(
            session, team_id=ctx.team_id, author_id=ctx.user_id, query=coach_args.parse_search(ctx.args)
        )
    tz = user_tz(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    return Reply(text=blocks.notes_page_text(result), blocks=blocks.notes_page_blocks(result, tz=tz))


def handle_delete(ctx: CommandContext) -> Reply:
    """``/coach delete ID`` or ``/coach delete all`` (which asks first)."""
    args = coach_args.parse_delete(ctx.args)
    if args.note_id is None:
        with ctx.deps.sessions.begin() as session:
            count, newest = coaching.count_notes(session, team_id=ctx.team_id, author_id=ctx.user_id)
        if not count or newest is None:
            return Reply(text="You have no coaching notes, so there is nothing to delete.")
        return Reply(
            text=blocks.delete_all_prompt_text(count),
            blocks=blocks.delete_all_confirm_blocks(count, newest),
        )
    with ctx.deps.sessions.begin() as session:
        note = coaching.delete_note(session, team_id=ctx.team_id, author_id=ctx.user_id, note_id=args.note_id)
    log.info("note %d deleted by its author", note.id)
    return Reply(text=f":wastebasket: Deleted note #{note.id} about <@{note.rep_id}>.")


def handle_export(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    tz = user_tz(deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    with deps.sessions.begin() as session:
        content, count = coaching.export_csv(session, team_id=ctx.team_id, author_id=ctx.user_id, tz=tz)
    if not count:
        return Reply(text="You have no coaching notes to export yet. Log one with `/coach @rep what you observed`.")
    filename = f"coaching-notes-{coaching.local_today(deps.clock(), tz).isoformat()}.csv"
    deps.defer(send_export, ctx.client, user_id=ctx.user_id, content=content, filename=filename, count=count)
    return Reply(text=blocks.export_sending_text(count))


def send_export(client: WebClient, *, user_id: str, content: str, filename: str, count: int) -> None:
    """Upload the CSV into the author's DM with the bot (files upload v2 flow)."""
    dm = client.conversations_open(users=user_id)
    channel = dm["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        content=content,
        filename=filename,
        title="Your coaching notes",
        initial_comment=blocks.export_comment(count, coaching.CSV_COLUMNS),
    )
    log.info("exported %d notes for %s", count, user_id)


def handle_overview(ctx: CommandContext) -> Reply:
    with ctx.deps.sessions.begin() as session:
        ov = coaching.overview(session, team_id=ctx.team_id, author_id=ctx.user_id, now=ctx.deps.clock())
    tz = user_tz(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    return Reply(text=blocks.overview_text(ov), blocks=blocks.overview_blocks(ov, tz=tz))


# --- managers --------------------------------------------------------------------------------


def handle_managers(ctx: CommandContext) -> Reply:
    """``/coach managers [list|add @a @b|remove @a]``: admins only."""
    deps, client = ctx.deps, ctx.client
    verb = coach_args.managers_verb(ctx.args)
    is_admin = roles.is_admin(deps, client, team_id=ctx.team_id, user_id=ctx.user_id)
    if verb == "list" and not is_admin:
        # Asking who the managers are changes nothing: say who manages that list instead.
        return Reply(text=blocks.managers_admin_only_text(roles.configured_admins(deps, team_id=ctx.team_id)))
    coaching.ensure_admin(is_admin=is_admin)
    admins = roles.configured_admins(deps, team_id=ctx.team_id)
    if verb == "list":
        with deps.sessions.begin() as session:
            managers = coaching.list_managers(session, team_id=ctx.team_id)
        return Reply(text=blocks.managers_text(managers, admins))
    user_ids = coach_args.parse_managers(ctx.args).user_ids
    if verb == "add":
        for user_id in user_ids:
            resolve_person(deps, client, team_id=ctx.team_id, user_id=user_id, example=MANAGERS_EXAMPLE)
        with deps.sessions.begin() as session:
            change = coaching.add_managers(
                session,
                team_id=ctx.team_id,
                enterprise_id=ctx.enterprise_id,
                user_ids=user_ids,
                added_by=ctx.user_id,
                now=deps.clock(),
            )
        parts = []
        if change.changed:
            parts.append("Added as managers: " + ", ".join(f"<@{u}>" for u in change.changed) + ".")
        if change.unchanged:
            parts.append("Already managers: " + ", ".join(f"<@{u}>" for u in change.unchanged) + ".")
        parts.append(
            "They can now log private notes with `/coach @rep note` and get prompts with `/coach prompts 08:30`."
        )
        if change.changed:
            coach_help.welcome_managers(ctx, change.changed)
            parts.append("Each new manager gets a welcome DM with three first steps.")
        return Reply(text=" ".join(parts))
    with deps.sessions.begin() as session:
        change = coaching.remove_managers(session, team_id=ctx.team_id, user_ids=user_ids)
        for user_id in change.changed:
            # A former manager gets no more coaching prompts; their notes stay theirs.
            schedules.stop_schedule(session, team_id=ctx.team_id, kind=PROMPT_DM, target_id=user_id)
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
    return Reply(text=" ".join(parts))


# --- prompts ---------------------------------------------------------------------------------


def _spec_with_zone(
    deps: Deps, client: WebClient, spec: schedules.ScheduleSpec, *, team_id: str, user_id: str, example: str
) -> schedules.ScheduleSpec:
    """The zone defaults to the user's Slack zone (users.info)."""
    if spec.tz:
        return spec
    slack_tz = user_tz(deps, client, team_id=team_id, user_id=user_id)
    zone = schedules.canonical_zone(slack_tz) if slack_tz else None
    if zone is None:
        raise schedules.InvalidSchedule(f"I couldn't read your Slack time zone, so please name one, e.g. `{example}`.")
    return replace(spec, tz=zone)


def _schedule_text(spec: schedules.ScheduleSpec, now: datetime, *, what: str, off: str) -> str:
    assert spec.tz is not None
    nxt = schedules.describe_instant(schedules.next_run(spec, now), spec.tz)
    return f":alarm_clock: {what} at *{schedules.format_spec(spec)}*. Next one: {nxt}. Stop with `{off}`."


def _show_schedule(
    deps: Deps, *, team_id: str, kind: str, target_id: str, what: str, off: str, again: str
) -> str | None:
    """The current setting as a sentence, or None when there is none."""
    with deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id=team_id, kind=kind, target_id=target_id)
        if row is None or (not row.active and row.paused_reason is None):
            return None
        spec, active, reason = schedules.spec_of(row), row.active, row.paused_reason
    if not active:
        return (
            f":double_vertical_bar: {what} at *{schedules.format_spec(spec)}* is paused: {reason}. "
            f"Fix that, then turn it back on with `{again} {schedules.command_args(spec)}`."
        )
    return _schedule_text(spec, deps.clock(), what=what, off=off)


def set_prompt_schedule(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    enterprise_id: str | None,
    user_id: str,
    text: str,
) -> str:
    """Subscribe a manager to a daily prompt DM. Returns the confirmation."""
    spec = schedule_args.parse_schedule_text(
        deps, client, team_id=team_id, user_id=user_id, text=text, command="/coach prompts", at="08:30"
    )
    spec = _spec_with_zone(deps, client, spec, team_id=team_id, user_id=user_id, example=PROMPT_EXAMPLE)
    now = deps.clock()
    with deps.sessions.begin() as session:
        schedules.set_schedule(
            session,
            team_id=team_id,
            enterprise_id=enterprise_id,
            kind=PROMPT_DM,
            target_id=user_id,
            created_by=user_id,
            spec=spec,
            now=now,
        )
    return _schedule_text(spec, now, what="You'll get a coaching prompt by DM", off="/coach prompts off")


def handle_prompts(ctx: CommandContext) -> Reply:
    """``/coach prompts [HH:MM [zone] [days] | off | channel ...]``."""
    deps, client = ctx.deps, ctx.client
    check_manager(deps, client, team_id=ctx.team_id, user_id=ctx.user_id)
    args = coach_args.parse_prompts(ctx.args)
    if args.channel:
        return _channel_prompts(ctx, args)
    if args.action == "off":
        with deps.sessions.begin() as session:
            stopped = schedules.stop_schedule(session, team_id=ctx.team_id, kind=PROMPT_DM, target_id=ctx.user_id)
        if not stopped:
            return Reply(text=f"You had no coaching prompt DMs. Start them with `{PROMPT_EXAMPLE}`.")
        return Reply(text=f"Coaching prompt DMs stopped. Start again any time with `{PROMPT_EXAMPLE}`.")
    if args.action == "show":
        shown = _show_schedule(
            deps,
            team_id=ctx.team_id,
            kind=PROMPT_DM,
            target_id=ctx.user_id,
            what="You get a coaching prompt by DM",
            off="/coach prompts off",
            again="/coach prompts",
        )
        if shown:
            return Reply(text=shown)
        zone = schedule_args.users_zone(deps, client, team_id=ctx.team_id, user_id=ctx.user_id)
        example = schedule_args.example("/coach prompts", zone, at="08:30")
        return Reply(text=f"You get no coaching prompt DMs yet. Start them with e.g. {example}.")
    return Reply(
        text=set_prompt_schedule(
            deps,
            client,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            user_id=ctx.user_id,
            text=args.schedule,
        )
    )


def _channel_problem(ctx: CommandContext, spec: schedules.ScheduleSpec) -> str | None:
    """Why the bot could not post the prompts in this channel, or None (joining a public one)."""
    again = f"`/coach prompts channel {schedules.command_args(spec)}`"
    try:
        info: dict[str, Any] = ctx.client.conversations_info(channel=ctx.channel_id)["channel"]
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            # Slack hides private channels the bot is not in.
            return f"I'm not in this private channel. Type `/invite @coachbot` here, then run {again} again."
        return f"Slack said `{exc.response.get('error')}`. Try again in a minute: {again}."
    if info.get("is_im") or info.get("is_mpim"):
        return f"Type this in the channel that should get the prompts, e.g. `{CHANNEL_PROMPT_EXAMPLE}`."
    if info.get("is_archived"):
        return "This channel is archived; run the command in another channel."
    if info.get("is_member"):
        return None
    if info.get("is_private"):
        return f"I'm not in this private channel. Type `/invite @coachbot` here, then run {again} again."
    try:
        ctx.client.conversations_join(channel=ctx.channel_id)
    except SlackApiError as exc:
        return (
            f"I couldn't join this channel (Slack said `{exc.response.get('error')}`). Type `/invite @coachbot` here."
        )
    return None


def _channel_prompts(ctx: CommandContext, args: coach_args.PromptsArgs) -> Reply:
    """``/coach prompts channel ...``, typed in the channel concerned by a manager."""
    deps, client = ctx.deps, ctx.client
    if ctx.channel_id.startswith("D"):
        raise UsageError(
            "Type this in the channel that should get the prompts (e.g. #sales-managers), "
            f"e.g. `{CHANNEL_PROMPT_EXAMPLE}`."
        )
    what, off = "This channel gets a coaching prompt", "/coach prompts channel off"
    if args.action == "off":
        was = schedule_changes.before(ctx, kind=PROMPT_CHANNEL)
        with deps.sessions.begin() as session:
            stopped = schedules.stop_schedule(
                session, team_id=ctx.team_id, kind=PROMPT_CHANNEL, target_id=ctx.channel_id
            )
        schedule_changes.announce(ctx, kind=PROMPT_CHANNEL, was=was, now=None)
        if not stopped:
            return Reply(text=f"This channel gets no coaching prompts. Start them with `{CHANNEL_PROMPT_EXAMPLE}`.")
        return Reply(text="Coaching prompts in this channel stopped.")
    if args.action == "show":
        shown = _show_schedule(
            deps,
            team_id=ctx.team_id,
            kind=PROMPT_CHANNEL,
            target_id=ctx.channel_id,
            what=what,
            off=off,
            again="/coach prompts channel",
        )
        return Reply(text=shown or f"This channel gets no coaching prompts yet. Start with `{CHANNEL_PROMPT_EXAMPLE}`.")
    spec = schedule_args.parse_schedule_text(
        deps, client, team_id=ctx.team_id, user_id=ctx.user_id, text=args.schedule, command="/coach prompts channel"
    )
    spec = _spec_with_zone(deps, client, spec, team_id=ctx.team_id, user_id=ctx.user_id, example=CHANNEL_PROMPT_EXAMPLE)
    problem = _channel_problem(ctx, spec)
    if problem is not None:
        return Reply(text=f":warning: {problem} Nothing was saved.")
    was = schedule_changes.before(ctx, kind=PROMPT_CHANNEL)
    now = deps.clock()
    with deps.sessions.begin() as session:
        schedules.set_schedule(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            kind=PROMPT_CHANNEL,
            target_id=ctx.channel_id,
            created_by=ctx.user_id,
            spec=spec,
            now=now,
        )
    schedule_changes.announce(ctx, kind=PROMPT_CHANNEL, was=was, now=spec)
    return Reply(text=_schedule_text(spec, now, what=what, off=off))


def handle_prompt_now(ctx: CommandContext) -> Reply:
    """``/coach prompt``: one coaching prompt now, from the manager's own rotation."""
    check_manager(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    with ctx.deps.sessions.begin() as session:
        prompt = prompts.next_prompt(
            session, team_id=ctx.team_id, target_id=ctx.user_id, now=ctx.deps.clock(), weigh_by_author=ctx.user_id
        )
    text, message = blocks.prompt_message(prompt)
    return Reply(text=text, blocks=message)


# --- buttons ---------------------------------------------------------------------------------


def _answer_action(body: dict[str, Any], respond: Respond, client: WebClient, text: str, *, replace: bool) -> None:
    """Reply to a button: in place of its message, or, for a button in a modal, in the modal."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        view = body.get("view") or {}
        if view.get("type") == "modal":
            client.views_update(
                view_id=view.get("id") or container.get("view_id"), view=blocks.message_view("Coaching note", text)
            )
        return
    if body.get("response_url"):
        respond(text=text, replace_original=replace, response_type="ephemeral")


def _action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _run_action(body: dict[str, Any], respond: Respond, client: WebClient, fn: Any) -> None:
    """Run ``fn() -> text`` and answer; a ``UserError`` becomes a private answer, not a crash."""
    try:
        text = fn()
    except UserError as err:
        _answer_action(body, respond, client, err.message, replace=False)
        return
    _answer_action(body, respond, client, text, replace=True)


def handle_undo(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    def undo() -> str:
        note_id = parse_int_value(_action_value(body))
        if note_id is None:
            raise NotFound("That button does not name a note.")
        with deps.sessions.begin() as session:
            note = coaching.undo_note(session, team_id=team_id, author_id=user_id, note_id=note_id, now=deps.clock())
        log.info("note %d undone by its author", note.id)
        return blocks.note_undone_text(note)

    _run_action(body, respond, client, undo)


def handle_page(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    """Prev/Next: the value says which list and page; the notes are always the clicker's own."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        raw = json.loads(_action_value(body))
        page = int(raw.get("p", 1))
        rep_id = raw.get("r")
        query = raw.get("q")
    except (ValueError, TypeError, AttributeError, OverflowError):  # {"p": 1e999} is inf
        return
    if rep_id is not None and (not isinstance(rep_id, str) or parse_mention(f"<@{rep_id}>") is None):
        return
    try:
        with deps.sessions.begin() as session:
            if isinstance(query, str):
                result = coaching.search_notes(session, team_id=team_id, author_id=user_id, query=query, page=page)
            else:
                result = coaching.list_notes(session, team_id=team_id, author_id=user_id, rep_id=rep_id, page=page)
    except UserError as err:
        respond(text=err.message, replace_original=False, response_type="ephemeral")
        return
    tz = user_tz(deps, client, team_id=team_id, user_id=user_id)
    respond(
        text=blocks.notes_page_text(result),
        blocks=blocks.notes_page_blocks(result, tz=tz),
        replace_original=True,
        response_type="ephemeral",
    )


def handle_delete_all_confirm(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    def delete_all() -> str:
        up_to = parse_int_value(_action_value(body))
        if up_to is None:
            raise UsageError("That button is not valid any more. Start again with `/coach delete all`.")
        with deps.sessions.begin() as session:
            deleted = coaching.delete_all_notes(session, team_id=team_id, author_id=user_id, up_to_id=up_to)
        log.info("%d notes deleted by their author", deleted)
        return blocks.deleted_text(deleted)

    _run_action(body, respond, client, delete_all)


def handle_delete_all_cancel(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    ack()
    _answer_action(body, respond, client, "Nothing was deleted.", replace=True)


def handle_log_note_button(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    """'Log a note' on a prompt (theme pre-filled) or on the App Home."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    theme = _action_value(body) or None
    from_home = (body.get("view") or {}).get("type") == "home"
    try:
        open_note_modal(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            trigger_id=str(body.get("trigger_id") or ""),
            theme=theme,
            private_metadata="home" if from_home else "",
        )
    except UserError as err:
        if body.get("response_url"):
            respond(text=err.message, replace_original=False, response_type="ephemeral")


def handle_follow_up(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    """Done / Snooze 1 week on a follow-up reminder."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    action_id = str((body.get("actions") or [{}])[0].get("action_id") or "")

    def act() -> str:
        note_id = parse_int_value(_action_value(body))
        if note_id is None:
            raise NotFound("That button does not name a note.")
        now = deps.clock()
        with deps.sessions.begin() as session:
            if action_id == blocks.FOLLOWUP_DONE:
                note = coaching.complete_follow_up(
                    session, team_id=team_id, author_id=user_id, note_id=note_id, now=now
                )
                return blocks.follow_up_done_text(note)
            own = coaching.get_note(session, team_id=team_id, author_id=user_id, note_id=note_id)
            today = coaching.local_today(now, own.author_tz)
            note = coaching.snooze_follow_up(session, team_id=team_id, author_id=user_id, note_id=note_id, today=today)
            return blocks.follow_up_snoozed_text(note)

    _run_action(body, respond, client, act)


def handle_set_prompt_time_button(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient, deps: Deps
) -> None:
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        check_manager(deps, client, team_id=team_id, user_id=user_id)
    except UserError as err:
        if body.get("response_url"):
            respond(text=err.message, replace_original=False, response_type="ephemeral")
        return
    with deps.sessions.begin() as session:
        sched = schedules.get_schedule(session, team_id=team_id, kind=PROMPT_DM, target_id=user_id)
        spec = schedules.spec_of(sched) if sched is not None and sched.active else None
    view = blocks.prompt_time_modal(
        hour_minute=f"{spec.hour:02d}:{spec.minute:02d}" if spec else None,
        tz=spec.tz if spec else None,
        days=schedules.format_days(spec.days) if spec else None,
    )
    deps.defer(client.views_open, trigger_id=str(body.get("trigger_id") or ""), view=view)


# --- modals ----------------------------------------------------------------------------------


def _errors(ack: Ack, err: UserError, default_block: str) -> None:
    ack(response_action="errors", errors={err.block_id or default_block: err.message})


def handle_note_submission(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps) -> None:
    view = body.get("view") or {}
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        form = parse_note_form((view.get("state") or {}).get("values") or {})
        if form.rep_id is None:
            raise UsageError("Pick the rep this note is about.", block_id=blocks.REP_BLOCK)
        note, about_self = save_note(
            deps,
            client,
            team_id=team_id,
            enterprise_id=context.enterprise_id,
            author_id=user_id,
            rep_id=form.rep_id,
            text=form.text,
            theme=form.theme,
            follow_up_on=form.follow_up_on,
            share=form.share,
            block_ids=True,
        )
    except UserError as err:
        _errors(ack, err, blocks.NOTE_BLOCK)
        return
    ack(response_action="update", view=blocks.note_saved_view(note, about_self=about_self))
    if view.get("private_metadata") == "home":
        from bot.listeners.home import publish_home

        deps.defer(publish_home, deps, client, team_id=team_id, user_id=user_id)


def handle_prompt_time_submission(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps
) -> None:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}

    def field(block: str, key: str) -> str:
        return str(((values.get(block) or {}).get(block) or {}).get(key) or "").strip()

    team_id, user_id = context.team_id or "", context.user_id or ""
    hhmm = field(blocks.TIME_BLOCK, "selected_time")
    zone = field(blocks.ZONE_BLOCK, "value")
    days = field(blocks.DAYS_BLOCK, "value") or "weekdays"
    try:
        check_manager(deps, client, team_id=team_id, user_id=user_id)
        if zone:
            try:  # a city ("New York") or an IANA name; an abbreviation gets the zone it likely means
                zone = schedules.zone_from_text(zone)
            except UserError as err:
                raise UsageError(err.message, block_id=blocks.ZONE_BLOCK) from None
        text = " ".join(p for p in (hhmm, zone, days) if p)
        try:
            set_prompt_schedule(
                deps, client, team_id=team_id, enterprise_id=context.enterprise_id, user_id=user_id, text=text
            )
        except UserError as err:
            raise UserError(err.message, block_id=err.block_id or blocks.DAYS_BLOCK) from None
    except UserError as err:
        _errors(ack, err, blocks.DAYS_BLOCK)
        return
    ack()
    from bot.listeners.home import publish_home

    deps.defer(publish_home, deps, client, team_id=team_id, user_id=user_id)


# --- registration ----------------------------------------------------------------------------


def register(app: App, routers: Routers) -> None:
    coach = routers.coach
    coach.default = handle_open_modal

    def log_note(ctx: CommandContext) -> Reply:
        return handle_log_note(ctx, coach)

    coach.fallback(log_note)
    # `/coach note @rep text` works too; registering it is how help lists logging a note.
    coach.add(
        "note",
        log_note,
        usage="@rep what you observed",
        example="@bob Strong discovery call; next time quantify the pain before the demo",
        summary="Log a private note on a rep (also `/coach note @rep ...`). `/coach` alone opens a form.",
    )
    coach.add(
        "notes", handle_notes, usage="notes [@rep] [page]", example="notes @bob 2", summary="Your notes, newest first."
    )
    coach.add(
        "search", handle_search, usage="search words", example="search discovery call", summary="Search your notes."
    )
    coach.add(
        "delete",
        handle_delete,
        usage="delete ID | all",
        example="delete 12",
        summary="Delete one of your notes, or all.",
    )
    coach.add("export", handle_export, usage="export", example="export", summary="Get your notes as a CSV file by DM.")
    coach.add(
        "overview",
        handle_overview,
        usage="overview",
        example="overview",
        summary="Per rep: last note, notes in 30/90 days, open follow-ups, who's gone 14+ days uncoached.",
    )
    coach.add(
        "prompts",
        handle_prompts,
        usage="prompts HH:MM [Area/City] [weekdays|everyday|mondays|mon,thu] | off | channel HH:MM ... | channel off",
        example="prompts 08:30 America/New_York weekdays",
        summary="A daily coaching prompt by DM (or, with `channel`, in this channel). Zone defaults to yours.",
    )
    coach.add("prompt", handle_prompt_now, usage="prompt", example="prompt", summary="One coaching prompt now.")
    coach.add(
        "managers",
        handle_managers,
        usage="managers [add @a @b | remove @a]",
        example="managers add @ada @bob",
        summary="Admins: list, add or remove managers.",
    )
    coach_help.install(coach)  # audiences for help, typo hints

    app.action(blocks.UNDO)(handle_undo)
    app.action(re.compile(f"^{blocks.PAGE}_(prev|next)$"))(handle_page)
    app.action(blocks.DELETE_ALL_CONFIRM)(handle_delete_all_confirm)
    app.action(blocks.DELETE_ALL_CANCEL)(handle_delete_all_cancel)
    app.action(blocks.LOG_NOTE)(handle_log_note_button)
    app.action(blocks.FOLLOWUP_DONE)(handle_follow_up)
    app.action(blocks.FOLLOWUP_SNOOZE)(handle_follow_up)
    app.action(blocks.SET_PROMPT_TIME)(handle_set_prompt_time_button)
    app.view(blocks.NOTE_MODAL)(handle_note_submission)
    app.view(blocks.PROMPT_TIME_MODAL)(handle_prompt_time_submission)
