"""`/coach rep @rep` with 10,000 notes by that manager: the card's queries and its Block Kit.

    python -m benchmarks.coach_rep [--notes N] [--others N] [--cards N] [--no-save]

Runs on PostgreSQL (a fresh database) and on SQLite (a temporary file). The manager's
--notes notes are spread over 25 reps and the default rubric (70 % rated), plus --others
notes by 50 other managers in the same workspace; the manager also has 300 action items.
Two cases: a rep among 25 (400 notes each) and the worst case, one rep holding all of the
manager's notes with a full rubric of 20 skills, 12 of them never rated. Each card is timed on its own transaction, as a command runs it. The same
runs without the rep-card index (``ix_notes_author_rep_skill_created``) show what it buys.
Goal: p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from benchmarks.common import analyze, fresh_database, machine, p50_p99_ms, seed_manager_notes, table, write_section
from bot.blocks.rep_card import rep_card_message
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import Sessions
from bot.services import rep_card, rubric

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
INDEX = "ix_notes_author_rep_skill_created"


def seed(engine: Engine, sessions: Sessions, *, notes: int, others: int, one_rep: bool) -> None:
    with sessions.begin() as session:
        skill_ids = [s.id for s in rubric.list_skills(session, team_id="T1", now=NOW)]
        if one_rep:
            # The worst case also has a full rubric whose added skills this rep was never rated on:
            # without the rep-card index each of them scans all of the rep's notes.
            for n in range(rubric.MAX_SKILLS - len(skill_ids)):
                rubric.add_skill(session, team_id="T1", typed=f"extra-{n}", is_admin=True, now=NOW)
    rng = random.Random(5)

    with engine.begin() as conn:
        seed_manager_notes(conn, rng, skill_ids, notes=notes, others=others, reps=25, one_rep=one_rep, now=NOW)
    analyze(engine)


def measure(sessions: Sessions, cards: int, reps: int) -> tuple[float, float]:
    rng = random.Random(3)
    timings = []
    for _ in range(cards):
        rep = f"UREP{rng.randrange(reps)}"
        with sessions.begin() as session:
            session.connection()  # the transaction's start is not the card's cost
            started = time.perf_counter()
            card = rep_card.rep_card(session, team_id="T1", author_id="UMGR", rep_id=rep, now=NOW)
            rep_card_message(card, tz="Europe/Berlin")
            timings.append(time.perf_counter() - started)
    return p50_p99_ms(timings)


def run(name: str, url: str, args: argparse.Namespace, *, one_rep: bool) -> list[list[str]]:
    deps = build_deps(Settings.from_env({"DATABASE_URL": url}))
    prepare_database(deps, load_store=False)
    seed(deps.engine, deps.sessions, notes=args.notes, others=args.others, one_rep=one_rep)
    case = "one rep, all notes, 20 skills" if one_rep else "1 rep of 25"
    reps = 1 if one_rep else 25
    rows = []
    p50, p99 = measure(deps.sessions, args.cards, reps)
    rows.append([name, case, "yes", f"{p50:.2f}", f"{p99:.2f}", "met" if p99 <= 50 else "NOT MET"])
    with deps.engine.begin() as conn:
        conn.execute(text(f"DROP INDEX {INDEX}"))
    analyze(deps.engine)
    p50, p99 = measure(deps.sessions, args.cards, reps)
    rows.append([name, case, "no", f"{p50:.2f}", f"{p99:.2f}", ""])
    deps.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=40_000)
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--no-save", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for one_rep in (False, True):
            suffix = "one" if one_rep else "spread"
            rows += run("PostgreSQL", fresh_database(f"coachbot_bench_rep_{suffix}"), args, one_rep=one_rep)
            rows += run("SQLite", f"sqlite:///{Path(tmp) / f'rep_{suffix}.db'}", args, one_rep=one_rep)
    out = table(["database", "case", "rep-card index", "card p50 ms", "card p99 ms", "goal p99 <= 50 ms"], rows)
    report = (
        f"Machine: {machine()}.\n`/coach rep` card (queries + Block Kit) with {args.notes:,} notes by the manager "
        f"(70 % rated over 8 skills) and {args.others:,} by 50 other managers, 300 action items; "
        f"{args.cards:,} cards timed one by one.\n\n{out}"
    )
    print(report)
    if not args.no_save:
        write_section("Rep card", report)


if __name__ == "__main__":
    main()
