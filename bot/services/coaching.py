"""Managers and their private coaching notes.

Privacy is enforced here, in one place: every query that reads or changes a note goes
through ``_own(team_id, author_id)``. A note is visible only to its author, in the
workspace it was written in; admins and other managers see nothing of it. A note that
exists but belongs to someone else is reported exactly like one that does not exist.

Note text is never logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, Manager, Note
from bot.db.models.base import MAX_ID
from bot.errors import NotAllowed, NotFound, UsageError, UserError
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
CSV_COLUMNS = ("date", "rep id", "rep name", "theme", "follow-up", "note")
# After the original columns, so readers of the old layout still find theirs in place. An
# action item is a row of type "action item": its text under "note", its due date under "due".
LOOP_CSV_COLUMNS = (*CSV_COLUMNS, "skill", "rating", "edited at", "type", "due", "status", "done at")


class NotAManager(NotAllowed):
    """Only managers (named by an admin) and admins can keep coaching notes."""


class NotAnAdmin(NotAllowed):
    """Only admins can name managers."""


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


@dataclass(frozen=True)
class NotePage:
    notes: tuple[NoteView, ...]
    page: int
    pages: int
    total: int
    rep_id: str | None = None
    query: str | None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class RepOverview:
    rep_id: str
    rep_name: str | None
    last_note_at: datetime
    notes_30d: int
    notes_90d: int
    open_follow_ups: int
    stale: bool  # not coached in the last 14 days


@dataclass(frozen=True)
class Overview:
    reps: tuple[RepOverview, ...]
    now: datetime

    @property
    def stale_count(self) -> int:
        return sum(1 for r in self.reps if r.stale)


@dataclass(frozen=True)
class ManagerChange:
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


# --- roles -------------------------------------------------------------------------------


def is_manager(session: Session, *, team_id: str, user_id: str) -> bool:
    row = session.scalar(select(Manager.id).where(Manager.team_id == team_id, Manager.user_id == user_id))
    return row is not None


def not_a_manager_message(admin_ids: Sequence[str], user_id: str) -> str:
    """Whom to ask, and the command they type with the asker named (a mention, not "@you")."""
    who = ", ".join(f"<@{a}>" for a in admin_ids) if admin_ids else "your workspace admins"
    return (
        "Only managers can keep coaching notes and prompts, and you're not one yet. "
        f"Ask an admin to add you ({who}): they type `/coach managers add` followed by <@{user_id}>."
    )


def ensure_admin(*, is_admin: bool) -> None:
    if not is_admin:
        raise NotAnAdmin(
            "Only admins can name managers (COACHBOT_ADMINS and the workspace's admins and owners). "
            "Nothing was changed. An admin would type e.g. `/coach managers add @ada @bob`."
        )


def add_managers(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    user_ids: Iterable[str],
    added_by: str,
    now: datetime,
) -> ManagerChange:
    added: list[str] = []
    already: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        if is_manager(session, team_id=team_id, user_id=user_id):
            already.append(user_id)
            continue
        try:
            # A concurrent add of the same person must not fail the whole command.
            with session.begin_nested():
                session.add(
                    Manager(
                        team_id=team_id,
                        enterprise_id=enterprise_id,
                        user_id=user_id,
                        added_by=added_by,
                        created_at=now,
                    )
                )
        except IntegrityError:
            already.append(user_id)
        else:
            added.append(user_id)
    return ManagerChange(changed=tuple(added), unchanged=tuple(already))


def remove_managers(session: Session, *, team_id: str, user_ids: Iterable[str]) -> ManagerChange:
    removed: list[str] = []
    missing: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        result = session.execute(delete(Manager).where(Manager.team_id == team_id, Manager.user_id == user_id))
        (removed if getattr(result, "rowcount", 0) else missing).append(user_id)
    return ManagerChange(changed=tuple(removed), unchanged=tuple(missing))


def list_managers(session: Session, *, team_id: str) -> list[str]:
    return list(session.scalars(select(Manager.user_id).where(Manager.team_id == team_id).order_by(Manager.created_at)))


# --- notes -------------------------------------------------------------------------------


def _own(team_id: str, author_id: str) -> ColumnElement[bool]:
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
    note = _get_own(session, team_id=team_id, author_id=author_id, note_id=note_id)
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


def _get_own(session: Session, *, team_id: str, author_id: str, note_id: int) -> Note:
    if not 1 <= note_id <= MAX_ID:  # a 2**31 from a button would otherwise reach the database
        raise _not_found(note_id)
    note = session.scalar(select(Note).where(_own(team_id, author_id), Note.id == note_id))
    if note is None:
        raise _not_found(note_id)
    return note


def get_note(session: Session, *, team_id: str, author_id: str, note_id: int) -> NoteView:
    return NoteView.of(_get_own(session, team_id=team_id, author_id=author_id, note_id=note_id))


def undo_note(session: Session, *, team_id: str, author_id: str, note_id: int, now: datetime) -> NoteView:
    """Delete a note the author saved less than ten minutes ago (checked against ``now``)."""
    note = _get_own(session, team_id=team_id, author_id=author_id, note_id=note_id)
    if now - note.created_at > UNDO_WINDOW:
        raise UndoExpired(
            f"Undo works for {int(UNDO_WINDOW.total_seconds() // 60)} minutes after saving; note #{note_id} "
            f"is older. To remove it, use `/coach delete {note_id}`."
        )
    view = NoteView.of(note)
    session.delete(note)
    return view


def delete_note(session: Session, *, team_id: str, author_id: str, note_id: int) -> NoteView:
    note = _get_own(session, team_id=team_id, author_id=author_id, note_id=note_id)
    view = NoteView.of(note)
    session.delete(note)
    return view


def count_notes(session: Session, *, team_id: str, author_id: str) -> tuple[int, int | None]:
    """How many notes the author has, and the newest id (the cut-off for 'delete all')."""
    total, newest = session.execute(
        select(func.count(Note.id), func.max(Note.id)).where(_own(team_id, author_id))
    ).one()
    return int(total), newest


def delete_all_notes(session: Session, *, team_id: str, author_id: str, up_to_id: int) -> int:
    """Delete the author's notes up to ``up_to_id`` (notes saved after the confirmation stay),
    and every action item they assigned (the reps' DMs stay; their buttons then say "removed").
    Returns how many notes were deleted."""
    result = session.execute(delete(Note).where(_own(team_id, author_id), Note.id <= up_to_id))
    session.execute(delete(ActionItem).where(ActionItem.team_id == team_id, ActionItem.assigner_id == author_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _page(
    session: Session, where: ColumnElement[bool], *, page: int, page_size: int
) -> tuple[tuple[NoteView, ...], int, int, int]:
    total = int(session.scalar(select(func.count(Note.id)).where(where)) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(Note)
        .where(where)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return tuple(NoteView.of(n) for n in rows), page, pages, total


def list_notes(
    session: Session,
    *,
    team_id: str,
    author_id: str,
    rep_id: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> NotePage:
    """The author's notes, newest first; on one rep when ``rep_id`` is given."""
    where = _own(team_id, author_id)
    if rep_id is not None:
        where = and_(where, Note.rep_id == rep_id)
    notes, page, pages, total = _page(session, where, page=page, page_size=page_size)
    return NotePage(notes=notes, page=page, pages=pages, total=total, rep_id=rep_id)


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_notes(
    session: Session, *, team_id: str, author_id: str, query: str, page: int = 1, page_size: int = PAGE_SIZE
) -> NotePage:
    """The author's notes holding every word of ``query`` (case-insensitive), newest first."""
    # NUL can't be sent to PostgreSQL (and no stored note holds one: see validate_note_text).
    query = query.replace("\x00", "")
    words = query.split()
    if not words:
        raise UsageError("Give me words to look for, e.g. `/coach search discovery call`.")
    if len(query) > SEARCH_LIMIT:
        raise UsageError(f"Search for at most {SEARCH_LIMIT} characters, e.g. `/coach search discovery call`.")
    where = _own(team_id, author_id)
    lowered = func.lower(Note.text)
    for word in words:
        where = and_(where, lowered.like(f"%{_like_escape(word.lower())}%", escape="\\"))
    notes, page, pages, total = _page(session, where, page=page, page_size=page_size)
    return NotePage(notes=notes, page=page, pages=pages, total=total, query=query)


def all_notes(session: Session, *, team_id: str, author_id: str) -> list[NoteView]:
    rows = session.scalars(select(Note).where(_own(team_id, author_id)).order_by(Note.created_at, Note.id))
    return [NoteView.of(n) for n in rows]


def _csv_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection); a leading
    # apostrophe makes them text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(
    session: Session, *, team_id: str, author_id: str, tz: str | None, loop_columns: bool = False
) -> tuple[str, int]:
    """The author's notes as CSV (oldest first) and how many there are. Dates in ``tz``.

    ``loop_columns``: the ``LOOP_CSV_COLUMNS`` layout: each note's skill, rating and edit
    time, then the action items the author assigned, one row each (not counted in the
    returned number, which stays the number of notes).
    """
    zone = zone_or_utc(tz)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(LOOP_CSV_COLUMNS if loop_columns else CSV_COLUMNS)
    notes = all_notes(session, team_id=team_id, author_id=author_id)
    skills = rubric.skills_by_id(session, team_id=team_id) if loop_columns else {}
    for n in notes:
        row = [
            n.created_at.astimezone(zone).date().isoformat(),
            n.rep_id,
            _csv_cell(n.rep_name or ""),
            n.theme or "",
            n.follow_up_on.isoformat() if n.follow_up_on else "",
            _csv_cell(n.text),
        ]
        if loop_columns:
            skill = skills.get(n.skill_id) if n.skill_id is not None else None
            edited = n.edited_at.astimezone(zone).isoformat(timespec="minutes") if n.edited_at else ""
            row += [skill.name if skill else "", str(n.rating or ""), edited, "note", "", "", ""]
        writer.writerow(row)
    if loop_columns:
        names = _latest_rep_names(session, team_id=team_id, author_id=author_id)
        items = session.scalars(
            select(ActionItem)
            .where(ActionItem.team_id == team_id, ActionItem.assigner_id == author_id)
            .order_by(ActionItem.created_at, ActionItem.id)
        )
        for item in items:
            done = item.done_at.astimezone(zone).isoformat(timespec="minutes") if item.done_at else ""
            writer.writerow(
                [
                    item.created_at.astimezone(zone).date().isoformat(),
                    item.rep_id,
                    _csv_cell(names.get(item.rep_id, "")),
                    "",
                    "",
                    _csv_cell(item.text),
                    "",
                    "",
                    "",
                    "action item",
                    item.due_on.isoformat() if item.due_on else "",
                    item.status,
                    done,
                ]
            )
    return buf.getvalue(), len(notes)


def overview(session: Session, *, team_id: str, author_id: str, now: datetime) -> Overview:
    """Per rep the author has noted: last note, counts over 30 and 90 days, open follow-ups."""
    since_30 = now - timedelta(days=30)
    since_90 = now - timedelta(days=90)
    open_fu = and_(Note.follow_up_on.is_not(None), Note.follow_up_done_at.is_(None))
    rows = session.execute(
        select(
            Note.rep_id,
            func.max(Note.created_at),
            func.sum(case((Note.created_at >= since_30, 1), else_=0)),
            func.sum(case((Note.created_at >= since_90, 1), else_=0)),
            func.sum(case((open_fu, 1), else_=0)),
        )
        .where(_own(team_id, author_id))
        .group_by(Note.rep_id)
    ).all()
    names = _latest_rep_names(session, team_id=team_id, author_id=author_id)
    reps: list[RepOverview] = []
    for rep_id, last, n30, n90, open_count in rows:
        last_at = _as_utc(last)
        reps.append(
            RepOverview(
                rep_id=rep_id,
                rep_name=names.get(rep_id),
                last_note_at=last_at,
                notes_30d=int(n30 or 0),
                notes_90d=int(n90 or 0),
                open_follow_ups=int(open_count or 0),
                stale=now - last_at > STALE_AFTER,
            )
        )
    # Least recently coached first: that is where attention is due.
    reps.sort(key=lambda r: (r.last_note_at, r.rep_id))
    return Overview(reps=tuple(reps), now=now)


def _as_utc(value: datetime | str) -> datetime:
    # max() keeps the column type, but be strict about what we compare with ``now``.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _latest_rep_names(session: Session, *, team_id: str, author_id: str) -> dict[str, str]:
    """Each rep's name as of the author's newest note on them."""
    newest = select(func.max(Note.id)).where(_own(team_id, author_id), Note.rep_name.is_not(None)).group_by(Note.rep_id)
    rows = session.execute(select(Note.rep_id, Note.rep_name).where(Note.id.in_(newest)))
    return {rep_id: name for rep_id, name in rows if name}


def theme_counts(session: Session, *, team_id: str, author_id: str, since: datetime | None = None) -> dict[str, int]:
    """How many notes the author tagged with each theme (all themes present, zero included)."""
    where = and_(_own(team_id, author_id), Note.theme.is_not(None))
    if since is not None:
        where = and_(where, Note.created_at >= since)
    counts = dict.fromkeys(THEMES, 0)
    for theme, n in session.execute(select(Note.theme, func.count(Note.id)).where(where).group_by(Note.theme)):
        if theme in counts:
            counts[theme] = int(n)
    return counts


# --- follow-ups --------------------------------------------------------------------------


def complete_follow_up(session: Session, *, team_id: str, author_id: str, note_id: int, now: datetime) -> NoteView:
    note = _get_own(session, team_id=team_id, author_id=author_id, note_id=note_id)
    if note.follow_up_on is None:
        raise UserError(f"Note #{note_id} has no follow-up. See it with `/coach notes`.")
    if note.follow_up_done_at is None:
        note.follow_up_done_at = now
    return NoteView.of(note)


def snooze_follow_up(
    session: Session, *, team_id: str, author_id: str, note_id: int, today: date, days: int = 7
) -> NoteView:
    """Move an open follow-up a week past ``today`` (the author's local date)."""
    note = _get_own(session, team_id=team_id, author_id=author_id, note_id=note_id)
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
