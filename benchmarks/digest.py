"""The leader digest for a workspace of 200 managers: queries and Block Kit.

    python -m benchmarks.digest [--managers N] [--notes-per-manager N] [--runs N] [--no-save]

Runs on PostgreSQL (a fresh database) and on SQLite (a temporary file). Each manager has
--notes-per-manager notes over the last 120 days on 12 reps (70 % rated over the default
rubric) and 20 action items; another workspace holds as much again (it must not slow this
one down). Each digest is built in its own transaction, as the delivery kind does.
Goal: <= 2 s for 200 managers.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

from benchmarks.common import analyze, fresh_database, machine, table, write_section
from bot.blocks.digest import digest_message
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import Sessions
from bot.db.models import ActionItem, Manager, Note
from bot.services import digest, rubric

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def seed(engine: Engine, sessions: Sessions, *, managers: int, notes_per_manager: int) -> None:
    rng = random.Random(9)
    for team in ("T1", "T2"):
        with sessions.begin() as session:
            skill_ids = [s.id for s in rubric.list_skills(session, team_id=team, now=NOW)]
        notes: list[dict[str, object]] = []
        items: list[dict[str, object]] = []
        people: list[dict[str, object]] = []
        for m in range(managers):
            author = f"UMGR{m}"
            people.append({"team_id": team, "user_id": author, "added_by": "UADMIN", "created_at": NOW})
            for i in range(notes_per_manager):
                rated = rng.random() < 0.7
                notes.append(
                    {
                        "team_id": team,
                        "author_id": author,
                        "rep_id": f"UREP{m}x{i % 12}",
                        "text": "A private observation the digest must never show.",
                        "shared_with_rep": False,
                        "created_at": NOW - timedelta(minutes=rng.randrange(120 * 24 * 60)),
                        "skill_id": rng.choice(skill_ids) if rated else None,
                        "rating": rng.randint(1, 5) if rated else None,
                    }
                )
            for i in range(20):
                status = rng.choice(("open", "acknowledged", "done"))
                items.append(
                    {
                        "team_id": team,
                        "assigner_id": author,
                        "rep_id": f"UREP{m}x{i % 12}",
                        "rep_tz": rng.choice(("America/New_York", "Europe/Berlin", "Asia/Tokyo")),
                        "text": "Send the recap",
                        "due_on": (NOW + timedelta(days=rng.randint(-30, 30))).date(),
                        "status": status,
                        "created_at": NOW - timedelta(days=40),
                        "updated_at": NOW,
                        "done_at": NOW - timedelta(days=rng.randint(0, 60)) if status == "done" else None,
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(Manager), people)
            for start in range(0, len(notes), 5000):
                conn.execute(insert(Note), notes[start : start + 5000])
            conn.execute(insert(ActionItem), items)
    analyze(engine)


def measure(sessions: Sessions, runs: int) -> tuple[float, float, int]:
    timings = []
    managers = 0
    for _ in range(runs):
        with sessions.begin() as session:
            session.connection()
            started = time.perf_counter()
            d = digest.build_digest(session, team_id="T1", now=NOW, viewer=None)
            digest_message(d)
            timings.append(time.perf_counter() - started)
            managers = len(d.managers)
    return statistics.median(timings), max(timings), managers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--notes-per-manager", type=int, default=150)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-save", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in (
            ("PostgreSQL", fresh_database("coachbot_bench_digest")),
            ("SQLite", f"sqlite:///{Path(tmp) / 'digest.db'}"),
        ):
            deps = build_deps(Settings.from_env({"DATABASE_URL": url}))
            prepare_database(deps, load_store=False)
            seed(deps.engine, deps.sessions, managers=args.managers, notes_per_manager=args.notes_per_manager)
            p50, worst, managers = measure(deps.sessions, args.runs)
            deps.engine.dispose()
            rows.append(
                [
                    name,
                    f"{managers:,}",
                    f"{args.managers * args.notes_per_manager:,}",
                    f"{p50 * 1000:.0f}",
                    f"{worst * 1000:.0f}",
                    "met" if worst <= 2 else "NOT MET",
                ]
            )
    out = table(["database", "managers", "notes in the workspace", "digest p50 ms", "slowest ms", "goal <= 2 s"], rows)
    report = (
        f"Machine: {machine()}.\nThe leader digest (grouped queries + Block Kit) for one workspace, "
        f"{args.runs} runs; another workspace of the same size shares the tables.\n\n{out}"
    )
    print(report)
    if not args.no_save:
        write_section("Leader digest", report)


if __name__ == "__main__":
    main()
