"""``/coach rep @rep``: one manager's own picture of one rep, and where to coach next.

Built from the manager's own notes on that rep only (the privacy rule of
``bot.services.notes.own``: team + author), so two managers coaching the same rep each see
their own card.

Per skill: the last ``TREND`` ratings (oldest first), their sparkline and their average. The
average is over those same recent ratings, so a rep who has improved is no longer flagged by
a weak start long ago. The weakest skill has the lowest average; ties go to the skill whose
latest rating is older (it has waited longest for attention), then to rubric order.

Speed: one index range (``ix_notes_author_rep_skill_created``) of at most ``TREND`` rows per
skill, in one round trip; the rest are single-row index look-ups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Note, Prompt, Rotation, RotationSeen
from bot.services import action_items, rubric
from bot.services.notes import NoteView
from bot.services.prompts import ROTATION_KIND, PromptView

TREND = 8
LAST_NOTES = 3
SPARKS = "▁▂▃▄▅▆▇█"


def _as_utc(value: datetime | str) -> datetime:
    # Aggregates (max) come back without the column type on SQLite: a naive string.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sparkline(ratings: list[int]) -> str:
    """1 -> ▁ ... 5 -> █, evenly over the eight bars (1, 2.75, 4.5, 6.25, 8 rounded)."""
    return "".join(SPARKS[round((r - 1) * (len(SPARKS) - 1) / 4)] for r in ratings)


@dataclass(frozen=True)
class SkillTrend:
    skill_id: int
    name: str
    label: str
    active: bool
    ratings: tuple[int, ...]  # oldest first, at most TREND
    last_rated_at: datetime
    position: int

    @property
    def average(self) -> float:
        return sum(self.ratings) / len(self.ratings)

    @property
    def sparkline(self) -> str:
        return sparkline(list(self.ratings))


@dataclass(frozen=True)
class CardNote:
    note: NoteView
    skill_name: str | None


@dataclass(frozen=True)
class RepCard:
    rep_id: str
    rep_name: str | None
    trends: tuple[SkillTrend, ...]  # rubric order
    weakest: SkillTrend | None
    days_since_last_note: int | None  # None: no note on this rep yet
    open_items: int
    overdue_items: int
    last_notes: tuple[CardNote, ...]
    total_notes: int
    now: datetime


def weakest_of(trends: list[SkillTrend]) -> SkillTrend | None:
    if not trends:
        return None
    return min(trends, key=lambda t: (t.average, t.last_rated_at, t.position, t.skill_id))


def skill_trends(
    session: Session,
    *,
    team_id: str,
    author_id: str,
    rep_id: str,
    now: datetime,
    skills: list[rubric.SkillView] | None = None,
) -> list[SkillTrend]:
    """Per skill rated on this rep (removed skills included), the last ``TREND`` ratings."""
    if skills is None:
        skills = rubric.list_skills(session, team_id=team_id, now=now, include_removed=True)
    if not skills:
        return []
    parts = [
        select(Note.skill_id, Note.rating, Note.created_at, Note.id)
        .where(
            Note.team_id == team_id,
            Note.author_id == author_id,
            Note.rep_id == rep_id,
            Note.skill_id == s.id,
            Note.rating.is_not(None),
        )
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(TREND)
        .subquery()
        .select()
        for s in skills
    ]
    rows = session.execute(union_all(*parts)).all()
    by_skill: dict[int, list[tuple[datetime, int, int]]] = {}
    for skill_id, rating, created_at, note_id in rows:
        by_skill.setdefault(int(skill_id), []).append((_as_utc(created_at), int(note_id), int(rating)))
    trends: list[SkillTrend] = []
    for s in skills:
        found = sorted(by_skill.get(s.id, []))
        if not found:
            continue
        trends.append(
            SkillTrend(
                skill_id=s.id,
                name=s.name,
                label=s.label,
                active=s.active,
                ratings=tuple(r for _, _, r in found),
                last_rated_at=found[-1][0],
                position=s.position,
            )
        )
    return trends


def rep_card(session: Session, *, team_id: str, author_id: str, rep_id: str, now: datetime) -> RepCard:
    """The card for ``/coach rep @rep`` (the caller checks the author is a manager)."""
    skills = rubric.list_skills(session, team_id=team_id, now=now, include_removed=True)
    trends = skill_trends(session, team_id=team_id, author_id=author_id, rep_id=rep_id, now=now, skills=skills)
    where = and_(Note.team_id == team_id, Note.author_id == author_id, Note.rep_id == rep_id)
    last = list(
        session.scalars(select(Note).where(where).order_by(Note.created_at.desc(), Note.id.desc()).limit(LAST_NOTES))
    )
    total = int(session.scalar(select(func.count(Note.id)).where(where)) or 0)
    names = {s.id: s.name for s in skills}
    counts = action_items.counts_for_rep(session, team_id=team_id, assigner_id=author_id, rep_id=rep_id, now=now)
    days = (now - last[0].created_at).days if last else None
    return RepCard(
        rep_id=rep_id,
        rep_name=next((n.rep_name for n in last if n.rep_name), None),
        trends=tuple(trends),
        weakest=weakest_of(trends),
        days_since_last_note=days,
        open_items=counts.open,
        overdue_items=counts.overdue,
        last_notes=tuple(
            CardNote(NoteView.of(n), names.get(n.skill_id) if n.skill_id is not None else None) for n in last
        ),
        total_notes=total,
        now=now,
    )


# --- targeted prompts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Whom and what a manager's next prompt should be about."""

    rep_id: str
    rep_name: str | None
    skill: SkillTrend
    days_since_last_note: int


@dataclass(frozen=True)
class TargetedPrompt:
    target: Target
    prompt: PromptView | None  # None: the skill has no curated pool (an added skill)


def find_target(session: Session, *, team_id: str, author_id: str, now: datetime) -> Target | None:
    """The rep most overdue for coaching among those the manager has rated, and their weakest
    skill; None until the manager has rated anyone (then the theme rotation applies).

    Most overdue: the oldest last note of any kind; ties by rep id (stable).
    """
    mine = and_(Note.team_id == team_id, Note.author_id == author_id)
    rated = select(Note.rep_id).where(mine, Note.rating.is_not(None)).distinct().scalar_subquery()
    rows = session.execute(
        select(Note.rep_id, func.max(Note.created_at))
        .where(mine, Note.rep_id.in_(rated))
        .group_by(Note.rep_id)
        .order_by(func.max(Note.created_at), Note.rep_id)
        .limit(1)
    ).all()
    if not rows:
        return None
    rep_id, last_at = rows[0]
    trends = skill_trends(session, team_id=team_id, author_id=author_id, rep_id=rep_id, now=now)
    weakest = weakest_of([t for t in trends if t.active]) or weakest_of(trends)
    if weakest is None:
        return None
    name = session.scalar(
        select(Note.rep_name)
        .where(mine, Note.rep_id == rep_id, Note.rep_name.is_not(None))
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(1)
    )
    return Target(rep_id=rep_id, rep_name=name, skill=weakest, days_since_last_note=(now - _as_utc(last_at)).days)


def _prompt_rotation(session: Session, *, team_id: str, target_id: str) -> Rotation:
    where = (Rotation.team_id == team_id, Rotation.kind == ROTATION_KIND, Rotation.target_id == target_id)
    row = session.scalar(select(Rotation).where(*where))
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = Rotation(team_id=team_id, kind=ROTATION_KIND, target_id=target_id, cycle=1, start_key=0)
            session.add(row)
    except IntegrityError:
        row = session.scalars(select(Rotation).where(*where)).one()
    return row


def pick_skill_prompt(
    session: Session, *, team_id: str, target_id: str, base: str, now: datetime, rng: random.Random | None = None
) -> PromptView | None:
    """A prompt from the skill's pool that ``target_id`` has seen least recently (never seen
    first), recorded in their prompt rotation so the theme rotation doesn't repeat it soon."""
    pool = list(session.scalars(select(Prompt).where(Prompt.active.is_(True), Prompt.skill == base)))
    if not pool:
        return None
    rotation = _prompt_rotation(session, team_id=team_id, target_id=target_id)
    last_seen = dict(
        session.execute(
            select(RotationSeen.item_id, func.max(RotationSeen.seen_at))
            .where(RotationSeen.rotation_id == rotation.id, RotationSeen.item_id.in_([p.id for p in pool]))
            .group_by(RotationSeen.item_id)
        ).all()
    )
    never = [p for p in pool if p.id not in last_seen]
    if never:
        chosen = (rng or random.Random()).choice(sorted(never, key=lambda p: p.id))
    else:
        chosen = min(pool, key=lambda p: (_as_utc(last_seen[p.id]), p.id))
    rotation.last_item_id = chosen.id
    try:
        with session.begin_nested():
            session.add(RotationSeen(rotation_id=rotation.id, cycle=rotation.cycle, item_id=chosen.id, seen_at=now))
    except IntegrityError:
        # Seen in this cycle already (the whole pool was): move its time forward instead.
        seen = session.get(RotationSeen, (rotation.id, rotation.cycle, chosen.id))
        if seen is not None:
            seen.seen_at = now
    return PromptView.of(chosen)


def targeted_prompt(
    session: Session, *, team_id: str, author_id: str, now: datetime, rng: random.Random | None = None
) -> TargetedPrompt | None:
    """The manager's targeted prompt, or None (no ratings yet: use ``prompts.next_prompt``)."""
    target = find_target(session, team_id=team_id, author_id=author_id, now=now)
    if target is None:
        return None
    skill = rubric.skills_by_id(session, team_id=team_id).get(target.skill.skill_id)
    base = skill.base if skill is not None else None
    prompt = (
        pick_skill_prompt(session, team_id=team_id, target_id=author_id, base=base, now=now, rng=rng)
        if base is not None
        else None
    )
    return TargetedPrompt(target=target, prompt=prompt)
