"""Exactly once across processes: concurrent `coachbot run-due` and SIGKILL mid-fan-out.

These run the real CLI in subprocesses against the test database and the fake Slack, and
assert on what people would see: each channel's history holds exactly one post.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.db.engine import Sessions
from bot.db.models import Delivery
from bot.gateway.posting import METADATA_EVENT
from bot.services import schedules
from bot.services.schedules import WEEKDAYS, ScheduleSpec
from tests.fakes.slack_api import FakeSlack

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
AT_ISO = "2026-11-30T08:00:00Z"

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_slack() -> Iterator[FakeSlack]:
    # Message ts start at the run's instant, as real posts would (reconciliation reads the
    # history from a little before the due time).
    fake = FakeSlack(latency=0.3, ts_base=int(AT.timestamp()))
    fake.start()
    yield fake
    fake.stop()


def seed_channels(sessions: Sessions, fake: FakeSlack, count: int) -> list[str]:
    channels = [f"CX{i:03d}" for i in range(count)]
    spec = ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)
    with sessions.begin() as s:
        for channel in channels:
            fake.add_channel(channel)
            schedules.set_schedule(
                s, team_id="T1", enterprise_id=None, kind="quote_channel", target_id=channel, created_by="U1", spec=spec
            )
    return channels


def run_due_process(database_url: str, fake: FakeSlack, cwd: Path, **env: str) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": fake.api_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "x",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", AT_ISO],
        env=environ,
        cwd=cwd,  # no stray .env
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def tagged_posts(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in fake.history(channel) if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def count(summary: str, what: str) -> int:
    match = re.search(rf"(\d+) {what}", summary)
    assert match, summary
    return int(match.group(1))


def test_three_concurrent_run_due_processes_post_once_per_channel(
    database_url: str, engine: Engine, sessions: Sessions, slow_slack: FakeSlack, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several run-due processes at once need PostgreSQL; SQLite supports one process (see README)")
    channels = seed_channels(sessions, slow_slack, 30)
    slow_slack.latency = 0.2
    procs = [run_due_process(database_url, slow_slack, tmp_path, COACHBOT_FANOUT_WORKERS="4") for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]

    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    assert {c: len(tagged_posts(slow_slack, c)) for c in channels} == {c: 1 for c in channels}
    assert len(slow_slack.posts()) == 30  # no duplicate post anywhere
    assert sum(count(out, "sent") for out, _ in outputs) == 30
    with sessions() as s:
        assert {d.status for d in s.scalars(select(Delivery))} == {"sent"}


def test_sigkill_mid_fan_out_then_an_immediate_rerun_leaves_exactly_one_post_per_channel(
    database_url: str, sessions: Sessions, slow_slack: FakeSlack, tmp_path: Path
) -> None:
    channels = seed_channels(sessions, slow_slack, 20)
    # One post that Slack is still working on when the process dies: it lands after the
    # kill, so only reconciliation can keep the re-run from posting it a second time.
    in_flight = channels[5]
    slow_slack.hang("chat.postMessage", 2.0, times=1, when={"channel": in_flight})
    victim = run_due_process(database_url, slow_slack, tmp_path, COACHBOT_FANOUT_WORKERS="4")
    deadline = time.monotonic() + 60
    while len(slow_slack.posts()) < 5 or _status(sessions, in_flight) != "pending":
        assert victim.poll() is None, victim.communicate()
        assert time.monotonic() < deadline, "the first run-due did not get going"
        time.sleep(0.02)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    with sessions() as s:
        left = list(s.scalars(select(Delivery)))
    assert len(left) < 20 or any(d.status == "pending" for d in left)
    assert tagged_posts(slow_slack, in_flight) == []  # not yet: Slack is still "working"

    rerun = run_due_process(database_url, slow_slack, tmp_path)
    out, err = rerun.communicate(timeout=120)

    assert rerun.returncode == 0, err
    assert {c: len(tagged_posts(slow_slack, c)) for c in channels} == {c: 1 for c in channels}
    assert count(out, "reconciled") >= 1  # the in-flight post was found, not repeated
    with sessions() as s:
        done = list(s.scalars(select(Delivery)))
    assert len(done) == 20 and {d.status for d in done} == {"sent"}
    # Each recorded ts is the one post in its channel.
    assert all(d.message_ts == tagged_posts(slow_slack, d.target_id)[0]["ts"] for d in done)


def _status(sessions: Sessions, channel: str) -> str | None:
    with sessions() as s:
        return s.scalar(select(Delivery.status).where(Delivery.target_id == channel))
