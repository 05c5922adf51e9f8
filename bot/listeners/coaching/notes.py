"""Writing a coaching note: ``/coach @rep text``, the note form, Undo, and follow-up buttons.

One flow, one file: the command or the form saves the note in one unit of work with the
manager check; the reply carries Undo for ten minutes; a follow-up date brings a reminder
whose Done and Snooze buttons land here too. Ownership is re-checked by the service on every
press, because button values come from the client and can be forged.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks import action_items as action_items_ui
from bot.blocks import follow_ups as follow_ups_ui
from bot.blocks import note_form as note_form_ui
from bot.blocks import notes as notes_ui
from bot.blocks import ratings as ratings_ui
from bot.deps import Deps
from bot.errors import NotFound, UsageError, UserError
from bot.gateway import roles, users
from bot.listeners import answers, coach_args, payload
from bot.listeners.coaching import todos
from bot.listeners.coaching.note_form import parse_note_form
from bot.listeners.home import publish_home
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, UnknownWord, declare
from bot.services import note_input, notes, rubric
from bot.services.store import THEMES

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
TITLE = "Coaching note"


# --- saving ----------------------------------------------------------------------------------


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
    skill_id: int | None = None,
    rating: int | None = None,
    typed: bool = False,
) -> tuple[notes.NoteView, bool]:
    """Check and store a note. Returns the note and whether it is about the author.

    ``typed``: ``text`` is the command's, which may start with a skill and a rating
    (``discovery 3 asked great questions``). The manager check, that parse and the insert
    share one transaction (the ack path's main cost is database round trips); a non-manager
    is refused before any Slack lookup."""
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=team_id, user_id=author_id)
        if typed:
            text, skill_id, rating = _typed_skill(session, team_id=team_id, text=text, now=deps.clock())
        note, about_self = _save_checked(
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
            skill_id=skill_id,
            rating=rating,
        )
    log.info("note %d saved by %s in %s", note.id, author_id, team_id)
    if note.shared_with_rep:
        deps.defer(share_with_rep, client, note)
    return note, about_self


def _typed_skill(session: Session, *, team_id: str, text: str, now: datetime) -> tuple[str, int | None, int | None]:
    """``discovery 3 asked ...`` -> (``asked ...``, the skill's id, 3); plain text stays as it is."""
    parsed = note_input.parse_note(text, rubric.skill_names(session, team_id=team_id, now=now))
    if parsed.skill is None:
        return parsed.text, None, None
    skill = rubric.resolve_skill(
        session, team_id=team_id, typed=parsed.skill, now=now, example=note_input.NOTE_WITH_SKILL_EXAMPLE
    )
    return parsed.text, skill.id, parsed.rating


def _save_checked(
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
    skill_id: int | None,
    rating: int | None,
) -> tuple[notes.NoteView, bool]:
    # Length and emptiness first: a refused note costs no Slack call and stores nothing.
    try:
        notes.validate_note_text(text)
    except (notes.EmptyNote, notes.NoteTooLong):
        if not block_ids:
            raise
        raise UsageError(notes_ui.note_field_error(text), block_id=notes_ui.NOTE_BLOCK) from None
    rep = users.resolve_person(
        deps.users,
        client,
        team_id=team_id,
        user_id=rep_id,
        example=notes.NOTE_EXAMPLE,
        block_id=notes_ui.REP_BLOCK if block_ids else None,
    )
    tz = users.user_zone(deps.users, client, team_id=team_id, user_id=author_id)
    if follow_up_on is not None and follow_up_on < notes.local_today(deps.clock(), tz):
        raise UserError("Pick today or a later date for the follow-up.", block_id=notes_ui.FOLLOW_UP_BLOCK)
    note = notes.log_note(
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
        skill_id=skill_id,
        rating=rating,
    )
    return note, rep.id == author_id


def _rated(deps: Deps, team_id: str, note: notes.NoteView) -> str:
    """`` Skill: *Discovery*, 3/5.`` for the saved-note reply; nothing for a note without a skill."""
    if not note.skill_id:
        return ""
    with deps.sessions.begin() as session:
        skill = rubric.skills_by_id(session, team_id=team_id).get(note.skill_id)
    return ratings_ui.rated_text(skill, note.rating)


def share_with_rep(client: WebClient, note: notes.NoteView) -> None:
    """Send the rep their copy, once, at save time."""
    built = notes_ui.shared_note_message(note)
    client.chat_postMessage(channel=note.rep_id, text=built.text, blocks=built.blocks)


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
    note, about_self = save_note(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        enterprise_id=ctx.enterprise_id,
        author_id=ctx.user_id,
        rep_id=args.rep_id,
        text=args.text,
        typed=True,
    )
    rated = _rated(ctx.deps, ctx.team_id, note)
    return Message(
        text=notes_ui.note_saved_text(note, about_self=about_self) + rated,
        blocks=note_form_ui.with_edit_button(
            notes_ui.note_saved_blocks(note, about_self=about_self), note.id, suffix=rated
        ),
    )


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
    view = note_form_ui.with_loop_inputs(
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
        if form.action_item:  # checked before the note is saved: a refusal leaves nothing behind
            todos.check_item(
                deps,
                client,
                team_id=who.team_id,
                author_id=who.user_id,
                rep_id=form.rep_id,
                text=form.action_item,
                due_on=form.action_due,
            )
        note, about_self = save_note(
            deps,
            client,
            team_id=who.team_id,
            enterprise_id=context.enterprise_id,
            author_id=who.user_id,
            rep_id=form.rep_id,
            text=form.text,
            theme=form.theme,
            follow_up_on=form.follow_up_on,
            share=form.share,
            block_ids=True,
            skill_id=form.skill_id,
            rating=form.rating,
        )
        if form.action_item:
            todos.assign(
                deps,
                client,
                team_id=who.team_id,
                enterprise_id=context.enterprise_id,
                assigner_id=note.author_id,
                rep_id=note.rep_id,
                text=form.action_item,
                due_on=form.action_due,
                note_id=note.id,
                block_id=action_items_ui.ACTION_ITEM_BLOCK,
            )
    except UserError as err:
        answers.form_errors(ack, err, notes_ui.NOTE_BLOCK)
        return
    rated = _rated(deps, who.team_id, note)
    saved = notes_ui.note_saved_view(
        note, about_self=about_self, suffix=rated, more=[note_form_ui.edit_note_button(note.id)]
    )
    ack(response_action="update", view=saved)
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
        note_id = _note_id(body)
        with deps.sessions.begin() as session:
            note = notes.undo_note(
                session, team_id=who.team_id, author_id=who.user_id, note_id=note_id, now=deps.clock()
            )
        log.info("note %d undone by its author", note.id)
        return notes_ui.note_undone_text(note)

    answers.run_action(body, respond, client, undo, title=TITLE)


def handle_follow_up(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """Done / Snooze 1 week on a follow-up reminder."""
    ack()
    who = payload.actor(body)
    done = payload.action_id(body) == notes_ui.FOLLOWUP_DONE

    def act() -> str:
        note_id = _note_id(body)
        now = deps.clock()
        with deps.sessions.begin() as session:
            if done:
                note = notes.complete_follow_up(
                    session, team_id=who.team_id, author_id=who.user_id, note_id=note_id, now=now
                )
                return follow_ups_ui.follow_up_done_text(note)
            own = notes.get_note(session, team_id=who.team_id, author_id=who.user_id, note_id=note_id)
            today = notes.local_today(now, own.author_tz)
            note = notes.snooze_follow_up(
                session, team_id=who.team_id, author_id=who.user_id, note_id=note_id, today=today
            )
            return follow_ups_ui.follow_up_snoozed_text(note)

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
