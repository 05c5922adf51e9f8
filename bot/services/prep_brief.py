"""The prep brief: what a manager reads before a 1:1 with one rep.

Built from the manager's own data only (notes they wrote, items they assigned) plus the
pair's shared topics, so two managers who coach the same rep each get their own brief and
nothing of another manager's ever shows. The rep never gets this; their side is the agenda
(``bot.services.topics.build_agenda``), which holds no note and no rating.

Contents: days since the manager's last note on the rep; the last ``LAST_NOTES`` of them;
the rep's skill trend per skill and the weakest skill (``bot.services.rep_card``'s rules)
with one coaching prompt from that skill's curated pool; open and overdue action items;
the open talking points.

The prompt is picked without writing anything: the same one all week (by the ISO week of
``now``), another the next, so a brief can be rendered again (the delivery engine does)
and the assistant pane can show it on demand without using up the manager's prompts.

Speed (``benchmarks/prep_brief.py``): every read is a short index range of the notes index
``ix_notes_author_rep_created`` / ``ix_notes_author_rep_skill_created``, whatever the
number of notes the manager has; no count over notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Note, Prompt
from bot.services import rubric
from bot.services.action_items import ActionItemView
from bot.services.prompts import PromptView
from bot.services.rep_card import SkillTrend, skill_trends, weakest_of
from bot.services.topics import Agenda, TopicView, build_agenda

LAST_NOTES = 3


@dataclass(frozen=True)
class BriefNote:
    id: int
    created_at: datetime
    text: str
    skill_name: str | None
    rating: int | None
    edited: bool


@dataclass(frozen=True)
class PrepBrief:
    team_id: str
    manager_id: str
    rep_id: str
    rep_name: str | None
    now: datetime
    days_since_last_note: int | None  # None: no note on this rep yet
    last_notes: tuple[BriefNote, ...]  # newest first
    trends: tuple[SkillTrend, ...]  # rubric order
    weakest: SkillTrend | None
    prompt: PromptView | None  # for the weakest skill; None when it has no curated pool
    agenda: Agenda

    @property
    def topics(self) -> tuple[TopicView, ...]:
        return self.agenda.topics

    @property
    def items(self) -> tuple[ActionItemView, ...]:
        return self.agenda.items

    @property
    def open_items(self) -> int:
        return self.agenda.open_items

    @property
    def overdue_items(self) -> int:
        return self.agenda.overdue()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def weekly_prompt(session: Session, *, base: str, now: datetime) -> PromptView | None:
    """One prompt of the skill's curated pool, the same all ISO week; read-only."""
    pool = list(
        session.scalars(select(Prompt).where(Prompt.active.is_(True), Prompt.skill == base).order_by(Prompt.id))
    )
    if not pool:
        return None
    year, week, _ = now.isocalendar()
    return PromptView.of(pool[(year * 53 + week) % len(pool)])


def build_brief(session: Session, *, team_id: str, manager_id: str, rep_id: str, now: datetime) -> PrepBrief:
    """The brief for ``manager_id``'s 1:1 with ``rep_id`` (the caller checks the manager role)."""
    skills = rubric.list_skills(session, team_id=team_id, now=now, include_removed=True)
    trends = skill_trends(session, team_id=team_id, author_id=manager_id, rep_id=rep_id, now=now, skills=skills)
    notes = list(
        session.scalars(
            select(Note)
            .where(Note.team_id == team_id, Note.author_id == manager_id, Note.rep_id == rep_id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(LAST_NOTES)
        )
    )
    names = {s.id: s.name for s in skills}
    # An active weakest skill first: a removed one is no longer coached.
    weakest = weakest_of([t for t in trends if t.active]) or weakest_of(trends)
    base = next((s.base for s in skills if weakest is not None and s.id == weakest.skill_id), None)
    prompt = weekly_prompt(session, base=base, now=now) if base is not None else None
    return PrepBrief(
        team_id=team_id,
        manager_id=manager_id,
        rep_id=rep_id,
        rep_name=next((n.rep_name for n in notes if n.rep_name), None),
        now=now,
        days_since_last_note=(now - _aware(notes[0].created_at)).days if notes else None,
        last_notes=tuple(
            BriefNote(
                id=n.id,
                created_at=_aware(n.created_at),
                text=n.text,
                skill_name=names.get(n.skill_id) if n.skill_id is not None else None,
                rating=n.rating,
                edited=n.edited_at is not None,
            )
            for n in notes
        ),
        trends=tuple(trends),
        weakest=weakest,
        prompt=prompt,
        agenda=build_agenda(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id, now=now),
    )
