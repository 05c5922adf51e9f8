"""Fan-out benchmark: 300 channels due in the same minute, against the fake Slack.

Usage (from the repository root)::

    python benchmarks/fanout.py [DATABASE_URL]

The database defaults to a temporary SQLite file; set BENCH_DATABASE_URL (or pass a URL)
to use PostgreSQL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench. The schema is
migrated there and the schedule/delivery tables are emptied between scenarios.

The fake Slack runs in a child process (as Slack is not in ours) and answers every call
after 0.1 s. Scenarios: the default bounded fan-out; one post at a time
(COACHBOT_FANOUT_WORKERS=1) as the baseline; the default fan-out with Slack limiting
chat.postMessage to 50 per second per workspace (429 + Retry-After); and 2,000 channels
across 20 workspaces.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, text

from benchmarks.common import machine, table, write_section
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import Delivery, Rotation, RotationSeen, Schedule
from bot.gateway.clients import ClientFactory
from bot.gateway.posting import METADATA_EVENT
from bot.scheduling.run import RunResult, run_due
from bot.services import schedules
from bot.services.schedules import WEEKDAYS, ScheduleSpec
from tests.fakes.slack_api import FakeSlack

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
LATENCY = 0.1


@dataclass
class Row:
    scenario: str
    channels: int
    workspaces: int
    workers: int
    seconds: float
    posts: int
    duplicates: int
    misses: int
    waits: int


def _serve_fake(conn: Connection, latency: float) -> None:
    """The fake Slack in its own process, so its work does not share our GIL: commands
    arrive over a pipe (add channels, set a rate limit, count tagged posts, stop)."""
    fake = FakeSlack(latency=latency, ts_base=int(AT.timestamp()))
    fake.start()
    conn.send(fake.api_url)
    while True:
        command, arg = conn.recv()
        if command == "workspace":
            fake.add_workspace(arg, token=f"xoxb-{arg.lower()}")
            conn.send(None)
        elif command == "channels":
            for team, channel in arg:
                fake.add_channel(channel, team_id=team)
            conn.send(None)
        elif command == "rate_limit":
            fake.rate_limit("chat.postMessage", per_second=arg)
            conn.send(None)
        elif command == "counts":
            conn.send(
                [
                    sum(1 for m in fake.history(c) if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT)
                    for c in arg
                ]
            )
        else:
            fake.stop()
            conn.send(None)
            return


class RemoteFake:
    def __init__(self, latency: float) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(target=_serve_fake, args=(child, latency))
        self.process.start()
        self.api_url: str = self.conn.recv()

    def call(self, command: str, arg: object = None) -> object:
        self.conn.send((command, arg))
        return self.conn.recv()

    def stop(self) -> None:
        self.call("stop")
        self.process.join(timeout=10)


def scenario(url: str, name: str, *, channels: int, workers: int, limit: float | None, workspaces: int = 1) -> Row:
    fake = RemoteFake(LATENCY)
    try:
        teams = ["T1"] + [f"TW{i:02d}" for i in range(1, workspaces)]
        for team in teams[1:]:
            fake.call("workspace", team)
        # One token per workspace, as an OAuth installation store would hand out.
        tokens = {"T1": "xoxb-test", **{t: f"xoxb-{t.lower()}" for t in teams[1:]}}
        settings = Settings.from_env(
            {
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": "xoxb-test",
                "SLACK_SIGNING_SECRET": "bench-secret",
                "SLACK_API_URL": fake.api_url,
                "COACHBOT_FANOUT_WORKERS": str(workers),
            }
        )
        engine = make_engine(url, pool_size=max(10, workers))
        deps = build_deps(settings, engine)
        deps.clients = TokenPerTeam(settings, tokens)
        deps.clock = lambda: AT
        targets = [(teams[i % len(teams)], f"CB{i:05d}") for i in range(channels)]
        fake.call("channels", targets)
        with deps.sessions.begin() as s:
            for table in (RotationSeen, Rotation, Delivery, Schedule):
                s.execute(delete(table))
            for team, channel in targets:
                schedules.set_schedule(
                    s,
                    team_id=team,
                    enterprise_id=None,
                    kind="quote_channel",
                    target_id=channel,
                    created_by="U1",
                    spec=ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS),
                )
        if engine.dialect.name == "postgresql":
            # A live database has planner statistics (autovacuum); a fresh one has none.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        if limit is not None:
            fake.call("rate_limit", limit)
        started = time.perf_counter()
        result: RunResult = run_due(deps, AT)
        seconds = time.perf_counter() - started
        counts = fake.call("counts", [c for _, c in targets])
        assert isinstance(counts, list)
        deps.background.shutdown(wait=True)
        engine.dispose()
    finally:
        fake.stop()
    return Row(
        scenario=name,
        channels=channels,
        workspaces=workspaces,
        workers=workers,
        seconds=seconds,
        posts=sum(counts),
        duplicates=sum(max(0, n - 1) for n in counts),
        misses=sum(1 for n in counts if n == 0),
        waits=result.rate_limited,
    )


class TokenPerTeam(ClientFactory):
    """Bot tokens per workspace from a dict (the benchmark's stand-in for OAuth installs)."""

    def __init__(self, settings: Settings, tokens: dict[str, str]) -> None:
        super().__init__(settings)
        self.tokens = tokens

    def bot_token(self, *, team_id: str, enterprise_id: str | None = None) -> str | None:
        return self.tokens.get(team_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--workers", type=int, default=32, help="the bounded fan-out (COACHBOT_FANOUT_WORKERS)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip the slow one-at-a-time run")
    parser.add_argument("--skip-large", action="store_true", help="skip the 2,000-channel run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        url = Settings.from_env({"DATABASE_URL": url}).database_url
        setup = build_deps(Settings.from_env({"DATABASE_URL": url}))
        prepare_database(setup)
        setup.engine.dispose()
        backend = url.split(":", 1)[0]
        print(f"database: {backend}; fake Slack latency {LATENCY * 1000:.0f} ms per call; due at {AT.isoformat()}")

        rows = [scenario(url, "bounded fan-out", channels=args.channels, workers=args.workers, limit=None)]
        if not args.skip_baseline:
            rows.append(scenario(url, "one at a time", channels=args.channels, workers=1, limit=None))
        rows.append(scenario(url, "fan-out, 50 posts/s limit", channels=args.channels, workers=args.workers, limit=50))
        if not args.skip_large:
            rows.append(
                scenario(
                    url, "2,000 channels, 20 workspaces", channels=2000, workers=args.workers, limit=None, workspaces=20
                )
            )

    rows_out = [
        [
            r.scenario,
            r.channels,
            r.workspaces,
            r.workers,
            f"{r.seconds:.2f}",
            r.posts,
            r.duplicates,
            r.misses,
            r.waits,
        ]
        for r in rows
    ]
    out = table(
        ["scenario", "channels", "workspaces", "workers", "time (s)", "posts", "duplicates", "misses", "429s"], rows_out
    )
    floor = args.channels / 50
    report = (
        f"Machine: {machine()}. Database: {backend}. The fake Slack runs in its own process and answers every "
        f"call after {LATENCY * 1000:.0f} ms. Goals: {args.channels} channels in <= 5 s (>= 6x the one-at-a-time "
        f"loop); under 50 posts/s, <= 1.25x the floor of {floor:.1f} s; 0 duplicates and 0 misses.\n\n{out}"
    )
    print(report)
    write_section(f"Fan-out ({backend})", report)
    return 0 if all(r.duplicates == 0 and r.misses == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
