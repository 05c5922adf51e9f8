"""Writing a coaching note: ``/coach @rep text``, the note form, Undo, and follow-up buttons.

The listeners only translate Slack in and out: saving (the manager check, the typed skill,
the checks, the insert, the rep's copy, the form's action item), Undo and the follow-up
buttons are ``bot.flows.notes``. The reply carries Undo for ten minutes; a follow-up date
brings a reminder whose Done and Snooze buttons land here too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import note_form as note_form_ui
from bot.blocks import notes as notes_ui
from bot.deps import Deps
from bot.errors import NotFound, UsageError, UserError
from bot.flows import notes as flow
from bot.gateway import roles
from bot.listeners import answers, coach_args, payload
from bot.listeners.coaching.note_form import parse_note_form
from bot.listeners.home import publish_home
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, UnknownWord, declare
from bot.services import rubric
from bot.services.store import THEMES

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
TITLE = "Coaching note"


# --- the command and the form ---------------------------------------------------------------


def handle_log_note(ctx: CommandContext) -> Message:
    """``/coach @rep text`` (the router's fallback, since the first word is a mention)."""
    try:
        args = coach_args.parse_note(ctx.args)
    except coach_args.NotAMention as err:
        # `/coach frobnicate`: no mention and no subcommand of that name (`/coach note x` is a bad note).
        if not ctx.name and not err.word.startswith(("@", "<@")):
            raise UnknownWord(err.word) from None
        raise
    saved = flow.save(
        ctx.deps,
        ctx.client,
        flow.NoteRequest(
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            author_id=ctx.user_id,
            rep_id=args.rep_id,
            text=args.text,
            typed=True,
        ),
    )
    return saved.reply()


# `/coach note @rep text` works too; declaring it is how help lists logging a note.
declare(
    SUBCOMMANDS,
    "note",
    usage="@rep [skill [1-5]] what you observed",
    example="@bob discovery 3 asked great follow-up questions",
    summary="Log a private note on a rep, optionally rating a skill (`/coach skills`) from 1 to 5 "
    "(also `/coach note @rep ...`). `/coach` alone opens a form.",
)(handle_log_note)


def open_note_modal(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    theme: str | None = None,
    private_metadata: str = "",
    rep_id: str | None = None,
    skill_id: int | None = None,
) -> None:
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=team_id, user_id=user_id)
        skills = rubric.list_skills(session, team_id=team_id, now=deps.clock())
    view = note_form_ui.with_rating_and_item_inputs(
        notes_ui.note_modal(theme=theme if theme in THEMES else None, private_metadata=private_metadata, rep_id=rep_id),
        skills,
        skill_id=skill_id,
    )
    # The trigger_id is valid for 3 seconds: open right after the ack, not later.
    deps.defer(client.views_open, trigger_id=trigger_id, view=view)


def handle_open_modal(ctx: CommandContext) -> Message | None:
    """``/coach`` with no text."""
    open_note_modal(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, trigger_id=ctx.trigger_id)
    return None


def handle_log_note_button(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """'Log a note' on a prompt (theme pre-filled) or on the App Home."""
    ack()
    who = payload.actor(body)
    from_home = payload.view_of(body).get("type") == "home"
    try:
        open_note_modal(
            deps,
            client,
            team_id=who.team_id,
            user_id=who.user_id,
            trigger_id=payload.trigger_id(body),
            theme=payload.action_value(body) or None,
            private_metadata="home" if from_home else "",
        )
    except UserError as err:
        answers.say_privately(body, respond, err.message)


def handle_note_submission(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps) -> None:
    view = payload.view_of(body)
    who = payload.actor(body)
    try:
        form = parse_note_form(payload.view_values(view))
        if form.rep_id is None:
            raise UsageError("Pick the rep this note is about.", block_id=notes_ui.REP_BLOCK)
        saved = flow.save(
            deps,
            client,
            flow.NoteRequest(
                team_id=who.team_id,
                enterprise_id=context.enterprise_id,
                author_id=who.user_id,
                rep_id=form.rep_id,
                text=form.text,
                theme=form.theme,
                follow_up_on=form.follow_up_on,
                share=form.share,
                skill_id=form.skill_id,
                rating=form.rating,
                from_form=True,
                action_item=form.action_item,
                action_due=form.action_due,
            ),
        )
    except UserError as err:
        answers.form_errors(ack, err, notes_ui.NOTE_BLOCK)
        return
    ack(response_action="update", view=saved.view())
    if payload.private_metadata(view) == "home":
        deps.defer(publish_home, deps, client, team_id=who.team_id, user_id=who.user_id)


# --- Undo and follow-up buttons ------------------------------------------------------------


def _note_id(body: dict[str, Any]) -> int:
    note_id = payload.parse_id(payload.action_value(body))
    if note_id is None:
        raise NotFound("That button does not name a note.")
    return note_id


def handle_undo(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    ack()
    who = payload.actor(body)

    def undo() -> str:
        return flow.undo(deps, team_id=who.team_id, author_id=who.user_id, note_id=_note_id(body))

    answers.run_action(body, respond, client, undo, title=TITLE)


def handle_follow_up(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """Done / Snooze 1 week on a follow-up reminder."""
    ack()
    who = payload.actor(body)
    done = payload.action_id(body) == notes_ui.FOLLOWUP_DONE

    def act() -> str:
        return flow.follow_up(deps, team_id=who.team_id, author_id=who.user_id, note_id=_note_id(body), done=done)

    answers.run_action(body, respond, client, act, title=TITLE)


def register(app: App, coach: CommandRouter) -> None:
    coach.default = handle_open_modal
    coach.fallback(handle_log_note)
    coach.add_all(SUBCOMMANDS)
    app.action(notes_ui.UNDO)(coach.ack_first(handle_undo))
    app.action(notes_ui.LOG_NOTE)(coach.ack_first(handle_log_note_button))
    app.action(notes_ui.FOLLOWUP_DONE)(coach.ack_first(handle_follow_up))
    app.action(notes_ui.FOLLOWUP_SNOOZE)(coach.ack_first(handle_follow_up))
    app.view(notes_ui.NOTE_MODAL)(coach.ack_first(handle_note_submission))
