"""The leader's digest: is coaching happening? Counts and averages only.

What a leader sees, per manager: notes in the last 7 and 30 days; reps noted in the last 30
days out of all reps they ever noted; how many reps have gone 14+ days without a note; their
action items open, overdue and done in the last 30 days. For the team: the average rating
per skill over the last 30 days and its change against the 30 days before.

What a leader never sees: any note's text, or a single note's rating. The dataclasses below
hold no text at all, and a skill's average is shown only when at least ``MIN_RATINGS``
ratings went into it (an average of one rating *is* that rating); the change is shown only
when both periods qualify.

Speed: a fixed number of grouped queries per team, whatever the number of managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, Manager, Note
from bot.services import action_items, rubric

MIN_RATINGS = 3
WINDOW = timedelta(days=30)
WEEK = timedelta(days=7)
STALE_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class ManagerStats:
    manager_id: str
    notes_7d: int
    notes_30d: int
    reps_noted_30d: int
    reps_ever: int
    reps_stale: int  # reps (ever noted) with no note in 14+ days
    items_open: int
    items_overdue: int
    items_done_30d: int


@dataclass(frozen=True)
class SkillAverage:
    skill_id: int
    name: str
    label: str
    average: float | None  # None: fewer than MIN_RATINGS ratings in the last 30 days
    ratings: int  # how many ratings in the last 30 days
    change: float | None  # against the previous 30 days; None when either side is too thin


@dataclass(frozen=True)
class Digest:
    team_id: str
    now: datetime
    managers: tuple[ManagerStats, ...]  # least active first (notes in 30 days), then by id
    skills: tuple[SkillAverage, ...]  # rubric order

    @property
    def notes_30d(self) -> int:
        return sum(m.notes_30d for m in self.managers)


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def build_digest(session: Session, *, team_id: str, now: datetime) -> Digest:
    """The digest for one workspace at ``now``."""
    since_30, since_7 = now - WINDOW, now - WEEK
    stale_before = now - STALE_AFTER
    team_notes = Note.team_id == team_id

    # Everyone who coaches: named managers (admins count as managers without a row, so the
    # authors of notes and the assigners of action items too).
    people = union(
        select(Manager.user_id.label("user_id")).where(Manager.team_id == team_id),
        select(Note.author_id.label("user_id")).where(team_notes),
        select(ActionItem.assigner_id.label("user_id")).where(ActionItem.team_id == team_id),
    ).subquery()
    manager_ids = sorted(str(u) for u in session.scalars(select(people.c.user_id)))

    notes = {
        author: (int(n7 or 0), int(n30 or 0))
        for author, n7, n30 in session.execute(
            select(
                Note.author_id,
                func.sum(case((Note.created_at >= since_7, 1), else_=0)),
                func.sum(case((Note.created_at >= since_30, 1), else_=0)),
            )
            .where(team_notes)
            .group_by(Note.author_id)
        )
    }
    reps: dict[str, list[datetime]] = {}
    for author, _rep, last in session.execute(
        select(Note.author_id, Note.rep_id, func.max(Note.created_at))
        .where(team_notes)
        .group_by(Note.author_id, Note.rep_id)
    ):
        reps.setdefault(author, []).append(_utc(last))

    items: dict[str, list[int]] = {}
    for assigner, status, due_on, tz, done_at_30, n in session.execute(
        select(
            ActionItem.assigner_id,
            ActionItem.status,
            ActionItem.due_on,
            ActionItem.rep_tz,
            func.sum(case((ActionItem.done_at >= since_30, 1), else_=0)),
            func.count(ActionItem.id),
        )
        .where(ActionItem.team_id == team_id)
        .group_by(ActionItem.assigner_id, ActionItem.status, ActionItem.due_on, ActionItem.rep_tz)
    ):
        counts = items.setdefault(assigner, [0, 0, 0])
        if status == action_items.DONE:
            counts[2] += int(done_at_30 or 0)
        else:
            counts[0] += int(n)
            if action_items.is_overdue(due_on, status, tz, now):
                counts[1] += int(n)

    managers = []
    for m in manager_ids:
        n7, n30 = notes.get(m, (0, 0))
        lasts = reps.get(m, [])
        open_, overdue, done = items.get(m, [0, 0, 0])
        managers.append(
            ManagerStats(
                manager_id=m,
                notes_7d=n7,
                notes_30d=n30,
                reps_noted_30d=sum(1 for t in lasts if t >= since_30),
                reps_ever=len(lasts),
                reps_stale=sum(1 for t in lasts if t < stale_before),
                items_open=open_,
                items_overdue=overdue,
                items_done_30d=done,
            )
        )
    managers.sort(key=lambda s: (s.notes_30d, s.manager_id))
    return Digest(
        team_id=team_id, now=now, managers=tuple(managers), skills=tuple(_skill_averages(session, team_id, now))
    )


def _skill_averages(session: Session, team_id: str, now: datetime) -> list[SkillAverage]:
    since_30, since_60 = now - WINDOW, now - 2 * WINDOW
    recent = Note.created_at >= since_30
    rows = {
        int(skill_id): (int(n_now or 0), s_now, int(n_before or 0), s_before)
        for skill_id, n_now, s_now, n_before, s_before in session.execute(
            select(
                Note.skill_id,
                func.sum(case((recent, 1), else_=0)),
                func.sum(case((recent, Note.rating), else_=0)),
                func.sum(case((recent, 0), else_=1)),
                func.sum(case((recent, 0), else_=Note.rating)),
            )
            .where(
                Note.team_id == team_id,
                Note.skill_id.is_not(None),
                Note.rating.is_not(None),
                Note.created_at >= since_60,
                Note.created_at <= now,
            )
            .group_by(Note.skill_id)
        )
    }
    averages = []
    for skill in rubric.list_skills(session, team_id=team_id, now=now, include_removed=True):
        n_now, s_now, n_before, s_before = rows.get(skill.id, (0, 0, 0, 0))
        if not skill.active and n_now == 0:
            continue  # a removed skill drops out once nobody rates it any more
        average = float(s_now) / n_now if n_now >= MIN_RATINGS else None
        before = float(s_before) / n_before if n_before >= MIN_RATINGS else None
        averages.append(
            SkillAverage(
                skill_id=skill.id,
                name=skill.name,
                label=skill.label,
                average=average,
                ratings=n_now,
                change=average - before if average is not None and before is not None else None,
            )
        )
    return averages


def digest_window(now: datetime) -> tuple[date, date]:
    """The 30 days a digest covers, as dates (for its heading)."""
    return (now - WINDOW).date(), now.date()
