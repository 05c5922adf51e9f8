"""The assistant's answers from data: each suggested question, answered by the services that
already answer it elsewhere (the rep card and prep brief, ``/coach overview``, ``/coach todos``).

Who sees what follows the rest of coachbot: a manager's answers are built from their own
notes and the action items they assigned (``team_id`` + ``author_id``/``assigner_id``, as in
``bot.services.notes``); anyone else (a rep, a leader, an admin who coaches no one) gets
only what is already theirs to see: the action items assigned to them. No answer here ever
contains another manager's notes, and no member's answer contains a note or a rating.

Asking is limited per member and minute (``admit``); each question is recorded without its
text (``AssistantQuestion``), so the feedback buttons have something to attach a vote to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, AssistantQuestion, Note
from bot.db.models.base import MAX_ID
from bot.errors import NotFound, UsageError
from bot.services import action_items, managers, note_history, one_on_ones, rep_card, rubric, topics
from bot.services.action_items import ActionItemView
from bot.services.assistant_intents import MANAGER_PROMPTS, MEMBER_PROMPTS, Intent, Prompt, Question
from bot.services.member_limits import lock_members, slack_when
from bot.services.note_history import RepOverview
from bot.services.notes import NoteView
from bot.services.prep_brief import PrepBrief, build_brief
from bot.services.text import compact

LIST_LIMIT = 15  # rows per answer; the count covers the rest
MINUTE = timedelta(minutes=1)
MANAGER_ONLY = frozenset({Intent.PREP, Intent.PROMISES, Intent.STALE, Intent.WEAKEST})
VOTES = ("up", "down")


class Role(StrEnum):
    MANAGER = "manager"
    MEMBER = "member"  # a rep, a leader, an admin: anyone who keeps no notes


class AskingTooFast(UsageError):
    pass


def role_of(session: Session, *, team_id: str, user_id: str) -> Role:
    return Role.MANAGER if managers.is_manager(session, team_id=team_id, user_id=user_id) else Role.MEMBER


def prompts_for(role: Role) -> tuple[Prompt, ...]:
    return MANAGER_PROMPTS if role is Role.MANAGER else MEMBER_PROMPTS


# --- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    role: Role
    asked_for_managers: bool = False  # a member asked a manager's question


@dataclass(frozen=True)
class PickRep:
    """A question that needs a rep, asked without one (or with a name that matches none)."""

    intent: Intent
    reps: tuple[RepOverview, ...]  # least recently coached first
    unmatched: str = ""  # the name as typed, if one was given


@dataclass(frozen=True)
class Prep:
    brief: PrepBrief
    meets_at: datetime | None  # the next 1:1, when a cadence is set


@dataclass(frozen=True)
class Promises:
    rep_id: str | None
    items: tuple[ActionItemView, ...]  # unfinished, soonest due first
    follow_ups: tuple[NoteView, ...]  # open, soonest first
    items_total: int
    now: datetime


@dataclass(frozen=True)
class Stale:
    reps: tuple[RepOverview, ...]  # least recently coached first: only the stale ones
    total_reps: int


@dataclass(frozen=True)
class WeakRep:
    rep_id: str
    rep_name: str | None
    skill_label: str
    average: float
    ratings: tuple[int, ...]


@dataclass(frozen=True)
class Weakest:
    skill: rubric.SkillView | None  # None: each rep's own weakest skill
    reps: tuple[WeakRep, ...]  # weakest first


@dataclass(frozen=True)
class Plate:
    items: tuple[ActionItemView, ...]
    total: int
    now: datetime
    agenda: topics.Agenda | None = None  # the member's next 1:1 as a rep, when one is set


@dataclass(frozen=True)
class TopicAdded:
    topic: topics.TopicView


@dataclass(frozen=True)
class TopicNeeded:
    """Add a topic, asked without the text, or (for a manager) without naming the rep."""

    other_id: str | None


DataAnswer = Help | PickRep | Prep | Promises | Stale | Weakest | Plate | TopicAdded | TopicNeeded


def answer(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    role: Role,
    question: Question,
    now: datetime,
    enterprise_id: str | None = None,
) -> DataAnswer:
    """The answer from data to ``question`` (free text gets ``Help``: without a model only the
    suggested questions have answers). Raises ``UsageError`` for a question that names
    something wrong (yourself as the rep, an unknown skill, a topic that can't be added)."""
    intent = question.intent
    if intent in MANAGER_ONLY and role is not Role.MANAGER:
        return Help(role, asked_for_managers=True)
    if intent is Intent.PREP:
        return _prep(session, team_id=team_id, manager_id=user_id, question=question, now=now)
    if intent is Intent.PROMISES:
        rep = question.mentions[0] if question.mentions else None
        return promises(session, team_id=team_id, manager_id=user_id, rep_id=rep, now=now)
    if intent is Intent.STALE:
        return stale(session, team_id=team_id, manager_id=user_id, now=now)
    if intent is Intent.WEAKEST:
        return weakest(session, team_id=team_id, manager_id=user_id, skill=question.subject, now=now)
    if intent is Intent.PLATE:
        return plate(session, team_id=team_id, user_id=user_id, now=now)
    if intent is Intent.ADD_TOPIC:
        return _add_topic(session, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, q=question, now=now)
    return Help(role)


def _prep(session: Session, *, team_id: str, manager_id: str, question: Question, now: datetime) -> Prep | PickRep:
    reps = note_history.overview(session, team_id=team_id, author_id=manager_id, now=now).reps
    rep_id = question.mentions[0] if question.mentions else _rep_named(reps, question.subject)
    if rep_id is None:
        return PickRep(Intent.PREP, reps[:LIST_LIMIT], unmatched=question.subject)
    if rep_id == manager_id:
        raise UsageError(
            "That's you: a prep brief is for a 1:1 with one of your reps. E.g. *Prep my 1:1 with <@U012ABCDEF>*"
        )
    brief = build_brief(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id, now=now)
    cadence = one_on_ones.cadence_for_pair(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id)
    meets_at = one_on_ones.next_meeting(cadence, now) if cadence is not None and cadence.active else None
    return Prep(brief, meets_at)


def _rep_named(reps: tuple[RepOverview, ...], typed: str) -> str | None:
    """The one rep whose name (as in the manager's notes) is ``typed`` or starts with it,
    look-alike letters folded; None when none or several match."""
    key = compact(typed.lstrip("@"))
    if not key:
        return None
    named = [(r.rep_id, compact(r.rep_name or "")) for r in reps if r.rep_name]
    exact = [rep_id for rep_id, name in named if name == key]
    if len(exact) == 1:
        return exact[0]
    starts = [rep_id for rep_id, name in named if name.startswith(key)]
    return starts[0] if len(starts) == 1 else None


def promises(session: Session, *, team_id: str, manager_id: str, rep_id: str | None, now: datetime) -> Promises:
    """What the manager owes attention to: the action items they assigned that are not done,
    and their own open follow-ups (optionally for one rep)."""
    where = and_(
        ActionItem.team_id == team_id,
        ActionItem.assigner_id == manager_id,
        ActionItem.status.in_(action_items.NOT_DONE),
    )
    if rep_id is not None:
        where = and_(where, ActionItem.rep_id == rep_id)
    items = session.scalars(
        select(ActionItem)
        .where(where)
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        .limit(LIST_LIMIT)
    )
    total = int(session.scalar(select(func.count(ActionItem.id)).where(where)) or 0)
    mine = and_(
        Note.team_id == team_id,
        Note.author_id == manager_id,
        Note.follow_up_on.is_not(None),
        Note.follow_up_done_at.is_(None),
    )
    if rep_id is not None:
        mine = and_(mine, Note.rep_id == rep_id)
    notes = session.scalars(select(Note).where(mine).order_by(Note.follow_up_on, Note.id).limit(LIST_LIMIT))
    return Promises(
        rep_id=rep_id,
        items=tuple(ActionItemView.of(a) for a in items),
        follow_ups=tuple(NoteView.of(n) for n in notes),
        items_total=total,
        now=now,
    )


def stale(session: Session, *, team_id: str, manager_id: str, now: datetime) -> Stale:
    """The reps the manager has not noted in 14+ days (``/coach overview``'s rule)."""
    reps = note_history.overview(session, team_id=team_id, author_id=manager_id, now=now).reps
    return Stale(reps=tuple(r for r in reps if r.stale), total_reps=len(reps))


def weakest(session: Session, *, team_id: str, manager_id: str, skill: str, now: datetime) -> Weakest:
    """The manager's reps by their recent ratings (the rep card's: the last ``TREND`` per
    skill), weakest first: on one skill when ``skill`` names one, else each rep's weakest.
    Only the manager's own ratings count: these are the manager's data, not the leaders'
    digest, so no minimum group size applies."""
    skills = rubric.list_skills(session, team_id=team_id, now=now, include_removed=True)
    chosen = None
    if skill:
        chosen = rubric.resolve_skill(
            session, team_id=team_id, typed=skill, now=now, example="Which reps are weakest at discovery?"
        )
    rated = session.scalars(
        select(Note.rep_id)
        .where(Note.team_id == team_id, Note.author_id == manager_id, Note.rating.is_not(None))
        .distinct()
        .order_by(Note.rep_id)
    ).all()
    names = {
        r.rep_id: r.rep_name
        for r in note_history.overview(session, team_id=team_id, author_id=manager_id, now=now).reps
    }
    rows: list[WeakRep] = []
    for rep_id in rated:
        trends = rep_card.skill_trends(
            session, team_id=team_id, author_id=manager_id, rep_id=rep_id, now=now, skills=skills
        )
        if chosen is not None:
            trend = next((t for t in trends if t.skill_id == chosen.id), None)
        else:
            trend = rep_card.weakest_of([t for t in trends if t.active]) or rep_card.weakest_of(trends)
        if trend is not None:
            rows.append(WeakRep(rep_id, names.get(rep_id), trend.label, trend.average, trend.ratings))
    rows.sort(key=lambda r: (r.average, r.rep_id))
    return Weakest(skill=chosen, reps=tuple(rows[:LIST_LIMIT]))


def plate(session: Session, *, team_id: str, user_id: str, now: datetime) -> Plate:
    """The action items assigned to ``user_id`` that are not done (``/coach todos``'s list),
    and the agenda of their 1:1 as a rep: topics and items, never a note."""
    todos = action_items.list_action_items(session, team_id=team_id, user_id=user_id, now=now, limit=LIST_LIMIT)
    cadence = one_on_ones.get_cadence(session, team_id=team_id, rep_id=user_id)
    agenda = (
        topics.build_agenda(session, team_id=team_id, manager_id=cadence.manager_id, rep_id=user_id, now=now)
        if cadence is not None
        else None
    )
    return Plate(items=todos.assigned_to_me, total=todos.to_me_total, now=now, agenda=agenda)


def _add_topic(
    session: Session, *, team_id: str, enterprise_id: str | None, user_id: str, q: Question, now: datetime
) -> TopicAdded | TopicNeeded:
    """A topic for the asker's 1:1: with the person mentioned, or (for a rep) their manager.
    The topics service decides whether the pair has a 1:1 and applies its limits."""
    other = q.mentions[0] if q.mentions else None
    if other is None:
        cadence = one_on_ones.get_cadence(session, team_id=team_id, rep_id=user_id)
        other = cadence.manager_id if cadence is not None else None
    if other is None or not q.subject:
        return TopicNeeded(other)
    added = topics.add_topic(
        session, team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, other_id=other, text=q.subject, now=now
    )
    return TopicAdded(added)


# --- asking: the per-minute limit, and feedback ------------------------------------------


def admit(session: Session, *, team_id: str, user_id: str, intent: Intent, now: datetime, per_minute: int) -> int:
    """Record one question (its intent, never its text) and return its id, or raise
    ``AskingTooFast`` when the member asked ``per_minute`` already in the last minute. The
    member's lock row comes first, so two replicas counting at once can't both admit the last."""
    lock_members(session, team_id=team_id, user_ids=[user_id], now=now)
    recent = session.scalars(
        select(AssistantQuestion.asked_at)
        .where(
            AssistantQuestion.team_id == team_id,
            AssistantQuestion.user_id == user_id,
            AssistantQuestion.asked_at > now - MINUTE,
        )
        .order_by(AssistantQuestion.asked_at)
    ).all()
    if len(recent) >= per_minute:
        raise AskingTooFast(
            f"You've asked {len(recent)} questions in the last minute, the most I answer; ask again "
            f"{slack_when(recent[0] + MINUTE, now)}. Nothing was looked up."
        )
    question = AssistantQuestion(team_id=team_id, user_id=user_id, intent=intent.value, asked_at=now)
    session.add(question)
    session.flush()
    return question.id


def record_answer(session: Session, *, question_id: int, answered_by: str) -> None:
    """How the question was answered: ``data``, ``model``, or ``fallback`` (the model failed)."""
    question = session.get(AssistantQuestion, question_id)
    if question is not None:
        question.answered_by = answered_by


def record_feedback(session: Session, *, team_id: str, user_id: str, question_id: int, vote: str, now: datetime) -> str:
    """A thumbs up or down on an answer, by the member who asked (a forged id or someone
    else's answer is "not found"); a second vote replaces the first. Returns the vote."""
    if vote not in VOTES:
        raise UsageError("A vote is up or down.")
    question = session.get(AssistantQuestion, question_id) if 1 <= question_id <= MAX_ID else None
    if question is None or question.team_id != team_id or question.user_id != user_id:
        raise NotFound("That answer is gone or isn't yours; ask again to get a new one.")
    question.feedback, question.feedback_at = vote, now
    return vote
