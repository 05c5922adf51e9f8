"""Reading a manager's notes back: pages, search, export, counts, delete all, the overview.

Every query filters by ``notes.own`` (team and author): the privacy rule lives in one place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, Note
from bot.errors import UsageError
from bot.services import rubric
from bot.services.notes import PAGE_SIZE, SEARCH_LIMIT, STALE_AFTER, NoteView, own
from bot.services.schedules import zone_or_utc
from bot.services.store import THEMES

CSV_COLUMNS = ("date", "rep id", "rep name", "theme", "follow-up", "note")
# After the original columns, so readers of the old layout still find theirs in place. An
# action item is a row of type "action item": its text under "note", its due date under "due".
FULL_CSV_COLUMNS = (*CSV_COLUMNS, "skill", "rating", "edited at", "type", "due", "status", "done at")


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


def count_notes(session: Session, *, team_id: str, author_id: str) -> tuple[int, int | None]:
    """How many notes the author has, and the newest id (the cut-off for 'delete all')."""
    total, newest = session.execute(select(func.count(Note.id), func.max(Note.id)).where(own(team_id, author_id))).one()
    return int(total), newest


def delete_all_notes(session: Session, *, team_id: str, author_id: str, up_to_id: int) -> int:
    """Delete the author's notes up to ``up_to_id`` (notes saved after the confirmation stay),
    and every action item they assigned (the reps' DMs stay; their buttons then say "removed").
    Returns how many notes were deleted."""
    result = session.execute(delete(Note).where(own(team_id, author_id), Note.id <= up_to_id))
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
    where = own(team_id, author_id)
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
    where = own(team_id, author_id)
    lowered = func.lower(Note.text)
    for word in words:
        where = and_(where, lowered.like(f"%{_like_escape(word.lower())}%", escape="\\"))
    notes, page, pages, total = _page(session, where, page=page, page_size=page_size)
    return NotePage(notes=notes, page=page, pages=pages, total=total, query=query)


def all_notes(session: Session, *, team_id: str, author_id: str) -> list[NoteView]:
    rows = session.scalars(select(Note).where(own(team_id, author_id)).order_by(Note.created_at, Note.id))
    return [NoteView.of(n) for n in rows]


def _csv_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection); a leading
    # apostrophe makes them text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(
    session: Session, *, team_id: str, author_id: str, tz: str | None, full_columns: bool = False
) -> tuple[str, int]:
    """The author's notes as CSV (oldest first) and how many there are. Dates in ``tz``.

    ``full_columns``: the ``FULL_CSV_COLUMNS`` layout: each note's skill, rating and edit
    time, then the action items the author assigned, one row each (not counted in the
    returned number, which stays the number of notes).
    """
    zone = zone_or_utc(tz)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(FULL_CSV_COLUMNS if full_columns else CSV_COLUMNS)
    notes = all_notes(session, team_id=team_id, author_id=author_id)
    skills = rubric.skills_by_id(session, team_id=team_id) if full_columns else {}
    for n in notes:
        row = [
            n.created_at.astimezone(zone).date().isoformat(),
            n.rep_id,
            _csv_cell(n.rep_name or ""),
            n.theme or "",
            n.follow_up_on.isoformat() if n.follow_up_on else "",
            _csv_cell(n.text),
        ]
        if full_columns:
            skill = skills.get(n.skill_id) if n.skill_id is not None else None
            edited = n.edited_at.astimezone(zone).isoformat(timespec="minutes") if n.edited_at else ""
            row += [skill.name if skill else "", str(n.rating or ""), edited, "note", "", "", ""]
        writer.writerow(row)
    if full_columns:
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
        .where(own(team_id, author_id))
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
    newest = select(func.max(Note.id)).where(own(team_id, author_id), Note.rep_name.is_not(None)).group_by(Note.rep_id)
    rows = session.execute(select(Note.rep_id, Note.rep_name).where(Note.id.in_(newest)))
    return {rep_id: name for rep_id, name in rows if name}


def theme_counts(session: Session, *, team_id: str, author_id: str, since: datetime | None = None) -> dict[str, int]:
    """How many notes the author tagged with each theme (all themes present, zero included)."""
    where = and_(own(team_id, author_id), Note.theme.is_not(None))
    if since is not None:
        where = and_(where, Note.created_at >= since)
    counts = dict.fromkeys(THEMES, 0)
    for theme, n in session.execute(select(Note.theme, func.count(Note.id)).where(where).group_by(Note.theme)):
        if theme in counts:
            counts[theme] = int(n)
    return counts
