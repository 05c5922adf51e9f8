"""A manager's private coaching notes: write, edit, undo, delete one, and their follow-ups.

Privacy is enforced here, in one place: every query that reads or changes a note goes
through ``own(team_id, author_id)`` (``note_history`` uses it too). A note is visible only to
its author, in the workspace it was written in; admins and other managers see nothing of it.
A note that exists but belongs to someone else is reported exactly like one that does not exist.

Note text is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from bot.db.models import Note
from bot.db.models.base import MAX_ID
from bot.errors import NotFound, UsageError, UserError
from bot.services import rubric
from bot.services.note_input import RATING_MAX, RATING_MIN
from bot.services.schedules import zone_or_utc
from bot.services.store import THEME_LABELS, THEMES
from bot.services.text import escape

NOTE_LIMIT = 3000
PAGE_SIZE = 5
UNDO_WINDOW = timedelta(minutes=10)
STALE_AFTER = timedelta(days=14)
SEARCH_LIMIT = 200
NOTE_EXAMPLE = "/coach @bob Strong discovery call with Acme; next time, quantify the pain before demoing."


class NoteTooLong(UserError):
    pass


class EmptyNote(UsageError):
    pass


class UndoExpired(UserError):
    pass


@dataclass(frozen=True)
class NoteView:
    id: int
    author_id: str
    author_tz: str | None
    rep_id: str
    rep_name: str | None
    text: str
    theme: str | None
    follow_up_on: date | None
    follow_up_done_at: datetime | None
    shared_with_rep: bool
    created_at: datetime
    skill_id: int | None = None
    rating: int | None = None
    edited_at: datetime | None = None

    @property
    def theme_label(self) -> str | None:
        return THEME_LABELS.get(self.theme, self.theme) if self.theme else None

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_on is not None and self.follow_up_done_at is None

    @classmethod
    def of(cls, n: Note) -> NoteView:
        return cls(
            id=n.id,
            author_id=n.author_id,
            author_tz=n.author_tz,
            rep_id=n.rep_id,
            rep_name=n.rep_name,
            text=n.text,
            theme=n.theme,
            follow_up_on=n.follow_up_on,
            follow_up_done_at=n.follow_up_done_at,
            shared_with_rep=n.shared_with_rep,
            created_at=n.created_at,
            skill_id=n.skill_id,
            rating=n.rating,
            edited_at=n.edited_at,
        )


# --- notes -------------------------------------------------------------------------------


def own(team_id: str, author_id: str) -> ColumnElement[bool]:
    """The privacy rule: a note belongs to its author, in its workspace."""
    return and_(Note.team_id == team_id, Note.author_id == author_id)


def validate_note_text(text: str) -> str:
    """The note as it will be stored (verbatim, outer whitespace trimmed), or a ``UserError``.

    NUL characters are dropped: PostgreSQL text cannot hold them, and they are invisible.
    """
    text = text.replace("\x00", "").strip()
    if not text:
        raise EmptyNote(
            f"Write what you observed after the mention. Usage: `/coach @rep your note`, e.g. `{NOTE_EXAMPLE}`"
        )
    if len(text) > NOTE_LIMIT:
        raise NoteTooLong(
            f"That note is {len(text):,} characters; the limit is {NOTE_LIMIT:,}. Nothing was saved. "
            f"Shorten it (or split it into two notes), e.g. `{NOTE_EXAMPLE}`",
            block_id="note",
        )
    return text


def validate_theme(theme: str | None) -> str | None:
    if theme is None or theme == "":
        return None
    if theme not in THEMES:
        raise UsageError(f"`{escape(theme)}` is not a theme. Pick one of: {', '.join(THEMES)}.", block_id="theme")
    return theme


def validate_skill_rating(
    session: Session, *, team_id: str, skill_id: int | None, rating: int | None
) -> tuple[int | None, int | None]:
    """A skill of this team's active rubric (or none) and a rating 1-5 that needs a skill."""
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise UsageError(f"A rating goes from {RATING_MIN} to {RATING_MAX}.", block_id="rating")
    if skill_id is None:
        if rating is not None:
            raise UsageError(
                "A rating needs a skill: pick the skill you rated, or clear the rating. "
                "E.g. `/coach @bob discovery 3 asked great follow-up questions`.",
                block_id="skill",
            )
        return None, None
    return rubric.get_active_skill(session, team_id=team_id, skill_id=skill_id).id, rating


def log_note(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    author_id: str,
    author_tz: str | None,
    rep_id: str,
    rep_name: str | None,
    text: str,
    now: datetime,
    theme: str | None = None,
    follow_up_on: date | None = None,
    share_with_rep: bool = False,
    skill_id: int | None = None,
    rating: int | None = None,
) -> NoteView:
    """Save a note; ``skill_id`` (a ``rubric`` skill id) and ``rating`` (1-5) are optional."""
    skill_id, rating = validate_skill_rating(session, team_id=team_id, skill_id=skill_id, rating=rating)
    note = Note(
        team_id=team_id,
        enterprise_id=enterprise_id,
        author_id=author_id,
        author_tz=author_tz,
        rep_id=rep_id,
        rep_name=rep_name,
        text=validate_note_text(text),
        theme=validate_theme(theme),
        follow_up_on=follow_up_on,
        shared_with_rep=share_with_rep,
        created_at=now,
        skill_id=skill_id,
        rating=rating,
    )
    session.add(note)
    session.flush()
    return NoteView.of(note)


def edit_note(
    session: Session,
    *,
    team_id: str,
    author_id: str,
    note_id: int,
    text: str,
    now: datetime,
    theme: str | None = None,
    follow_up_on: date | None = None,
    skill_id: int | None = None,
    rating: int | None = None,
) -> NoteView:
    """Replace a note's editable fields (the edit modal submits them all); author only.

    The rep and the sharing stay as saved. A changed follow-up date is open again.
    """
    note = _getown(session, team_id=team_id, author_id=author_id, note_id=note_id)
    note.text = validate_note_text(text)
    note.theme = validate_theme(theme)
    note.skill_id, note.rating = validate_skill_rating(session, team_id=team_id, skill_id=skill_id, rating=rating)
    if follow_up_on != note.follow_up_on:
        note.follow_up_on = follow_up_on
        note.follow_up_done_at = None
    note.edited_at = now
    session.flush()
    return NoteView.of(note)


def _not_found(note_id: int) -> NotFound:
    # The same words whether the note was deleted, never existed or is someone else's: a
    # note's existence is as private as its text.
    return NotFound(f"Note #{note_id} no longer exists. See your notes with `/coach notes`.")


def _getown(session: Session, *, team_id: str, author_id: str, note_id: int) -> Note:
    if not 1 <= note_id <= MAX_ID:  # a 2**31 from a button would otherwise reach the database
        raise _not_found(note_id)
    note = session.scalar(select(Note).where(own(team_id, author_id), Note.id == note_id))
    if note is None:
        raise _not_found(note_id)
    return note


def get_note(session: Session, *, team_id: str, author_id: str, note_id: int) -> NoteView:
    return NoteView.of(_getown(session, team_id=team_id, author_id=author_id, note_id=note_id))


def undo_note(session: Session, *, team_id: str, author_id: str, note_id: int, now: datetime) -> NoteView:
    """Delete a note the author saved less than ten minutes ago (checked against ``now``)."""
    note = _getown(session, team_id=team_id, author_id=author_id, note_id=note_id)
    if now - note.created_at > UNDO_WINDOW:
        raise UndoExpired(
            f"Undo works for {int(UNDO_WINDOW.total_seconds() // 60)} minutes after saving; note #{note_id} "
            f"is older. To remove it, use `/coach delete {note_id}`."
        )
    view = NoteView.of(note)
    session.delete(note)
    return view


def delete_note(session: Session, *, team_id: str, author_id: str, note_id: int) -> NoteView:
    note = _getown(session, team_id=team_id, author_id=author_id, note_id=note_id)
    view = NoteView.of(note)
    session.delete(note)
    return view


# --- follow-ups --------------------------------------------------------------------------


def complete_follow_up(session: Session, *, team_id: str, author_id: str, note_id: int, now: datetime) -> NoteView:
    note = _getown(session, team_id=team_id, author_id=author_id, note_id=note_id)
    if note.follow_up_on is None:
        raise UserError(f"Note #{note_id} has no follow-up. See it with `/coach notes`.")
    if note.follow_up_done_at is None:
        note.follow_up_done_at = now
    return NoteView.of(note)


def snooze_follow_up(
    session: Session, *, team_id: str, author_id: str, note_id: int, today: date, days: int = 7
) -> NoteView:
    """Move an open follow-up a week past ``today`` (the author's local date)."""
    note = _getown(session, team_id=team_id, author_id=author_id, note_id=note_id)
    if note.follow_up_on is None:
        raise UserError(f"Note #{note_id} has no follow-up. See it with `/coach notes`.")
    if note.follow_up_done_at is not None:
        raise UserError(f"The follow-up on note #{note_id} is already done; there is nothing to snooze.")
    note.follow_up_on = max(today, note.follow_up_on) + timedelta(days=days)
    return NoteView.of(note)


def local_today(now: datetime, tz: str | None) -> date:
    return now.astimezone(zone_or_utc(tz)).date()


def follow_up_candidates(session: Session, *, first: date, last: date) -> list[Note]:
    """Open follow-ups dated in [first, last], across workspaces (for the delivery engine)."""
    return list(
        session.scalars(
            select(Note)
            .where(
                Note.follow_up_on.is_not(None),
                Note.follow_up_on >= first,
                Note.follow_up_on <= last,
                Note.follow_up_done_at.is_(None),
            )
            .order_by(Note.id)
        )
    )


def note_for_delivery(session: Session, *, note_id: int) -> NoteView | None:
    """A note by id for the engine, which sends it only to its author. None if gone."""
    note = session.get(Note, note_id)
    return NoteView.of(note) if note is not None else None
