"""Note saves while a load balancer (or an attacker) hammers /healthz.

    python -m benchmarks.healthz_load [--checks 3000] [--seconds 6] [--compare-with DIR]

`coachbot serve` runs as a subprocess on a fresh PostgreSQL database. One sender saves
`/coach` notes back to back, first on a quiet server, then while `--checks` health checks
arrive over `--seconds` (paced, from 16 keep-alive connections). The table shows the note
save latency in both phases and how many health checks were answered.

`--compare-with DIR` runs the same phases first against the coachbot source tree in DIR
(e.g. an older commit: `git archive COMMIT | tar -x -C DIR`), for a before/after table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, insert

from benchmarks.common import (
    ROOT,
    command_body,
    free_port,
    fresh_database,
    machine,
    stop,
    table,
    wait_for_port,
    write_section,
)
from bot.db.models import Manager
from tests.fakes.slack_api import FakeSlack

SECRET = "bench-signing-secret"
HEALTH_CONNECTIONS = 16


def save_notes(port: int, seconds: float) -> list[float]:
    """Send /coach notes back to back for ``seconds``; return each latency in ms."""
    verifier = SignatureVerifier(SECRET)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = command_body("/coach", "<@U2|bob> Great discovery call; ask for the budget earlier.")
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        started = time.perf_counter()
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        resp = conn.getresponse()
        resp.read()
        timings.append((time.perf_counter() - started) * 1000)
        if resp.status != 200:
            raise RuntimeError(f"note save answered {resp.status}")
    conn.close()
    return timings


def hammer_healthz(port: int, checks: int, seconds: float, answered: list[int]) -> None:
    per_conn = checks // HEALTH_CONNECTIONS
    interval = seconds / per_conn

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = 0
        start_at = time.monotonic()
        for i in range(per_conn):
            delay = start_at + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            ok += resp.status == 200
        conn.close()
        answered.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(HEALTH_CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(ordered):.1f} / {p99:.1f} / {ordered[-1]:.1f}"


def measure(source: Path, label: str, args: argparse.Namespace, fake: FakeSlack) -> list[list[object]]:
    db = fresh_database("coachbot_bench_healthz")
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "LOG_LEVEL": "WARNING",
        "COACHBOT_TICK_SECONDS": "3600",
        "PYTHONPATH": str(source),
    }
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=source,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proc, timeout=120)
        engine = create_engine(db)
        with engine.begin() as conn:
            conn.execute(
                insert(Manager).values(team_id="T1", user_id="U1", added_by="UADMIN", created_at=datetime.now(UTC))
            )
        engine.dispose()
        save_notes(port, 1.0)  # warm-up: connection pools, user lookups
        quiet = save_notes(port, args.seconds)
        answered: list[int] = []
        loader = threading.Thread(target=hammer_healthz, args=(port, args.checks, args.seconds, answered))
        loader.start()
        loaded = save_notes(port, args.seconds)
        loader.join()
    finally:
        stop(proc)
    return [
        [label, "quiet", len(quiet), summary(quiet), "-"],
        [label, f"{args.checks} health checks in {args.seconds:.0f} s", len(loaded), summary(loaded), sum(answered)],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=3000, help="health checks in the loaded phase (default 3000)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase (default 6)")
    parser.add_argument("--compare-with", type=Path, help="another coachbot source tree to measure first")
    args = parser.parse_args()

    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob", tz="America/New_York")
    rows: list[list[object]] = []
    try:
        if args.compare_with is not None:
            rows += measure(args.compare_with.resolve(), f"{args.compare_with.name}", args, fake)
        rows += measure(ROOT, "this tree", args, fake)
    finally:
        fake.stop()
    out = table(["server", "phase", "notes saved", "note save p50 / p99 / max ms", "health checks answered 200"], rows)
    report = (
        f"Machine: {machine()}. Database: PostgreSQL (local). One note sender; /healthz reuses its "
        f"database check for a second.\n\n{out}"
    )
    print(report)
    write_section("Note saves while /healthz is polled", report)


if __name__ == "__main__":
    main()
