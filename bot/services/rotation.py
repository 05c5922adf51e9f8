"""Rotation: which quote (or prompt) a target gets next, without repeats, in O(log n).

Each target (a channel for quotes; a manager for prompts) has a ``Rotation`` row per kind
and a ``RotationSeen`` row per item handed out in the current cycle. ``advance`` picks AND
records the next item. The exact properties, for a pool of eligible items P:

1. No repeats within a cycle: an item is handed out at most once per cycle, and a new
   cycle starts only when every item eligible at that moment has been handed out in the
   current one. Items added mid-cycle join the current cycle (ahead of the walk if they
   are priority items, otherwise where the walk meets them, or as stragglers at the end).
2. Priority first: unseen "priority" items (for quotes: the workspace's own approved team
   quotes) come before anything else, oldest approval first. A newly approved team quote
   is therefore the very next item in every target's rotation.
3. A fresh order each cycle: the other items (curated quotes) are walked in ``shuffle_key``
   order from a uniformly random start key, wrapping around once; odd cycles walk upwards,
   even cycles downwards. So cycle k+1 is a different sequence from cycle k whenever the
   pool has three or more items (an ascending and a descending rotation of the same cycle
   order coincide only for n <= 2), and its starting point is independent of cycle k's.
4. No back-to-back repeat across the cycle boundary: a new cycle never starts with the
   item that ended the previous one (unless it is the only item).

Cost: each pick is a constant number of ``LIMIT 1`` index range scans (for quotes on
``ix_quotes_pool_shuffle``: team_id, active, shuffle_key) from the cursor, each row
checked with a primary-key ``NOT EXISTS`` probe on ``rotation_seen``. Nothing loads the
pool or the history into Python, so a pick costs the same with 100,000 quotes and 10,000
past posts. Only when the walk comes up empty is there one anti-join over the pool, to
catch stragglers (items inserted behind the cursor mid-cycle) before a new cycle starts.

The SQL for each shape of query is built once per pool and reused with bound parameters
(``PoolQuery.params`` carries the per-call values, e.g. the workspace), and runs on the
session's connection without the ORM layer: a pick is a few milliseconds of round trips,
not of Python.

Callers own the transaction; the engine calls ``next_quote`` inside the same transaction
that inserts the delivery claim, so a lost claim race rolls the advance back too.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.db.models import Quote, Rotation, RotationSeen, utcnow
from bot.db.upsert import insert_ignore

KEY_SPACE = 0x80000000  # shuffle keys are 31-bit (services.text.stable_int)


@dataclass(frozen=True)
class PoolQuery:
    """What a target rotates through, as SQL expressions on one mapped class.

    ``walk`` selects the bulk of the pool, walked in ``key`` order; it should fix the
    leading columns of an index that ends with ``key`` (``team_id IS NULL AND active`` on
    ``ix_quotes_pool_shuffle``), and ``walk_index_prefix`` names those leading columns. The
    walk orders by them too: PostgreSQL does not treat ``IS NULL`` (or a bare boolean) as
    fixing a column's order, so without them it would sort instead of reading the index
    in order. ``priority`` (optional) selects items served before the walk, in
    ``priority_order``. An item is eligible when it matches either.

    The expressions may use ``bindparam``s; ``params`` gives their values. Pools that
    differ only in ``params`` (``dataclasses.replace``) share the built statements.
    """

    item_id: InstrumentedAttribute[int]
    key: InstrumentedAttribute[int]
    walk: ColumnElement[bool]
    walk_index_prefix: tuple[InstrumentedAttribute[Any], ...] = ()
    priority: ColumnElement[bool] | None = None
    priority_order: tuple[ColumnElement[Any], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    _statements: dict[tuple[Any, ...], Select[int, int]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    @property
    def eligible(self) -> ColumnElement[bool]:
        return self.walk if self.priority is None else or_(self.walk, self.priority)


QUOTE_POOL = PoolQuery(
    item_id=Quote.id,
    key=Quote.shuffle_key,
    walk=and_(Quote.team_id.is_(None), Quote.active == true()),
    walk_index_prefix=(Quote.team_id, Quote.active),
    priority=and_(Quote.team_id == bindparam("pool_team_id", type_=String), Quote.active == true()),
    priority_order=(func.coalesce(Quote.approved_at, Quote.created_at).asc(), Quote.id.asc()),
)


def quote_pool(team_id: str) -> PoolQuery:
    """Curated quotes (walked) plus this workspace's approved team quotes (priority)."""
    return dataclasses.replace(QUOTE_POOL, params={"pool_team_id": team_id})


def next_quote(session: Session, *, team_id: str, channel_id: str, rng: random.Random | None = None) -> int | None:
    """Pick and record the next quote for a channel; None when there are no quotes at all."""
    return advance(session, team_id=team_id, kind="quote", target_id=channel_id, pool=quote_pool(team_id), rng=rng)


def advance(
    session: Session,
    *,
    team_id: str,
    kind: str,
    target_id: str,
    pool: PoolQuery,
    rng: random.Random | None = None,
) -> int | None:
    """Pick the next item of ``pool`` for (team, kind, target), record it, return its id.

    ``kind`` names the rotation (``quote``, ``prompt``) so one target can rotate through
    several pools independently. Returns None only when the pool is empty.
    """
    rand = rng or random
    session.flush()  # the queries below bypass the ORM (and its autoflush)
    rot = _rotation(session, team_id=team_id, kind=kind, target_id=target_id, rand=rand)
    item = _pick(session, rot, pool, avoid=None)
    if item is None:
        _new_cycle(session, rot, rand)
        item = _pick(session, rot, pool, avoid=rot.last_item_id)
        if item is None and rot.last_item_id is not None:
            item = _pick(session, rot, pool, avoid=None)  # a pool of one
        if item is None:
            return None
    rot.last_item_id = item
    conn = session.connection()
    conn.execute(_RECORD_SEEN, {"rot_id": rot.id, "rot_cycle": rot.cycle, "item": item, "now": utcnow()})
    conn.execute(
        _SAVE_ROTATION,
        {
            "rot_id": rot.id,
            "rot_cycle": rot.cycle,
            "start": rot.start_key,
            "cursor": rot.cursor_key,
            "wrapped": rot.wrapped,
            "last": rot.last_item_id,
        },
    )
    return item


@dataclass
class _State:
    """A rotation row, read once (locked) and written back once per pick."""

    id: int
    cycle: int
    start_key: int
    cursor_key: int | None
    wrapped: bool
    last_item_id: int | None


_LOAD_ROTATION = (
    select(
        Rotation.id,
        Rotation.cycle,
        Rotation.start_key,
        Rotation.cursor_key,
        Rotation.wrapped,
        Rotation.last_item_id,
    )
    .where(
        Rotation.team_id == bindparam("team_id"),
        Rotation.kind == bindparam("kind"),
        Rotation.target_id == bindparam("target_id"),
    )
    .with_for_update()
)
_RECORD_SEEN = insert(RotationSeen).values(
    rotation_id=bindparam("rot_id"), cycle=bindparam("rot_cycle"), item_id=bindparam("item"), seen_at=bindparam("now")
)
_SAVE_ROTATION = (
    update(Rotation)
    .where(Rotation.id == bindparam("rot_id"))
    .values(
        cycle=bindparam("rot_cycle"),
        start_key=bindparam("start"),
        cursor_key=bindparam("cursor"),
        wrapped=bindparam("wrapped"),
        last_item_id=bindparam("last"),
    )
)
_build_lock = threading.Lock()


def _rotation(session: Session, *, team_id: str, kind: str, target_id: str, rand: Any) -> _State:
    """The target's rotation, created on first use and locked (FOR UPDATE) for the pick."""
    conn = session.connection()
    params = {"team_id": team_id, "kind": kind, "target_id": target_id}
    row = conn.execute(_LOAD_ROTATION, params).first()
    if row is None:
        insert_ignore(
            conn,
            Rotation,
            {
                "team_id": team_id,
                "kind": kind,
                "target_id": target_id,
                "cycle": 1,
                "start_key": rand.randrange(KEY_SPACE),
                "cursor_key": None,
                "wrapped": False,
            },
            conflict_on=["team_id", "kind", "target_id"],
        )
        row = conn.execute(_LOAD_ROTATION, params).one()
    return _State(
        id=row.id,
        cycle=row.cycle,
        start_key=row.start_key,
        cursor_key=row.cursor_key,
        wrapped=bool(row.wrapped),
        last_item_id=row.last_item_id,
    )


def _new_cycle(session: Session, rot: _State, rand: Any) -> None:
    rot.cycle += 1
    rot.start_key = rand.randrange(KEY_SPACE)
    rot.cursor_key = None
    rot.wrapped = False
    # Keep the previous cycle (history), drop older ones: the table stays ~2x the pool.
    session.connection().execute(
        delete(RotationSeen).where(RotationSeen.rotation_id == rot.id, RotationSeen.cycle < rot.cycle - 1)
    )


def _segment(rot: _State, upward: bool) -> tuple[int | None, bool, int | None, bool]:
    """The key range still to walk in the current segment: (low, low inclusive, high, high
    inclusive), None for an open end; ONE range on the key.

    Segment 1 runs from the start key to the end of the key space (in the cycle's
    direction); after wrapping, segment 2 runs from the other end back to the start. The
    cursor bound is inclusive so items sharing the cursor's key stay reachable (seen ones
    are filtered out). Folding start and cursor into a single bound matters: SQLite given
    two lower bounds on the key may abandon the ordered index scan for a sort.
    """
    start, cursor = rot.start_key, rot.cursor_key
    if upward:
        if not rot.wrapped:
            return (start if cursor is None else max(start, cursor)), True, None, False
        return cursor, True, start, False
    if not rot.wrapped:
        return None, False, (start if cursor is None else min(start, cursor)), True
    return start, False, cursor, True


def _statement(pool: PoolQuery, shape: tuple[Any, ...]) -> Select[int, int]:
    """The query for one shape, built once per pool and then reused."""
    found = pool._statements.get(shape)
    if found is not None:
        return found
    with _build_lock:
        stmt = _build(pool, shape)
        pool._statements[shape] = stmt
    return stmt


def _build(pool: PoolQuery, shape: tuple[Any, ...]) -> Select[int, int]:
    what, avoid = shape[0], shape[1]
    key = pool.key
    filters: list[ColumnElement[bool]] = [
        ~exists().where(
            RotationSeen.rotation_id == bindparam("rot_id"),
            RotationSeen.cycle == bindparam("rot_cycle"),
            RotationSeen.item_id == pool.item_id,
        )
    ]
    if avoid:
        filters.append(pool.item_id != bindparam("avoid"))
    if what == "priority":
        assert pool.priority is not None
        return select(pool.item_id, key).where(pool.priority, *filters).order_by(*pool.priority_order).limit(1)
    if what == "straggler":
        return select(pool.item_id, key).where(pool.eligible, *filters).order_by(key).limit(1)
    _, _, upward, low, low_incl, high, high_incl = shape
    if low:
        filters.append(key >= bindparam("low") if low_incl else key > bindparam("low"))
    if high:
        filters.append(key <= bindparam("high") if high_incl else key < bindparam("high"))
    order = [c.asc() if upward else c.desc() for c in (*pool.walk_index_prefix, key)]
    return select(pool.item_id, key).where(pool.walk, *filters).order_by(*order).limit(1)


def _run(session: Session, stmt: Executable, params: dict[str, Any]) -> Any:
    return session.connection().execute(stmt, params).first()


def _pick(session: Session, rot: _State, pool: PoolQuery, *, avoid: int | None) -> int | None:
    params: dict[str, Any] = {**pool.params, "rot_id": rot.id, "rot_cycle": rot.cycle, "avoid": avoid}
    avoiding = avoid is not None

    if pool.priority is not None:
        row = _run(session, _statement(pool, ("priority", avoiding)), params)
        if row is not None:
            return int(row[0])

    upward = rot.cycle % 2 == 1
    while True:
        low, low_incl, high, high_incl = _segment(rot, upward)
        shape = ("walk", avoiding, upward, low is not None, low_incl, high is not None, high_incl)
        row = _run(session, _statement(pool, shape), {**params, "low": low, "high": high})
        if row is not None:
            rot.cursor_key = int(row[1])
            return int(row[0])
        if rot.wrapped:
            break
        rot.wrapped = True
        rot.cursor_key = None

    # The walk is done. Stragglers: eligible items inserted behind the cursor mid-cycle.
    row = _run(session, _statement(pool, ("straggler", avoiding)), params)
    return int(row[0]) if row is not None else None
