"""The 1:1 prep brief for a manager with 10,000 notes: its queries and its Block Kit.

    python -m benchmarks.prep_brief [--notes N] [--others N] [--briefs N] [--no-save]

Runs on SQLite (a temporary file) and, when it is reachable, on PostgreSQL (a fresh
database; BENCH_PG_URL as for every benchmark). The manager's --notes notes are spread over
25 reps and the default rubric (70 % rated), plus --others notes by 50 other managers in the
same workspace; the manager also has 300 action items and every pair 20 topics (10 of them
checked off). Two cases: a rep among 25 (400 notes each) and the worst case, one rep holding
all of the manager's notes. Each brief (``build_brief`` + ``brief_message``) is timed on its
own transaction, as the delivery engine and the assistant pane run it. Goal: p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlalchemy.exc import OperationalError

from benchmarks.common import analyze, fresh_database, machine, p50_p99_ms, seed_manager_notes, table, write_section
from bot.blocks.one_on_ones import brief_message
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import Sessions
from bot.db.models import Topic
from bot.services import prep_brief, rubric
from bot.services.text import norm_key

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REPS = 25


def seed(engine: Engine, sessions: Sessions, *, notes: int, others: int, one_rep: bool) -> None:
    with sessions.begin() as session:
        skill_ids = [s.id for s in rubric.list_skills(session, team_id="T1", now=NOW)]
    rng = random.Random(5)

    with engine.begin() as conn:
        seed_manager_notes(conn, rng, skill_ids, notes=notes, others=others, reps=REPS, one_rep=one_rep, now=NOW)
        conn.execute(
            insert(Topic),
            [
                {
                    "team_id": "T1",
                    "manager_id": "UMGR",
                    "rep_id": f"UREP{r}",
                    "added_by": "UMGR" if n % 2 else f"UREP{r}",
                    "text": f"Talking point {n}",
                    "norm": norm_key(f"Talking point {n}"),
                    "created_at": NOW - timedelta(days=n),
                    "checked_at": NOW if n < 10 else None,
                }
                for r in range(REPS)
                for n in range(20)
            ],
        )
    analyze(engine)


def measure(sessions: Sessions, briefs: int, reps: int) -> tuple[float, float, float, float]:
    """Wall-clock p50/p99 and this thread's CPU p50/p99 (ms). On a loaded machine the wall clock
    includes time spent waiting for a core; the CPU time is the brief's own work (the PostgreSQL
    server's share excluded)."""
    rng = random.Random(3)
    wall, cpu = [], []
    for _ in range(briefs):
        rep = f"UREP{rng.randrange(reps)}"
        with sessions.begin() as session:
            session.connection()  # the transaction's start is not the brief's cost
            started, started_cpu = time.perf_counter(), time.thread_time()
            brief = prep_brief.build_brief(session, team_id="T1", manager_id="UMGR", rep_id=rep, now=NOW)
            brief_message(brief, tz="Europe/Berlin")
            wall.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    return (*p50_p99_ms(wall), *p50_p99_ms(cpu))


def run(name: str, url: str, args: argparse.Namespace, *, one_rep: bool) -> list[str]:
    deps = build_deps(Settings.from_env({"DATABASE_URL": url}))
    prepare_database(deps, load_store=False)
    seed(deps.engine, deps.sessions, notes=args.notes, others=args.others, one_rep=one_rep)
    p50, p99, cpu50, cpu99 = measure(deps.sessions, args.briefs, 1 if one_rep else REPS)
    deps.engine.dispose()
    case = "one rep, all notes" if one_rep else f"1 rep of {REPS}"
    return [name, case, f"{p50:.2f}", f"{p99:.2f}", f"{cpu50:.2f}", f"{cpu99:.2f}", "met" if p99 <= 50 else "NOT MET"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=40_000)
    parser.add_argument("--briefs", type=int, default=500)
    parser.add_argument("--no-save", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    rows: list[list[str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for one_rep in (False, True):
            suffix = "one" if one_rep else "spread"
            rows.append(run("SQLite", f"sqlite:///{Path(tmp) / f'brief_{suffix}.db'}", args, one_rep=one_rep))
            try:
                url = fresh_database(f"coachbot_bench_brief_{suffix}")
            except OperationalError as err:
                notes.append(f"PostgreSQL not reachable ({type(err.orig).__name__}): SQLite only.")
                continue
            rows.append(run("PostgreSQL", url, args, one_rep=one_rep))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    headers = ["database", "case", "p50 ms", "p99 ms", "CPU p50 ms", "CPU p99 ms", "goal p99 <= 50 ms"]
    out = table(headers, rows)
    report = (
        f"Machine: {machine()}.\n1:1 prep brief (queries + Block Kit) with {args.notes:,} notes by the manager "
        f"(70 % rated over 8 skills) and {args.others:,} by 50 other managers, 300 action items, 20 topics per "
        f"rep; {args.briefs:,} briefs timed one by one. Load average when it ended: {load} (1/5/15 min).\n\n{out}\n"
        + "".join(f"\n{n}" for n in sorted(set(notes)))
    )
    print(report)
    if not args.no_save:
        write_section("Prep brief", report)


if __name__ == "__main__":
    main()
