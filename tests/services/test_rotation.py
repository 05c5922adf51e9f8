"""Rotation: no repeats within a cycle, team quotes first, a fresh order each cycle, and
a pick that stays an indexed LIMIT 1 query with 100,000 quotes and 10,000 past posts."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, and_, delete, event, func, insert, select, text, true
from sqlalchemy.orm import Session

from bot.db.engine import Sessions
from bot.db.models import Quote, Rotation, RotationSeen
from bot.services import rotation
from bot.services.quotes import visible_to
from bot.services.rotation import PoolQuery, advance, next_quote
from bot.services.text import norm_key

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def eligible_ids(s: Session, team_id: str = "T1") -> set[int]:
    return set(s.scalars(select(Quote.id).where(visible_to(team_id))))


def add_quote(s: Session, text: str, *, team: str | None, key: int, approved: datetime | None = None) -> int:
    q = Quote(
        team_id=team,
        text=text,
        author="Someone",
        norm_key=norm_key(text),
        shuffle_key=key,
        submitted_by="U3" if team else None,
        approved_at=approved,
    )
    s.add(q)
    s.flush()
    return q.id


def picks(s: Session, n: int, *, channel: str = "C1", team: str = "T1", rng: random.Random | None = None) -> list[int]:
    out = []
    for _ in range(n):
        item = next_quote(s, team_id=team, channel_id=channel, rng=rng)
        assert item is not None
        out.append(item)
    return out


def test_no_repeats_until_every_quote_was_seen_then_a_fresh_order(sessions: Sessions) -> None:
    with sessions.begin() as s:
        pool = eligible_ids(s)
        n = len(pool)
        first = picks(s, n, rng=random.Random(1))
        second = picks(s, n, rng=random.Random(2))
    assert len(first) == n and set(first) == pool
    assert set(second) == pool
    assert second != first and second != list(reversed(first))
    assert second[0] != first[-1]  # no back-to-back repeat across the cycle boundary


def test_team_quotes_come_first_oldest_approval_first(sessions: Sessions) -> None:
    with sessions.begin() as s:
        later = add_quote(s, "The second approved team quote.", team="T1", key=5, approved=T0 + timedelta(days=1))
        earlier = add_quote(s, "The first approved team quote.", team="T1", key=9, approved=T0)
        got = picks(s, 3)
    assert got[:2] == [earlier, later]
    with sessions() as s:
        third = s.get(Quote, got[2])
        assert third is not None and third.team_id is None


def test_a_newly_approved_team_quote_is_next_mid_cycle(sessions: Sessions) -> None:
    with sessions.begin() as s:
        picks(s, 5)
        fresh = add_quote(s, "Approved just now by an admin.", team="T1", key=1, approved=T0)
        assert picks(s, 1) == [fresh]


def test_another_workspaces_quotes_are_never_picked(sessions: Sessions) -> None:
    with sessions.begin() as s:
        theirs = add_quote(s, "Belongs to workspace two only.", team="T2", key=1, approved=T0)
        n = len(eligible_ids(s))
        assert theirs not in picks(s, n)


def test_channels_rotate_independently(sessions: Sessions) -> None:
    with sessions.begin() as s:
        a = picks(s, 3, channel="C1", rng=random.Random(7))
        b = picks(s, 3, channel="C2", rng=random.Random(8))
        assert s.scalar(select(func.count()).select_from(Rotation)) == 2
    assert a != b


# -- the mechanics, on a small pool of our own --------------------------------------------


@pytest.fixture
def small_pool(sessions: Sessions) -> Iterator[tuple[Sessions, PoolQuery, list[int]]]:
    with sessions.begin() as s:
        ids = [add_quote(s, f"Small pool quote number {k}.", team="TP", key=k * 10) for k in range(1, 6)]
    pool = PoolQuery(item_id=Quote.id, key=Quote.shuffle_key, walk=and_(Quote.team_id == "TP", Quote.active == true()))
    yield sessions, pool, ids


def walk(s: Session, pool: PoolQuery, n: int, rng: random.Random | None = None) -> list[int | None]:
    return [advance(s, team_id="T1", kind="test", target_id="C1", pool=pool, rng=rng) for _ in range(n)]


def test_each_cycle_is_a_rotation_of_the_shuffle_order_alternating_direction(
    small_pool: tuple[Sessions, PoolQuery, list[int]],
) -> None:
    sessions, pool, ids = small_pool
    with sessions.begin() as s:
        cycle1 = walk(s, pool, 5, random.Random(3))
        cycle2 = walk(s, pool, 5, random.Random(4))
    assert sorted(cycle1) == sorted(ids) == sorted(cycle2)  # type: ignore[type-var]
    pos = {item: ids.index(item) for item in ids}
    up = [pos[i] for i in cycle1 if i is not None]
    down = [pos[i] for i in cycle2 if i is not None]
    assert all((b - a) % 5 == 1 for a, b in itertools.pairwise(up))  # ascending, wrapping once
    assert cycle2[0] != cycle1[-1]
    # Descending, apart from the one item moved so the cycle doesn't start with the last one.
    assert sum((a - b) % 5 == 1 for a, b in itertools.pairwise(down)) >= 2


def test_inactive_items_are_skipped(small_pool: tuple[Sessions, PoolQuery, list[int]]) -> None:
    sessions, pool, ids = small_pool
    with sessions.begin() as s:
        retired = s.get(Quote, ids[2])
        assert retired is not None
        retired.active = False
        got = walk(s, pool, 4)
    assert sorted(got) == sorted(ids[:2] + ids[3:])  # type: ignore[type-var]


def test_an_item_added_behind_the_cursor_is_served_before_a_new_cycle(
    small_pool: tuple[Sessions, PoolQuery, list[int]],
) -> None:
    sessions, pool, ids = small_pool
    with sessions.begin() as s:
        first = walk(s, pool, 2)
        cycle, cursor = s.execute(select(Rotation.cycle, Rotation.cursor_key).where(Rotation.kind == "test")).one()
        assert cycle == 1 and cursor is not None
        # Cycle 1 walks upwards: a key just below the cursor is behind it.
        behind = add_quote(s, "Inserted just behind the cursor.", team="TP", key=cursor - 1)
        rest = walk(s, pool, 4)
        assert s.scalar(select(Rotation.cycle).where(Rotation.kind == "test")) == 1
        assert sorted([*first, *rest]) == sorted([*ids, behind])  # type: ignore[type-var]
        assert walk(s, pool, 1) != [None]
        assert s.scalar(select(Rotation.cycle).where(Rotation.kind == "test")) == 2


def test_empty_pool_gives_none_and_a_pool_of_one_repeats(sessions: Sessions) -> None:
    empty = PoolQuery(item_id=Quote.id, key=Quote.shuffle_key, walk=Quote.team_id == "NOBODY")
    with sessions.begin() as s:
        assert advance(s, team_id="T1", kind="test", target_id="C1", pool=empty) is None
        only = add_quote(s, "The one and only quote here.", team="TONE", key=42)
        one = PoolQuery(item_id=Quote.id, key=Quote.shuffle_key, walk=Quote.team_id == "TONE")
        assert [advance(s, team_id="T1", kind="one", target_id="C1", pool=one) for _ in range(3)] == [only] * 3


def test_a_lost_claim_rolls_the_rotation_back(sessions: Sessions) -> None:
    with sessions.begin() as s:
        kept = picks(s, 1)
    s = sessions()
    s.begin()
    picks(s, 1)
    s.rollback()  # the claim transaction lost the race
    s.close()
    with sessions.begin() as s:
        seen = list(s.scalars(select(RotationSeen.item_id)))
    assert seen == kept


# -- cost at scale ------------------------------------------------------------------------

BIG = 100_000
PAST = 10_000


@pytest.fixture(params=[3, 4], ids=["upward-cycle", "downward-cycle"])
def big_pool(request: pytest.FixtureRequest, sessions: Sessions, engine: Engine) -> Iterator[Sessions]:
    """100,000 curated-like quotes and a channel with 10,000 past picks, mid-cycle."""
    cycle: int = request.param
    rng = random.Random(5)
    rows: list[dict[str, Any]] = [
        {
            "team_id": None,
            "text": f"Generated quote {i}",
            "author": "Gen",
            "tags": [],
            "norm_key": f"gen{i}",
            "shuffle_key": rng.randrange(rotation.KEY_SPACE),
            "active": True,
            "contested": False,
            "created_at": T0,
            "updated_at": T0,
        }
        for i in range(BIG)
    ]
    with sessions.begin() as s:
        s.execute(insert(Quote), rows)
        rot = Rotation(team_id="T1", kind="quote", target_id="CBIG", cycle=cycle, start_key=1 << 30, wrapped=False)
        s.add(rot)
        s.flush()
        # The previous cycle's picks and this cycle's so far (all behind the cursor).
        ordered = s.execute(
            select(Quote.id, Quote.shuffle_key)
            .where(Quote.curated_key.is_(None), Quote.team_id.is_(None))
            .order_by(Quote.shuffle_key)
        ).all()
        if cycle % 2:  # upward from the start key
            this_cycle = [r for r in ordered if r.shuffle_key >= rot.start_key][: PAST // 2]
        else:  # downward from the start key
            this_cycle = [r for r in reversed(ordered) if r.shuffle_key <= rot.start_key][: PAST // 2]
        rot.cursor_key = this_cycle[-1].shuffle_key
        seen = [{"rotation_id": rot.id, "cycle": cycle, "item_id": r.id, "seen_at": T0} for r in this_cycle]
        seen += [
            {"rotation_id": rot.id, "cycle": cycle - 1, "item_id": r.id, "seen_at": T0} for r in ordered[: PAST // 2]
        ]
        s.execute(insert(RotationSeen), seen)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    yield sessions
    with sessions.begin() as s:
        s.execute(delete(Quote).where(Quote.curated_key.is_(None), Quote.team_id.is_(None)))


def test_a_pick_is_a_few_indexed_limit_1_queries_at_scale(big_pool: Sessions, engine: Engine) -> None:
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with big_pool.begin() as s:
            got = [next_quote(s, team_id="T1", channel_id="CBIG") for _ in range(3)]
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert len(set(got)) == 3
    with big_pool() as s:
        rot = s.scalars(select(Rotation).where(Rotation.target_id == "CBIG")).one()
        seen = set(s.scalars(select(RotationSeen.item_id).where(RotationSeen.cycle == rot.cycle)))
        keys = list(s.scalars(select(Quote.shuffle_key).where(Quote.id.in_(got))))
    assert len(seen) == PAST // 2 + 3  # the walk went on from the cursor, nothing repeated
    assert all(k > rot.start_key for k in keys) if rot.cycle % 2 else all(k < rot.start_key for k in keys)
    selects = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(statements) <= 3 * 6  # a constant handful per pick, whatever the pool size
    with engine.connect() as conn:
        for sql, params in selects:
            plan = _plan(conn, sql, params)
            if "quotes" in sql:
                assert "ix_quotes_pool_shuffle" in plan or "pk_quotes" in plan or "quotes_pkey" in plan, plan
            assert "SCAN quotes" not in plan and "Seq Scan on quotes" not in plan, plan
            assert "SCAN rotation_seen" not in plan and "Seq Scan on rotation_seen" not in plan, plan
            if "shuffle_key >" in sql or "shuffle_key <" in sql:  # the walk: read in index order
                assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def _plan(conn: Any, sql: str, params: Any) -> str:
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN " + sql, params).all()
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)
