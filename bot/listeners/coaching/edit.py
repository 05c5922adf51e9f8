"""Editing a note: Edit (on the saved-note reply and on each note in ``/coach notes``) opens
the form pre-filled; saving replaces the note's text, skill, rating, follow-up and theme.

Only the author can: the button's value (a note id) comes from the client, so both the
opening and the saving read the note through the author-only service.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import note_form as note_form_ui
from bot.blocks import notes as notes_ui
from bot.deps import Deps
from bot.errors import NotFound, UserError
from bot.flows import notes as flow
from bot.gateway.calls import safely
from bot.listeners import answers, payload
from bot.listeners.coaching.note_form import parse_note_form
from bot.listeners.router import CommandRouter
from bot.services import notes, rubric

log = logging.getLogger(__name__)


def handle_edit_button(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    ack()
    who = payload.actor(body)
    note_id = payload.parse_id(payload.action_value(body))
    try:
        if note_id is None:
            raise NotFound("That button does not name a note. Find it with `/coach notes`.")
        with deps.sessions.begin() as session:
            note = notes.get_note(session, team_id=who.team_id, author_id=who.user_id, note_id=note_id)
            skills = rubric.list_skills(session, team_id=who.team_id, now=deps.clock())
    except UserError as err:
        # Beside the message, or in the "Note saved" modal the button was pressed in.
        answers.answer_action(body, respond, client, err.message, replace=False, title="Edit note")
        return
    # The trigger_id is valid for 3 seconds: open right after the ack. From the "Note saved"
    # modal the form goes on top of it (Slack opens a modal from a modal with views.push).
    show = client.views_push if payload.in_modal(body) else client.views_open
    deps.defer(show, trigger_id=payload.trigger_id(body), view=note_form_ui.note_edit_modal(note, skills=skills))


def handle_edit_submission(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    view = payload.view_of(body)
    who = payload.actor(body)
    note_id = payload.parse_id(payload.private_metadata(view))
    try:
        if note_id is None:
            raise NotFound("This form does not name a note any more. Find it with `/coach notes`.")
        form = parse_note_form(payload.view_values(view))
        note = flow.edit(
            deps,
            client,
            flow.NoteEdit(
                team_id=who.team_id,
                author_id=who.user_id,
                note_id=note_id,
                text=form.text,
                theme=form.theme,
                follow_up_on=form.follow_up_on,
                skill_id=form.skill_id,
                rating=form.rating,
            ),
        )
    except (notes.EmptyNote, notes.NoteTooLong):
        answers.form_errors(ack, UserError(notes_ui.note_field_error(form.text)), notes_ui.NOTE_BLOCK)
        return
    except UserError as err:
        answers.form_errors(ack, err, notes_ui.NOTE_BLOCK)
        return
    text = f":pencil2: Note *#{note.id}* about <@{note.rep_id}> updated. Only you can read it."
    edited = notes_ui.message_view("Note edited", text)
    ack(response_action="update", view=edited)
    below = view.get("previous_view_id")
    if isinstance(below, str) and below:
        # Opened from the "Note saved" modal: that view now says the old text; Close lands on it.
        deps.defer(safely, "views.update of the saved-note modal", client.views_update, view_id=below, view=edited)


def register(app: App, coach: CommandRouter) -> None:
    app.action(note_form_ui.EDIT_NOTE)(coach.ack_first(handle_edit_button))
    app.view(note_form_ui.NOTE_EDIT_MODAL)(coach.ack_first(handle_edit_submission))
