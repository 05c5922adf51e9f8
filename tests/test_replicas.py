"""Several `coachbot serve` replicas on one PostgreSQL behave like one: each delivery once.

PostgreSQL only: SQLite supports one process (see README, "Scaling").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.services import schedules
from bot.services.schedule_spec import EVERYDAY, ScheduleSpec
from tests.fakes.slack_api import FakeSlack
from tests.harness import free_port

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="replicas share a PostgreSQL database; CI runs this on it"
)
CHANNELS = [f"CR{i:03d}" for i in range(30)]


def _serve(tmp_path: Path, database_url: str, fake: FakeSlack, name: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "replica-secret",
        "SLACK_API_URL": fake.api_url,
        "COACHBOT_TICK_SECONDS": "1",
        "COACHBOT_FANOUT_WORKERS": "4",
        "LOG_LEVEL": "INFO",
    }
    log = (tmp_path / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    return proc, port


def test_two_serve_replicas_deliver_each_post_once(
    tmp_path: Path, database_url: str, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    now = datetime.now(UTC)
    due = now - timedelta(minutes=1)
    with sessions.begin() as s:
        for channel in CHANNELS:
            fake_slack.add_channel(channel, name=channel.lower())
            schedules.set_schedule(
                s,
                team_id="T1",
                enterprise_id=None,
                kind="quote_channel",
                target_id=channel,
                created_by="U1",
                spec=ScheduleSpec(due.hour, due.minute, "UTC", EVERYDAY),
            )
        # As if the schedules had been set up yesterday, so today's occurrence counts.
        s.execute(update(Schedule).values(created_at=now - timedelta(days=1)))
    fake_slack.latency = 0.05  # posts overlap between the replicas' ticks
    replicas = [_serve(tmp_path, database_url, fake_slack, f"replica{i}") for i in range(2)]
    try:
        for proc, port in replicas:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, (tmp_path / "replica0.log").read_text()
                try:
                    if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline
                time.sleep(0.2)
        deadline = time.monotonic() + 60
        while len(fake_slack.posts()) < len(CHANNELS) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # several more ticks on both replicas
    finally:
        for proc, _ in replicas:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in replicas:
            proc.wait(timeout=30)
    per_channel = {c: len([m for m in fake_slack.history(c) if m.get("metadata")]) for c in CHANNELS}
    assert per_channel == {c: 1 for c in CHANNELS}
    # Both replicas were really ticking against the same schedules.
    logs = [(tmp_path / f"replica{i}.log").read_text() for i in range(2)]
    assert all("coachbot listening on" in log for log in logs)
