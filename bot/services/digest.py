"""The leader's digest: is coaching happening? Counts and averages only.

What a leader sees, per manager: notes in the last 7 and 30 days; reps noted in the last 30
days out of all reps they ever noted; how many reps have gone 14+ days without a note; their
action items open, overdue and done in the last 30 days. For the team: per skill, the
average rating of the last ``SHOWN_WEEKS`` weeks and its change against the weeks before.

What a leader never sees: any note's text, or a single note's rating, not even by comparing
digests. A leader can ask as often as they like, so every figure per skill is built from
*rating blocks* (``close_rating_blocks``), and from nothing else:

- a block holds ``MIN_RATINGS`` or more ratings of one skill, from weeks (Monday to Sunday,
  UTC) that are over, and no rating is in two blocks; the current week is never used, so
  asking again and again shows the same figures until the next Monday;
- a week with fewer ratings makes no block: its ratings wait for the following weeks, so a
  figure moves only when 3 or more new ratings came in, never by one;
- a block, once written, never changes: editing or deleting a note later moves nothing
  (otherwise the move would tell the edited or deleted rating);
- no count of ratings is shown;
- a leader who rated too sees a block only if 3 or more of its ratings are someone else's
  (they know their own, and could take them out of the average).

So everything shown is a function of sums over disjoint groups of 3 or more ratings, and no
combination of digests isolates one rating. What an average can always say is left: one of
exactly 5.0 (or 1.0) says that every rating in it was a 5 (or a 1).

Speed: a fixed number of grouped queries per team, whatever the number of managers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, Manager, Note, RatingBlock
from bot.services import action_items, rubric
from bot.services.member_limits import lock_members

MIN_RATINGS = 3  # in every block: an average of one rating *is* that rating
SHOWN_WEEKS = 4  # a skill's figure: the blocks closed in the last 4 weeks, against the 4 before
WINDOW = timedelta(days=30)
WEEK = timedelta(days=7)
SHOWN = timedelta(weeks=SHOWN_WEEKS)
HISTORY = timedelta(weeks=3 * SHOWN_WEEKS)  # older ratings are never grouped (the first digest)
STALE_AFTER = timedelta(days=14)
LOCK_KEY = "~digest"  # a MemberLock key that no Slack user id can be


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
    average: float | None  # over the blocks closed in the last SHOWN_WEEKS weeks; None: no block
    change: float | None  # against the SHOWN_WEEKS weeks before; None when either side has none


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


def build_digest(session: Session, *, team_id: str, now: datetime, viewer: str | None) -> Digest:
    """The digest for one workspace at ``now``, as ``viewer`` (the leader it is for; None: a
    reader who rated nothing) may see it. Writes the rating blocks that became due (the
    caller commits them with whatever it sends)."""
    close_rating_blocks(session, team_id=team_id, now=now)  # first: it takes the team's lock
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
        team_id=team_id, now=now, managers=tuple(managers), skills=tuple(_skill_averages(session, team_id, now, viewer))
    )


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of ``at``'s week: the edges every figure per skill is built on."""
    at = _utc(at)
    return datetime(at.year, at.month, at.day, tzinfo=UTC) - timedelta(days=at.weekday())


def close_rating_blocks(session: Session, *, team_id: str, now: datetime) -> int:
    """Freeze the groups of ratings the digest may show, up to the last Monday before ``now``.

    Per skill, walking the weeks that are over in order, from just after the skill's last
    block: ratings pile up, and at the end of the first week in which the pile holds
    ``MIN_RATINGS`` or more it becomes a block, written once and never changed. A week with
    one or two ratings therefore shows nothing by itself; its ratings wait for the next.
    Returns how many blocks were written.

    Under the team's digest lock, taken first: two digests built at once could otherwise cut
    the same ratings into two different, overlapping blocks, and the difference of two
    overlapping groups is what gives a rating away.
    """
    this_week = week_start(now)
    _lock(session, team_id=team_id, now=now)
    last: dict[int, date] = {
        int(skill_id): closed
        for skill_id, closed in session.execute(
            select(RatingBlock.skill_id, func.max(RatingBlock.closed_on))
            .where(RatingBlock.team_id == team_id)
            .group_by(RatingBlock.skill_id)
        )
    }
    earliest = this_week - HISTORY
    pending: dict[int, _Pile] = {}
    rows = session.execute(
        select(Note.skill_id, Note.created_at, Note.rating, Note.author_id)
        .where(
            Note.team_id == team_id,
            Note.skill_id.is_not(None),
            Note.rating.is_not(None),
            Note.created_at >= earliest,
            Note.created_at < this_week,
            # Only what no block holds yet: after each skill's last block (few skills, few terms).
            or_(
                Note.skill_id.not_in(list(last)),
                *(and_(Note.skill_id == skill, Note.created_at >= _midnight(since)) for skill, since in last.items()),
            ),
        )
        .order_by(Note.created_at, Note.id)
    )
    blocks: list[RatingBlock] = []
    for skill_id, created_at, rating, author_id in rows:
        skill = int(skill_id or 0)
        week = week_start(created_at)
        since = last.get(skill)
        if since is not None and week.date() < since:
            continue  # already in a block (or before it): never counted twice
        pile = pending.setdefault(skill, _Pile(week=week))
        if pile.ratings >= MIN_RATINGS and week > pile.week:
            blocks.append(pile.block(team_id, skill, now))
            pile = pending[skill] = _Pile(week=week)
        pile.add(int(rating or 0), str(author_id), week)
    for skill, pile in pending.items():
        if pile.ratings >= MIN_RATINGS:  # its last week is over: only ratings before now's week are read
            blocks.append(pile.block(team_id, skill, now))
    session.add_all(blocks)
    session.flush()
    return len(blocks)


@dataclass
class _Pile:
    """The ratings of one skill waiting to make a block."""

    week: datetime  # the week of the latest rating added
    ratings: int = 0
    total: int = 0
    authors: dict[str, int] = field(default_factory=dict)

    def add(self, rating: int, author_id: str, week: datetime) -> None:
        self.ratings += 1
        self.total += rating
        self.authors[author_id] = self.authors.get(author_id, 0) + 1
        self.week = week

    def block(self, team_id: str, skill_id: int, now: datetime) -> RatingBlock:
        return RatingBlock(
            team_id=team_id,
            skill_id=skill_id,
            closed_on=(self.week + WEEK).date(),
            ratings=self.ratings,
            total=self.total,
            authors=dict(sorted(self.authors.items())),
            created_at=now,
        )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _lock(session: Session, *, team_id: str, now: datetime) -> None:
    """The team's digest lock: a ``MemberLock`` row under a key no Slack user id can be (a row
    lock on PostgreSQL; on SQLite the write lock, as the first statement of the unit of work)."""
    lock_members(session, team_id=team_id, user_ids=[LOCK_KEY], now=now)


def _skill_averages(session: Session, team_id: str, now: datetime, viewer: str | None) -> list[SkillAverage]:
    this_week = week_start(now).date()
    shown_from = this_week - SHOWN
    before_from = shown_from - SHOWN
    rows: dict[int, list[int]] = {}
    for skill_id, closed_on, n, total, authors in session.execute(
        select(
            RatingBlock.skill_id, RatingBlock.closed_on, RatingBlock.ratings, RatingBlock.total, RatingBlock.authors
        ).where(
            RatingBlock.team_id == team_id,
            RatingBlock.closed_on > before_from,
            RatingBlock.closed_on <= this_week,
        )
    ):
        if viewer is not None and int(n) - int((authors or {}).get(viewer, 0)) < MIN_RATINGS:
            continue  # the viewer rated some of these: what's left of it after their own is too thin
        sums = rows.setdefault(int(skill_id), [0, 0, 0, 0])
        at = 0 if closed_on > shown_from else 2
        sums[at] += int(n)
        sums[at + 1] += int(total)
    averages = []
    for skill in rubric.list_skills(session, team_id=team_id, now=now, include_removed=True):
        n_now, s_now, n_before, s_before = rows.get(skill.id, (0, 0, 0, 0))
        average = s_now / n_now if n_now else None
        if not skill.active and average is None:
            continue  # a removed skill drops out once it has no figure any more
        before = s_before / n_before if n_before else None
        averages.append(
            SkillAverage(
                skill_id=skill.id,
                name=skill.name,
                label=skill.label,
                average=average,
                change=average - before if average is not None and before is not None else None,
            )
        )
    return averages
