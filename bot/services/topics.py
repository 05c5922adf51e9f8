"""Talking points for a 1:1, and the agenda both sides get before it.

Either side adds a topic: the manager for a rep (``/coach topic @rep ...``), or the rep for
the manager they have a 1:1 cadence with (``/coach topic @manager ...``). A topic carries
over from 1:1 to 1:1 until one of the two checks it off. The agenda holds only topics and
the open action items the manager gave that rep: never a note or a rating, because the rep
gets it too.

Limits, each refused with what to do instead and nothing saved: ``TEXT_LIMIT`` characters;
``PER_DAY`` topics one person adds in any 24 hours (all their 1:1s together); ``OPEN_LIMIT``
open topics per pair; no second open topic that looks the same as one already there (compared
by ``norm_key``: case, width, invisible characters and look-alike letters folded). Text is
stored as typed (invisible characters removed) and escaped whenever it is shown.

Everything is keyed by team: a topic id from another workspace names nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, Topic
from bot.db.models.base import MAX_ID
from bot.errors import NotFound, UsageError
from bot.services.action_items import NOT_DONE, ActionItemView
from bot.services.managers import is_manager
from bot.services.member_limits import lock_members, slack_when
from bot.services.one_on_ones import cadence_for_pair
from bot.services.text import compact, norm_key, strip_invisible

TEXT_LIMIT = 300
PER_DAY = 20
OPEN_LIMIT = 30
AGENDA_LIMIT = 15  # topics and action items shown on an agenda; the counts cover the rest
DAY = timedelta(hours=24)
TOPIC_EXAMPLE = "/coach topic @bob the Q1 pipeline review"
REP_TOPIC_EXAMPLE = "/coach topic @ada help with the Acme negotiation"


class TopicRefused(UsageError):
    """The topic was not added; the message says why and what to do."""


@dataclass(frozen=True)
class Pair:
    manager_id: str
    rep_id: str


@dataclass(frozen=True)
class TopicView:
    id: int
    team_id: str
    manager_id: str
    rep_id: str
    added_by: str
    text: str
    created_at: datetime
    checked_at: datetime | None
    checked_by: str | None

    @classmethod
    def of(cls, t: Topic) -> TopicView:
        return cls(
            id=t.id,
            team_id=t.team_id,
            manager_id=t.manager_id,
            rep_id=t.rep_id,
            added_by=t.added_by,
            text=t.text,
            created_at=t.created_at,
            checked_at=t.checked_at,
            checked_by=t.checked_by,
        )

    def other_side(self, user_id: str) -> str:
        return self.rep_id if user_id == self.manager_id else self.manager_id


@dataclass(frozen=True)
class CheckOff:
    topic: TopicView
    newly_checked: bool  # False: it was checked off already (a second press changes nothing)


@dataclass(frozen=True)
class Agenda:
    """What both sides see before a 1:1: talking points and open action items, nothing else."""

    manager_id: str
    rep_id: str
    topics: tuple[TopicView, ...]  # open, oldest first
    open_topics: int
    items: tuple[ActionItemView, ...]  # not done, soonest due first
    open_items: int
    now: datetime

    def overdue(self) -> int:
        return sum(1 for i in self.items if i.overdue(self.now))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def resolve_pair(
    session: Session, *, team_id: str, user_id: str, other_id: str, caller_is_manager: bool | None = None
) -> Pair:
    """Which 1:1 ``/coach topic @other`` means: the rep side when ``other`` holds a cadence
    with the user as rep, else the manager side when the user is a manager (``caller_is_manager``
    when the caller knows, e.g. an admin; else the managers table says)."""
    if other_id == user_id:
        raise TopicRefused(
            f"A topic is for your 1:1 with someone else, not with yourself. For example `{TOPIC_EXAMPLE}`."
        )
    if cadence_for_pair(session, team_id=team_id, manager_id=other_id, rep_id=user_id) is not None:
        return Pair(manager_id=other_id, rep_id=user_id)
    if caller_is_manager is None:
        caller_is_manager = is_manager(session, team_id=team_id, user_id=user_id)
    if caller_is_manager:
        return Pair(manager_id=user_id, rep_id=other_id)
    if is_manager(session, team_id=team_id, user_id=other_id):
        raise TopicRefused(
            f"<@{other_id}> has no 1:1 with you set up yet, so there is no agenda to add to; nothing "
            f"was added. Ask them to set one (`/coach 1on1 @you weekly tue 10:00`), then: `{REP_TOPIC_EXAMPLE}`."
        )
    raise TopicRefused(
        f"Topics are for a 1:1 between a manager and a rep, and <@{other_id}> is not your manager here; "
        f"nothing was added. Name the manager you have 1:1s with, for example `{REP_TOPIC_EXAMPLE}`."
    )


def clean_text(text: str) -> str:
    """One line, invisible characters removed; refused when empty or too long."""
    cleaned = " ".join(strip_invisible(text).split())
    if not compact(cleaned):
        raise TopicRefused(f"Say what you'd like to talk about, for example `{TOPIC_EXAMPLE}`.", block_id="topic")
    if len(cleaned) > TEXT_LIMIT:
        raise TopicRefused(
            f"That topic is {len(cleaned):,} characters; a topic is a line of up to {TEXT_LIMIT} (details "
            f"belong in the 1:1). Nothing was added. For example `{TOPIC_EXAMPLE}`.",
            block_id="topic",
        )
    return cleaned


def _open(team_id: str, pair: Pair) -> ColumnElement[bool]:
    return and_(
        Topic.team_id == team_id,
        Topic.manager_id == pair.manager_id,
        Topic.rep_id == pair.rep_id,
        Topic.checked_at.is_(None),
    )


def add_topic(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    user_id: str,
    other_id: str,
    text: str,
    now: datetime,
    per_day: int = PER_DAY,
    caller_is_manager: bool | None = None,
) -> TopicView:
    """Add a topic to the 1:1 of ``user_id`` and ``other_id`` (either side may)."""
    # The lock comes first (see lock_members): two topics at once must not both pass the count.
    lock_members(session, team_id=team_id, user_ids=[user_id], now=now)
    pair = resolve_pair(
        session, team_id=team_id, user_id=user_id, other_id=other_id, caller_is_manager=caller_is_manager
    )
    cleaned = clean_text(text)
    added, oldest = session.execute(
        select(func.count(Topic.id), func.min(Topic.created_at)).where(
            Topic.team_id == team_id, Topic.added_by == user_id, Topic.created_at > now - DAY
        )
    ).one()
    if int(added or 0) >= per_day:
        frees = slack_when(_aware(oldest) + DAY if oldest is not None else now + DAY, now)
        raise TopicRefused(
            f"You added {per_day} topics in the last 24 hours, the most one person adds in a day; nothing "
            f"was added. The next one can go in {frees}. Until then, bring it up in the 1:1 itself.",
            block_id="topic",
        )
    key = norm_key(cleaned)
    same = session.scalar(select(Topic.id).where(_open(team_id, pair), Topic.norm == key).limit(1))
    if same is not None:
        raise TopicRefused(
            f"That is already on the agenda of <@{pair.manager_id}> and <@{pair.rep_id}> (topic #{same}); "
            "nothing was added. It stays there until one of you checks it off.",
            block_id="topic",
        )
    open_count = int(session.scalar(select(func.count(Topic.id)).where(_open(team_id, pair))) or 0)
    if open_count >= OPEN_LIMIT:
        raise TopicRefused(
            f"This 1:1 already has {OPEN_LIMIT} open topics, the most an agenda holds; nothing was added. "
            "Check some off first (the ✓ buttons on the agenda).",
            block_id="topic",
        )
    topic = Topic(
        team_id=team_id,
        enterprise_id=enterprise_id,
        manager_id=pair.manager_id,
        rep_id=pair.rep_id,
        added_by=user_id,
        text=cleaned,
        norm=key,
        created_at=now,
    )
    session.add(topic)
    session.flush()
    return TopicView.of(topic)


def _gone(topic_id: int) -> NotFound:
    return NotFound(f"Topic #{topic_id} isn't on any agenda of yours (it may have been removed).")


def check_topic(session: Session, *, team_id: str, topic_id: int, user_id: str, now: datetime) -> CheckOff:
    """Check a topic off; only its manager or rep may (anyone else is told it doesn't exist)."""
    topic = session.get(Topic, topic_id) if 1 <= topic_id <= MAX_ID else None
    if topic is None or topic.team_id != team_id or user_id not in (topic.manager_id, topic.rep_id):
        raise _gone(topic_id)
    if topic.checked_at is not None:
        return CheckOff(TopicView.of(topic), newly_checked=False)
    topic.checked_at = now
    topic.checked_by = user_id
    session.flush()
    return CheckOff(TopicView.of(topic), newly_checked=True)


def open_topics(
    session: Session, *, team_id: str, manager_id: str, rep_id: str, limit: int = AGENDA_LIMIT
) -> tuple[tuple[TopicView, ...], int]:
    """The pair's open topics, oldest first (at most ``limit``), and how many there are.

    One query: a pair has at most ``OPEN_LIMIT`` open topics, so all of them are read."""
    where = _open(team_id, Pair(manager_id=manager_id, rep_id=rep_id))
    rows = list(session.scalars(select(Topic).where(where).order_by(Topic.created_at, Topic.id)))
    return tuple(TopicView.of(t) for t in rows[:limit]), len(rows)


def open_items(
    session: Session, *, team_id: str, manager_id: str, rep_id: str, limit: int = AGENDA_LIMIT
) -> tuple[tuple[ActionItemView, ...], int]:
    """The action items this manager gave this rep that are not done yet, soonest due first.

    One query: a rep has at most ``action_items.MAX_OPEN_PER_REP`` unfinished items."""
    rows = list(
        session.scalars(
            select(ActionItem)
            .where(
                ActionItem.team_id == team_id,
                ActionItem.assigner_id == manager_id,
                ActionItem.rep_id == rep_id,
                ActionItem.status.in_(NOT_DONE),
            )
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        )
    )
    return tuple(ActionItemView.of(a) for a in rows[:limit]), len(rows)


def build_agenda(session: Session, *, team_id: str, manager_id: str, rep_id: str, now: datetime) -> Agenda:
    """The agenda of one 1:1, the same for both sides (it holds nothing private to either)."""
    topics, topic_total = open_topics(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id)
    items, item_total = open_items(session, team_id=team_id, manager_id=manager_id, rep_id=rep_id)
    return Agenda(
        manager_id=manager_id,
        rep_id=rep_id,
        topics=topics,
        open_topics=topic_total,
        items=items,
        open_items=item_total,
        now=now,
    )
