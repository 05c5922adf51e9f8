"""Saving a coaching note (typed or from the form), editing it, Undo, and its follow-up buttons.

A note is saved in one unit of work with the manager check; a typed note may start with a
skill and a rating (``discovery 3 asked great questions``). The form's action item is checked
before the note is saved and assigned after, so a refusal under its field leaves nothing
behind. The rep's copy of a shared note goes out after the ack. Every later step (Edit, Undo,
Done, Snooze) reads the note through the author-only service: a button's value (a note id)
comes from the client and can be forged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks import follow_ups as follow_ups_ui
from bot.blocks import note_form as note_form_ui
from bot.blocks import notes as notes_ui
from bot.blocks import ratings as ratings_ui
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.flows import action_items as action_item_flow
from bot.gateway import dms, roles, users
from bot.services import note_input, notes, rubric

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoteRequest:
    """A note to save, as the command or the form gave it.

    ``typed``: ``text`` is the command's, which may start with a skill and a rating.
    ``from_form``: errors name the form's fields (``block_id``), and ``action_item`` (with
    ``action_due``) is the form's "Action item for the rep"."""

    team_id: str
    enterprise_id: str | None
    author_id: str
    rep_id: str
    text: str
    theme: str | None = None
    follow_up_on: date | None = None
    share: bool = False
    skill_id: int | None = None
    rating: int | None = None
    typed: bool = False
    from_form: bool = False
    action_item: str | None = None
    action_due: date | None = None


@dataclass(frozen=True)
class SavedNote:
    """The saved note, whether it is about its author, and the skill and rating in words."""

    note: notes.NoteView
    about_self: bool
    rated: str

    def reply(self) -> Message:
        """The command's ephemeral reply: "Saved", Undo and Edit."""
        note, about_self = self.note, self.about_self
        return Message(
            text=notes_ui.note_saved_text(note, about_self=about_self) + self.rated,
            blocks=note_form_ui.with_edit_button(
                notes_ui.note_saved_blocks(note, about_self=about_self), note.id, suffix=self.rated
            ),
        )

    def view(self) -> dict[str, Any]:
        """What the form turns into on submit: "Saved", with Undo and Edit."""
        return notes_ui.note_saved_view(
            self.note, about_self=self.about_self, suffix=self.rated, more=[note_form_ui.edit_note_button(self.note.id)]
        )


@dataclass(frozen=True)
class NoteEdit:
    """The edit form's new values for note ``note_id``, by ``author_id``."""

    team_id: str
    author_id: str
    note_id: int
    text: str
    theme: str | None
    follow_up_on: date | None
    skill_id: int | None
    rating: int | None


def save(deps: Deps, client: WebClient, request: NoteRequest) -> SavedNote:
    """Check and store a note (and the form's action item), and send the rep's copy after the ack."""
    if request.from_form and request.action_item:  # before the note: a refusal leaves nothing behind
        action_item_flow.check(deps, client, _action_item(request, rep_id=request.rep_id))
    note, about_self = _save_note(deps, client, request)
    if request.from_form and request.action_item:
        action_item_flow.assign(deps, client, _action_item(request, rep_id=note.rep_id, note_id=note.id))
    return SavedNote(note=note, about_self=about_self, rated=_rated(deps, request.team_id, note))


def _action_item(
    request: NoteRequest, *, rep_id: str, note_id: int | None = None
) -> action_item_flow.ActionItemRequest:
    return action_item_flow.ActionItemRequest(
        team_id=request.team_id,
        enterprise_id=request.enterprise_id,
        assigner_id=request.author_id,
        rep_id=rep_id,
        text=request.action_item or "",
        due_on=request.action_due,
        note_id=note_id,
        from_form=True,
    )


def _save_note(deps: Deps, client: WebClient, request: NoteRequest) -> tuple[notes.NoteView, bool]:
    """The manager check, the typed skill, the checks and the insert share one transaction (the
    ack path's main cost is database round trips); a non-manager is refused before any Slack
    lookup."""
    text, skill_id, rating = request.text, request.skill_id, request.rating
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=request.team_id, user_id=request.author_id)
        if request.typed:
            text, skill_id, rating = _typed_skill(session, team_id=request.team_id, text=text, now=deps.clock())
        # Length and emptiness first: a refused note costs no Slack call and stores nothing.
        try:
            notes.validate_note_text(text)
        except (notes.EmptyNote, notes.NoteTooLong):
            if not request.from_form:
                raise
            raise UsageError(notes_ui.note_field_error(text), block_id=notes_ui.NOTE_BLOCK) from None
        rep = users.resolve_person(
            deps.users,
            client,
            team_id=request.team_id,
            user_id=request.rep_id,
            example=notes.NOTE_EXAMPLE,
            block_id=notes_ui.REP_BLOCK if request.from_form else None,
        )
        tz = users.user_zone(deps.users, client, team_id=request.team_id, user_id=request.author_id)
        _check_follow_up(request.follow_up_on, deps.clock(), tz)
        note = notes.log_note(
            session,
            team_id=request.team_id,
            enterprise_id=request.enterprise_id,
            author_id=request.author_id,
            author_tz=tz,
            rep_id=rep.id,
            rep_name=rep.display,
            text=text,
            theme=request.theme,
            follow_up_on=request.follow_up_on,
            share_with_rep=request.share and rep.id != request.author_id,
            now=deps.clock(),
            skill_id=skill_id,
            rating=rating,
        )
    log.info("note %d saved by %s in %s", note.id, request.author_id, request.team_id)
    if note.shared_with_rep:
        deps.defer(dms.send_note_copy, client, note)
    return note, rep.id == request.author_id


def _check_follow_up(follow_up_on: date | None, now: datetime, tz: str | None) -> None:
    if follow_up_on is not None and follow_up_on < notes.local_today(now, tz):
        raise UserError("Pick today or a later date for the follow-up.", block_id=notes_ui.FOLLOW_UP_BLOCK)


def _typed_skill(session: Session, *, team_id: str, text: str, now: datetime) -> tuple[str, int | None, int | None]:
    """``discovery 3 asked ...`` -> (``asked ...``, the skill's id, 3); plain text stays as it is."""
    parsed = note_input.parse_note(text, rubric.skill_names(session, team_id=team_id, now=now))
    if parsed.skill is None:
        return parsed.text, None, None
    skill = rubric.resolve_skill(
        session, team_id=team_id, typed=parsed.skill, now=now, example=note_input.NOTE_WITH_SKILL_EXAMPLE
    )
    return parsed.text, skill.id, parsed.rating


def _rated(deps: Deps, team_id: str, note: notes.NoteView) -> str:
    """`` Skill: *Discovery*, 3/5.`` for the saved-note reply; nothing for a note without a skill."""
    if not note.skill_id:
        return ""
    with deps.sessions.begin() as session:
        skill = rubric.skills_by_id(session, team_id=team_id).get(note.skill_id)
    return ratings_ui.rated_text(skill, note.rating)


def edit(deps: Deps, client: WebClient, request: NoteEdit) -> notes.NoteView:
    """Replace the note's text, skill, rating, follow-up and theme; only its author can."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        before = notes.get_note(session, team_id=request.team_id, author_id=request.author_id, note_id=request.note_id)
        if request.follow_up_on is not None and request.follow_up_on != before.follow_up_on:
            tz = users.user_zone(deps.users, client, team_id=request.team_id, user_id=request.author_id)
            _check_follow_up(request.follow_up_on, now, tz)
        note = notes.edit_note(
            session,
            team_id=request.team_id,
            author_id=request.author_id,
            note_id=request.note_id,
            text=request.text,
            now=now,
            theme=request.theme,
            follow_up_on=request.follow_up_on,
            skill_id=request.skill_id,
            rating=request.rating,
        )
    log.info("note %d edited by its author", note.id)
    return note


def undo(deps: Deps, *, team_id: str, author_id: str, note_id: int) -> str:
    """Undo on the saved-note reply, within the undo window; what to answer."""
    with deps.sessions.begin() as session:
        note = notes.undo_note(session, team_id=team_id, author_id=author_id, note_id=note_id, now=deps.clock())
    log.info("note %d undone by its author", note.id)
    return notes_ui.note_undone_text(note)


def follow_up(deps: Deps, *, team_id: str, author_id: str, note_id: int, done: bool) -> str:
    """Done / Snooze 1 week on a follow-up reminder; what to answer."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        if done:
            note = notes.complete_follow_up(session, team_id=team_id, author_id=author_id, note_id=note_id, now=now)
            return follow_ups_ui.follow_up_done_text(note)
        own = notes.get_note(session, team_id=team_id, author_id=author_id, note_id=note_id)
        today = notes.local_today(now, own.author_tz)
        note = notes.snooze_follow_up(session, team_id=team_id, author_id=author_id, note_id=note_id, today=today)
        return follow_ups_ui.follow_up_snoozed_text(note)
