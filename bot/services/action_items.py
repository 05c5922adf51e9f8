"""Action items: what a manager asks a rep to do, and the rep's side of it.

Unlike a note, an action item is shared: the rep sees its text (by DM, in ``/coach todos``)
and who assigned it, never the note it may have come from. Only the rep moves it along
("Got it", "Done"); only the assigner sees it among their own and can delete it (with
``/coach delete all``). Everything is keyed by team: an id from another workspace names
nothing. An item that is gone answers exactly like one that never existed, so the rep's DM
buttons say "removed" after the manager deletes everything.

Overdue: open or acknowledged, with a due date before the rep's local today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import ActionItem, ItemDm
from bot.db.models.base import MAX_ID
from bot.errors import NotAllowed, NotFound, UsageError
from bot.services.member_limits import lock_members, slack_when
from bot.services.note_input import ACTION_ITEM_EXAMPLE
from bot.services.notes import get_note
from bot.services.schedules import zone_or_utc

OPEN, ACKNOWLEDGED, DONE = "open", "acknowledged", "done"
STATUSES = (OPEN, ACKNOWLEDGED, DONE)
NOT_DONE = (OPEN, ACKNOWLEDGED)
TEXT_LIMIT = 1000
# A manager can't bury a rep in DMs: this many unfinished items per rep at most.
MAX_OPEN_PER_REP = 25
LIST_LIMIT = 50  # items per list in /coach todos; the counts cover the rest
# ...and a rep can't be buried by several managers, or by one who deletes and starts over:
# at most this many action-item DMs in any 24 hours, from everyone (COACHBOT_MAX_ITEM_DMS_PER_DAY).
DMS_PER_DAY = 10
DAY = timedelta(hours=24)


class DmBudgetSpent(UsageError):
    """The rep got the most action-item DMs one person gets in 24 hours; nothing was created."""


class ActionItemGone(NotFound):
    """The item was deleted (or is not in this workspace)."""


@dataclass(frozen=True)
class ActionItemView:
    id: int
    team_id: str
    assigner_id: str
    rep_id: str
    rep_tz: str | None
    text: str
    due_on: date | None
    status: str
    note_id: int | None
    dm_channel_id: str | None
    dm_ts: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    done_at: datetime | None

    @classmethod
    def of(cls, a: ActionItem) -> ActionItemView:
        return cls(
            id=a.id,
            team_id=a.team_id,
            assigner_id=a.assigner_id,
            rep_id=a.rep_id,
            rep_tz=a.rep_tz,
            text=a.text,
            due_on=a.due_on,
            status=a.status,
            note_id=a.note_id,
            dm_channel_id=a.dm_channel_id,
            dm_ts=a.dm_ts,
            created_at=a.created_at,
            acknowledged_at=a.acknowledged_at,
            done_at=a.done_at,
        )

    def overdue(self, now: datetime) -> bool:
        return is_overdue(self.due_on, self.status, self.rep_tz, now)


@dataclass(frozen=True)
class Completion:
    item: ActionItemView
    newly_done: bool  # False when it was already done: tell nobody twice

    @property
    def notify(self) -> str | None:
        """Whom to DM that the rep finished it (the assigner), once."""
        return self.item.assigner_id if self.newly_done else None


@dataclass(frozen=True)
class ActionItemLists:
    """``/coach todos``: what I must do, and what I asked others to do."""

    assigned_to_me: tuple[ActionItemView, ...]  # open and acknowledged, soonest due first
    assigned_by_me: tuple[ActionItemView, ...]  # every status, unfinished first
    to_me_total: int
    by_me_total: int
    now: datetime


def local_today(now: datetime, tz: str | None) -> date:
    return now.astimezone(zone_or_utc(tz)).date()


def is_overdue(due_on: date | None, status: str, tz: str | None, now: datetime) -> bool:
    return due_on is not None and status != DONE and due_on < local_today(now, tz)


def validate_text(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise UsageError(f"Write what the rep should do, e.g. `{ACTION_ITEM_EXAMPLE}`.", block_id="action_item")
    if len(text) > TEXT_LIMIT:
        raise UsageError(
            f"That action item is {len(text):,} characters; the limit is {TEXT_LIMIT:,}. Nothing was saved. "
            f"Keep it to one thing to do, e.g. `{ACTION_ITEM_EXAMPLE}`.",
            block_id="action_item",
        )
    return text


def create_action_item(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    assigner_id: str,
    rep_id: str,
    rep_tz: str | None,
    text: str,
    due_on: date | None,
    now: datetime,
    note_id: int | None = None,
    dms_per_day: int = DMS_PER_DAY,
) -> ActionItemView:
    """A new open item, and its DM counted against the rep's budget. ``note_id`` must be one of
    the assigner's own notes (it is never shown to the rep). The caller checks the assigner is
    a manager and sends the rep's DM.

    The budget is counted under the rep's ``MemberLock`` row, taken first: two managers
    assigning at once can't both read 9 and both send the tenth (a row lock on PostgreSQL, the
    write lock on SQLite, as for quote submissions)."""
    text = validate_text(text)
    lock_members(session, team_id=team_id, user_ids=[rep_id], now=now)
    check_dm_budget(session, team_id=team_id, rep_id=rep_id, now=now, per_day=dms_per_day)
    if note_id is not None:
        get_note(session, team_id=team_id, author_id=assigner_id, note_id=note_id)
    unfinished = int(
        session.scalar(
            select(func.count(ActionItem.id)).where(
                ActionItem.team_id == team_id,
                ActionItem.assigner_id == assigner_id,
                ActionItem.rep_id == rep_id,
                ActionItem.status.in_(NOT_DONE),
            )
        )
        or 0
    )
    if unfinished >= MAX_OPEN_PER_REP:
        raise UsageError(
            f"<@{rep_id}> already has {unfinished} unfinished action items from you, the most at a time. "
            "Wait for some to be done, or clear them with `/coach delete all`. See them with `/coach todos`.",
            block_id="action_item",
        )
    item = ActionItem(
        team_id=team_id,
        enterprise_id=enterprise_id,
        assigner_id=assigner_id,
        rep_id=rep_id,
        rep_tz=rep_tz,
        text=text,
        due_on=due_on,
        status=OPEN,
        note_id=note_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.add(ItemDm(team_id=team_id, rep_id=rep_id, sent_at=now))
    session.flush()
    return ActionItemView.of(item)


def check_dm_budget(session: Session, *, team_id: str, rep_id: str, now: datetime, per_day: int = DMS_PER_DAY) -> None:
    """Refuse (``DmBudgetSpent``) when ``rep_id`` got ``per_day`` action-item DMs in the last 24
    hours, from all managers together. Deleted items still count: the DMs were sent."""
    sent, oldest = session.execute(
        select(func.count(ItemDm.id), func.min(ItemDm.sent_at)).where(
            ItemDm.team_id == team_id, ItemDm.rep_id == rep_id, ItemDm.sent_at > now - DAY
        )
    ).one()
    if int(sent or 0) >= per_day:
        frees = slack_when(_aware(oldest) + DAY if oldest is not None else now + DAY, now)
        items = f"{per_day} action item" + ("" if per_day == 1 else "s")
        raise DmBudgetSpent(
            f"<@{rep_id}> already got {items} by DM in the last 24 hours, from all managers "
            f"together, the most one person gets in a day; nothing was created. The next one can go out "
            f"{frees}. Meanwhile, keep it in a note: `/coach @rep what you observed`.",
            block_id="action_item",
        )


def forget_old_dms(session: Session, *, now: datetime) -> int:
    """The tick's housekeeping: ledger rows older than 24 hours no longer count."""
    result = session.execute(delete(ItemDm).where(ItemDm.sent_at <= now - DAY))
    return int(getattr(result, "rowcount", 0) or 0)


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def record_dm(session: Session, *, team_id: str, item_id: int, channel_id: str, ts: str) -> None:
    """Remember the rep's DM (after it was posted), so it can be found again."""
    item = _get(session, team_id=team_id, item_id=item_id)
    item.dm_channel_id, item.dm_ts = channel_id, ts


def _gone(item_id: int) -> ActionItemGone:
    return ActionItemGone(
        f"Action item #{item_id} was removed by whoever assigned it; there is nothing left to do. "
        "See your current ones with `/coach todos`."
    )


def _get(session: Session, *, team_id: str, item_id: int) -> ActionItem:
    if not 1 <= item_id <= MAX_ID:
        raise _gone(item_id)
    item = session.scalar(select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.id == item_id))
    if item is None:
        raise _gone(item_id)
    return item


def _rep_only(item: ActionItem, user_id: str) -> None:
    if item.rep_id != user_id:
        raise NotAllowed(
            f"Action item #{item.id} is <@{item.rep_id}>'s to mark; only they can. Yours are in `/coach todos`."
        )


def get_for_rep(session: Session, *, team_id: str, item_id: int, user_id: str) -> ActionItemView:
    item = _get(session, team_id=team_id, item_id=item_id)
    _rep_only(item, user_id)
    return ActionItemView.of(item)


def acknowledge(session: Session, *, team_id: str, item_id: int, user_id: str, now: datetime) -> ActionItemView:
    """The rep's "Got it". Pressing it again, or after Done, changes nothing."""
    item = _get(session, team_id=team_id, item_id=item_id)
    _rep_only(item, user_id)
    if item.status == OPEN:
        item.status, item.acknowledged_at, item.updated_at = ACKNOWLEDGED, now, now
        session.flush()
    return ActionItemView.of(item)


def complete(session: Session, *, team_id: str, item_id: int, user_id: str, now: datetime) -> Completion:
    """The rep's "Done". ``Completion.notify`` is the assigner to DM, the first time only."""
    item = _get(session, team_id=team_id, item_id=item_id)
    _rep_only(item, user_id)
    if item.status == DONE:
        return Completion(ActionItemView.of(item), newly_done=False)
    item.status, item.done_at, item.updated_at = DONE, now, now
    if item.acknowledged_at is None:
        item.acknowledged_at = now
    session.flush()
    return Completion(ActionItemView.of(item), newly_done=True)


def list_action_items(
    session: Session, *, team_id: str, user_id: str, now: datetime, limit: int = LIST_LIMIT
) -> ActionItemLists:
    """The open items assigned to ``user_id`` and the items they assigned (any status)."""
    to_me = and_(ActionItem.team_id == team_id, ActionItem.rep_id == user_id, ActionItem.status.in_(NOT_DONE))
    by_me = and_(ActionItem.team_id == team_id, ActionItem.assigner_id == user_id)
    mine = session.scalars(
        select(ActionItem)
        .where(to_me)
        # No due date last: a dated item is the one that can become late.
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        .limit(limit)
    )
    assigned = session.scalars(
        select(ActionItem)
        .where(by_me)
        .order_by(case((ActionItem.status == DONE, 1), else_=0), ActionItem.created_at.desc(), ActionItem.id.desc())
        .limit(limit)
    )
    to_me_total = int(session.scalar(select(func.count(ActionItem.id)).where(to_me)) or 0)
    by_me_total = int(session.scalar(select(func.count(ActionItem.id)).where(by_me)) or 0)
    return ActionItemLists(
        assigned_to_me=tuple(ActionItemView.of(a) for a in mine),
        assigned_by_me=tuple(ActionItemView.of(a) for a in assigned),
        to_me_total=to_me_total,
        by_me_total=by_me_total,
        now=now,
    )


@dataclass(frozen=True)
class ItemCounts:
    open: int  # not done (open or acknowledged)
    overdue: int


def counts_for_rep(session: Session, *, team_id: str, assigner_id: str, rep_id: str, now: datetime) -> ItemCounts:
    """Open and overdue items one manager gave one rep (the rep card)."""
    rows = session.execute(
        select(ActionItem.due_on, ActionItem.rep_tz, func.count(ActionItem.id))
        .where(
            ActionItem.team_id == team_id,
            ActionItem.assigner_id == assigner_id,
            ActionItem.rep_id == rep_id,
            ActionItem.status.in_(NOT_DONE),
        )
        .group_by(ActionItem.due_on, ActionItem.rep_tz)
    ).all()
    total = sum(int(n) for _, _, n in rows)
    overdue = sum(int(n) for due, tz, n in rows if is_overdue(due, OPEN, tz, now))
    return ItemCounts(open=total, overdue=overdue)


def counts_by_rep(session: Session, *, team_id: str, assigner_id: str, now: datetime) -> dict[str, ItemCounts]:
    """Open and overdue items one manager gave, per rep (``/coach overview``); reps with none left out."""
    rows = session.execute(
        select(ActionItem.rep_id, ActionItem.due_on, ActionItem.rep_tz, func.count(ActionItem.id))
        .where(
            ActionItem.team_id == team_id,
            ActionItem.assigner_id == assigner_id,
            ActionItem.status.in_(NOT_DONE),
        )
        .group_by(ActionItem.rep_id, ActionItem.due_on, ActionItem.rep_tz)
    ).all()
    totals: dict[str, list[int]] = {}
    for rep_id, due, tz, n in rows:
        seen = totals.setdefault(rep_id, [0, 0])
        seen[0] += int(n)
        seen[1] += int(n) if is_overdue(due, OPEN, tz, now) else 0
    return {rep_id: ItemCounts(open=o, overdue=late) for rep_id, (o, late) in sorted(totals.items())}


def delete_all_action_items(session: Session, *, team_id: str, assigner_id: str) -> int:
    """Every item the manager assigned (``coaching.delete_all_notes`` calls the same delete)."""
    result = session.execute(
        delete(ActionItem).where(ActionItem.team_id == team_id, ActionItem.assigner_id == assigner_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def count_assigned(session: Session, *, team_id: str, assigner_id: str) -> int:
    return int(
        session.scalar(
            select(func.count(ActionItem.id)).where(
                ActionItem.team_id == team_id, ActionItem.assigner_id == assigner_id
            )
        )
        or 0
    )


def reminder_candidates(session: Session, *, first: date, last: date) -> list[ActionItemView]:
    """Unfinished items due in [first, last], across workspaces (for the delivery engine)."""
    rows = session.scalars(
        select(ActionItem)
        .where(ActionItem.due_on >= first, ActionItem.due_on <= last, ActionItem.status.in_(NOT_DONE))
        .order_by(ActionItem.id)
    )
    return [ActionItemView.of(a) for a in rows]


def item_for_delivery(session: Session, *, item_id: int) -> ActionItemView | None:
    a = session.get(ActionItem, item_id) if 1 <= item_id <= MAX_ID else None
    return ActionItemView.of(a) if a is not None else None
