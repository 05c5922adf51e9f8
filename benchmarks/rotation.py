"""Picking the next quote with 100,000 quotes and 10,000 past posts in the channel.

    python -m benchmarks.rotation [--quotes N] [--history N] [--picks N]

Runs on PostgreSQL (a fresh database) and on SQLite (a temporary file). The history is
built by the real rotation (``next_quote`` called --history times), then --picks more
calls are timed one by one, each in its own transaction as the delivery engine does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text

from benchmarks.common import fresh_database, machine, table, write_section
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.models import Quote, RotationSeen
from bot.services.rotation import next_quote
from bot.services.text import norm_key


def seed(url: str, quotes: int) -> None:
    deps = build_deps(Settings.from_env({"DATABASE_URL": url}))
    prepare_database(deps, load_store=False)
    rng = random.Random(7)
    with deps.engine.begin() as conn:
        batch = []
        for i in range(quotes):
            text = f"Benchmark leadership quote number {i}: lead people, manage things."
            batch.append(
                {
                    "curated_key": f"bench-{i}",
                    "text": text,
                    "author": f"Author {i % 500}",
                    "tags": ["leadership"],
                    "contested": False,
                    "active": True,
                    "norm_key": norm_key(text),
                    "shuffle_key": rng.randrange(0x7FFFFFFF),
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Quote), batch)
                batch = []
        if batch:
            conn.execute(insert(Quote), batch)
    _analyze(deps.engine)
    deps.engine.dispose()


def _analyze(engine: Engine) -> None:
    """Refresh the planner's statistics, as autovacuum does on a live database; right after
    a bulk load they are empty and PostgreSQL would plan as if the tables were tiny."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def measure(url: str, history: int, picks: int) -> tuple[float, float, float, int, int]:
    deps = build_deps(Settings.from_env({"DATABASE_URL": url}))
    rng = random.Random(11)
    for _ in range(history):
        with deps.sessions.begin() as session:
            next_quote(session, team_id="T1", channel_id="C1", rng=rng)
    _analyze(deps.engine)
    timings = []
    commits = []
    for _ in range(picks):
        with deps.sessions.begin() as session:
            session.connection()  # begin outside the timed part
            started = time.perf_counter()
            next_quote(session, team_id="T1", channel_id="C1", rng=rng)  # the queries and the flush
            picked = time.perf_counter()
        commits.append(time.perf_counter() - picked)
        timings.append(picked - started)
    with deps.sessions.begin() as session:
        seen = session.scalar(select(func.count()).select_from(RotationSeen)) or 0
        distinct = session.scalar(select(func.count(func.distinct(RotationSeen.item_id)))) or 0
        quotes = session.scalar(select(func.count()).select_from(Quote)) or 0
    deps.engine.dispose()
    timings.sort()
    return (
        statistics.median(timings) * 1000,
        timings[int(len(timings) * 0.99)] * 1000,
        statistics.median(commits) * 1000,
        int(seen),
        int(distinct) if quotes else 0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--picks", type=int, default=1_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in (
            ("PostgreSQL", fresh_database("coachbot_bench_rotation")),
            ("SQLite", f"sqlite:///{Path(tmp) / 'rotation.db'}"),
        ):
            started = time.perf_counter()
            seed(url, args.quotes)
            p50, p99, commit, seen, distinct = measure(url, args.history, args.picks)
            rows.append(
                [
                    name,
                    f"{args.quotes:,}",
                    f"{args.history:,}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    f"{commit:.2f}",
                    "yes" if seen == distinct else f"NO ({seen - distinct} repeats)",
                    f"{time.perf_counter() - started:.0f}",
                ]
            )
    out = table(
        [
            "database",
            "quotes",
            "past posts",
            "pick p50 ms",
            "pick p99 ms",
            "then commit p50 ms",
            "no repeats",
            "total s",
        ],
        rows,
    )
    report = (
        f"Machine: {machine()}.\n{args.picks:,} picks timed one by one: the pick's queries and its flush inside "
        "the transaction; the commit (a disk sync, the same for any write) is shown apart. Measured after "
        f"{args.history:,} real picks built the channel's history. Goal: p99 <= 5 ms on both databases.\n\n{out}"
    )
    print(report)
    write_section("Rotation", report)


if __name__ == "__main__":
    main()
